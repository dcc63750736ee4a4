/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM definitions used by svm.c. MSR numbers and EFER bits come from the
 * kernel's <asm/msr-index.h>; the rest is from the AMD64 Architecture
 * Programmer's Manual (APM).
 */
#ifndef SVMX_SVM_DEFS_H
#define SVMX_SVM_DEFS_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

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

/*
 * The VMCB (APM Vol. 2, Appendix B "Layout of VMCB"): a 1 KiB control area
 * (Table B-1) followed by the state save area (Table B-2).
 */
struct svm_seg {
	u16 selector;
	u16 attrib;	/* type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11 */
	u32 limit;
	u64 base;
} __packed;

struct svm_vmcb_control {
	u32 intercept_cr;		/* 000h: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 004h */
	u32 intercept_exceptions;	/* 008h */
	u32 intercept_misc1;		/* 00Ch */
	u32 intercept_misc2;		/* 010h */
	u32 intercept_misc3;		/* 014h */
	u8 reserved_018[0x3c - 0x18];
	u16 pause_filter_threshold;	/* 03Ch */
	u16 pause_filter_count;		/* 03Eh */
	u64 iopm_base_pa;		/* 040h */
	u64 msrpm_base_pa;		/* 048h */
	u64 tsc_offset;			/* 050h */
	u32 asid;			/* 058h */
	u8 tlb_control;			/* 05Ch */
	u8 reserved_05d[3];
	u32 int_ctl;			/* 060h */
	u32 int_vector;			/* 064h */
	u64 int_state;			/* 068h */
	u64 exit_code;			/* 070h */
	u64 exit_info_1;		/* 078h */
	u64 exit_info_2;		/* 080h */
	u64 exit_int_info;		/* 088h */
	u64 nested_ctl;			/* 090h */
	u64 avic_apic_bar;		/* 098h */
	u64 ghcb_pa;			/* 0A0h */
	u64 event_inj;			/* 0A8h */
	u64 nested_cr3;			/* 0B0h */
	u64 virt_ext;			/* 0B8h */
	u32 clean;			/* 0C0h */
	u32 reserved_0c4;
	u64 next_rip;			/* 0C8h */
	u8 insn_len;			/* 0D0h */
	u8 insn_bytes[15];		/* 0D1h */
	u8 reserved_0e0[0x400 - 0xe0];
} __packed;

struct svm_vmcb_save {
	struct svm_seg es, cs, ss, ds, fs, gs;	/* 000h */
	struct svm_seg gdtr, ldtr, idtr, tr;	/* 060h */
	u8 reserved_0a0[0xcb - 0xa0];
	u8 cpl;					/* 0CBh */
	u32 reserved_0cc;
	u64 efer;				/* 0D0h */
	u8 reserved_0d8[0x148 - 0xd8];
	u64 cr4;				/* 148h */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;				/* 178h */
	u8 reserved_180[0x1d8 - 0x180];
	u64 rsp;				/* 1D8h */
	u64 s_cet;
	u64 ssp;
	u64 isst_addr;
	u64 rax;				/* 1F8h */
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;				/* 240h */
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;				/* 268h */
	u64 dbgctl;
} __packed;

struct svm_vmcb {
	struct svm_vmcb_control control;
	struct svm_vmcb_save save;
} __packed;

/* intercept_misc1 (Table B-1, 00Ch) */
#define SVM_INTERCEPT_INTR		BIT(0)
#define SVM_INTERCEPT_NMI		BIT(1)
#define SVM_INTERCEPT_SMI		BIT(2)
#define SVM_INTERCEPT_INIT		BIT(3)
#define SVM_INTERCEPT_VINTR		BIT(4)
#define SVM_INTERCEPT_RDPMC		BIT(15)
#define SVM_INTERCEPT_CPUID		BIT(18)
#define SVM_INTERCEPT_RSM		BIT(19)
#define SVM_INTERCEPT_IRET		BIT(20)
#define SVM_INTERCEPT_INVD		BIT(22)
#define SVM_INTERCEPT_HLT		BIT(24)
#define SVM_INTERCEPT_INVLPGA		BIT(26)
#define SVM_INTERCEPT_IOIO_PROT		BIT(27)
#define SVM_INTERCEPT_MSR_PROT		BIT(28)
#define SVM_INTERCEPT_TASK_SWITCH	BIT(29)
#define SVM_INTERCEPT_SHUTDOWN		BIT(31)
/* intercept_misc2 (Table B-1, 010h) */
#define SVM_INTERCEPT_VMRUN		BIT(0)
#define SVM_INTERCEPT_VMMCALL		BIT(1)
#define SVM_INTERCEPT_VMLOAD		BIT(2)
#define SVM_INTERCEPT_VMSAVE		BIT(3)
#define SVM_INTERCEPT_STGI		BIT(4)
#define SVM_INTERCEPT_CLGI		BIT(5)
#define SVM_INTERCEPT_SKINIT		BIT(6)
#define SVM_INTERCEPT_RDTSCP		BIT(7)
#define SVM_INTERCEPT_MONITOR		BIT(10)
#define SVM_INTERCEPT_MWAIT		BIT(11)
#define SVM_INTERCEPT_XSETBV		BIT(13)

/* int_ctl (060h) */
#define SVM_INT_CTL_V_IRQ		BIT(8)
#define SVM_INT_CTL_V_INTR_PRIO_MAX	(0xfU << 16)
#define SVM_INT_CTL_V_IGN_TPR		BIT(20)
#define SVM_INT_CTL_V_INTR_MASKING	BIT(24)
/* int_state (068h) */
#define SVM_INT_STATE_SHADOW		BIT(0)

/*
 * The VMCB clean field (0C0h, APM Vol. 2, 15.15.3 "VMCB Clean Field"): a
 * set bit lets VMRUN reuse what the CPU cached of that area from the last
 * VMRUN of this VMCB on this CPU.
 */
#define SVM_CLEAN_INTERCEPTS	BIT(0)	/* intercepts, TSC offset */
#define SVM_CLEAN_IOPM		BIT(1)	/* IOPM and MSRPM base */
#define SVM_CLEAN_ASID		BIT(2)
#define SVM_CLEAN_TPR		BIT(3)	/* int_ctl and int_vector */
#define SVM_CLEAN_NP		BIT(4)	/* nested_ctl, nested_cr3, g_pat */
#define SVM_CLEAN_CRX		BIT(5)	/* CR0, CR3, CR4, EFER */
#define SVM_CLEAN_DRX		BIT(6)	/* DR6, DR7 */
#define SVM_CLEAN_DT		BIT(7)	/* GDTR, IDTR */
#define SVM_CLEAN_SEG		BIT(8)	/* CS, DS, SS, ES, CPL */
#define SVM_CLEAN_CR2		BIT(9)
#define SVM_CLEAN_LBR		BIT(10)
#define SVM_CLEAN_ALL		GENMASK(10, 0)

/* tlb_control (05Ch) */
#define SVM_TLB_FLUSH_NOTHING		0
#define SVM_TLB_FLUSH_ALL		1
#define SVM_TLB_FLUSH_ASID		3

/* nested_ctl (090h) */
#define SVM_NESTED_CTL_NP_ENABLE	BIT(0)

/* event_inj and exit_int_info (15.20 "Event Injection") */
#define SVM_EVT_VECTOR_MASK		0xff
#define SVM_EVT_TYPE_INTR		(0 << 8)
#define SVM_EVT_TYPE_NMI		(2 << 8)
#define SVM_EVT_TYPE_EXCEPTION		(3 << 8)
#define SVM_EVT_TYPE_SOFT		(4 << 8)
#define SVM_EVT_TYPE_MASK		(7 << 8)
#define SVM_EVT_ERROR_VALID		BIT(11)
#define SVM_EVT_VALID			BIT(31)

/* Exit codes (Appendix C "SVM Intercept Exit Codes") */
#define SVM_EXIT_CR0_READ		0x000
#define SVM_EXIT_CR0_WRITE		0x010
#define SVM_EXIT_DR0_READ		0x020
#define SVM_EXIT_DR0_WRITE		0x030
#define SVM_EXIT_EXCP_BASE		0x040
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_RSM			0x073
#define SVM_EXIT_IRET			0x074
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_PAUSE			0x077
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_TASK_SWITCH		0x07d
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_ERR			(~0ULL)

/* IOIO exit_info_1 (15.10.2 "IN and OUT Behavior") */
#define SVM_IOIO_IN			BIT(0)
#define SVM_IOIO_STR			BIT(2)
#define SVM_IOIO_REP			BIT(3)
#define SVM_IOIO_SIZE_SHIFT		4	/* bits 6:4: 1, 2, 4 bytes */
#define SVM_IOIO_ASIZE_SHIFT		7	/* bits 9:7: 16, 32, 64 bit */
#define SVM_IOIO_SEG_SHIFT		10	/* bits 12:10, decode assists */
#define SVM_IOIO_PORT_SHIFT		16

/* NPF exit_info_1 (15.25.6 "Nested versus Guest Page Faults") */
#define SVM_NPF_WRITE			BIT_ULL(1)
#define SVM_NPF_FETCH			BIT_ULL(4)

/* Sizes of the permission maps (15.10.1, 15.11) */
#define SVM_IOPM_SIZE			(3 * PAGE_SIZE)
#define SVM_MSRPM_SIZE			(2 * PAGE_SIZE)

/* Shared between svm.c, svm_vcpu.c and svm_enter.S. */
struct svmx_vcpu_ops;
struct svmx_tdp_format;
extern const struct svmx_vcpu_ops svm_vcpu_ops;
extern struct svmx_tdp_format svm_tdp_format;
int svm_vcpu_global_init(void);
void svm_vcpu_global_exit(void);
void svm_cpu_asids_reset(void);
void svmx_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

#endif /* SVMX_SVM_DEFS_H */
