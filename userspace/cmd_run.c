// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: boot a guest image on a KVM-API device.
 *
 * Everything that only needs the image happens first, so a bad image is
 * reported without a device: map RAM, load the image, lay out the boot
 * data. Then open the device and create the VM, bring up the devices, the
 * vCPU, and run it until the guest or a signal ends the run. Teardown is
 * the same steps in reverse.
 *
 * Exit status: the guest's, from the exit port (0 if it halts); 1 when
 * svmx or the guest fails (the message says which); 2 for a usage error;
 * 128 + N when signal N stops it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cmd.h"
#include "devices.h"
#include "image.h"
#include "vcpu.h"

#define DEFAULT_MEM	(128 * MiB)

void cmd_run_usage(void)
{
	printf("usage: svmx run [OPTIONS] IMAGE\n\n"
	       "Boot IMAGE in a new VM. Its format is recognised by magic:\n"
	       "  multiboot v1  (header in the first 8 KiB; ELF32 or flag 16 addresses)\n"
	       "                entered in 32-bit protected mode, EBX = multiboot info\n"
	       "  x86-64 ELF64  entered in 64-bit mode, identity-mapped\n"
	       "  flat binary   with --load: copied to ADDR, entered per --bits\n\n"
	       "  -m, --mem SIZE        guest RAM, with K, M or G (default 128M)\n"
	       "  -c, --cpus N          vCPUs (only 1 for now)\n"
	       "      --dev PATH        the KVM-API device (default " SVMX_DEFAULT_DEV
	       "; /dev/kvm works too)\n"
	       "      --cmdline TEXT    multiboot: the kernel's arguments\n"
	       "      --module 'PATH [ARGS]'  multiboot: load a module (repeatable)\n"
	       "      --load ADDR       IMAGE is a flat binary: load it at ADDR\n"
	       "      --entry ADDR      flat: start at ADDR (default: the load address)\n"
	       "      --bits 16|32|64   flat: real, protected or long mode (default 16)\n"
	       "  -h, --help\n\n"
	       "Devices: 16550 UART on port 0x3f8 (the terminal; Ctrl-C stops svmx),\n"
	       "exit port 0xf4 (the value written is svmx's exit status), fw_cfg on\n"
	       "0x510/0x511 (RAM size, CPU count). Other ports and MMIO are ignored\n"
	       "(reads see all-ones) and logged once on stderr.\n"
	       "Exit status: the guest's (0 if it halts); 1 if svmx or the guest\n"
	       "fails; 2 for a usage error; 128+N on signal N.\n");
}

struct run_config {
	const char *dev;
	uint64_t mem;
	int cpus;
	struct image_opts image;
};

enum { OPT_DEV = 256, OPT_CMDLINE, OPT_MODULE, OPT_LOAD, OPT_ENTRY, OPT_BITS };

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", pr_prefix);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n'svmx run --help' lists the options.\n");
	return 2;
}

/* 0, or the exit status of a usage error (after saying what it is). */
static int parse_args(int argc, char **argv, struct run_config *c)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "dev", required_argument, NULL, OPT_DEV },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "bits", required_argument, NULL, OPT_BITS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct image_opts *im = &c->image;
	bool bits_set = false;
	uint64_t v;
	int opt;

	while ((opt = getopt_long(argc, argv, "m:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_size(optarg, &c->mem) || c->mem < GUEST_MEM_MIN ||
			    c->mem > GUEST_MEM_MAX || c->mem % (4 * KiB))
				return usage_error("--mem: '%s' is not a size from 1M to 64G in 4K steps", optarg);
			break;
		case 'c':
			if (parse_u64(optarg, &v) || v < 1 || v > 255)
				return usage_error("--cpus: '%s' is not a CPU count", optarg);
			c->cpus = (int)v;
			break;
		case OPT_DEV:
			c->dev = optarg;
			break;
		case OPT_CMDLINE:
			im->cmdline = optarg;
			break;
		case OPT_MODULE:
			if (im->nmodules == IMAGE_MAX_MODULES)
				return usage_error("--module: at most %s modules", "16");
			im->modules[im->nmodules++] = optarg;
			break;
		case OPT_LOAD:
			if (parse_u64(optarg, &im->load))
				return usage_error("--load: '%s' is not an address", optarg);
			im->flat = true;
			break;
		case OPT_ENTRY:
			if (parse_u64(optarg, &im->entry))
				return usage_error("--entry: '%s' is not an address", optarg);
			im->entry_set = true;
			break;
		case OPT_BITS:
			if (strcmp(optarg, "16") && strcmp(optarg, "32") &&
			    strcmp(optarg, "64"))
				return usage_error("--bits: '%s' is not 16, 32 or 64", optarg);
			im->bits = optarg[0] == '1' ? 16 : optarg[0] == '3' ? 32 : 64;
			bits_set = true;
			break;
		case 'h':
			cmd_run_usage();
			return -1;
		default:
			return usage_error("%s", "bad option");
		}
	}
	if (optind == argc)
		return usage_error("%s", "no IMAGE given");
	if (optind + 1 != argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	im->path = argv[optind];
	if (!im->flat && (im->entry_set || bits_set))
		return usage_error("%s", "--entry and --bits are for flat binaries: give --load too");
	if (c->cpus > VM_MAX_VCPUS)
		return usage_error("--cpus: %s", "only 1 vCPU is supported so far");
	return 0;
}

static int run_vm(struct run_config *c, struct guest_mem *mem,
		  const struct boot *b)
{
	struct vm vm = { .ncpus = c->cpus, .console_in = STDIN_FILENO,
			 .console_out = STDOUT_FILENO };
	struct vcpu vcpu = { .fd = -1 };
	int status = 1;

	if (vm_open(&vm, c->dev, mem))
		return 1;
	/* From here a signal stops the run through the teardown below. */
	vm_watch_signals(&vm);
	if (devices_init(&vm))
		goto out_vm;
	if (vcpu_create(&vm, &vcpu, 0))
		goto out_devices;
	if (boot_set_vcpu(&vcpu, b))
		goto out_vcpu;
	if (vcpu_loop(&vcpu) == 0) {
		status = atomic_load(&vm.exit_status);
		if (vm_signalled()) {
			pr_err("stopped by signal %d", vm_signalled());
			status = 128 + vm_signalled();
		}
	}
out_vcpu:
	vcpu_destroy(&vcpu);
out_devices:
	devices_exit(&vm);
out_vm:
	vm_close(&vm);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_config c = {
		.dev = SVMX_DEFAULT_DEV, .mem = DEFAULT_MEM, .cpus = 1,
		.image = { .bits = 16 },
	};
	struct guest_mem mem;
	struct boot b = { 0 };
	int r;

	pr_prefix = "svmx run";
	r = parse_args(argc, argv, &c);
	if (r)
		return r < 0 ? 0 : r;
	if (guest_mem_init(&mem, c.mem))
		return 1;
	if (image_load(&c.image, &mem, &b) || boot_prepare(&mem, &b)) {
		guest_mem_free(&mem);
		return 1;
	}
	r = run_vm(&c, &mem, &b);
	guest_mem_free(&mem);
	return r;
}
