// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: the vCPU loop. KVM_RUN until the VM is asked to stop; port and
 * MMIO exits go to the io-buses, the rest ends the run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vcpu.h"

static void vcpu_pio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	/* A string instruction (rep ins/outs) brings several in one exit. */
	for (i = 0; i < run->io.count; i++, data += run->io.size)
		iobus_access(&vcpu->vm->pio, run->io.port, data, run->io.size,
			     run->io.direction == KVM_EXIT_IO_OUT);
}

static int __attribute__((format(printf, 2, 3)))
vcpu_fail(struct vcpu *vcpu, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pr_err("vCPU %d: %s", vcpu->id, what);
	vcpu_dump(vcpu, stderr);
	return -1;
}

int vcpu_loop(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	while (!vm_stopping(vcpu->vm)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			pr_err("vCPU %d: KVM_RUN: %s", vcpu->id, strerror(errno));
			return -1;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			vcpu_pio(vcpu);
			break;
		case KVM_EXIT_MMIO:
			iobus_access(&vcpu->vm->mmio, run->mmio.phys_addr,
				     run->mmio.data, run->mmio.len,
				     run->mmio.is_write);
			break;
		case KVM_EXIT_HLT:
			/* Nothing can wake it: there are no interrupts yet. */
			pr_err("vCPU %d: the guest halted", vcpu->id);
			vm_request_exit(vcpu->vm, 0);
			break;
		case KVM_EXIT_SHUTDOWN:
			return vcpu_fail(vcpu, "the guest shut down (triple fault)");
		case KVM_EXIT_FAIL_ENTRY:
			return vcpu_fail(vcpu, "the device could not enter the guest (hardware reason %#llx)",
					 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			return vcpu_fail(vcpu, "internal error in the device (suberror %u)",
					 run->internal.suberror);
		default:
			return vcpu_fail(vcpu, "unexpected exit reason %u",
					 run->exit_reason);
		}
	}
	return 0;
}
