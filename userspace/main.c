// SPDX-License-Identifier: GPL-2.0
/*
 * svmx: a small VMM for the KVM API, on /dev/svmx or /dev/kvm.
 * This file holds the command table; each command lives in cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct svmx_cmd commands[] = {
	{ "info", "show what the device offers and check that a VM can be created",
	  cmd_info, cmd_info_usage },
	{ "run", "boot a multiboot, ELF64 or flat guest image in a new VM",
	  cmd_run, cmd_run_usage },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: svmx COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'svmx COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("svmx 0.1\n");
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (argc > 2 && (!strcmp(argv[2], "--help") ||
				 !strcmp(argv[2], "-h"))) {
			commands[i].usage();
			return 0;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "svmx: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
