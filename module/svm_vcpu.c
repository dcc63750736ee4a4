// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD SVM backend's vCPUs: the VMCB, guest entry and the exits.
 *
 *   svm_vcpu_create()   a VMCB in the RESET state (APM Vol. 2, 14.1.3
 *                       "Processor Initialization State"), intercepting
 *                       what svmx must see (15.9-15.13), nested paging on
 *   svm_vcpu_run()      one entry: ASID and TLB upkeep, event injection,
 *                       VMSAVE of the host, CLGI, VMRUN (svm_enter.S), STGI,
 *                       then svm_handle_exit()
 *   svm_handle_exit()   one small handler per exit code (Appendix C); an
 *                       unexpected one stops the vCPU with
 *                       KVM_EXIT_INTERNAL_ERROR, never skips anything
 *
 * ASIDs are handed out per CPU: a vCPU takes a fresh one whenever it runs
 * on another CPU than last time or the CPU's generation moved on; when a
 * CPU runs out, its generation moves on and its whole TLB is flushed
 * (15.16 "TLB Control"). A guest-physical TLB flush request uses
 * flush-by-ASID when the CPU has it and a fresh ASID otherwise.
 *
 * Without NRIP save (QEMU's SVM) the instruction lengths of the
 * intercepted instructions are their architectural encodings' lengths.
 *
 * VMCB clean bits (15.15.3), where the CPU has them: after each VMRUN every
 * area svmx knows is marked clean, and whatever writes an area marks it
 * dirty through svm_dirty(). A new ASID (another CPU, a new generation)
 * marks them all dirty, since only this CPU's cache of this VMCB may be
 * reused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>

#include "svmx.h"
#include "vcpu.h"
#include "svm_defs.h"

/* The architectural lengths of the instructions svmx intercepts. */
#define SVM_LEN_CPUID	2
#define SVM_LEN_HLT	1
#define SVM_LEN_MSR	2
#define SVM_LEN_VMMCALL	3
#define SVM_LEN_XSETBV	3
#define SVM_LEN_RDTSCP	3
#define SVM_LEN_INVD	2

struct svm_vcpu {
	/* NMIs blocked until the guest's IRET (intercepted meanwhile). */
	bool nmi_masked;
	/*
	 * The IRET intercept comes before the IRET runs: with another NMI
	 * waiting, the vCPU single-steps over the IRET (RFLAGS.TF, #DB
	 * intercepted) and takes the NMI after it, as KVM does. The TF and
	 * RF the guest had before.
	 */
	bool nmi_singlestep;
	u64 nmi_singlestep_rflags;
	struct svm_vmcb *vmcb;
	struct page *vmcb_page;
	phys_addr_t vmcb_pa;
	u64 asid_generation;
	int last_cpu;
};

struct svm_cpu_asids {
	u64 generation;
	u32 next;
};

static DEFINE_PER_CPU(struct svm_cpu_asids, svm_asids);
static DEFINE_PER_CPU(struct page *, svm_host_save);
/* The VMCB that last ran on each CPU. */
static DEFINE_PER_CPU(struct svm_vmcb *, svm_last_vmcb);
static u32 svm_max_asid;
static bool svm_nrips, svm_flush_by_asid, svm_decode_assists;
/* The clean bits svmx sets after VMRUN: 0 without the feature. */
static u32 svm_clean_mask;
/* All ones: every port and every MSR access exits. */
static void *svm_iopm, *svm_msrpm;
static phys_addr_t svm_iopm_pa, svm_msrpm_pa;

static struct svm_vcpu *to_svm(struct svmx_vcpu *vcpu)
{
	return vcpu->backend;
}

/* The VMCB areas in @areas (SVM_CLEAN_*) were written: VMRUN reloads them. */
static void svm_dirty(struct svm_vmcb *vmcb, u32 areas)
{
	vmcb->control.clean &= ~areas;
}

/* Called on each CPU when SVM is turned on there: start a new ASID era. */
void svm_cpu_asids_reset(void)
{
	struct svm_cpu_asids *a = this_cpu_ptr(&svm_asids);

	a->generation++;
	a->next = svm_max_asid + 1;
}

static void svm_new_asid(struct svm_vcpu *svm, struct svm_cpu_asids *a)
{
	if (a->next > svm_max_asid) {
		a->generation++;
		a->next = 1;
		svm->vmcb->control.tlb_control = SVM_TLB_FLUSH_ALL;
	}
	svm->vmcb->control.asid = a->next++;
	svm_dirty(svm->vmcb, SVM_CLEAN_ALL);
	svm->asid_generation = a->generation;
}

/* Interrupts off: pick the ASID and apply a pending TLB flush request. */
static void svm_prepare_asid(struct svmx_vcpu *vcpu, struct svm_vcpu *svm)
{
	struct svm_cpu_asids *a = this_cpu_ptr(&svm_asids);
	int cpu = smp_processor_id();
	bool flush = test_and_clear_bit(SVMX_REQ_TLB_FLUSH, &vcpu->requests);

	if (svm->last_cpu != cpu || svm->asid_generation != a->generation ||
	    (flush && !svm_flush_by_asid))
		svm_new_asid(svm, a);
	else if (flush)
		svm->vmcb->control.tlb_control = SVM_TLB_FLUSH_ASID;
	svm->last_cpu = cpu;
}

/* Segments: struct kvm_segment <-> the VMCB's packed attributes. */
static void svm_seg_to_kvm(const struct svm_seg *s, struct kvm_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->attrib & 0xf;
	k->s = (s->attrib >> 4) & 1;
	k->dpl = (s->attrib >> 5) & 3;
	k->present = (s->attrib >> 7) & 1;
	k->avl = (s->attrib >> 8) & 1;
	k->l = (s->attrib >> 9) & 1;
	k->db = (s->attrib >> 10) & 1;
	k->g = (s->attrib >> 11) & 1;
	k->unusable = !k->present;
}

static void svm_seg_from_kvm(struct svm_seg *s, const struct kvm_segment *k)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	if (k->unusable) {
		s->attrib = 0;
		return;
	}
	s->attrib = (k->type & 0xf) | (k->s & 1) << 4 | (k->dpl & 3) << 5 |
		    (k->present & 1) << 7 | (k->avl & 1) << 8 |
		    (k->l & 1) << 9 | (k->db & 1) << 10 | (k->g & 1) << 11;
}

static void svm_get_sregs(struct svmx_vcpu *vcpu, struct kvm_sregs *s)
{
	struct svm_vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	svm_seg_to_kvm(&v->cs, &s->cs);
	svm_seg_to_kvm(&v->ds, &s->ds);
	svm_seg_to_kvm(&v->es, &s->es);
	svm_seg_to_kvm(&v->fs, &s->fs);
	svm_seg_to_kvm(&v->gs, &s->gs);
	svm_seg_to_kvm(&v->ss, &s->ss);
	svm_seg_to_kvm(&v->tr, &s->tr);
	svm_seg_to_kvm(&v->ldtr, &s->ldt);
	/* A usable TR is always present, whatever the attribute says. */
	s->tr.unusable = 0;
	s->tr.present = 1;
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->cr8 = to_svm(vcpu)->vmcb->control.int_ctl & 0xf;
	s->efer = v->efer & ~EFER_SVME;
	s->apic_base = vcpu->apic_base;
}

static void svm_set_sregs(struct svmx_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct svm_vmcb_save *v = &vmcb->save;

	svm_seg_from_kvm(&v->cs, &s->cs);
	svm_seg_from_kvm(&v->ds, &s->ds);
	svm_seg_from_kvm(&v->es, &s->es);
	svm_seg_from_kvm(&v->fs, &s->fs);
	svm_seg_from_kvm(&v->gs, &s->gs);
	svm_seg_from_kvm(&v->ss, &s->ss);
	svm_seg_from_kvm(&v->tr, &s->tr);
	svm_seg_from_kvm(&v->ldtr, &s->ldt);
	v->cpl = s->ss.dpl & 3;
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->efer = s->efer | EFER_SVME;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~0xfU) | (s->cr8 & 0xf);
	svm_dirty(vmcb, SVM_CLEAN_SEG | SVM_CLEAN_DT | SVM_CLEAN_CRX |
		  SVM_CLEAN_CR2 | SVM_CLEAN_TPR);
	vcpu->apic_base = s->apic_base;
}

static u64 svm_get_cr(struct svmx_vcpu *vcpu, int cr)
{
	struct svm_vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	switch (cr) {
	case 8:
		return to_svm(vcpu)->vmcb->control.int_ctl & 0xf;
	case 0:
		return v->cr0;
	case 2:
		return v->cr2;
	case 3:
		return v->cr3;
	default:
		return v->cr4;
	}
}

static void svm_set_cr8(struct svmx_vcpu *vcpu, u64 cr8)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;

	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~0xfU) | (cr8 & 0xf);
	svm_dirty(vmcb, SVM_CLEAN_TPR);
}

static u64 svm_get_efer(struct svmx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.efer & ~EFER_SVME;
}

static int svm_get_cpl(struct svmx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cpl;
}

static int svm_read_msr(struct svmx_vcpu *vcpu, u32 msr, u64 *data)
{
	struct svm_vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	switch (msr) {
	case MSR_EFER:
		*data = v->efer & ~EFER_SVME;
		return 0;
	case MSR_STAR:
		*data = v->star;
		return 0;
	case MSR_LSTAR:
		*data = v->lstar;
		return 0;
	case MSR_CSTAR:
		*data = v->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = v->sfmask;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*data = v->kernel_gs_base;
		return 0;
	case MSR_FS_BASE:
		*data = v->fs.base;
		return 0;
	case MSR_GS_BASE:
		*data = v->gs.base;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = v->sysenter_cs;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = v->sysenter_esp;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = v->sysenter_eip;
		return 0;
	case MSR_VM_CR:
		/* SVM is not offered to the guest: SVMDIS reads as set. */
		*data = BIT_ULL(4);
		return 0;
	}
	return 1;
}

static int svm_write_msr(struct svmx_vcpu *vcpu, u32 msr, u64 data, bool host)
{
	struct svm_vmcb_save *v = &to_svm(vcpu)->vmcb->save;

	switch (msr) {
	case MSR_EFER:
		if (!svmx_efer_new(vcpu, &data, v->efer & ~EFER_SVME, host))
			return -EINVAL;
		v->efer = data | EFER_SVME;
		svm_dirty(to_svm(vcpu)->vmcb, SVM_CLEAN_CRX);
		return 0;
	case MSR_STAR:
		v->star = data;
		return 0;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		/* Canonical addresses only (48-bit virtual addresses). */
		if (!svmx_canonical(data) &&
		    !svmx_sysenter_canonical(msr, &data, host))
			return -EINVAL;
		if (msr == MSR_LSTAR)
			v->lstar = data;
		else if (msr == MSR_CSTAR)
			v->cstar = data;
		else if (msr == MSR_KERNEL_GS_BASE)
			v->kernel_gs_base = data;
		else if (msr == MSR_FS_BASE)
			v->fs.base = data;
		else if (msr == MSR_GS_BASE)
			v->gs.base = data;
		else if (msr == MSR_IA32_SYSENTER_ESP)
			v->sysenter_esp = data;
		else
			v->sysenter_eip = data;
		return 0;
	case MSR_SYSCALL_MASK:
		v->sfmask = data;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		v->sysenter_cs = data;
		return 0;
	}
	return 1;
}

static void svm_init_seg(struct svm_seg *s, u16 attrib)
{
	s->selector = 0;
	s->attrib = attrib;
	s->limit = 0xffff;
	s->base = 0;
}

/* The RESET state, and the intercepts svmx needs. */
static void svm_init_vmcb(struct svmx_vcpu *vcpu, struct svm_vmcb *vmcb)
{
	struct svm_vmcb_control *c = &vmcb->control;
	struct svm_vmcb_save *s = &vmcb->save;

	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			     SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_RSM |
			     SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT |
			     SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO_PROT |
			     SVM_INTERCEPT_MSR_PROT |
			     SVM_INTERCEPT_TASK_SWITCH | SVM_INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			     SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_RDTSCP |
			     SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT |
			     SVM_INTERCEPT_XSETBV;
	/* #UD: the other vendor's hypercall instruction (svmx_exit_ud()). */
	c->intercept_exceptions = BIT(6);
	c->iopm_base_pa = svm_iopm_pa;
	c->msrpm_base_pa = svm_msrpm_pa;
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = vcpu->vm->mmu.root_pa;

	/* APM Vol. 2, Table 14-1 "Initial Processor State". */
	svm_init_seg(&s->es, 0x93);
	svm_init_seg(&s->ss, 0x93);
	svm_init_seg(&s->ds, 0x93);
	svm_init_seg(&s->fs, 0x93);
	svm_init_seg(&s->gs, 0x93);
	svm_init_seg(&s->cs, 0x9b);
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	svm_init_seg(&s->gdtr, 0);
	svm_init_seg(&s->idtr, 0);
	svm_init_seg(&s->ldtr, 0x82);
	svm_init_seg(&s->tr, 0x8b);
	s->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	s->efer = EFER_SVME;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = vcpu->pat;
}

static int svm_vcpu_create(struct svmx_vcpu *vcpu)
{
	struct svm_vcpu *svm;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	svm->vmcb_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!svm->vmcb_page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(svm->vmcb_page);
	svm->vmcb_pa = page_to_phys(svm->vmcb_page);
	svm->last_cpu = -1;
	svm_init_vmcb(vcpu, svm->vmcb);
	vcpu->backend = svm;
	return 0;
}

static void svm_vcpu_free(struct svmx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	int cpu;

	if (!svm)
		return;
	/* A new VMCB at the same address must still get its IBPB. */
	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&svm_last_vmcb, cpu), svm->vmcb, NULL);
	__free_page(svm->vmcb_page);
	kfree(svm);
	vcpu->backend = NULL;
}

static bool svm_shadowed(struct svm_vmcb *vmcb)
{
	return vmcb->control.int_state & SVM_INT_STATE_SHADOW;
}

static bool svm_interrupt_allowed(struct svmx_vcpu *vcpu)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;

	return (vcpu->rflags & X86_EFLAGS_IF) && !svm_shadowed(vmcb) &&
	       !(vmcb->control.event_inj & SVM_EVT_VALID);
}

static u32 svm_get_interrupt_shadow(struct svmx_vcpu *vcpu)
{
	/* SVM does not tell STI from MOV SS: both bits, as KVM reports. */
	return svm_shadowed(to_svm(vcpu)->vmcb) ?
	       KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS : 0;
}

static void svm_set_interrupt_shadow(struct svmx_vcpu *vcpu, u32 shadow)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (shadow)
		vmcb->control.int_state |= SVM_INT_STATE_SHADOW;
	else
		vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
}

static bool svm_get_nmi_masked(struct svmx_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

static void svm_set_nmi_masked(struct svmx_vcpu *vcpu, bool masked)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->nmi_masked = masked;
	if (masked)
		svm->vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
	else
		svm->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
	svm_dirty(svm->vmcb, SVM_CLEAN_INTERCEPTS);
}

static void svm_get_segment(struct svmx_vcpu *vcpu, int seg,
			    struct kvm_segment *s)
{
	struct svm_vmcb_save *v = &to_svm(vcpu)->vmcb->save;
	static const size_t off[] = {
		[SVMX_SEG_ES] = offsetof(struct svm_vmcb_save, es),
		[SVMX_SEG_CS] = offsetof(struct svm_vmcb_save, cs),
		[SVMX_SEG_SS] = offsetof(struct svm_vmcb_save, ss),
		[SVMX_SEG_DS] = offsetof(struct svm_vmcb_save, ds),
		[SVMX_SEG_FS] = offsetof(struct svm_vmcb_save, fs),
		[SVMX_SEG_GS] = offsetof(struct svm_vmcb_save, gs),
		[SVMX_SEG_LDTR] = offsetof(struct svm_vmcb_save, ldtr),
		[SVMX_SEG_TR] = offsetof(struct svm_vmcb_save, tr),
	};

	svm_seg_to_kvm((void *)v + off[seg & 7], s);
}

static u64 svm_get_dr7(struct svmx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.dr7;
}

static void svm_set_dr7(struct svmx_vcpu *vcpu, u64 dr7)
{
	to_svm(vcpu)->vmcb->save.dr7 = dr7 | 0x400;
	svm_dirty(to_svm(vcpu)->vmcb, SVM_CLEAN_DRX);
}

/*
 * EVENTINJ (APM Vol. 2, 15.20): an event whose delivery an exit cut short
 * first (already in EVENTINJ), then an exception, an NMI, an interrupt.
 * If userspace waits for an interrupt window, a virtual interrupt with the
 * VINTR intercept makes the CPU exit as soon as the guest could take one
 * (15.21.4 "Interrupt Masking in EFLAGS").
 */
static void svm_inject_events(struct svmx_vcpu *vcpu, struct svm_vmcb *vmcb)
{
	struct svmx_exception *e = &vcpu->exception;
	bool open = (vcpu->rflags & X86_EFLAGS_IF) && !svm_shadowed(vmcb);
	bool want_window;

	if (vmcb->control.event_inj & SVM_EVT_VALID) {
		/* Re-delivery first. */
	} else if (e->pending) {
		vmcb->control.event_inj = e->vector | SVM_EVT_TYPE_EXCEPTION |
					  SVM_EVT_VALID |
					  (e->has_error ? SVM_EVT_ERROR_VALID : 0) |
					  ((u64)e->error << 32);
		if (e->vector == 14) {
			vmcb->save.cr2 = e->cr2;
			svm_dirty(vmcb, SVM_CLEAN_CR2);
		}
		e->pending = false;
	} else if (vcpu->nmi_injected) {
		/* Its delivery was under way: blocking does not hold it. */
		vmcb->control.event_inj = 2 | SVM_EVT_TYPE_NMI | SVM_EVT_VALID;
		vcpu->nmi_injected = false;
		svm_set_nmi_masked(vcpu, true);
	} else if (vcpu->nmi_pending && !to_svm(vcpu)->nmi_masked &&
		   !svm_shadowed(vmcb)) {
		vmcb->control.event_inj = 2 | SVM_EVT_TYPE_NMI | SVM_EVT_VALID;
		vcpu->nmi_pending--;
		svm_set_nmi_masked(vcpu, true);
	} else if (vcpu->irq_pending && open) {
		vmcb->control.event_inj = svmx_irq_take(vcpu) |
					  SVM_EVT_TYPE_INTR | SVM_EVT_VALID;
	}

	want_window = (vcpu->irq_pending || vcpu->run->request_interrupt_window) &&
		      !(open && !(vmcb->control.event_inj & SVM_EVT_VALID));
	if (want_window) {
		vmcb->control.int_ctl |= SVM_INT_CTL_V_IRQ |
					 SVM_INT_CTL_V_INTR_PRIO_MAX |
					 SVM_INT_CTL_V_IGN_TPR;
		vmcb->control.intercept_misc1 |= SVM_INTERCEPT_VINTR;
		svm_dirty(vmcb, SVM_CLEAN_TPR | SVM_CLEAN_INTERCEPTS);
	}
}

static void svm_close_window(struct svm_vmcb *vmcb)
{
	vmcb->control.int_ctl &= ~(SVM_INT_CTL_V_IRQ |
				   SVM_INT_CTL_V_INTR_PRIO_MAX |
				   SVM_INT_CTL_V_IGN_TPR);
	vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	svm_dirty(vmcb, SVM_CLEAN_TPR | SVM_CLEAN_INTERCEPTS);
}

/*
 * An event whose delivery the exit interrupted (EXITINTINFO) is delivered
 * again at the next entry, unless it was a software interrupt, which the
 * guest re-executes (APM Vol. 2, 15.7.2 "Intercepts During IDT Interrupt
 * Delivery").
 */
static void svm_requeue_event(struct svmx_vcpu *vcpu, struct svm_vmcb *vmcb)
{
	u64 info = vmcb->control.exit_int_info;

	if (!(info & SVM_EVT_VALID))
		return;
	if ((info & SVM_EVT_TYPE_MASK) == SVM_EVT_TYPE_SOFT)
		return;
	vmcb->control.event_inj = info;
}

static unsigned int svm_insn_len(struct svm_vmcb *vmcb, unsigned int len)
{
	if (svm_nrips && vmcb->control.next_rip > vmcb->save.rip)
		return vmcb->control.next_rip - vmcb->save.rip;
	return len;
}

static int svm_exit_ioio(struct svmx_vcpu *vcpu, struct svm_vmcb *vmcb)
{
	u64 info = vmcb->control.exit_info_1;
	u8 size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;

	if (info & SVM_IOIO_STR) {
		/*
		 * The effective segment is reported with decode assists only
		 * (APM Vol. 2, 15.10.2); otherwise OUTS is taken as DS's.
		 */
		int seg = (info & SVM_IOIO_IN) ? SVMX_SEG_ES :
			  svm_decode_assists ? (info >> SVM_IOIO_SEG_SHIFT) & 7 :
			  SVMX_SEG_DS;
		unsigned int abytes = ((info >> SVM_IOIO_ASIZE_SHIFT) & 7) * 2;

		/* QEMU leaves the address size out: take the mode's default. */
		if (!abytes)
			abytes = ((vmcb->save.efer & EFER_LMA) &&
				  (vmcb->save.cs.attrib & BIT(9))) ? 8 :
				 (vmcb->save.cs.attrib & BIT(10)) ? 4 : 2;
		return svmx_exit_pio_string(vcpu, info >> SVM_IOIO_PORT_SHIFT,
					    size, info & SVM_IOIO_IN,
					    info & SVM_IOIO_REP, seg, abytes,
					    vmcb->control.exit_info_2);
	}
	return svmx_exit_pio(vcpu, info >> SVM_IOIO_PORT_SHIFT, size,
			     info & SVM_IOIO_IN, vmcb->control.exit_info_2);
}

/* VMMCALL: the KVM hypercall ABI (svmx_hypercall()). */
static int svm_exit_vmmcall(struct svmx_vcpu *vcpu, struct svm_vmcb *vmcb)
{
	svmx_hypercall(vcpu, vmcb->save.cpl);
	vcpu->rip += svm_insn_len(vmcb, SVM_LEN_VMMCALL);
	return 1;
}

static int svm_exit_rdtscp(struct svmx_vcpu *vcpu, struct svm_vmcb *vmcb)
{
	u64 tsc = rdtsc() + vcpu->tsc_offset;

	vcpu->regs[SVMX_RAX] = (u32)tsc;
	vcpu->regs[SVMX_RDX] = tsc >> 32;
	vcpu->regs[SVMX_RCX] = vcpu->tsc_aux;
	vcpu->rip += svm_insn_len(vmcb, SVM_LEN_RDTSCP);
	return 1;
}

/*
 * The NMI handler's IRET is about to run. NMIs may come again after it;
 * if one waits, step over the IRET first, NMIs still blocked.
 */
static void svm_exit_iret(struct svmx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_vmcb *vmcb = svm->vmcb;

	if (!vcpu->nmi_pending) {
		svm_set_nmi_masked(vcpu, false);
		return;
	}
	vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
	vmcb->control.intercept_exceptions |= BIT(1);
	svm_dirty(vmcb, SVM_CLEAN_INTERCEPTS);
	svm->nmi_singlestep = true;
	svm->nmi_singlestep_rflags = vcpu->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF);
	vcpu->rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
}

/* The #DB after the stepped IRET (or the guest's own, passed on). */
static void svm_exit_db(struct svmx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_vmcb *vmcb = svm->vmcb;

	vmcb->control.intercept_exceptions &= ~BIT(1);
	svm_dirty(vmcb, SVM_CLEAN_INTERCEPTS);
	if (!svm->nmi_singlestep) {
		svmx_queue_exception(vcpu, 1, false, 0);
		return;
	}
	svm->nmi_singlestep = false;
	if (!(svm->nmi_singlestep_rflags & X86_EFLAGS_TF))
		vcpu->rflags &= ~X86_EFLAGS_TF;
	if (!(svm->nmi_singlestep_rflags & X86_EFLAGS_RF))
		vcpu->rflags &= ~X86_EFLAGS_RF;
	svm_set_nmi_masked(vcpu, false);
}

static int svm_handle_exit(struct svmx_vcpu *vcpu)
{
	struct svm_vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 code = vmcb->control.exit_code;
	u64 info1 = vmcb->control.exit_info_1;

	svm_requeue_event(vcpu, vmcb);

	/*
	 * VMRUN refused the guest state (APM Vol. 2, 15.5.1): EXITCODE -1.
	 * QEMU writes only its low 32 bits; KVM reports those.
	 */
	if (lower_32_bits(code) == lower_32_bits(SVM_EXIT_ERR)) {
		vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason =
			lower_32_bits(code);
		vcpu->run->fail_entry.cpu = READ_ONCE(vcpu->cpu);
		return 0;
	}

	switch (code) {
	case SVM_EXIT_VINTR:
		/* The interrupt window is open: the run loop takes it from here. */
		svm_close_window(vmcb);
		return 1;
	case SVM_EXIT_IRET:
		svm_exit_iret(vcpu);
		return 1;
	case SVM_EXIT_EXCP_BASE + 1:
		svm_exit_db(vcpu);
		return 1;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		/* The host took it when interrupts came back on. */
		return 1;
	case SVM_EXIT_CPUID:
		return svmx_exit_cpuid(vcpu, svm_insn_len(vmcb, SVM_LEN_CPUID));
	case SVM_EXIT_HLT:
		return svmx_exit_hlt(vcpu, svm_insn_len(vmcb, SVM_LEN_HLT));
	case SVM_EXIT_IOIO:
		return svm_exit_ioio(vcpu, vmcb);
	case SVM_EXIT_MSR:
		if (info1)
			return svmx_exit_wrmsr(vcpu, svm_insn_len(vmcb, SVM_LEN_MSR));
		return svmx_exit_rdmsr(vcpu, svm_insn_len(vmcb, SVM_LEN_MSR));
	case SVM_EXIT_NPF:
		return svmx_tdp_fault(vcpu, vmcb->control.exit_info_2,
				      info1 & SVM_NPF_WRITE,
				      info1 & SVM_NPF_FETCH);
	case SVM_EXIT_SHUTDOWN:
		return svmx_exit_shutdown(vcpu);
	case SVM_EXIT_VMMCALL:
		return svm_exit_vmmcall(vcpu, vmcb);
	case SVM_EXIT_EXCP_BASE + 6:
		return svmx_exit_ud(vcpu);
	case SVM_EXIT_XSETBV:
		return svmx_exit_xsetbv(vcpu, svm_insn_len(vmcb, SVM_LEN_XSETBV));
	case SVM_EXIT_RDTSCP:
		return svm_exit_rdtscp(vcpu, vmcb);
	case SVM_EXIT_INVD:
		/* Caches are the host's business: a no-op, as on KVM. */
		vcpu->rip += svm_insn_len(vmcb, SVM_LEN_INVD);
		return 1;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RSM:
		/* Not offered in the guest's CPUID: #UD, as the hardware would. */
		svmx_inject_ud(vcpu);
		return 1;
	default:
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, code);
	}
}

static int svm_vcpu_run(struct svmx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_vmcb *vmcb = svm->vmcb;
	u64 host_xcr0 = 0, rip;
	bool xcr0_switch;
	int r;

	if (vcpu->triple_fault) {
		vcpu->triple_fault = false;
		vcpu->exception.pending = false;
		return svmx_exit_shutdown(vcpu);
	}

	local_irq_disable();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	svm_prepare_asid(vcpu, svm);
	if (__this_cpu_read(svm_last_vmcb) != vmcb) {
		/* Another vCPU's branch predictions must not steer this one. */
		__this_cpu_write(svm_last_vmcb, vmcb);
		indirect_branch_prediction_barrier();
	}
	if (!svmx_vcpu_enter_prepare(vcpu)) {
		local_irq_enable();
		return 1;
	}

	vmcb->save.rax = vcpu->regs[SVMX_RAX];
	vmcb->save.rsp = vcpu->regs[SVMX_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	if (vmcb->save.g_pat != vcpu->pat) {
		vmcb->save.g_pat = vcpu->pat;
		svm_dirty(vmcb, SVM_CLEAN_NP);
	}
	if (vmcb->control.tsc_offset != vcpu->tsc_offset) {
		vmcb->control.tsc_offset = vcpu->tsc_offset;
		svm_dirty(vmcb, SVM_CLEAN_INTERCEPTS);
	}
	svm_inject_events(vcpu, vmcb);

	xcr0_switch = boot_cpu_has(X86_FEATURE_XSAVE);
	if (xcr0_switch) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		xcr0_switch = host_xcr0 != vcpu->xcr0;
		if (xcr0_switch)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	}

	/* The guest's DR0-3 and DR6 are live while it runs (no intercepts). */
	set_debugreg(vcpu->db[0], 0);
	set_debugreg(vcpu->db[1], 1);
	set_debugreg(vcpu->db[2], 2);
	set_debugreg(vcpu->db[3], 3);
	if (vmcb->save.dr6 != vcpu->dr6) {
		vmcb->save.dr6 = vcpu->dr6;
		svm_dirty(vmcb, SVM_CLEAN_DRX);
	}

	/* The host's FS/GS/TR/LDTR and syscall MSRs, for the VMLOAD after. */
	asm volatile("vmsave %%rax" : :
		     "a" (page_to_phys(__this_cpu_read(svm_host_save)))
		     : "memory");
	/*
	 * GIF clear, then IF set: a host interrupt is held until VMRUN and
	 * then makes the guest exit (V_INTR_MASKING, APM Vol. 2, 15.21.1).
	 */
	asm volatile("clgi" : : : "memory");
	local_irq_enable();
	svmx_svm_vmrun(svm->vmcb_pa, vcpu->regs,
		       page_to_phys(__this_cpu_read(svm_host_save)));
	local_irq_disable();
	asm volatile("stgi" : : : "memory");

	if (xcr0_switch)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	get_debugreg(vcpu->db[0], 0);
	get_debugreg(vcpu->db[1], 1);
	get_debugreg(vcpu->db[2], 2);
	get_debugreg(vcpu->db[3], 3);
	vcpu->dr6 = vmcb->save.dr6;
	/* #VMEXIT disabled the host's breakpoints (DR7): put them back. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	svmx_vcpu_exit_done(vcpu);

	vcpu->regs[SVMX_RAX] = vmcb->save.rax;
	vcpu->regs[SVMX_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	vmcb->control.tlb_control = SVM_TLB_FLUSH_NOTHING;
	vmcb->control.event_inj = 0;
	/* The CPU's cache of this VMCB now matches it (15.15.3). */
	vmcb->control.clean = svm_clean_mask;
	local_irq_enable();

	rip = vcpu->rip;
	r = svm_handle_exit(vcpu);
	/* An instruction completed (HLT, CPUID, ...): its shadow is over. */
	if (vcpu->rip != rip)
		svm_set_interrupt_shadow(vcpu, 0);
	return r;
}

/* Shared by all vCPUs: the all-ones permission maps, host save areas. */
int svm_vcpu_global_init(void)
{
	u32 eax, ebx, ecx, edx;
	int r;

	cpuid(SVMCAP_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	/* ASID 0 is the host's. */
	svm_max_asid = ebx - 1;
	svm_nrips = edx & SVMCAP_CPUID_EDX_NRIPS;
	svm_flush_by_asid = edx & SVMCAP_CPUID_EDX_FLUSH_BY_ASID;
	svm_decode_assists = edx & SVMCAP_CPUID_EDX_DECODE_ASSISTS;
	svm_clean_mask = edx & SVMCAP_CPUID_EDX_VMCB_CLEAN ? SVM_CLEAN_ALL : 0;
	/* RDTSCP is intercepted and answered from vcpu->tsc_aux. */
	svmx_hw.rdtscp = true;
	svm_tdp_format.levels = pgtable_l5_enabled() ? 5 : 4;

	svm_iopm = alloc_pages_exact(SVM_IOPM_SIZE, GFP_KERNEL);
	svm_msrpm = alloc_pages_exact(SVM_MSRPM_SIZE, GFP_KERNEL);
	if (!svm_iopm || !svm_msrpm)
		goto nomem;
	memset(svm_iopm, 0xff, SVM_IOPM_SIZE);
	memset(svm_msrpm, 0xff, SVM_MSRPM_SIZE);
	svm_iopm_pa = virt_to_phys(svm_iopm);
	svm_msrpm_pa = virt_to_phys(svm_msrpm);
	r = svmx_alloc_cpu_pages(&svm_host_save, 0);
	if (r)
		goto nomem;
	return 0;
nomem:
	svm_vcpu_global_exit();
	return -ENOMEM;
}

void svm_vcpu_global_exit(void)
{
	svmx_free_cpu_pages(&svm_host_save);
	if (svm_iopm)
		free_pages_exact(svm_iopm, SVM_IOPM_SIZE);
	if (svm_msrpm)
		free_pages_exact(svm_msrpm, SVM_MSRPM_SIZE);
	svm_iopm = svm_msrpm = NULL;
}

const struct svmx_vcpu_ops svm_vcpu_ops = {
	.vcpu_create	= svm_vcpu_create,
	.vcpu_free	= svm_vcpu_free,
	.run		= svm_vcpu_run,
	.get_sregs	= svm_get_sregs,
	.set_sregs	= svm_set_sregs,
	.get_cr		= svm_get_cr,
	.set_cr8	= svm_set_cr8,
	.get_efer	= svm_get_efer,
	.get_cpl	= svm_get_cpl,
	.read_msr	= svm_read_msr,
	.write_msr	= svm_write_msr,
	.interrupt_allowed	= svm_interrupt_allowed,
	.get_interrupt_shadow	= svm_get_interrupt_shadow,
	.set_interrupt_shadow	= svm_set_interrupt_shadow,
	.get_nmi_masked	= svm_get_nmi_masked,
	.set_nmi_masked	= svm_set_nmi_masked,
	.get_segment	= svm_get_segment,
	.get_dr7	= svm_get_dr7,
	.set_dr7	= svm_set_dr7,
};

/*
 * Nested page tables: x86-64 entries; guest accesses count as user. They
 * have as many levels as the host's paging (APM Vol. 2, 15.25.3), and the
 * CPU sets their accessed and dirty bits (15.25.4).
 */
struct svmx_tdp_format svm_tdp_format = {
	.levels		= 4,
	.table_bits	= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf_bits	= _PAGE_PRESENT | _PAGE_USER,
	.accessed	= _PAGE_ACCESSED,
};
