// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits to userspace (KVM_EXIT_IO).
 *
 * As on KVM, the data goes through the vCPU's PIO page (run->io.data_offset
 * is one page into the mmap) and the instruction completes at the next
 * KVM_RUN: an IN's data is written to RAX then, and RIP moves past the
 * instruction for IN and OUT alike, unless userspace moved RIP meanwhile.
 */
#include <linux/kvm.h>
#include <linux/mm.h>

#include "svmx.h"
#include "vcpu.h"

/**
 * svmx_exit_pio() - an IN or OUT (not the string forms) the guest executed
 * @vcpu: the vCPU
 * @port: the port
 * @size: 1, 2 or 4 bytes
 * @in: IN (else OUT)
 * @next_rip: the RIP after the instruction
 *
 * Return: 0 (to userspace with KVM_EXIT_IO).
 */
int svmx_exit_pio(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
		  u64 next_rip)
{
	struct kvm_run *run = vcpu->run;
	void *data = page_address(vcpu->pio_page);

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = SVMX_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (in)
		memset(data, 0, size);
	else
		memcpy(data, &vcpu->regs[SVMX_RAX], size);

	vcpu->pio.pending = true;
	vcpu->pio.in = in;
	vcpu->pio.size = size;
	vcpu->pio.rip = vcpu->rip;
	vcpu->pio.next_rip = next_rip;
	return 0;
}

/* At the next KVM_RUN; returns 1 to go on into the guest. */
int svmx_pio_complete(struct svmx_vcpu *vcpu)
{
	struct svmx_pio *pio = &vcpu->pio;
	u64 val = 0;

	pio->pending = false;
	if (vcpu->rip != pio->rip)
		return 1;
	if (pio->in) {
		memcpy(&val, page_address(vcpu->pio_page), pio->size);
		/* A 32-bit IN zero-extends into RAX; 8 and 16 bits merge. */
		if (pio->size == 4)
			vcpu->regs[SVMX_RAX] = val;
		else if (pio->size == 2)
			vcpu->regs[SVMX_RAX] = (vcpu->regs[SVMX_RAX] & ~0xffffULL) | val;
		else
			vcpu->regs[SVMX_RAX] = (vcpu->regs[SVMX_RAX] & ~0xffULL) | val;
	}
	vcpu->rip = pio->next_rip;
	return 1;
}
