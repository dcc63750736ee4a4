// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel VMX backend.
 *
 *   probe          every requirement checked on the boot CPU, each missing
 *                  one printed on its own line
 *   init/exit      one VMXON region per possible CPU
 *   cpu_enable     CR4.VMXE through the kernel's CR4 shadow, then VMXON
 *   cpu_disable    VMXOFF, then clear CR4.VMXE
 *
 * References: Intel SDM Vol. 3C, 24.6 "Discovering Support for VMX", 24.7
 * "Enabling and Entering VMX Operation", 24.11.5 "VMXON Region"; Vol. 3D,
 * Appendix A "VMX Capability Reporting Facility".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmx: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/io.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "svmx.h"
#include "vmx_defs.h"

static u32 vmx_revision_id;
static u64 vmx_ept_vpid_cap;
static DEFINE_PER_CPU(struct page *, vmx_vmxon_region);

/* Print one missing requirement; probe() counts them. */
#define vmx_missing(count, fmt, ...) \
	do { pr_err("missing: " fmt "\n", ##__VA_ARGS__); (count)++; } while (0)

static int vmx_check_feature_control(void)
{
	u64 fc;

	/* SDM Vol. 3C, 24.7: VMXON #GPs unless the MSR is locked and enabled. */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc)) {
		pr_err("missing: IA32_FEATURE_CONTROL cannot be read\n");
		return -ENODEV;
	}
	if (!(fc & FEAT_CTL_LOCKED) ||
	    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("missing: VMX is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx): enable VT-x in the firmware setup\n",
		       fc);
		return -EPERM;
	}
	return 0;
}

static int vmx_probe(void)
{
	u64 basic, proc, proc2 = 0, ept_vpid = 0;
	int missing = 0;
	int r;

	if (!(cpuid_ecx(1) & VMXCAP_CPUID1_ECX_VMX)) {
		pr_err("missing: the CPU has no VMX (CPUID.1:ECX[5] is 0)\n");
		return -ENODEV;
	}
	r = vmx_check_feature_control();
	if (r)
		return r;

	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic) ||
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS, &proc)) {
		pr_err("missing: the VMX capability MSRs cannot be read\n");
		return -ENODEV;
	}
	if (VMXCAP_BASIC_REGION_SIZE(basic) > PAGE_SIZE)
		vmx_missing(missing, "VMCS region of %llu bytes is larger than a page",
			    VMXCAP_BASIC_REGION_SIZE(basic));
	if (basic & VMXCAP_BASIC_32BIT_PHYS)
		vmx_missing(missing, "VMX structures limited to 32-bit physical addresses");
	if (VMXCAP_BASIC_MEMTYPE(basic) != VMXCAP_BASIC_MEMTYPE_WB)
		vmx_missing(missing, "VMX structures not write-back (memory type %llu)",
			    VMXCAP_BASIC_MEMTYPE(basic));
	if (!(basic & VMXCAP_BASIC_TRUE_CTLS))
		vmx_missing(missing, "IA32_VMX_TRUE_*_CTLS capability MSRs");

	if (!(VMXCAP_CTLS_ALLOWED1(proc) & VMXCAP_PROC_ACTIVATE_SECONDARY)) {
		vmx_missing(missing, "secondary processor-based VM-execution controls");
	} else if (rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2)) {
		vmx_missing(missing, "IA32_VMX_PROCBASED_CTLS2 cannot be read");
		proc2 = 0;
	}

	if (!(VMXCAP_CTLS_ALLOWED1(proc2) & VMXCAP_PROC2_EPT)) {
		vmx_missing(missing, "EPT (extended page tables)");
	} else {
		if (rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_vpid))
			ept_vpid = 0;
		if (!(ept_vpid & VMXCAP_EPT_CAP_WALK_4))
			vmx_missing(missing, "EPT with a 4-level page walk");
		if (!(ept_vpid & VMXCAP_EPT_CAP_MEMTYPE_WB))
			vmx_missing(missing, "write-back EPT paging structures");
		if (!(ept_vpid & VMXCAP_EPT_CAP_INVEPT) ||
		    !(ept_vpid & (VMXCAP_EPT_CAP_INVEPT_SINGLE |
				  VMXCAP_EPT_CAP_INVEPT_ALL)))
			vmx_missing(missing, "INVEPT (single- or all-context)");
	}
	if (!(VMXCAP_CTLS_ALLOWED1(proc2) & VMXCAP_PROC2_UNRESTRICTED_GUEST))
		vmx_missing(missing, "unrestricted guest (real mode without emulation)");
	if (missing)
		return -ENODEV;

	/* VPID is optional: without it every VM entry flushes the TLB. */
	svmx_hw.vpid = (VMXCAP_CTLS_ALLOWED1(proc2) & VMXCAP_PROC2_VPID) &&
		       (ept_vpid & VMXCAP_VPID_CAP_INVVPID) &&
		       (ept_vpid & (VMXCAP_VPID_CAP_INVVPID_SINGLE |
				    VMXCAP_VPID_CAP_INVVPID_ALL));
	if (!svmx_hw.vpid)
		pr_info("no usable VPID: the TLB is flushed on every VM entry\n");
	svmx_hw.ept = true;
	svmx_hw.unrestricted_guest = true;
	vmx_revision_id = basic & VMXCAP_BASIC_REVISION_MASK;
	vmx_ept_vpid_cap = ept_vpid;
	pr_info("VMCS revision %#x, EPT A/D bits %s, 2M EPT pages %s\n",
		vmx_revision_id,
		ept_vpid & VMXCAP_EPT_CAP_AD_FLAGS ? "yes" : "no",
		ept_vpid & VMXCAP_EPT_CAP_2M_PAGES ? "yes" : "no");
	return 0;
}

static void vmx_exit(void)
{
	vmx_vcpu_global_exit();
	svmx_free_cpu_pages(&vmx_vmxon_region);
}

/* SDM 24.11.5: a VMXON region starts with the VMCS revision identifier. */
static int vmx_init(void)
{
	int r = svmx_alloc_cpu_pages(&vmx_vmxon_region, vmx_revision_id);

	if (r)
		return r;
	r = vmx_vcpu_global_init(vmx_revision_id, vmx_ept_vpid_cap);
	if (r)
		svmx_free_cpu_pages(&vmx_vmxon_region);
	return r;
}

/* SDM Vol. 3C, 24.8: CR0 and CR4 must respect the VMX fixed bits. */
static bool vmx_cr_fixed_ok(unsigned long cr, u32 fixed0_msr, u32 fixed1_msr)
{
	u64 fixed0, fixed1;

	if (rdmsrl_safe(fixed0_msr, &fixed0) || rdmsrl_safe(fixed1_msr, &fixed1))
		return false;
	return (cr & fixed0) == fixed0 && !(cr & ~fixed1);
}

/*
 * VMXON: CF=1 or ZF=1 is VMfail; a fault (#GP, #UD) is fixed up to label 2,
 * which goes to 'fault'.
 */
static int vmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[vmfail]\n\t"
		 "jmp 3f\n\t"
		 "2: jmp %l[fault]\n\t"
		 "3:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : [pa] "m" (pa) : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EBUSY;
fault:
	return -EIO;
}

/* VMXOFF; a fault means VMX was not on after all, which is what we want. */
static void vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jmp 3f\n\t"
		 "2: jmp %l[fault]\n\t"
		 "3:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : : "cc", "memory" : fault);
fault:
	return;
}

static int vmx_cpu_enable(void)
{
	struct page *page = __this_cpu_read(vmx_vmxon_region);
	int r;

	/* Someone else (kvm-intel, another hypervisor) is in VMX operation. */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	if (!vmx_cr_fixed_ok(read_cr0(), MSR_IA32_VMX_CR0_FIXED0,
			     MSR_IA32_VMX_CR0_FIXED1) ||
	    !vmx_cr_fixed_ok(cr4_read_shadow() | X86_CR4_VMXE,
			     MSR_IA32_VMX_CR4_FIXED0, MSR_IA32_VMX_CR4_FIXED1)) {
		pr_err("CR0/CR4 of CPU %d do not allow VMX operation\n",
		       smp_processor_id());
		return -EIO;
	}

	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(page_to_phys(page));
	if (r)
		cr4_clear_bits(X86_CR4_VMXE);
	return r;
}

static void vmx_cpu_disable(void)
{
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
}

static bool vmx_cpu_hw_enabled(void)
{
	return __read_cr4() & X86_CR4_VMXE;
}

/* Crash/NMI context: no locks, no per-CPU bookkeeping, whoever owns VMX. */
static void vmx_emergency_disable(void)
{
	if (__read_cr4() & X86_CR4_VMXE)
		vmx_cpu_disable();
}

const struct svmx_backend svmx_vmx_backend = {
	.name			= "vmx",
	.probe			= vmx_probe,
	.init			= vmx_init,
	.exit			= vmx_exit,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.cpu_hw_enabled		= vmx_cpu_hw_enabled,
	.emergency_disable	= vmx_emergency_disable,
	.cpu_going_down		= vmx_cpu_going_down,
	.tdp			= &vmx_tdp_format,
	.vcpu			= &vmx_vcpu_ops,
};
