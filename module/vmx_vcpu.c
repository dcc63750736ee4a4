// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel VMX backend's vCPUs: the VMCS, guest entry and the exits.
 *
 *   vmx_vcpu_create()   a VMCS in the RESET state (SDM Vol. 3A, 9.1.1),
 *                       with EPT, unrestricted guest and (when the CPU has
 *                       it) a VPID; every I/O and MSR access exits
 *   vmx_vcpu_load()     make the VMCS current on this CPU: VMCLEAR it on
 *                       the CPU where it was active (an IPI), VMPTRLD here,
 *                       refresh the per-CPU host fields and flush the EPT
 *                       TLB entries this CPU may still hold (SDM Vol. 3C,
 *                       25.11.1 "Software Use of the VMCS", 29.4.3)
 *   vmx_vcpu_run()      one entry: swap the MSRs the VMCS does not (SYSCALL
 *                       MSRs, KERNEL_GS_BASE), CR2, XCR0; VMLAUNCH or
 *                       VMRESUME (vmx_enter.S); restore the host's segment
 *                       registers and MSRs; then vmx_handle_exit()
 *   vmx_handle_exit()   one small handler per basic exit reason (Vol. 3D,
 *                       Appendix C); an unexpected one stops the vCPU with
 *                       KVM_EXIT_INTERNAL_ERROR, never skips anything
 *
 * Each CPU keeps a list of the VMCSs active on it, so that one going
 * offline or to sleep VMCLEARs them first (vmx_cpu_going_down()).
 *
 * CR0 and CR4 bits that VMX forces (CR0.NE, CR4.VMXE) or that svmx must
 * validate are owned by the host: the guest reads the shadow and a write
 * that changes them exits (25.6.6 "Guest/Host Masks and Read Shadows").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/asm.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include "svmx.h"
#include "vcpu.h"
#include "vmx_defs.h"

/* DR7 bit 10 reads as 1 (SDM Vol. 3B, 18.2.4). */
#define VMX_DR7_FIXED_1		0x400

/* Guest CR0 bits the host owns: NE is forced on, CD/NW kept off. */
#define VMX_CR0_HOST_OWNED	(X86_CR0_NE | X86_CR0_CD | X86_CR0_NW)
/* Guest CR4 bits the guest may flip without an exit. */
#define VMX_CR4_GUEST_OWNED	(X86_CR4_PVI | X86_CR4_DE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
				 X86_CR4_PGE | X86_CR4_TSD)

struct vmx_vcpu {
	struct page *vmcs_page;
	phys_addr_t vmcs_pa;
	/* The CPU where the VMCS is active, or -1; changed there only. */
	int cpu;
	struct list_head loaded_link;
	bool launched;
	u16 vpid;

	/* Guest state the VMCS does not hold. */
	u64 cr2;
	u64 cr8;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u32 entry_ctls;
	u32 proc_ctls;
};

/* The controls every VMCS gets, computed once from the capability MSRs. */
static u32 vmx_pin_ctls, vmx_proc_ctls, vmx_proc2_ctls, vmx_exit_ctls,
	   vmx_entry_ctls;
static u32 vmx_revision;
static bool vmx_virtual_nmis;
static bool vmx_ins_outs_info;
/* IA32_DEBUGCTL exists (Bochs 2.7 has none: a read faults). */
static bool vmx_has_debugctl;
/* Preemption-timer ticks in SVMX_VMX_SLICE_MS, or 0 without the timer. */
static u32 vmx_slice_ticks;

/*
 * The longest a guest runs without an exit. A host interrupt makes the
 * guest exit anyway; the slice is a backstop for CPUs (emulated ones
 * among them: Bochs 2.7) that do not deliver host interrupts to a CPU in
 * VMX non-root operation while the guest has RFLAGS.IF clear, so that
 * signals and the scheduler still reach a spinning guest.
 */
#define SVMX_VMX_SLICE_MS	10
static bool vmx_invept_single;
static u64 vmx_cr0_fixed0, vmx_cr4_fixed0;

static DEFINE_PER_CPU(struct list_head, vmx_loaded_vmcss);
static DEFINE_PER_CPU(struct vmx_vcpu *, vmx_current_vmcs);

/* VPIDs 1..65535; 0 is the host's. */
static DEFINE_SPINLOCK(vmx_vpid_lock);
static unsigned long *vmx_vpid_bitmap;
#define VMX_NR_VPIDS	65536

static struct vmx_vcpu *to_vmx(struct svmx_vcpu *vcpu)
{
	return vcpu->backend;
}

/* VMX instructions (SDM Vol. 3C, 31.2 "Conventions"): CF or ZF set is VMfail. */
static u64 vmcs_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm" (value) : [field] "r" (field) : "cc");
	return value;
}

static void vmcs_write(unsigned long field, u64 value)
{
	asm goto("vmwrite %[value], %[field]\n\t"
		 "jbe %l[fail]"
		 : : [field] "r" (field), [value] "rm" (value) : "cc" : fail);
	return;
fail:
	pr_err_ratelimited("VMWRITE %#lx failed (VM-instruction error %llu)\n",
			   field, vmcs_read(VMCS_INSN_ERROR));
}

static void vmx_vmclear(phys_addr_t pa)
{
	asm volatile("vmclear %0" : : "m" (pa) : "cc", "memory");
}

static void vmx_vmptrld(phys_addr_t pa)
{
	asm volatile("vmptrld %0" : : "m" (pa) : "cc", "memory");
}

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m" (desc), "r" (type) : "cc", "memory");
}

static u64 vmx_eptp(struct svmx_vcpu *vcpu)
{
	return vcpu->vm->mmu.root_pa | VMX_EPTP_MT_WB | VMX_EPTP_WALK_4 |
	       (vmx_tdp_format.accessed ? VMX_EPTP_AD_ENABLE : 0);
}

static void vmx_flush_ept(struct svmx_vcpu *vcpu)
{
	if (vmx_invept_single)
		vmx_invept(VMX_INVEPT_SINGLE, vmx_eptp(vcpu));
	else
		vmx_invept(VMX_INVEPT_ALL, 0);
}

/* On the CPU where the VMCS is active, interrupts off: make it inactive. */
static void vmx_clear_here(struct vmx_vcpu *vmx)
{
	if (vmx->cpu != smp_processor_id())
		return;
	vmx_vmclear(vmx->vmcs_pa);
	list_del(&vmx->loaded_link);
	if (__this_cpu_read(vmx_current_vmcs) == vmx)
		__this_cpu_write(vmx_current_vmcs, NULL);
	vmx->launched = false;
	/* Pairs with the READ_ONCE in vmx_vcpu_load() of another CPU. */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

static void vmx_clear_ipi(void *data)
{
	vmx_clear_here(data);
}

/* Make the VMCS inactive wherever it is active; preemptible context. */
static void vmx_clear_remote(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_ipi, vmx, 1);
}

/**
 * vmx_cpu_going_down() - this CPU turns VMX off: VMCLEAR its VMCSs
 *
 * Runs on the CPU, interrupts off (cpu_virt.c).
 */
void vmx_cpu_going_down(void)
{
	struct list_head *list = this_cpu_ptr(&vmx_loaded_vmcss);
	struct vmx_vcpu *vmx, *tmp;

	if (!list->next)
		return;
	list_for_each_entry_safe(vmx, tmp, list, loaded_link)
		vmx_clear_here(vmx);
}

/* Host fields that differ per CPU (SDM Vol. 3C, 25.5 "Host-State Area"). */
static void vmx_write_host_cpu_fields(void)
{
	int cpu = smp_processor_id();
	u64 sysenter_esp;

	vmcs_write(VMCS_HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	rdmsrl(MSR_IA32_SYSENTER_ESP, sysenter_esp);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, sysenter_esp);
	vmcs_write(VMCS_HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
}

/*
 * Make the vCPU's VMCS current here. Preemption off, interrupts on (the
 * VMCLEAR on another CPU is an IPI).
 */
static void vmx_vcpu_load(struct svmx_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	int cpu = smp_processor_id();

	if (READ_ONCE(vmx->cpu) != cpu) {
		vmx_clear_remote(vmx);
		local_irq_disable();
		vmx_vmptrld(vmx->vmcs_pa);
		list_add(&vmx->loaded_link, this_cpu_ptr(&vmx_loaded_vmcss));
		vmx->cpu = cpu;
		__this_cpu_write(vmx_current_vmcs, vmx);
		/* Another vCPU's branch predictions must not steer this one. */
		indirect_branch_prediction_barrier();
		vmx_write_host_cpu_fields();
		/* This CPU may hold stale entries for the EPT from before. */
		set_bit(SVMX_REQ_TLB_FLUSH, &vcpu->requests);
		local_irq_enable();
	} else if (__this_cpu_read(vmx_current_vmcs) != vmx) {
		vmx_vmptrld(vmx->vmcs_pa);
		__this_cpu_write(vmx_current_vmcs, vmx);
		indirect_branch_prediction_barrier();
	}
}

/* Segments: struct kvm_segment <-> VMX access rights (SDM Vol. 3C, 25.4.1). */
static u32 vmx_ar_from_kvm(const struct kvm_segment *k)
{
	if (k->unusable || !k->present)
		return BIT(16);
	return (k->type & 0xf) | (k->s & 1) << 4 | (k->dpl & 3) << 5 |
	       (k->present & 1) << 7 | (k->avl & 1) << 12 | (k->l & 1) << 13 |
	       (k->db & 1) << 14 | (k->g & 1) << 15;
}

static void vmx_get_seg(int seg, struct kvm_segment *k)
{
	u32 ar = vmcs_read(VMCS_GUEST_ES_AR + 2 * seg);

	memset(k, 0, sizeof(*k));
	k->base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * seg);
	k->limit = vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * seg);
	k->selector = vmcs_read(VMCS_GUEST_ES_SEL + 2 * seg);
	k->type = ar & 0xf;
	k->s = (ar >> 4) & 1;
	k->dpl = (ar >> 5) & 3;
	k->present = (ar >> 7) & 1;
	k->avl = (ar >> 12) & 1;
	k->l = (ar >> 13) & 1;
	k->db = (ar >> 14) & 1;
	k->g = (ar >> 15) & 1;
	k->unusable = (ar >> 16) & 1;
}

static void vmx_set_seg(int seg, const struct kvm_segment *k)
{
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, k->base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, k->limit);
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * seg, k->selector);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * seg, vmx_ar_from_kvm(k));
}

/* Run @fn with the vCPU's VMCS current (for the state ioctls). */
#define vmx_with_vmcs(vcpu, stmt) do {				\
		preempt_disable();				\
		vmx_vcpu_load((vcpu), to_vmx(vcpu));		\
		stmt;						\
		preempt_enable();				\
	} while (0)

static u64 vmx_guest_cr0(void)
{
	u64 mask = VMX_CR0_HOST_OWNED;

	return (vmcs_read(VMCS_GUEST_CR0) & ~mask) |
	       (vmcs_read(VMCS_CR0_SHADOW) & mask);
}

static u64 vmx_guest_cr4(void)
{
	u64 mask = ~(u64)VMX_CR4_GUEST_OWNED;

	return (vmcs_read(VMCS_GUEST_CR4) & ~mask) |
	       (vmcs_read(VMCS_CR4_SHADOW) & mask);
}

static void vmx_write_cr0(u64 cr0)
{
	/* PE and PG may be off: unrestricted guest (SDM Vol. 3C, 26.3.1.1). */
	u64 fixed0 = vmx_cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	vmcs_write(VMCS_CR0_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR0, (cr0 | fixed0) & ~(X86_CR0_CD | X86_CR0_NW));
}

static void vmx_write_cr4(u64 cr4)
{
	vmcs_write(VMCS_CR4_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR4, cr4 | vmx_cr4_fixed0);
}

/* IA-32e mode follows EFER.LMA at every entry (26.2.4). */
static void vmx_write_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmcs_write(VMCS_GUEST_EFER, efer);
	if (efer & EFER_LMA)
		vmx->entry_ctls |= VMX_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctls &= ~VMX_ENTRY_IA32E_MODE;
	vmcs_write(VMCS_ENTRY_CTLS, vmx->entry_ctls);
}

/*
 * PAE paging without long mode takes its PDPTEs from the VMCS when EPT is
 * on (SDM Vol. 3C, 26.3.2.4); read them from guest memory (this may sleep)
 * before they go in with vmx_write_pdptes().
 */
static bool vmx_read_pdptes(struct svmx_vcpu *vcpu, u64 cr0, u64 cr4, u64 efer,
			    u64 cr3, u64 *pdpte)
{
	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return false;
	memset(pdpte, 0, 4 * sizeof(*pdpte));
	svmx_read_guest(vcpu->vm, cr3 & ~0x1fULL, pdpte, 4 * sizeof(*pdpte));
	return true;
}

static void vmx_write_pdptes(const u64 *pdpte)
{
	int i;

	for (i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static void vmx_get_sregs(struct svmx_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_with_vmcs(vcpu, {
		vmx_get_seg(VMX_CS, &s->cs);
		vmx_get_seg(VMX_DS, &s->ds);
		vmx_get_seg(VMX_ES, &s->es);
		vmx_get_seg(VMX_FS, &s->fs);
		vmx_get_seg(VMX_GS, &s->gs);
		vmx_get_seg(VMX_SS, &s->ss);
		vmx_get_seg(VMX_TR, &s->tr);
		vmx_get_seg(VMX_LDTR, &s->ldt);
		s->gdt.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
		s->gdt.limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
		s->idt.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
		s->idt.limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
		s->cr0 = vmx_guest_cr0();
		s->cr3 = vmcs_read(VMCS_GUEST_CR3);
		s->cr4 = vmx_guest_cr4();
		s->efer = vmcs_read(VMCS_GUEST_EFER);
	});
	s->cr2 = vmx->cr2;
	s->cr8 = vmx->cr8;
	s->apic_base = vcpu->apic_base;
}

static void vmx_set_sregs(struct svmx_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 pdpte[4];
	bool pae = vmx_read_pdptes(vcpu, s->cr0, s->cr4, s->efer, s->cr3, pdpte);

	vmx_with_vmcs(vcpu, {
		vmx_set_seg(VMX_CS, &s->cs);
		vmx_set_seg(VMX_DS, &s->ds);
		vmx_set_seg(VMX_ES, &s->es);
		vmx_set_seg(VMX_FS, &s->fs);
		vmx_set_seg(VMX_GS, &s->gs);
		vmx_set_seg(VMX_SS, &s->ss);
		vmx_set_seg(VMX_TR, &s->tr);
		vmx_set_seg(VMX_LDTR, &s->ldt);
		vmcs_write(VMCS_GUEST_GDTR_BASE, s->gdt.base);
		vmcs_write(VMCS_GUEST_GDTR_LIMIT, s->gdt.limit);
		vmcs_write(VMCS_GUEST_IDTR_BASE, s->idt.base);
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, s->idt.limit);
		vmx_write_cr0(s->cr0);
		vmcs_write(VMCS_GUEST_CR3, s->cr3);
		vmx_write_cr4(s->cr4);
		vmx_write_efer(vmx, s->efer);
		if (pae)
			vmx_write_pdptes(pdpte);
	});
	vmx->cr2 = s->cr2;
	vmx->cr8 = s->cr8 & 0xf;
	vcpu->apic_base = s->apic_base;
}

static u64 vmx_get_cr(struct svmx_vcpu *vcpu, int cr)
{
	u64 v = 0;

	switch (cr) {
	case 8:
		return to_vmx(vcpu)->cr8;
	case 0:
		vmx_with_vmcs(vcpu, v = vmx_guest_cr0());
		return v;
	case 2:
		return to_vmx(vcpu)->cr2;
	case 3:
		vmx_with_vmcs(vcpu, v = vmcs_read(VMCS_GUEST_CR3));
		return v;
	default:
		vmx_with_vmcs(vcpu, v = vmx_guest_cr4());
		return v;
	}
}

static void vmx_set_cr8(struct svmx_vcpu *vcpu, u64 cr8)
{
	to_vmx(vcpu)->cr8 = cr8 & 0xf;
}

static u64 vmx_get_efer(struct svmx_vcpu *vcpu)
{
	u64 v;

	vmx_with_vmcs(vcpu, v = vmcs_read(VMCS_GUEST_EFER));
	return v;
}

static int vmx_get_cpl(struct svmx_vcpu *vcpu)
{
	int cpl;

	vmx_with_vmcs(vcpu, {
		if (!(vmcs_read(VMCS_GUEST_CR0) & X86_CR0_PE))
			cpl = 0;
		else
			cpl = (vmcs_read(VMCS_GUEST_ES_AR + 2 * VMX_SS) >> 5) & 3;
	});
	return cpl;
}

static int vmx_read_msr(struct svmx_vcpu *vcpu, u32 msr, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	switch (msr) {
	case MSR_EFER:
		*data = vmx_get_efer(vcpu);
		return 0;
	case MSR_STAR:
		*data = vmx->star;
		return 0;
	case MSR_LSTAR:
		*data = vmx->lstar;
		return 0;
	case MSR_CSTAR:
		*data = vmx->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*data = vmx->sfmask;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*data = vmx->kernel_gs_base;
		return 0;
	case MSR_FS_BASE:
		vmx_with_vmcs(vcpu, *data = vmcs_read(VMCS_GUEST_ES_BASE + 2 * VMX_FS));
		return 0;
	case MSR_GS_BASE:
		vmx_with_vmcs(vcpu, *data = vmcs_read(VMCS_GUEST_ES_BASE + 2 * VMX_GS));
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmx_with_vmcs(vcpu, *data = vmcs_read(VMCS_GUEST_SYSENTER_CS));
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		vmx_with_vmcs(vcpu, *data = vmcs_read(VMCS_GUEST_SYSENTER_ESP));
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		vmx_with_vmcs(vcpu, *data = vmcs_read(VMCS_GUEST_SYSENTER_EIP));
		return 0;
	case MSR_IA32_FEAT_CTL:
		/* Locked, VMX not offered. */
		*data = FEAT_CTL_LOCKED;
		return 0;
	}
	return 1;
}

static int vmx_write_msr(struct svmx_vcpu *vcpu, u32 msr, u64 data, bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	switch (msr) {
	case MSR_EFER:
		if (!svmx_efer_new(vcpu, &data, vmx_get_efer(vcpu), host))
			return -EINVAL;
		vmx_with_vmcs(vcpu, vmx_write_efer(vmx, data));
		return 0;
	case MSR_STAR:
		vmx->star = data;
		return 0;
	case MSR_SYSCALL_MASK:
		vmx->sfmask = data;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmx_with_vmcs(vcpu, vmcs_write(VMCS_GUEST_SYSENTER_CS, data));
		return 0;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!svmx_canonical(data) &&
		    !svmx_sysenter_canonical(msr, &data, host))
			return -EINVAL;
		if (msr == MSR_LSTAR)
			vmx->lstar = data;
		else if (msr == MSR_CSTAR)
			vmx->cstar = data;
		else if (msr == MSR_KERNEL_GS_BASE)
			vmx->kernel_gs_base = data;
		else if (msr == MSR_FS_BASE)
			vmx_with_vmcs(vcpu, vmcs_write(VMCS_GUEST_ES_BASE + 2 * VMX_FS, data));
		else if (msr == MSR_GS_BASE)
			vmx_with_vmcs(vcpu, vmcs_write(VMCS_GUEST_ES_BASE + 2 * VMX_GS, data));
		else if (msr == MSR_IA32_SYSENTER_ESP)
			vmx_with_vmcs(vcpu, vmcs_write(VMCS_GUEST_SYSENTER_ESP, data));
		else
			vmx_with_vmcs(vcpu, vmcs_write(VMCS_GUEST_SYSENTER_EIP, data));
		return 0;
	}
	return 1;
}

static void vmx_init_guest_seg(int seg, u16 sel, u64 base, u32 ar)
{
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * seg, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * seg, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * seg, 0xffff);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * seg, ar);
}

/* Everything but the per-CPU host fields; the VMCS is current. */
static void vmx_init_vmcs(struct svmx_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	struct desc_ptr idt;
	u64 v;

	vmcs_write(VMCS_PIN_CTLS, vmx_pin_ctls);
	vmx->proc_ctls = vmx_proc_ctls;
	vmcs_write(VMCS_PROC_CTLS, vmx->proc_ctls);
	vmcs_write(VMCS_PROC2_CTLS, vmx_proc2_ctls);
	vmcs_write(VMCS_EXIT_CTLS, vmx_exit_ctls);
	vmx->entry_ctls = vmx_entry_ctls;
	vmcs_write(VMCS_ENTRY_CTLS, vmx->entry_ctls);
	/* #UD: the other vendor's hypercall instruction (svmx_exit_ud()). */
	vmcs_write(VMCS_EXCEPTION_BITMAP, BIT(6));
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_EPTP, vmx_eptp(vcpu));
	if (vmx->vpid)
		vmcs_write(VMCS_VPID, vmx->vpid);
	vmcs_write(VMCS_CR0_MASK, VMX_CR0_HOST_OWNED);
	vmcs_write(VMCS_CR4_MASK, ~(u64)VMX_CR4_GUEST_OWNED);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);

	/* Host state that is the same on every CPU (25.5). */
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, __read_cr3());
	vmcs_write(VMCS_HOST_CR4, cr4_read_shadow());
	vmcs_write(VMCS_HOST_CS_SEL, __KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SEL, __KERNEL_DS);
	vmcs_write(VMCS_HOST_DS_SEL, 0);
	vmcs_write(VMCS_HOST_ES_SEL, 0);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(VMCS_HOST_IDTR_BASE, idt.address);
	vmcs_write(VMCS_HOST_RIP, (unsigned long)svmx_vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(VMCS_HOST_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write(VMCS_HOST_PAT, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write(VMCS_HOST_EFER, v);

	/* The RESET state (SDM Vol. 3A, 9.1.1, Table 9-1). */
	vmx_init_guest_seg(VMX_CS, 0xf000, 0xffff0000, 0x9b);
	vmx_init_guest_seg(VMX_DS, 0, 0, 0x93);
	vmx_init_guest_seg(VMX_ES, 0, 0, 0x93);
	vmx_init_guest_seg(VMX_FS, 0, 0, 0x93);
	vmx_init_guest_seg(VMX_GS, 0, 0, 0x93);
	vmx_init_guest_seg(VMX_SS, 0, 0, 0x93);
	vmx_init_guest_seg(VMX_LDTR, 0, 0, 0x82);
	vmx_init_guest_seg(VMX_TR, 0, 0, 0x8b);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmx_write_cr0(X86_CR0_NW | X86_CR0_CD | X86_CR0_ET);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmx_write_cr4(0);
	vmx_write_efer(vmx, 0);
	vmcs_write(VMCS_GUEST_DR7, VMX_DR7_FIXED_1);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_PAT, vcpu->pat);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
}

static u16 vmx_alloc_vpid(void)
{
	unsigned long id;

	if (!svmx_hw.vpid)
		return 0;
	spin_lock(&vmx_vpid_lock);
	id = find_next_zero_bit(vmx_vpid_bitmap, VMX_NR_VPIDS, 1);
	if (id < VMX_NR_VPIDS)
		__set_bit(id, vmx_vpid_bitmap);
	else
		id = 0;	/* none left: this vCPU runs without a VPID */
	spin_unlock(&vmx_vpid_lock);
	return id;
}

static void vmx_free_vpid(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
}

static int vmx_vcpu_create(struct svmx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vmx->vmcs_page) {
		kfree(vmx);
		return -ENOMEM;
	}
	/* SDM Vol. 3C, 25.2: the region starts with the revision id. */
	*(u32 *)page_address(vmx->vmcs_page) = vmx_revision;
	vmx->vmcs_pa = page_to_phys(vmx->vmcs_page);
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->vpid = vmx_alloc_vpid();
	vcpu->backend = vmx;

	preempt_disable();
	/* VMCLEAR initializes the region and its launch state (25.11.3). */
	vmx_vmclear(vmx->vmcs_pa);
	vmx_vcpu_load(vcpu, vmx);
	vmx_init_vmcs(vcpu, vmx);
	preempt_enable();
	return 0;
}

static void vmx_vcpu_free(struct svmx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx)
		return;
	vmx_clear_remote(vmx);
	vmx_free_vpid(vmx->vpid);
	__free_page(vmx->vmcs_page);
	kfree(vmx);
	vcpu->backend = NULL;
}

static u32 vmx_interruptibility(void)
{
	return vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
}

static bool vmx_shadowed(void)
{
	return vmx_interruptibility() &
	       (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS);
}

static bool vmx_interrupt_allowed(struct svmx_vcpu *vcpu)
{
	bool r;

	vmx_with_vmcs(vcpu, r = (vcpu->rflags & X86_EFLAGS_IF) && !vmx_shadowed() &&
		      !(vmcs_read(VMCS_ENTRY_INTR_INFO) & VMX_INTR_INFO_VALID));
	return r;
}

static u32 vmx_get_interrupt_shadow(struct svmx_vcpu *vcpu)
{
	u32 v, r = 0;

	vmx_with_vmcs(vcpu, v = vmx_interruptibility());
	if (v & VMX_INTERRUPTIBILITY_STI)
		r |= KVM_X86_SHADOW_INT_STI;
	if (v & VMX_INTERRUPTIBILITY_MOV_SS)
		r |= KVM_X86_SHADOW_INT_MOV_SS;
	return r;
}

static void vmx_set_interrupt_shadow(struct svmx_vcpu *vcpu, u32 shadow)
{
	vmx_with_vmcs(vcpu, {
		u32 v = vmx_interruptibility() &
			~(VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS);

		if (shadow & KVM_X86_SHADOW_INT_STI)
			v |= VMX_INTERRUPTIBILITY_STI;
		if (shadow & KVM_X86_SHADOW_INT_MOV_SS)
			v |= VMX_INTERRUPTIBILITY_MOV_SS;
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, v);
	});
}

/* With virtual NMIs the CPU tracks NMI blocking itself (25.4.2). */
static bool vmx_get_nmi_masked(struct svmx_vcpu *vcpu)
{
	bool r;

	vmx_with_vmcs(vcpu, r = vmx_interruptibility() & VMX_INTERRUPTIBILITY_NMI);
	return r;
}

static void vmx_set_nmi_masked(struct svmx_vcpu *vcpu, bool masked)
{
	if (!vmx_virtual_nmis)
		return;
	vmx_with_vmcs(vcpu, {
		u32 v = vmx_interruptibility() & ~VMX_INTERRUPTIBILITY_NMI;

		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   v | (masked ? VMX_INTERRUPTIBILITY_NMI : 0));
	});
}

static void vmx_get_segment(struct svmx_vcpu *vcpu, int seg,
			    struct kvm_segment *s)
{
	vmx_with_vmcs(vcpu, vmx_get_seg(seg & 7, s));
}

static u64 vmx_get_dr7(struct svmx_vcpu *vcpu)
{
	u64 v;

	vmx_with_vmcs(vcpu, v = vmcs_read(VMCS_GUEST_DR7));
	return v;
}

static void vmx_set_dr7(struct svmx_vcpu *vcpu, u64 dr7)
{
	vmx_with_vmcs(vcpu, vmcs_write(VMCS_GUEST_DR7, dr7 | VMX_DR7_FIXED_1));
}

static void vmx_set_proc_ctl(struct vmx_vcpu *vmx, u32 bit, bool on)
{
	u32 ctls = on ? vmx->proc_ctls | bit : vmx->proc_ctls & ~bit;

	if (ctls != vmx->proc_ctls) {
		vmx->proc_ctls = ctls;
		vmcs_write(VMCS_PROC_CTLS, ctls);
	}
}

/*
 * The VM-entry interruption field (26.6): an event whose delivery an exit
 * cut short first (already there), then an exception, an NMI, an
 * interrupt. Interrupt- and NMI-window exiting bring the vCPU back when a
 * waiting interrupt or NMI can go in (25.6.2).
 */
static void vmx_inject_events(struct svmx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct svmx_exception *e = &vcpu->exception;
	u32 intr = vmx_interruptibility();
	bool shadow = intr & (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS);
	bool open = (vcpu->rflags & X86_EFLAGS_IF) && !shadow;
	bool busy = vmcs_read(VMCS_ENTRY_INTR_INFO) & VMX_INTR_INFO_VALID;
	bool nmi_blocked = shadow || (intr & VMX_INTERRUPTIBILITY_NMI);
	u32 info;

	if (busy) {
		/* Re-delivery first. */
	} else if (e->pending) {
		info = e->vector | VMX_INTR_TYPE_HARD_EXCEPTION | VMX_INTR_INFO_VALID;
		/* Real mode delivers no error code (26.2.1.3). */
		if (e->has_error && (vmcs_read(VMCS_GUEST_CR0) & X86_CR0_PE)) {
			info |= VMX_INTR_INFO_ERROR_VALID;
			vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, e->error);
		}
		if (e->vector == 14)
			vmx->cr2 = e->cr2;
		vmcs_write(VMCS_ENTRY_INTR_INFO, info);
		e->pending = false;
		busy = true;
	} else if (vcpu->nmi_injected) {
		/*
		 * Its delivery was under way: blocking does not hold it (and
		 * must be clear for the entry to inject an NMI, 26.3.1.5).
		 */
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(VMX_INTERRUPTIBILITY_NMI |
				    VMX_INTERRUPTIBILITY_MOV_SS));
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   2 | VMX_INTR_TYPE_NMI | VMX_INTR_INFO_VALID);
		vcpu->nmi_injected = false;
		busy = true;
	} else if (vcpu->nmi_pending && !nmi_blocked) {
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   2 | VMX_INTR_TYPE_NMI | VMX_INTR_INFO_VALID);
		vcpu->nmi_pending--;
		busy = true;
	} else if (vcpu->irq_pending && open) {
		vmcs_write(VMCS_ENTRY_INTR_INFO, svmx_irq_take(vcpu) |
			   VMX_INTR_TYPE_EXT_INTR | VMX_INTR_INFO_VALID);
		busy = true;
	}

	vmx_set_proc_ctl(vmx, VMX_PROC_INTR_WINDOW_EXITING,
			 (vcpu->irq_pending || vcpu->run->request_interrupt_window) &&
			 !(open && !busy));
	/*
	 * An NMI waits behind one this entry injects: the window opens at
	 * the handler's IRET (behind another event: as soon as it is
	 * delivered).
	 */
	if (vmx_virtual_nmis)
		vmx_set_proc_ctl(vmx, VMX_PROC_NMI_WINDOW_EXITING,
				 vcpu->nmi_pending && (nmi_blocked || busy));
}

/*
 * An event whose delivery the exit interrupted goes in again at the next
 * entry (SDM Vol. 3C, 28.2.4 "Information for VM Exits During Event
 * Delivery"); software events need their instruction length.
 */
static void vmx_requeue_event(void)
{
	u32 info = vmcs_read(VMCS_IDT_VECTORING_INFO);
	u32 type = info & VMX_INTR_TYPE_MASK;

	if (!(info & VMX_INTR_INFO_VALID))
		return;
	if (info & VMX_INTR_INFO_ERROR_VALID)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR,
			   vmcs_read(VMCS_IDT_VECTORING_ERROR));
	if (type == VMX_INTR_TYPE_SOFT_INTR ||
	    type == VMX_INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == VMX_INTR_TYPE_SOFT_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & ~BIT(12));
}

/* What an exit reported, read while the VMCS was current on this CPU. */
struct vmx_exit {
	u32 reason;
	u32 intr_info;		/* exceptions and NMIs */
	u32 len;
	u64 qual;
	u64 gpa;
	u32 insn_info;
};

/* MOV to CR0 / CR4 / CR8, MOV from CR8 (SDM Vol. 3A, 2.5; Vol. 3C, 27.1.3). */
static int vmx_exit_cr(struct svmx_vcpu *vcpu, const struct vmx_exit *x)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int cr = VMX_CR_NUM(x->qual), gpr = VMX_CR_GPR(x->qual);
	u64 val = vcpu->regs[gpr], cr0, cr4, efer, cr3, pdpte[4];
	bool pae;

	if (VMX_CR_TYPE(x->qual) == 1 && cr == 8) {
		vcpu->regs[gpr] = vmx->cr8;
		vcpu->rip += x->len;
		return 1;
	}
	if (VMX_CR_TYPE(x->qual) != 0 || (cr != 0 && cr != 4 && cr != 8))
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, VMX_EXIT_CR_ACCESS);
	if (cr == 8) {
		if (val & ~0xfULL)
			goto gp;
		vmx->cr8 = val;
		vcpu->rip += x->len;
		return 1;
	}

	vmx_with_vmcs(vcpu, {
		cr0 = vmx_guest_cr0();
		cr4 = vmx_guest_cr4();
		efer = vmcs_read(VMCS_GUEST_EFER);
		cr3 = vmcs_read(VMCS_GUEST_CR3);
	});
	if (cr == 0) {
		if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
		    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
			goto gp;
		/* Paging on with LME enters long mode, which needs PAE (9.8.5). */
		if ((val & X86_CR0_PG) && !(cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
			if (!(cr4 & X86_CR4_PAE))
				goto gp;
			efer |= EFER_LMA;
		} else if (!(val & X86_CR0_PG)) {
			efer &= ~EFER_LMA;
		}
		cr0 = val;
	} else {
		if ((val & ~svmx_valid_cr4(vcpu)) ||
		    ((efer & EFER_LMA) && !(val & X86_CR4_PAE)))
			goto gp;
		cr4 = val;
	}
	pae = vmx_read_pdptes(vcpu, cr0, cr4, efer, cr3, pdpte);
	vmx_with_vmcs(vcpu, {
		vmx_write_efer(vmx, efer);
		vmx_write_cr0(cr0);
		vmx_write_cr4(cr4);
		if (pae)
			vmx_write_pdptes(pdpte);
	});
	vcpu->rip += x->len;
	return 1;
gp:
	svmx_inject_gp(vcpu);
	return 1;
}

/*
 * MOV DR: DR0-3 and DR6 kept in the vCPU, DR7 in the VMCS (SDM Vol. 3C,
 * 27.1.3). They never reach the hardware: guest breakpoints do not fire.
 */
static int vmx_exit_dr(struct svmx_vcpu *vcpu, const struct vmx_exit *x)
{
	int dr = x->qual & 7, gpr = (x->qual >> 8) & 15;
	bool read = x->qual & BIT(4);
	u64 val = vcpu->regs[gpr];

	if (dr == 4 || dr == 5) {
		/* Aliases of DR6/DR7 while CR4.DE is clear. */
		if (vmx_get_cr(vcpu, 4) & X86_CR4_DE) {
			svmx_inject_ud(vcpu);
			return 1;
		}
		dr += 2;
	}
	if (read) {
		if (dr < 4)
			vcpu->regs[gpr] = vcpu->db[dr];
		else if (dr == 6)
			vcpu->regs[gpr] = vcpu->dr6;
		else
			vcpu->regs[gpr] = vmx_get_dr7(vcpu);
	} else if (dr < 4) {
		vcpu->db[dr] = val;
	} else {
		if (val >> 32)
			goto gp;
		if (dr == 6)
			vcpu->dr6 = val | DR6_RESERVED;
		else
			vmx_set_dr7(vcpu, val);
	}
	vcpu->rip += x->len;
	return 1;
gp:
	svmx_inject_gp(vcpu);
	return 1;
}

static int vmx_exit_io(struct svmx_vcpu *vcpu, const struct vmx_exit *x)
{
	u64 q = x->qual;

	if (q & VMX_IO_STRING) {
		/*
		 * Address size and segment (SDM Vol. 3C, 28.2.5, Table 28-8),
		 * when the CPU reports them; else the defaults of the mode.
		 */
		int seg = (q & VMX_IO_IN) ? SVMX_SEG_ES : (x->insn_info >> 15) & 7;
		unsigned int abytes = 2 << ((x->insn_info >> 7) & 3);

		if (!vmx_ins_outs_info) {
			struct kvm_segment cs;

			vmx_get_segment(vcpu, SVMX_SEG_CS, &cs);
			seg = (q & VMX_IO_IN) ? SVMX_SEG_ES : SVMX_SEG_DS;
			abytes = cs.l ? 8 : cs.db ? 4 : 2;
		}
		return svmx_exit_pio_string(vcpu, q >> VMX_IO_PORT_SHIFT,
					    (q & VMX_IO_SIZE_MASK) + 1,
					    q & VMX_IO_IN, q & VMX_IO_REP, seg,
					    abytes, vcpu->rip + x->len);
	}
	return svmx_exit_pio(vcpu, q >> VMX_IO_PORT_SHIFT,
			     (q & VMX_IO_SIZE_MASK) + 1, q & VMX_IO_IN,
			     vcpu->rip + x->len);
}

static int vmx_exit_vmcall(struct svmx_vcpu *vcpu, unsigned int len)
{
	svmx_hypercall(vcpu, vmx_get_cpl(vcpu));
	vcpu->rip += len;
	return 1;
}

static int vmx_exit_fail_entry(struct svmx_vcpu *vcpu, u64 reason)
{
	vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	vcpu->run->fail_entry.hardware_entry_failure_reason = reason;
	vcpu->run->fail_entry.cpu = READ_ONCE(vcpu->cpu);
	return 0;
}

/*
 * Preemptible: a handler may sleep (faulting guest memory in), and reaches
 * the VMCS only through vmx_with_vmcs().
 */
static int vmx_handle_exit(struct svmx_vcpu *vcpu, const struct vmx_exit *x)
{
	if (x->reason & VMX_EXIT_REASON_ENTRY_FAIL)
		return vmx_exit_fail_entry(vcpu, x->reason);

	switch (x->reason & 0xffff) {
	case VMX_EXIT_EXCEPTION_NMI:
		/* The exception bitmap has only #UD; NMIs are the host's. */
		if ((x->intr_info & VMX_INTR_TYPE_MASK) != VMX_INTR_TYPE_NMI &&
		    (x->intr_info & 0xff) == 6)
			return svmx_exit_ud(vcpu);
		return 1;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_INIT:
	case VMX_EXIT_SIPI:
		/* The host's own event: handled at the exit already. */
		return 1;
	case VMX_EXIT_PREEMPTION_TIMER:
		/* The slice is over: the run loop looks at signals, resched. */
		return 1;
	case VMX_EXIT_INTR_WINDOW:
		vmx_with_vmcs(vcpu, vmx_set_proc_ctl(to_vmx(vcpu),
				VMX_PROC_INTR_WINDOW_EXITING, false));
		return 1;
	case VMX_EXIT_NMI_WINDOW:
		vmx_with_vmcs(vcpu, vmx_set_proc_ctl(to_vmx(vcpu),
				VMX_PROC_NMI_WINDOW_EXITING, false));
		return 1;
	case VMX_EXIT_TRIPLE_FAULT:
		return svmx_exit_shutdown(vcpu);
	case VMX_EXIT_CPUID:
		return svmx_exit_cpuid(vcpu, x->len);
	case VMX_EXIT_HLT:
		return svmx_exit_hlt(vcpu, x->len);
	case VMX_EXIT_IO:
		return vmx_exit_io(vcpu, x);
	case VMX_EXIT_RDMSR:
		return svmx_exit_rdmsr(vcpu, x->len);
	case VMX_EXIT_WRMSR:
		return svmx_exit_wrmsr(vcpu, x->len);
	case VMX_EXIT_XSETBV:
		return svmx_exit_xsetbv(vcpu, x->len);
	case VMX_EXIT_CR_ACCESS:
		return vmx_exit_cr(vcpu, x);
	case VMX_EXIT_DR_ACCESS:
		return vmx_exit_dr(vcpu, x);
	case VMX_EXIT_VMCALL:
		return vmx_exit_vmcall(vcpu, x->len);
	case VMX_EXIT_INVD:
		vcpu->rip += x->len;
		return 1;
	case VMX_EXIT_EPT_VIOLATION:
		return svmx_tdp_fault(vcpu, x->gpa, x->qual & VMX_EPT_WRITE,
				      x->qual & VMX_EPT_FETCH);
	case VMX_EXIT_RDPMC:
		/* No PMU in the guest's CPUID. */
		svmx_inject_gp(vcpu);
		return 1;
	case VMX_EXIT_VMCLEAR:
	case VMX_EXIT_VMLAUNCH:
	case VMX_EXIT_VMPTRLD:
	case VMX_EXIT_VMPTRST:
	case VMX_EXIT_VMREAD:
	case VMX_EXIT_VMRESUME:
	case VMX_EXIT_VMWRITE:
	case VMX_EXIT_VMXOFF:
	case VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_MWAIT:
	case VMX_EXIT_MONITOR:
		/* Not offered in the guest's CPUID: #UD, as the hardware would. */
		svmx_inject_ud(vcpu);
		return 1;
	default:
		return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, x->reason);
	}
}

/* The host segment registers and MSRs VM exit does not restore (28.5). */
struct vmx_host_state {
	u16 ds, es, fs, gs;
	u64 fs_base, kernel_gs_base;
	u64 star, lstar, cstar, sfmask;
	u64 debugctl;
	u64 tsc_aux;
};

static void vmx_switch_to_guest(struct svmx_vcpu *vcpu, struct vmx_vcpu *vmx,
				struct vmx_host_state *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	rdmsrl(MSR_STAR, h->star);
	rdmsrl(MSR_LSTAR, h->lstar);
	rdmsrl(MSR_CSTAR, h->cstar);
	rdmsrl(MSR_SYSCALL_MASK, h->sfmask);
	h->debugctl = 0;
	if (vmx_has_debugctl)
		rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	vmcs_write(VMCS_HOST_FS_BASE, h->fs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	wrmsrl(MSR_STAR, vmx->star);
	wrmsrl(MSR_LSTAR, vmx->lstar);
	wrmsrl(MSR_CSTAR, vmx->cstar);
	wrmsrl(MSR_SYSCALL_MASK, vmx->sfmask);
	/* RDTSCP and RDPID run natively and read IA32_TSC_AUX. */
	if (svmx_hw.rdtscp) {
		rdmsrl(MSR_TSC_AUX, h->tsc_aux);
		if (h->tsc_aux != vcpu->tsc_aux)
			wrmsrl(MSR_TSC_AUX, vcpu->tsc_aux);
	}
}

static void vmx_switch_to_host(struct svmx_vcpu *vcpu, struct vmx_vcpu *vmx,
			       struct vmx_host_state *h)
{
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs)
		load_gs_index(h->gs);
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	wrmsrl(MSR_STAR, h->star);
	wrmsrl(MSR_LSTAR, h->lstar);
	wrmsrl(MSR_CSTAR, h->cstar);
	wrmsrl(MSR_SYSCALL_MASK, h->sfmask);
	if (svmx_hw.rdtscp && h->tsc_aux != vcpu->tsc_aux)
		wrmsrl(MSR_TSC_AUX, h->tsc_aux);
	/* VM exit clears IA32_DEBUGCTL (28.3). */
	if (h->debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	/* VM exit sets the TR limit to 0x67: the I/O bitmap needs it back. */
	invalidate_tss_limit();
}

static int vmx_vcpu_run(struct svmx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_state host;
	u64 host_xcr0 = 0, host_cr3, host_cr4, rip;
	struct vmx_exit x;
	bool xcr0_switch;
	int r, fail;

	if (vcpu->triple_fault) {
		vcpu->triple_fault = false;
		vcpu->exception.pending = false;
		return svmx_exit_shutdown(vcpu);
	}

	preempt_disable();
	vmx_vcpu_load(vcpu, vmx);
	local_irq_disable();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	if (test_and_clear_bit(SVMX_REQ_TLB_FLUSH, &vcpu->requests))
		vmx_flush_ept(vcpu);
	if (!svmx_vcpu_enter_prepare(vcpu)) {
		local_irq_enable();
		preempt_enable();
		return 1;
	}

	vmcs_write(VMCS_GUEST_RSP, vcpu->regs[SVMX_RSP]);
	vmcs_write(VMCS_GUEST_RIP, vcpu->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, vcpu->rflags);
	vmcs_write(VMCS_GUEST_PAT, vcpu->pat);
	vmcs_write(VMCS_TSC_OFFSET, vcpu->tsc_offset);
	if (vmx_slice_ticks)
		vmcs_write(VMCS_PREEMPTION_TIMER, vmx_slice_ticks);
	vmx_inject_events(vcpu);
	/* CR3 and CR4 of the host change with the process and over time. */
	host_cr3 = __read_cr3();
	host_cr4 = cr4_read_shadow();
	vmcs_write(VMCS_HOST_CR3, host_cr3);
	vmcs_write(VMCS_HOST_CR4, host_cr4);

	xcr0_switch = boot_cpu_has(X86_FEATURE_XSAVE);
	if (xcr0_switch) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		xcr0_switch = host_xcr0 != vcpu->xcr0;
		if (xcr0_switch)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	}
	vmx_switch_to_guest(vcpu, vmx, &host);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	/* L1TF: flush the L1 data cache before the guest runs, if needed. */
	if (boot_cpu_has_bug(X86_BUG_L1TF) && boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);

	fail = svmx_vmx_vmrun(vcpu->regs, vmx->launched);

	vmx->cr2 = native_read_cr2();
	vmx_switch_to_host(vcpu, vmx, &host);
	if (xcr0_switch)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	svmx_vcpu_exit_done(vcpu);

	if (fail) {
		x.reason = vmcs_read(VMCS_INSN_ERROR);
		local_irq_enable();
		preempt_enable();
		return vmx_exit_fail_entry(vcpu, x.reason);
	}
	x.reason = vmcs_read(VMCS_EXIT_REASON);
	if (!(x.reason & VMX_EXIT_REASON_ENTRY_FAIL))
		vmx->launched = true;
	x.intr_info = vmcs_read(VMCS_EXIT_INTR_INFO);
	x.len = vmcs_read(VMCS_EXIT_INSN_LEN);
	x.qual = vmcs_read(VMCS_EXIT_QUALIFICATION);
	x.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	x.insn_info = vmcs_read(VMCS_EXIT_INSN_INFO);
	vcpu->regs[SVMX_RSP] = vmcs_read(VMCS_GUEST_RSP);
	vcpu->rip = vmcs_read(VMCS_GUEST_RIP);
	vcpu->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	if (!(x.reason & VMX_EXIT_REASON_ENTRY_FAIL))
		vmx_requeue_event();
	/*
	 * NMI exiting took the host's NMI (SDM Vol. 3C, 25.2): hand it to the
	 * host's handler on this CPU, interrupts still off.
	 */
	if ((x.reason & 0xffff) == VMX_EXIT_EXCEPTION_NMI &&
	    (x.intr_info & VMX_INTR_TYPE_MASK) == VMX_INTR_TYPE_NMI)
		asm volatile("int $2");
	local_irq_enable();
	preempt_enable();

	rip = vcpu->rip;
	r = vmx_handle_exit(vcpu, &x);
	/* An instruction completed: its STI / MOV SS shadow is over. */
	if (vcpu->rip != rip)
		vmx_set_interrupt_shadow(vcpu, 0);
	return r;
}

/* want | must-be-one, or 0 with *missing set if a wanted bit is not allowed. */
static u32 vmx_adjust_ctls(u32 want, u32 msr, bool *missing)
{
	u64 cap;

	rdmsrl(msr, cap);
	if (want & ~VMXCAP_CTLS_ALLOWED1(cap)) {
		pr_err("missing VM-execution controls %#x in MSR %#x\n",
		       want & ~VMXCAP_CTLS_ALLOWED1(cap), msr);
		*missing = true;
	}
	return (want | VMXCAP_CTLS_ALLOWED0(cap)) & VMXCAP_CTLS_ALLOWED1(cap);
}

/**
 * vmx_vcpu_global_init() - what every vCPU shares: controls and VPIDs
 * @revision_id: the VMCS revision identifier
 * @ept_vpid_cap: IA32_VMX_EPT_VPID_CAP
 *
 * Return: 0, -ENODEV if a control svmx relies on is missing, -ENOMEM.
 */
int vmx_vcpu_global_init(u32 revision_id, u64 ept_vpid_cap)
{
	bool missing = false;
	u64 cap;
	int cpu;

	vmx_revision = revision_id;
	vmx_has_debugctl = !rdmsrl_safe(MSR_IA32_DEBUGCTLMSR, &cap);
	rdmsrl(MSR_IA32_VMX_BASIC, cap);
	vmx_ins_outs_info = cap & VMXCAP_BASIC_INS_OUTS_INFO;
	vmx_invept_single = ept_vpid_cap & VMXCAP_EPT_CAP_INVEPT_SINGLE;
	/* EPT accessed and dirty flags (SDM Vol. 3C, 29.3.5), for aging. */
	vmx_tdp_format.accessed = ept_vpid_cap & VMXCAP_EPT_CAP_AD_FLAGS ?
				  VMX_EPT_ACCESSED : 0;
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_cr4_fixed0);

	rdmsrl(MSR_IA32_VMX_TRUE_PINBASED_CTLS, cap);
	vmx_virtual_nmis = VMXCAP_CTLS_ALLOWED1(cap) & VMX_PIN_VIRTUAL_NMIS;
	if ((VMXCAP_CTLS_ALLOWED1(cap) & VMX_PIN_PREEMPTION_TIMER) && tsc_khz) {
		u64 misc, ticks;

		/* The timer counts down once every 2^shift TSC cycles. */
		rdmsrl(MSR_IA32_VMX_MISC, misc);
		ticks = ((u64)tsc_khz * SVMX_VMX_SLICE_MS) >>
			VMXCAP_MISC_PREEMPTION_SHIFT(misc);
		vmx_slice_ticks = clamp_t(u64, ticks, 1, U32_MAX);
	}
	vmx_pin_ctls = vmx_adjust_ctls(VMX_PIN_EXT_INTR_EXITING |
				       VMX_PIN_NMI_EXITING |
				       (vmx_virtual_nmis ? VMX_PIN_VIRTUAL_NMIS : 0) |
				       (vmx_slice_ticks ? VMX_PIN_PREEMPTION_TIMER : 0),
				       MSR_IA32_VMX_TRUE_PINBASED_CTLS, &missing);
	vmx_proc_ctls = vmx_adjust_ctls(VMX_PROC_USE_TSC_OFFSETTING |
					VMX_PROC_HLT_EXITING |
					VMX_PROC_MWAIT_EXITING |
					VMX_PROC_RDPMC_EXITING |
					VMX_PROC_CR8_LOAD_EXITING |
					VMX_PROC_CR8_STORE_EXITING |
					VMX_PROC_MOV_DR_EXITING |
					VMX_PROC_UNCOND_IO_EXITING |
					VMX_PROC_MONITOR_EXITING |
					VMX_PROC_ACTIVATE_SECONDARY,
					MSR_IA32_VMX_TRUE_PROCBASED_CTLS, &missing);
	/* RDTSCP (and RDPID) for the guest where the CPU has both. */
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, cap);
	svmx_hw.rdtscp = boot_cpu_has(X86_FEATURE_RDTSCP) &&
			 (VMXCAP_CTLS_ALLOWED1(cap) & VMX_PROC2_ENABLE_RDTSCP);
	vmx_proc2_ctls = vmx_adjust_ctls(VMX_PROC2_ENABLE_EPT |
					 VMX_PROC2_UNRESTRICTED_GUEST |
					 (svmx_hw.rdtscp ? VMX_PROC2_ENABLE_RDTSCP : 0) |
					 (svmx_hw.vpid ? VMX_PROC2_ENABLE_VPID : 0),
					 MSR_IA32_VMX_PROCBASED_CTLS2, &missing);
	vmx_exit_ctls = vmx_adjust_ctls(VMX_EXIT_SAVE_DEBUG |
					VMX_EXIT_HOST_ADDR_SPACE_SIZE |
					VMX_EXIT_SAVE_PAT | VMX_EXIT_LOAD_PAT |
					VMX_EXIT_SAVE_EFER | VMX_EXIT_LOAD_EFER,
					MSR_IA32_VMX_TRUE_EXIT_CTLS, &missing);
	vmx_entry_ctls = vmx_adjust_ctls(VMX_ENTRY_LOAD_DEBUG |
					 VMX_ENTRY_LOAD_PAT | VMX_ENTRY_LOAD_EFER,
					 MSR_IA32_VMX_TRUE_ENTRY_CTLS, &missing);
	if (missing)
		return -ENODEV;

	vmx_vpid_bitmap = bitmap_zalloc(VMX_NR_VPIDS, GFP_KERNEL);
	if (!vmx_vpid_bitmap)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(per_cpu_ptr(&vmx_loaded_vmcss, cpu));
	return 0;
}

void vmx_vcpu_global_exit(void)
{
	bitmap_free(vmx_vpid_bitmap);
	vmx_vpid_bitmap = NULL;
}

const struct svmx_vcpu_ops vmx_vcpu_ops = {
	.vcpu_create	= vmx_vcpu_create,
	.vcpu_free	= vmx_vcpu_free,
	.run		= vmx_vcpu_run,
	.get_sregs	= vmx_get_sregs,
	.set_sregs	= vmx_set_sregs,
	.get_cr		= vmx_get_cr,
	.set_cr8	= vmx_set_cr8,
	.get_efer	= vmx_get_efer,
	.get_cpl	= vmx_get_cpl,
	.read_msr	= vmx_read_msr,
	.write_msr	= vmx_write_msr,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.get_interrupt_shadow	= vmx_get_interrupt_shadow,
	.set_interrupt_shadow	= vmx_set_interrupt_shadow,
	.get_nmi_masked	= vmx_get_nmi_masked,
	.set_nmi_masked	= vmx_set_nmi_masked,
	.get_segment	= vmx_get_segment,
	.get_dr7	= vmx_get_dr7,
	.set_dr7	= vmx_set_dr7,
};

/*
 * EPT entries: read/write/execute bits, write-back memory (29.3.2, 29.3.7);
 * the accessed bit is set at load when the CPU has EPT A/D flags.
 */
struct svmx_tdp_format vmx_tdp_format = {
	.levels		= 4,
	.table_bits	= VMX_EPT_READ | VMX_EPT_WRITE_BIT | VMX_EPT_EXEC,
	.leaf_bits	= VMX_EPT_READ | VMX_EPT_EXEC | VMX_EPT_MT_WB |
			  VMX_EPT_IGNORE_PAT,
};
