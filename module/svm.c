// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD SVM backend.
 *
 *   probe          CPUID, VM_CR.SVMDIS, nested paging, each missing
 *                  requirement printed on its own line
 *   init/exit      one host save area per possible CPU
 *   cpu_enable     VM_HSAVE_PA, then EFER.SVME
 *   cpu_disable    the reverse
 *
 * The kernel clears EFER.SVME by itself on its emergency paths
 * (cpu_emergency_svm_disable()), so this backend has no emergency hook.
 *
 * References: AMD APM Vol. 2, 15.4 "Enabling SVM", 15.30.1 "VM_CR MSR",
 * 15.30.4 "VM_HSAVE_PA MSR"; Vol. 3, E.4.9 "Function 8000_000Ah".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": svm: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "svmx.h"
#include "svm_defs.h"

static DEFINE_PER_CPU(struct page *, svm_hsave_area);

static int svm_probe(void)
{
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;

	if (cpuid_eax(0x80000000) < 0x80000001 ||
	    !(cpuid_ecx(0x80000001) & SVMCAP_CPUID_EXT_ECX_SVM)) {
		pr_err("missing: the CPU has no SVM (CPUID 8000_0001h:ECX[2] is 0)\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) == 0 && (vm_cr & SVMCAP_VM_CR_SVMDIS)) {
		pr_err("missing: SVM is disabled by the firmware (VM_CR.SVMDIS=1): enable AMD-V/SVM in the firmware setup\n");
		return -EPERM;
	}
	if (cpuid_eax(0x80000000) < SVMCAP_CPUID_LEAF) {
		pr_err("missing: the SVM feature leaf (CPUID 8000_000Ah)\n");
		return -ENODEV;
	}
	cpuid(SVMCAP_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	if (!(edx & SVMCAP_CPUID_EDX_NP)) {
		pr_err("missing: nested paging (CPUID 8000_000Ah:EDX[0])\n");
		return -ENODEV;
	}
	svmx_hw.npt = true;
	pr_info("SVM revision %u, %u ASIDs, nrips=%d vmcb_clean=%d flush_by_asid=%d decode_assists=%d\n",
		eax & 0xff, ebx, !!(edx & SVMCAP_CPUID_EDX_NRIPS),
		!!(edx & SVMCAP_CPUID_EDX_VMCB_CLEAN),
		!!(edx & SVMCAP_CPUID_EDX_FLUSH_BY_ASID),
		!!(edx & SVMCAP_CPUID_EDX_DECODE_ASSISTS));
	return 0;
}

static void svm_exit(void)
{
	svm_vcpu_global_exit();
	svmx_free_cpu_pages(&svm_hsave_area);
}

/* The host save area's contents are the CPU's business: zeroed is fine. */
static int svm_init(void)
{
	int r = svmx_alloc_cpu_pages(&svm_hsave_area, 0);

	if (r)
		return r;
	r = svm_vcpu_global_init();
	if (r)
		svmx_free_cpu_pages(&svm_hsave_area);
	return r;
}

static int svm_cpu_enable(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	/* Someone else (kvm-amd, another hypervisor) has SVM on here. */
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_VM_HSAVE_PA,
	       page_to_phys(__this_cpu_read(svm_hsave_area)));
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	svm_cpu_asids_reset();
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

static bool svm_cpu_hw_enabled(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	return efer & EFER_SVME;
}

const struct svmx_backend svmx_svm_backend = {
	.name			= "svm",
	.probe			= svm_probe,
	.init			= svm_init,
	.exit			= svm_exit,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.cpu_hw_enabled		= svm_cpu_hw_enabled,
	.tdp			= &svm_tdp_format,
	.vcpu			= &svm_vcpu_ops,
};
