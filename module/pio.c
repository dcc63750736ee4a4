// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits to userspace (KVM_EXIT_IO).
 *
 * As on KVM, the data goes through the vCPU's PIO page (run->io.data_offset
 * is one page into the mmap) and the instruction completes at the next
 * KVM_RUN: an IN's data is written to RAX then, and RIP moves past the
 * instruction for IN and OUT alike, unless userspace moved RIP meanwhile.
 *
 * The string forms (INS/OUTS, with or without REP) go through the guest's
 * paging: one exit moves a batch of items (run->io.count) that stays
 * within one guest page and the data page, then RSI/RDI and RCX advance
 * and, when RCX reaches 0 (or without REP), RIP moves on; a REP with more
 * to do re-executes and exits again, as the hardware's iterations do
 * (SDM Vol. 2B, INS/OUTS and REP). With EFLAGS.DF set the batch is one
 * item.
 *
 * An OUT or OUTS to a port inside a coalesced PIO zone goes to the VM's
 * ring (coalesced.c) and completes without an exit while the ring has room;
 * a string batch the ring takes only in part completes that part, and the
 * guest re-executes the instruction for the rest, as with any batch.
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
 * Return: 0 (to userspace with KVM_EXIT_IO), 1 when an OUT coalesced or
 * the port is the in-kernel irqchip's.
 */
int svmx_exit_pio(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
		  u64 next_rip)
{
	struct kvm_run *run = vcpu->run;
	void *data = page_address(vcpu->pio_page);
	u32 val = vcpu->regs[SVMX_RAX];

	/* The in-kernel PICs' ports are answered here (irqchip.c). */
	if (svmx_irqchip_pio(vcpu, port, size, in, &val)) {
		if (in)
			memcpy(&vcpu->regs[SVMX_RAX], &val, size);
		vcpu->rip = next_rip;
		return 1;
	}

	if (!in && svmx_coalesced_write(vcpu->vm, true, port, size,
					&vcpu->regs[SVMX_RAX], 1)) {
		vcpu->rip = next_rip;
		return 1;
	}
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
	vcpu->pio.string = false;
	vcpu->pio.in = in;
	vcpu->pio.size = size;
	vcpu->pio.rip = vcpu->rip;
	vcpu->pio.next_rip = next_rip;
	return 0;
}

/* Add @delta to a register within the address size (a 16-bit one wraps). */
static void svmx_reg_add(struct svmx_vcpu *vcpu, int reg, s64 delta, u64 mask)
{
	u64 v = vcpu->regs[reg];

	vcpu->regs[reg] = (v & ~mask) | ((v + delta) & mask);
}

static int svmx_pio_string_complete(struct svmx_vcpu *vcpu)
{
	struct svmx_pio *pio = &vcpu->pio;
	s64 step = (s64)pio->count * pio->size;

	if (pio->in && svmx_write_guest(vcpu->vm, pio->gpa,
					page_address(vcpu->pio_page),
					pio->count * pio->size))
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, pio->gpa);
	if (vcpu->rflags & X86_EFLAGS_DF)
		step = -step;
	svmx_reg_add(vcpu, pio->in ? SVMX_RDI : SVMX_RSI, step, pio->addr_mask);
	if (pio->rep) {
		svmx_reg_add(vcpu, SVMX_RCX, -(s64)pio->count, pio->addr_mask);
		if (vcpu->regs[SVMX_RCX] & pio->addr_mask)
			return 1;	/* more to do: the guest re-executes */
	}
	vcpu->rip = pio->next_rip;
	return 1;
}

/**
 * svmx_exit_pio_string() - INS or OUTS, with or without REP
 * @vcpu: the vCPU
 * @port: the port
 * @size: 1, 2 or 4 bytes per item
 * @in: INS (else OUTS)
 * @rep: with a REP prefix
 * @seg: the segment of the memory operand (ES for INS; DS or an override
 *       for OUTS)
 * @addr_bytes: the address size: 2, 4 or 8
 * @next_rip: the RIP after the instruction
 *
 * Return: 0 (to userspace with KVM_EXIT_IO), or 1 when there is nothing to
 * move (REP with RCX = 0), the guest got a #PF or the items coalesced.
 */
int svmx_exit_pio_string(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
			 bool rep, int seg, unsigned int addr_bytes,
			 u64 next_rip)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	u64 mask = addr_bytes == 8 ? ~0ULL : (1ULL << (addr_bytes * 8)) - 1;
	int reg = in ? SVMX_RDI : SVMX_RSI;
	struct kvm_run *run = vcpu->run;
	void *data = page_address(vcpu->pio_page);
	struct kvm_segment s;
	u64 count = rep ? vcpu->regs[SVMX_RCX] & mask : 1;
	u64 linear, gpa;
	u32 access = 0, pf_error, n;

	if (!count) {
		vcpu->rip = next_rip;
		return 1;
	}
	ops->get_segment(vcpu, seg, &s);
	linear = s.base + (vcpu->regs[reg] & mask);
	if (!(ops->get_efer(vcpu) & EFER_LMA))
		linear = (u32)linear;
	if (in)
		access |= SVMX_ACCESS_WRITE;
	if (ops->get_cpl(vcpu) == 3)
		access |= SVMX_ACCESS_USER;

	/* A batch stays in one guest page and in the data page. */
	n = 1;
	if (!(vcpu->rflags & X86_EFLAGS_DF)) {
		u64 room = (PAGE_SIZE - offset_in_page(linear)) / size;

		n = min3(count, room, (u64)(PAGE_SIZE / size));
		if (!n)
			n = 1;
	}
	if (offset_in_page(linear) + size > PAGE_SIZE)
		/* An item across two pages: not handled. */
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, linear);

	switch (svmx_gva_to_gpa(vcpu, linear, access, &gpa, &pf_error)) {
	case 0:
		break;
	case -EFAULT:
		svmx_queue_exception(vcpu, 14, true, pf_error);
		vcpu->exception.cr2 = linear;
		return 1;
	default:
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, linear);
	}
	if (!in && svmx_read_guest(vcpu->vm, gpa, data, n * size))
		/* OUTS from MMIO: not handled. */
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, gpa);
	if (in)
		memset(data, 0, n * size);

	vcpu->pio = (struct svmx_pio) {
		.pending = true,
		.in = in,
		.size = size,
		.rip = vcpu->rip,
		.next_rip = next_rip,
		.string = true,
		.rep = rep,
		.count = n,
		.gpa = gpa,
		.addr_mask = mask,
	};
	if (!in) {
		/* The items the ring takes complete here, without an exit. */
		u32 done = svmx_coalesced_write(vcpu->vm, true, port, size,
						data, n);

		if (done) {
			vcpu->pio.pending = false;
			vcpu->pio.count = done;
			return svmx_pio_string_complete(vcpu);
		}
	}

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = n;
	run->io.data_offset = SVMX_PIO_PAGE_OFFSET * PAGE_SIZE;
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
	if (pio->string)
		return svmx_pio_string_complete(vcpu);
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
