// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to a guest-physical address outside every memslot,
 * or a write to a read-only slot, becomes KVM_EXIT_MMIO.
 *
 *   svmx_exit_mmio()      fetch the instruction at CS:RIP through the guest's
 *                         paging and run it in the emulator (emulate.c),
 *                         whose memory callbacks below resolve each linear
 *                         address: guest RAM is read and written directly,
 *                         anything else is MMIO for userspace
 *   svmx_mmio_complete()  the next KVM_RUN after an MMIO read: run the same
 *                         instruction again, its read now answered with the
 *                         data userspace put in run->mmio.data
 *
 * An MMIO write completes the instruction before the exit (as on KVM:
 * userspace sees the write, the guest goes on after it at the next
 * KVM_RUN); a write into a coalesced zone goes to the VM's ring instead and
 * does not exit while the ring has room (coalesced.c). A REP string
 * instruction exits once per MMIO iteration. An access to the in-kernel
 * local APIC's page (apic.c) or the IOAPIC's window (irqchip.c) is
 * answered in the kernel.
 * An MMIO access that crosses a page boundary is not handled
 * (KVM_EXIT_INTERNAL_ERROR), nor is code running from MMIO.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "svmx.h"
#include "vcpu.h"
#include "emulate.h"

struct svmx_mmio_ctx {
	struct svmx_vcpu *vcpu;
	u32 access;		/* SVMX_ACCESS_USER for CPL 3 */
	bool write_queued;
	bool fault;
	u64 fault_addr;
	u32 fault_error;
};

/* Linear to guest-physical; records a #PF for the guest on failure. */
static int svmx_mmio_translate(struct svmx_mmio_ctx *c, u64 linear,
			       unsigned int len, u32 access, u64 *gpa)
{
	u32 pf_error;
	u64 last;
	int r;

	if (offset_in_page(linear) + len > PAGE_SIZE) {
		/* The second page must translate too; only RAM may span. */
		r = svmx_gva_to_gpa(c->vcpu, linear + len - 1, access | c->access,
				    &last, &pf_error);
		if (r == -EFAULT)
			goto fault;
	}
	r = svmx_gva_to_gpa(c->vcpu, linear, access | c->access, gpa, &pf_error);
	if (r == -EFAULT)
		goto fault;
	return r ? SVMX_EMUL_UNHANDLEABLE : SVMX_EMUL_OK;
fault:
	c->fault = true;
	c->fault_addr = linear;
	c->fault_error = pf_error;
	return SVMX_EMUL_FAULT;
}

static bool svmx_gpa_is_ram(struct svmx_vcpu *vcpu, u64 gpa, bool write)
{
	const struct svmx_memslot *s;
	bool ram;
	int idx;

	idx = srcu_read_lock(&vcpu->vm->srcu);
	s = svmx_gfn_to_memslot(vcpu->vm, gpa >> PAGE_SHIFT);
	ram = s && !(write && (s->flags & KVM_MEM_READONLY));
	srcu_read_unlock(&vcpu->vm->srcu, idx);
	return ram;
}

static int svmx_mmio_read(void *ctx, u64 linear, void *buf, unsigned int len)
{
	struct svmx_mmio_ctx *c = ctx;
	struct svmx_vcpu *vcpu = c->vcpu;
	struct kvm_run *run = vcpu->run;
	u64 gpa;
	int r;

	r = svmx_mmio_translate(c, linear, len, 0, &gpa);
	if (r)
		return r;
	if (svmx_gpa_is_ram(vcpu, gpa, false))
		return svmx_read_guest(vcpu->vm, gpa, buf, len) ?
		       SVMX_EMUL_UNHANDLEABLE : SVMX_EMUL_OK;
	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return SVMX_EMUL_UNHANDLEABLE;
	if (svmx_apic_mmio_read(vcpu, gpa, buf, len) ||
	    svmx_irqchip_mmio_read(vcpu, gpa, buf, len))
		return SVMX_EMUL_OK;

	/* The second run of the instruction: userspace's answer. */
	if (vcpu->mmio.data_valid && vcpu->mmio.gpa == gpa &&
	    vcpu->mmio.len == len) {
		memcpy(buf, vcpu->mmio.data, len);
		vcpu->mmio.data_valid = false;
		return SVMX_EMUL_OK;
	}
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = 0;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	vcpu->mmio.gpa = gpa;
	vcpu->mmio.len = len;
	return SVMX_EMUL_MMIO_EXIT;
}

static int svmx_mmio_write(void *ctx, u64 linear, const void *buf,
			   unsigned int len)
{
	struct svmx_mmio_ctx *c = ctx;
	struct svmx_vcpu *vcpu = c->vcpu;
	struct kvm_run *run = vcpu->run;
	u64 gpa;
	int r;

	r = svmx_mmio_translate(c, linear, len, SVMX_ACCESS_WRITE, &gpa);
	if (r)
		return r;
	if (svmx_gpa_is_ram(vcpu, gpa, true))
		return svmx_write_guest(vcpu->vm, gpa, buf, len) ?
		       SVMX_EMUL_UNHANDLEABLE : SVMX_EMUL_OK;
	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return SVMX_EMUL_UNHANDLEABLE;
	if (svmx_apic_mmio_write(vcpu, gpa, buf, len) ||
	    svmx_irqchip_mmio_write(vcpu, gpa, buf, len))
		return SVMX_EMUL_OK;
	/* Into a coalesced zone with room in the ring: done, no exit. */
	if (svmx_coalesced_write(vcpu->vm, false, gpa, len, buf, 1))
		return SVMX_EMUL_OK;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = 1;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memcpy(run->mmio.data, buf, len);
	c->write_queued = true;
	return SVMX_EMUL_OK;
}

static const struct svmx_emul_ops svmx_mmio_ops = {
	.read = svmx_mmio_read,
	.write = svmx_mmio_write,
};

/* Fill the emulator's view of the vCPU and fetch the instruction. */
static int svmx_mmio_setup(struct svmx_vcpu *vcpu, struct svmx_emul *e,
			   struct svmx_mmio_ctx *c)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	struct kvm_segment seg;
	u64 linear, gpa;
	u32 pf_error;
	int i;

	for (i = 0; i < SVMX_EMUL_NR_SEGS; i++) {
		/* enum svmx_emul_seg and enum svmx_seg share the order. */
		ops->get_segment(vcpu, i, &seg);
		e->seg_base[i] = seg.base;
		if (i == SVMX_EMUL_CS) {
			if ((ops->get_efer(vcpu) & EFER_LMA) && seg.l)
				e->mode = SVMX_EMUL_MODE64;
			else if ((ops->get_cr(vcpu, 0) & X86_CR0_PE) && seg.db &&
				 !(vcpu->rflags & X86_EFLAGS_VM))
				e->mode = SVMX_EMUL_MODE32;
			else
				e->mode = SVMX_EMUL_MODE16;
		}
	}
	e->la57 = false;
	memcpy(e->regs.gpr, vcpu->regs, sizeof(e->regs.gpr));
	e->regs.rip = vcpu->rip;
	e->regs.rflags = vcpu->rflags;
	e->ops = &svmx_mmio_ops;
	e->ctx = c;
	c->vcpu = vcpu;
	c->access = ops->get_cpl(vcpu) == 3 ? SVMX_ACCESS_USER : 0;

	/* Up to 15 bytes, as far as they can be fetched. */
	linear = e->seg_base[SVMX_EMUL_CS] + vcpu->rip;
	if (e->mode != SVMX_EMUL_MODE64)
		linear = (u32)linear;
	e->insn_len = 0;
	while (e->insn_len < SVMX_EMUL_MAX_INSN_LEN) {
		u64 at = linear + e->insn_len;
		unsigned int n = min_t(unsigned int,
				       SVMX_EMUL_MAX_INSN_LEN - e->insn_len,
				       PAGE_SIZE - offset_in_page(at));

		if (svmx_gva_to_gpa(vcpu, at, SVMX_ACCESS_FETCH | c->access,
				    &gpa, &pf_error) ||
		    svmx_read_guest(vcpu->vm, gpa, e->insn + e->insn_len, n))
			break;
		e->insn_len += n;
	}
	return e->insn_len ? 0 : -EFAULT;
}

static int svmx_mmio_emulate(struct svmx_vcpu *vcpu)
{
	struct svmx_mmio_ctx c = {};
	struct svmx_emul e = {};
	int r;

	if (svmx_mmio_setup(vcpu, &e, &c))
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, vcpu->rip);

	r = svmx_emulate(&e);
	switch (r) {
	case SVMX_EMUL_OK:
		memcpy(vcpu->regs, e.regs.gpr, sizeof(vcpu->regs));
		vcpu->rip = e.regs.rip;
		vcpu->rflags = e.regs.rflags;
		/* A queued MMIO write goes to userspace now. */
		return c.write_queued ? 0 : 1;
	case SVMX_EMUL_MMIO_EXIT:
		vcpu->mmio.read_pending = true;
		return 0;
	case SVMX_EMUL_FAULT:
		if (!c.fault)
			break;
		svmx_queue_exception(vcpu, 14, true, c.fault_error);
		vcpu->exception.cr2 = c.fault_addr;
		return 1;
	case SVMX_EMUL_EXCEPTION:
		svmx_queue_exception(vcpu, e.exception.vector,
				     e.exception.has_error_code,
				     e.exception.error_code);
		return 1;
	}
	return svmx_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					vcpu->rip);
}

/**
 * svmx_exit_mmio() - the guest touched MMIO at @gpa
 * @vcpu: the vCPU
 * @gpa: the guest-physical address (the emulator finds it again from the
 *       instruction, which is what counts)
 *
 * Return: as an exit handler: 0 with KVM_EXIT_MMIO (or an internal error),
 * 1 to go on in the guest.
 */
int svmx_exit_mmio(struct svmx_vcpu *vcpu, u64 gpa)
{
	vcpu->mmio.data_valid = false;
	return svmx_mmio_emulate(vcpu);
}

/* The next KVM_RUN after an MMIO read exit: finish the instruction. */
int svmx_mmio_complete(struct svmx_vcpu *vcpu)
{
	vcpu->mmio.read_pending = false;
	memcpy(vcpu->mmio.data, vcpu->run->mmio.data, sizeof(vcpu->mmio.data));
	vcpu->mmio.data_valid = true;
	return svmx_mmio_emulate(vcpu);
}
