/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX definitions used by vmx.c. MSR numbers come from the kernel's
 * <asm/msr-index.h>; the bit layouts below are from the Intel SDM, Vol. 3D,
 * Appendix A "VMX Capability Reporting Facility".
 */
#ifndef SVMX_VMX_DEFS_H
#define SVMX_VMX_DEFS_H

#include <linux/bits.h>

/* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C, 24.6 "Discovering Support for VMX") */
#define VMXCAP_CPUID1_ECX_VMX		BIT(5)

/* IA32_VMX_BASIC (SDM Vol. 3D, A.1 "Basic VMX Information") */
#define VMXCAP_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMXCAP_BASIC_REGION_SIZE(b)	(((b) >> 32) & GENMASK_ULL(12, 0))
#define VMXCAP_BASIC_32BIT_PHYS		BIT_ULL(48)
#define VMXCAP_BASIC_MEMTYPE(b)		(((b) >> 50) & GENMASK_ULL(3, 0))
#define VMXCAP_BASIC_MEMTYPE_WB		6
#define VMXCAP_BASIC_TRUE_CTLS		BIT_ULL(55)

/*
 * Allowed-1 settings sit in bits 63:32 of the control MSRs (SDM Vol. 3D,
 * A.3.2 "Primary Processor-Based VM-Execution Controls" and A.3.3
 * "Secondary Processor-Based VM-Execution Controls").
 */
#define VMXCAP_CTLS_ALLOWED1(msr)		((u32)((msr) >> 32))
#define VMXCAP_PROC_ACTIVATE_SECONDARY	BIT(31)
#define VMXCAP_PROC2_EPT			BIT(1)
#define VMXCAP_PROC2_VPID			BIT(5)
#define VMXCAP_PROC2_UNRESTRICTED_GUEST	BIT(7)

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D, A.10 "VPID and EPT Capabilities") */
#define VMXCAP_EPT_CAP_WALK_4		BIT_ULL(6)
#define VMXCAP_EPT_CAP_MEMTYPE_WB		BIT_ULL(14)
#define VMXCAP_EPT_CAP_2M_PAGES		BIT_ULL(16)
#define VMXCAP_EPT_CAP_INVEPT		BIT_ULL(20)
#define VMXCAP_EPT_CAP_AD_FLAGS		BIT_ULL(21)
#define VMXCAP_EPT_CAP_INVEPT_SINGLE	BIT_ULL(25)
#define VMXCAP_EPT_CAP_INVEPT_ALL		BIT_ULL(26)
#define VMXCAP_VPID_CAP_INVVPID		BIT_ULL(32)
#define VMXCAP_VPID_CAP_INVVPID_SINGLE	BIT_ULL(41)
#define VMXCAP_VPID_CAP_INVVPID_ALL	BIT_ULL(42)

#endif /* SVMX_VMX_DEFS_H */
