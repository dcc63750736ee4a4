/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM definitions used by svm.c. MSR numbers and EFER bits come from the
 * kernel's <asm/msr-index.h>; the rest is from the AMD64 Architecture
 * Programmer's Manual (APM).
 */
#ifndef SVMX_SVM_DEFS_H
#define SVMX_SVM_DEFS_H

#include <linux/bits.h>

/* CPUID 8000_0001h ECX[2] (APM Vol. 2, 15.4 "Enabling SVM") */
#define SVMCAP_CPUID_EXT_ECX_SVM		BIT(2)

/* The SVM feature leaf (APM Vol. 3, E.4.9 "Function 8000_000Ah") */
#define SVMCAP_CPUID_LEAF			0x8000000a
#define SVMCAP_CPUID_EDX_NP		BIT(0)
#define SVMCAP_CPUID_EDX_NRIPS		BIT(3)
#define SVMCAP_CPUID_EDX_VMCB_CLEAN	BIT(5)
#define SVMCAP_CPUID_EDX_FLUSH_BY_ASID	BIT(6)
#define SVMCAP_CPUID_EDX_DECODE_ASSISTS	BIT(7)

/* VM_CR (APM Vol. 2, 15.30.1 "VM_CR MSR") */
#define SVMCAP_VM_CR_SVMDIS		BIT_ULL(4)

#endif /* SVMX_SVM_DEFS_H */
