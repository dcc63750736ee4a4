/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC's register model (lapic.c): one per vCPU when the VM has
 * the in-kernel irqchip (KVM_CREATE_IRQCHIP).
 *
 * This is the state machine of Intel SDM Vol. 3A, chapter 11 ("Advanced
 * Programmable Interrupt Controller"; chapter 10 in older editions) and
 * nothing else: registers, priorities, EOI, the interrupt command register,
 * destination matching, the x2APIC MSR view and the timer's arithmetic. It
 * includes only <linux/types.h>, so the same source is unit-tested in
 * userspace (selftests/unit/lapic_test.c). What a register write sets off
 * outside the APIC (an IPI, an EOI for the IOAPIC, re-arming the host
 * timer) is returned to the caller as SVMX_LAPIC_FX_* bits; the caller owns
 * locking, clocks and other vCPUs.
 *
 * Time is in nanoseconds of the caller's clock. The APIC bus runs at 1 GHz
 * (as on KVM), so the timer counts once per divisor nanoseconds.
 */
#ifndef SVMX_LAPIC_H
#define SVMX_LAPIC_H

#include <linux/types.h>

/* The register page as KVM_GET/SET_LAPIC carry it (struct kvm_lapic_state). */
#define SVMX_LAPIC_REGS_SIZE	0x400

/* Register offsets in the xAPIC page (SDM Vol. 3A, Table 11-1). */
enum {
	SVMX_APIC_ID		= 0x020,
	SVMX_APIC_VERSION	= 0x030,
	SVMX_APIC_TPR		= 0x080,
	SVMX_APIC_APR		= 0x090,
	SVMX_APIC_PPR		= 0x0a0,
	SVMX_APIC_EOI		= 0x0b0,
	SVMX_APIC_RRD		= 0x0c0,
	SVMX_APIC_LDR		= 0x0d0,
	SVMX_APIC_DFR		= 0x0e0,
	SVMX_APIC_SVR		= 0x0f0,
	SVMX_APIC_ISR		= 0x100,	/* 8 registers, 0x10 apart */
	SVMX_APIC_TMR		= 0x180,
	SVMX_APIC_IRR		= 0x200,
	SVMX_APIC_ESR		= 0x280,
	SVMX_APIC_LVT_CMCI	= 0x2f0,
	SVMX_APIC_ICR		= 0x300,
	SVMX_APIC_ICR2		= 0x310,
	SVMX_APIC_LVT_TIMER	= 0x320,
	SVMX_APIC_LVT_THERMAL	= 0x330,
	SVMX_APIC_LVT_PERF	= 0x340,
	SVMX_APIC_LVT_LINT0	= 0x350,
	SVMX_APIC_LVT_LINT1	= 0x360,
	SVMX_APIC_LVT_ERROR	= 0x370,
	SVMX_APIC_TMICT		= 0x380,	/* timer initial count */
	SVMX_APIC_TMCCT		= 0x390,	/* timer current count */
	SVMX_APIC_TDCR		= 0x3e0,	/* timer divide configuration */
	SVMX_APIC_SELF_IPI	= 0x3f0,	/* x2APIC only */
};

/* IA32_APIC_BASE (SDM Vol. 3A, 11.4.4) */
#define SVMX_APIC_BASE_BSP	(1ULL << 8)
#define SVMX_APIC_BASE_EXTD	(1ULL << 10)	/* x2APIC mode */
#define SVMX_APIC_BASE_EN	(1ULL << 11)
#define SVMX_APIC_DEFAULT_BASE	0xfee00000ULL

/* The x2APIC MSRs: 0x800 + offset / 16 (11.12.1.2). */
#define SVMX_X2APIC_MSR_FIRST	0x800
#define SVMX_X2APIC_MSR_LAST	0x8ff

/* LVT and ICR fields (11.5.1, 11.6.1) */
#define SVMX_APIC_VECTOR_MASK	0xffU
#define SVMX_APIC_DM_MASK	(7U << 8)	/* delivery mode */
#define SVMX_APIC_DM_FIXED	(0U << 8)
#define SVMX_APIC_DM_LOWEST	(1U << 8)
#define SVMX_APIC_DM_SMI	(2U << 8)
#define SVMX_APIC_DM_NMI	(4U << 8)
#define SVMX_APIC_DM_INIT	(5U << 8)
#define SVMX_APIC_DM_STARTUP	(6U << 8)
#define SVMX_APIC_DM_EXTINT	(7U << 8)
#define SVMX_APIC_DEST_LOGICAL	(1U << 11)
#define SVMX_APIC_SEND_PENDING	(1U << 12)
#define SVMX_APIC_INPUT_POLARITY (1U << 13)
#define SVMX_APIC_REMOTE_IRR	(1U << 14)
#define SVMX_APIC_LEVEL_ASSERT	(1U << 14)	/* ICR */
#define SVMX_APIC_LEVEL_TRIG	(1U << 15)
#define SVMX_APIC_MASKED	(1U << 16)
#define SVMX_APIC_SHORT_MASK	(3U << 18)
#define SVMX_APIC_SHORT_NONE	(0U << 18)
#define SVMX_APIC_SHORT_SELF	(1U << 18)
#define SVMX_APIC_SHORT_ALL	(2U << 18)
#define SVMX_APIC_SHORT_OTHERS	(3U << 18)
#define SVMX_APIC_TIMER_MODE_MASK	(3U << 17)
#define SVMX_APIC_TIMER_ONESHOT		(0U << 17)
#define SVMX_APIC_TIMER_PERIODIC	(1U << 17)
#define SVMX_APIC_TIMER_TSC_DEADLINE	(2U << 17)
#define SVMX_APIC_SVR_ENABLE	(1U << 8)

/* What a write set off, for the caller to carry out. */
#define SVMX_LAPIC_FX_TIMER	(1U << 0)	/* timer deadline changed */
#define SVMX_LAPIC_FX_ICR	(1U << 1)	/* send the IPI in icr_lo/hi */
#define SVMX_LAPIC_FX_EOI_LEVEL	(1U << 2)	/* EOI of eoi_vector, level */
#define SVMX_LAPIC_FX_GP	(1U << 3)	/* the access #GPs (x2APIC) */
#define SVMX_LAPIC_FX_LINT0	(1U << 4)	/* LINT0 LVT changed */

/* A message on the APIC bus: an IPI, an IOAPIC or MSI interrupt. */
struct svmx_apic_irq {
	u32 dest;		/* 8-bit xAPIC or 32-bit x2APIC destination */
	bool dest32;		/* @dest is an x2APIC one */
	u32 mode;		/* SVMX_APIC_DM_* */
	u8 vector;
	bool logical;
	bool level;		/* level-triggered */
	bool assert;		/* level: asserted (INIT level de-assert: no) */
	u32 shorthand;		/* SVMX_APIC_SHORT_* */
};

struct svmx_lapic {
	u32 regs[SVMX_LAPIC_REGS_SIZE / 4];	/* at their xAPIC offsets */
	u64 base;		/* IA32_APIC_BASE */
	u32 vcpu_id;		/* the APIC ID at reset; the x2APIC ID */
	/* Timer: when it next fires (0: not armed) and its period. */
	u64 deadline_ns;
	u64 period_ns;
	u64 tsc_deadline;	/* IA32_TSC_DEADLINE (TSC-deadline mode) */
	/* Set by an EOI with SVMX_LAPIC_FX_EOI_LEVEL. */
	u8 eoi_vector;
};

void svmx_lapic_reset(struct svmx_lapic *a, u32 vcpu_id, bool bsp);
bool svmx_lapic_x2apic(const struct svmx_lapic *a);
bool svmx_lapic_hw_enabled(const struct svmx_lapic *a);
bool svmx_lapic_sw_enabled(const struct svmx_lapic *a);
u32 svmx_lapic_reg(const struct svmx_lapic *a, u32 off);

int svmx_lapic_set_base(struct svmx_lapic *a, u64 val, u64 reserved, bool host);
int svmx_lapic_mmio_read(struct svmx_lapic *a, u32 off, u32 *val, u64 now);
u32 svmx_lapic_mmio_write(struct svmx_lapic *a, u32 off, u32 val, u64 now);
u32 svmx_lapic_msr_read(struct svmx_lapic *a, u32 msr, u64 *val, u64 now);
u32 svmx_lapic_msr_write(struct svmx_lapic *a, u32 msr, u64 val, u64 now);

bool svmx_lapic_accept_fixed(struct svmx_lapic *a, u8 vector, bool level);
int svmx_lapic_pending_vector(const struct svmx_lapic *a);
void svmx_lapic_ack(struct svmx_lapic *a, u8 vector);
void svmx_lapic_icr_irq(const struct svmx_lapic *a, struct svmx_apic_irq *irq);
bool svmx_lapic_match_dest(const struct svmx_lapic *a, const struct svmx_apic_irq *irq);
u32 svmx_lapic_priority(const struct svmx_lapic *a);

bool svmx_lapic_timer_fire(struct svmx_lapic *a, u64 now);
u32 svmx_lapic_tmcct(const struct svmx_lapic *a, u64 now);
void svmx_lapic_restore(struct svmx_lapic *a, u64 now);
u32 svmx_lapic_set_tsc_deadline(struct svmx_lapic *a, u64 tsc, u64 deadline_ns);

#endif
