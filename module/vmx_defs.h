/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX definitions used by vmx.c. MSR numbers come from the kernel's
 * <asm/msr-index.h>; the bit layouts below are from the Intel SDM, Vol. 3D,
 * Appendix A "VMX Capability Reporting Facility".
 */
#ifndef SVMX_VMX_DEFS_H
#define SVMX_VMX_DEFS_H

#include <linux/bits.h>
#include <linux/types.h>

/* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C, 24.6 "Discovering Support for VMX") */
#define VMXCAP_CPUID1_ECX_VMX		BIT(5)

/* IA32_VMX_BASIC (SDM Vol. 3D, A.1 "Basic VMX Information") */
#define VMXCAP_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMXCAP_BASIC_REGION_SIZE(b)	(((b) >> 32) & GENMASK_ULL(12, 0))
#define VMXCAP_BASIC_32BIT_PHYS		BIT_ULL(48)
#define VMXCAP_BASIC_MEMTYPE(b)		(((b) >> 50) & GENMASK_ULL(3, 0))
#define VMXCAP_BASIC_MEMTYPE_WB		6
#define VMXCAP_BASIC_INS_OUTS_INFO	BIT_ULL(54)
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

/* IA32_VMX_MISC (SDM Vol. 3D, A.6): the preemption timer's TSC shift */
#define VMXCAP_MISC_PREEMPTION_SHIFT(m)	((m) & 0x1f)

/* IA32_VMX_TRUE_*_CTLS: allowed-0 in bits 31:0 (SDM Vol. 3D, A.3-A.5) */
#define VMXCAP_CTLS_ALLOWED0(msr)		((u32)(msr))

/*
 * VMCS field encodings (SDM Vol. 3D, Appendix B "Field Encoding in VMCS").
 */
enum vmcs_field {
	/* 16-bit (B.1) */
	VMCS_VPID			= 0x0000,
	VMCS_GUEST_ES_SEL		= 0x0800,	/* ES CS SS DS FS GS LDTR TR, step 2 */
	VMCS_HOST_ES_SEL		= 0x0c00,
	VMCS_HOST_CS_SEL		= 0x0c02,
	VMCS_HOST_SS_SEL		= 0x0c04,
	VMCS_HOST_DS_SEL		= 0x0c06,
	VMCS_HOST_FS_SEL		= 0x0c08,
	VMCS_HOST_GS_SEL		= 0x0c0a,
	VMCS_HOST_TR_SEL		= 0x0c0c,
	/* 64-bit (B.2) */
	VMCS_TSC_OFFSET			= 0x2010,
	VMCS_EPTP			= 0x201a,
	VMCS_GUEST_PHYS_ADDR		= 0x2400,
	VMCS_LINK_POINTER		= 0x2800,
	VMCS_GUEST_DEBUGCTL		= 0x2802,
	VMCS_GUEST_PAT			= 0x2804,
	VMCS_GUEST_EFER			= 0x2806,
	VMCS_GUEST_PDPTE0		= 0x280a,	/* 0..3, step 2 */
	VMCS_HOST_PAT			= 0x2c00,
	VMCS_HOST_EFER			= 0x2c02,
	/* 32-bit (B.3) */
	VMCS_PIN_CTLS			= 0x4000,
	VMCS_PROC_CTLS			= 0x4002,
	VMCS_EXCEPTION_BITMAP		= 0x4004,
	VMCS_CR3_TARGET_COUNT		= 0x400a,
	VMCS_EXIT_CTLS			= 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT	= 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT	= 0x4010,
	VMCS_ENTRY_CTLS			= 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT	= 0x4014,
	VMCS_ENTRY_INTR_INFO		= 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR	= 0x4018,
	VMCS_ENTRY_INSN_LEN		= 0x401a,
	VMCS_PROC2_CTLS			= 0x401e,
	VMCS_INSN_ERROR			= 0x4400,
	VMCS_EXIT_REASON		= 0x4402,
	VMCS_EXIT_INTR_INFO		= 0x4404,
	VMCS_EXIT_INTR_ERROR		= 0x4406,
	VMCS_IDT_VECTORING_INFO		= 0x4408,
	VMCS_IDT_VECTORING_ERROR	= 0x440a,
	VMCS_EXIT_INSN_LEN		= 0x440c,
	VMCS_EXIT_INSN_INFO		= 0x440e,
	VMCS_GUEST_ES_LIMIT		= 0x4800,	/* ES..TR, GDTR, IDTR, step 2 */
	VMCS_GUEST_GDTR_LIMIT		= 0x4810,
	VMCS_GUEST_IDTR_LIMIT		= 0x4812,
	VMCS_GUEST_ES_AR		= 0x4814,	/* ES..TR, step 2 */
	VMCS_GUEST_INTERRUPTIBILITY	= 0x4824,
	VMCS_GUEST_ACTIVITY_STATE	= 0x4826,
	VMCS_GUEST_SYSENTER_CS		= 0x482a,
	VMCS_PREEMPTION_TIMER		= 0x482e,
	VMCS_HOST_SYSENTER_CS		= 0x4c00,
	/* natural width (B.4) */
	VMCS_CR0_MASK			= 0x6000,
	VMCS_CR4_MASK			= 0x6002,
	VMCS_CR0_SHADOW			= 0x6004,
	VMCS_CR4_SHADOW			= 0x6006,
	VMCS_EXIT_QUALIFICATION		= 0x6400,
	VMCS_GUEST_LINEAR_ADDR		= 0x640a,
	VMCS_GUEST_CR0			= 0x6800,
	VMCS_GUEST_CR3			= 0x6802,
	VMCS_GUEST_CR4			= 0x6804,
	VMCS_GUEST_ES_BASE		= 0x6806,	/* ES..TR, step 2 */
	VMCS_GUEST_GDTR_BASE		= 0x6816,
	VMCS_GUEST_IDTR_BASE		= 0x6818,
	VMCS_GUEST_DR7			= 0x681a,
	VMCS_GUEST_RSP			= 0x681c,
	VMCS_GUEST_RIP			= 0x681e,
	VMCS_GUEST_RFLAGS		= 0x6820,
	VMCS_GUEST_PENDING_DBG		= 0x6822,
	VMCS_GUEST_SYSENTER_ESP		= 0x6824,
	VMCS_GUEST_SYSENTER_EIP		= 0x6826,
	VMCS_HOST_CR0			= 0x6c00,
	VMCS_HOST_CR3			= 0x6c02,
	VMCS_HOST_CR4			= 0x6c04,
	VMCS_HOST_FS_BASE		= 0x6c06,
	VMCS_HOST_GS_BASE		= 0x6c08,
	VMCS_HOST_TR_BASE		= 0x6c0a,
	VMCS_HOST_GDTR_BASE		= 0x6c0c,
	VMCS_HOST_IDTR_BASE		= 0x6c0e,
	VMCS_HOST_SYSENTER_ESP		= 0x6c10,
	VMCS_HOST_SYSENTER_EIP		= 0x6c12,
	VMCS_HOST_RSP			= 0x6c14,
	VMCS_HOST_RIP			= 0x6c16,
};

/* Segment register order of the guest-state fields (SDM Vol. 3D, B.1.2). */
enum { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR };

/* Pin-based controls (SDM Vol. 3C, 25.6.1) */
#define VMX_PIN_EXT_INTR_EXITING	BIT(0)
#define VMX_PIN_NMI_EXITING		BIT(3)
#define VMX_PIN_VIRTUAL_NMIS		BIT(5)
#define VMX_PIN_PREEMPTION_TIMER	BIT(6)
/* Primary processor-based controls (25.6.2, Table 25-6) */
#define VMX_PROC_INTR_WINDOW_EXITING	BIT(2)
#define VMX_PROC_USE_TSC_OFFSETTING	BIT(3)
#define VMX_PROC_HLT_EXITING		BIT(7)
#define VMX_PROC_MWAIT_EXITING		BIT(10)
#define VMX_PROC_RDPMC_EXITING		BIT(11)
#define VMX_PROC_CR8_LOAD_EXITING	BIT(19)
#define VMX_PROC_CR8_STORE_EXITING	BIT(20)
#define VMX_PROC_NMI_WINDOW_EXITING	BIT(22)
#define VMX_PROC_MOV_DR_EXITING		BIT(23)
#define VMX_PROC_UNCOND_IO_EXITING	BIT(24)
#define VMX_PROC_MONITOR_EXITING	BIT(29)
#define VMX_PROC_ACTIVATE_SECONDARY	BIT(31)
/* Secondary processor-based controls (Table 25-7) */
#define VMX_PROC2_ENABLE_EPT		BIT(1)
#define VMX_PROC2_ENABLE_RDTSCP		BIT(3)
#define VMX_PROC2_ENABLE_VPID		BIT(5)
#define VMX_PROC2_UNRESTRICTED_GUEST	BIT(7)
/* VM-exit controls (25.7.1, Table 25-13) */
#define VMX_EXIT_SAVE_DEBUG		BIT(2)
#define VMX_EXIT_HOST_ADDR_SPACE_SIZE	BIT(9)
#define VMX_EXIT_ACK_INTR_ON_EXIT	BIT(15)
#define VMX_EXIT_SAVE_PAT		BIT(18)
#define VMX_EXIT_LOAD_PAT		BIT(19)
#define VMX_EXIT_SAVE_EFER		BIT(20)
#define VMX_EXIT_LOAD_EFER		BIT(21)
/* VM-entry controls (25.8.1, Table 25-15) */
#define VMX_ENTRY_LOAD_DEBUG		BIT(2)
#define VMX_ENTRY_IA32E_MODE		BIT(9)
#define VMX_ENTRY_LOAD_PAT		BIT(14)
#define VMX_ENTRY_LOAD_EFER		BIT(15)

/* Interruption information (25.8.3 and 25.9.2) */
#define VMX_INTR_INFO_VECTOR_MASK	0xff
#define VMX_INTR_TYPE_EXT_INTR		(0 << 8)
#define VMX_INTR_TYPE_NMI		(2 << 8)
#define VMX_INTR_TYPE_HARD_EXCEPTION	(3 << 8)
#define VMX_INTR_TYPE_SOFT_INTR		(4 << 8)
#define VMX_INTR_TYPE_PRIV_SW_EXCEPTION	(5 << 8)
#define VMX_INTR_TYPE_SOFT_EXCEPTION	(6 << 8)
#define VMX_INTR_TYPE_MASK		(7 << 8)
#define VMX_INTR_INFO_ERROR_VALID	BIT(11)
#define VMX_INTR_INFO_VALID		BIT(31)

/* Guest interruptibility state (25.4.2, Table 25-3) */
#define VMX_INTERRUPTIBILITY_STI	BIT(0)
#define VMX_INTERRUPTIBILITY_MOV_SS	BIT(1)
#define VMX_INTERRUPTIBILITY_NMI	BIT(3)

/* Basic exit reasons (Vol. 3D, Appendix C) */
#define VMX_EXIT_EXCEPTION_NMI		0
#define VMX_EXIT_EXTERNAL_INTERRUPT	1
#define VMX_EXIT_TRIPLE_FAULT		2
#define VMX_EXIT_INIT			3
#define VMX_EXIT_SIPI			4
#define VMX_EXIT_INTR_WINDOW		7
#define VMX_EXIT_NMI_WINDOW		8
#define VMX_EXIT_TASK_SWITCH		9
#define VMX_EXIT_CPUID			10
#define VMX_EXIT_HLT			12
#define VMX_EXIT_INVD			13
#define VMX_EXIT_RDPMC			15
#define VMX_EXIT_VMCALL			18
#define VMX_EXIT_VMCLEAR		19
#define VMX_EXIT_VMLAUNCH		20
#define VMX_EXIT_VMPTRLD		21
#define VMX_EXIT_VMPTRST		22
#define VMX_EXIT_VMREAD			23
#define VMX_EXIT_VMRESUME		24
#define VMX_EXIT_VMWRITE		25
#define VMX_EXIT_VMXOFF			26
#define VMX_EXIT_VMXON			27
#define VMX_EXIT_CR_ACCESS		28
#define VMX_EXIT_DR_ACCESS		29
#define VMX_EXIT_IO			30
#define VMX_EXIT_RDMSR			31
#define VMX_EXIT_WRMSR			32
#define VMX_EXIT_INVALID_GUEST_STATE	33
#define VMX_EXIT_MSR_LOADING		34
#define VMX_EXIT_MWAIT			36
#define VMX_EXIT_MONITOR		39
#define VMX_EXIT_MACHINE_CHECK		41
#define VMX_EXIT_EPT_VIOLATION		48
#define VMX_EXIT_EPT_MISCONFIG		49
#define VMX_EXIT_INVEPT			50
#define VMX_EXIT_INVVPID		53
#define VMX_EXIT_PREEMPTION_TIMER	52
#define VMX_EXIT_XSETBV			55
#define VMX_EXIT_REASON_ENTRY_FAIL	BIT(31)

/* Exit qualifications (27.2.1) */
#define VMX_IO_SIZE_MASK		7	/* size - 1 */
#define VMX_IO_IN			BIT(3)
#define VMX_IO_STRING			BIT(4)
#define VMX_IO_REP			BIT(5)
#define VMX_IO_PORT_SHIFT		16
#define VMX_EPT_WRITE			BIT(1)
#define VMX_EPT_FETCH			BIT(2)
#define VMX_CR_NUM(q)			((q) & 15)
#define VMX_CR_TYPE(q)			(((q) >> 4) & 3)	/* 0 mov to, 1 mov from, 2 CLTS, 3 LMSW */
#define VMX_CR_GPR(q)			(((q) >> 8) & 15)
#define VMX_CR_LMSW_DATA(q)		(((q) >> 16) & 0xffff)

/* EPT entries (29.3.2) and the EPTP (25.6.11) */
#define VMX_EPT_READ			BIT_ULL(0)
#define VMX_EPT_WRITE_BIT		BIT_ULL(1)
#define VMX_EPT_EXEC			BIT_ULL(2)
#define VMX_EPT_MT_WB			(6ULL << 3)
#define VMX_EPT_IGNORE_PAT		BIT_ULL(6)
#define VMX_EPT_ACCESSED		BIT_ULL(8)	/* with EPTP A/D (29.3.5) */
#define VMX_EPTP_MT_WB			6ULL
#define VMX_EPTP_WALK_4			(3ULL << 3)
#define VMX_EPTP_AD_ENABLE		BIT_ULL(6)

/* INVEPT / INVVPID types (Vol. 2C) */
#define VMX_INVEPT_SINGLE		1
#define VMX_INVEPT_ALL			2
#define VMX_INVVPID_SINGLE		1
#define VMX_INVVPID_ALL			2

/* Shared between vmx.c, vmx_vcpu.c and vmx_enter.S. */
struct svmx_vcpu_ops;
struct svmx_tdp_format;
extern const struct svmx_vcpu_ops vmx_vcpu_ops;
extern struct svmx_tdp_format vmx_tdp_format;
int vmx_vcpu_global_init(u32 revision_id, u64 ept_vpid_cap);
void vmx_vcpu_global_exit(void);
void vmx_cpu_going_down(void);
int svmx_vmx_vmrun(u64 *regs, bool launched);
void svmx_vmx_vmexit(void);

#endif /* SVMX_VMX_DEFS_H */
