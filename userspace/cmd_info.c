// SPDX-License-Identifier: GPL-2.0
/*
 * svmx info: what a KVM-API device offers, and whether a VM can be created
 * on it right now.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "cmd.h"

void cmd_info_usage(void)
{
	printf("usage: svmx info [--dev PATH]\n\n"
	       "Show the API version, the vCPU mmap size and every capability the\n"
	       "device reports, then create and destroy one VM.\n\n"
	       "  --dev PATH   the KVM-API device (default " SVMX_DEFAULT_DEV
	       "; /dev/kvm works too)\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = SVMX_DEFAULT_DEV;
	int fd, vm, c, cap, limit, ncaps = 0;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'h':
			cmd_info_usage();
			return 0;
		default:
			cmd_info_usage();
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "svmx info: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "svmx info: cannot open %s: %s%s\n", dev,
			strerror(errno),
			errno == ENOENT ? " (is the svmx module loaded?)" : "");
		return 1;
	}
	printf("device:       %s\n", dev);
	printf("api version:  %d\n", ioctl(fd, KVM_GET_API_VERSION, 0));
	printf("vcpu mmap:    %d bytes\n", ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	printf("capabilities:");
	limit = kvm_cap_limit();
	for (cap = 0; cap < limit; cap++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
		const char *name = kvm_cap_name(cap);

		if (r <= 0)
			continue;
		if (name)
			printf(" %s=%d", name, r);
		else
			printf(" cap%d=%d", cap, r);
		ncaps++;
	}
	printf("%s\n", ncaps ? "" : " none");

	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("create VM:    failed: %s%s\n", strerror(errno),
		       errno == EBUSY ?
		       " (another hypervisor owns VMX/SVM; see the kernel log)" : "");
		close(fd);
		return 1;
	}
	printf("create VM:    ok (fd %d), destroyed\n", vm);
	close(vm);
	close(fd);
	return 0;
}
