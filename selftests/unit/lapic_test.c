// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the local APIC register model (module/lapic.c), built for
 * userspace. Each case sets up an APIC and checks what the SDM (Vol. 3A,
 * chapter 11) says it must do: reset state, priorities, EOI, the ICR,
 * destination matching, the timer's arithmetic, IA32_APIC_BASE
 * transitions and the x2APIC MSR rules.
 */
#include <stdio.h>
#include <string.h>

#include "lapic.h"
#include "tap.h"

#define MSR(off) (SVMX_X2APIC_MSR_FIRST + ((off) >> 4))

/* An APIC after reset, software-enabled with spurious vector 0xff. */
static void enabled_apic(struct svmx_lapic *a, unsigned int id)
{
	svmx_lapic_reset(a, id, id == 0);
	svmx_lapic_mmio_write(a, SVMX_APIC_SVR, 0x1ff, 0);
}

static u32 rd(struct svmx_lapic *a, u32 off, u64 now)
{
	u32 v = 0xdeadbeef;

	CHECK(svmx_lapic_mmio_read(a, off, &v, now) == 0);
	return v;
}

static void test_reset_state(void)
{
	struct svmx_lapic a;
	unsigned int off;

	svmx_lapic_reset(&a, 3, false);
	CHECK(rd(&a, SVMX_APIC_ID, 0) == 3U << 24);
	CHECK(rd(&a, SVMX_APIC_VERSION, 0) == 0x50014);
	CHECK(rd(&a, SVMX_APIC_DFR, 0) == 0xffffffff);
	CHECK(rd(&a, SVMX_APIC_SVR, 0) == 0xff);
	CHECK(rd(&a, SVMX_APIC_TPR, 0) == 0);
	for (off = SVMX_APIC_LVT_TIMER; off <= SVMX_APIC_LVT_ERROR; off += 0x10)
		CHECK(rd(&a, off, 0) == SVMX_APIC_MASKED);
	CHECK(a.base == (SVMX_APIC_DEFAULT_BASE | SVMX_APIC_BASE_EN));
	svmx_lapic_reset(&a, 0, true);
	CHECK(a.base & SVMX_APIC_BASE_BSP);
	CHECK(svmx_lapic_pending_vector(&a) == -1);
}

static void test_sw_disabled_drops_fixed(void)
{
	struct svmx_lapic a;

	svmx_lapic_reset(&a, 0, true);
	CHECK(!svmx_lapic_accept_fixed(&a, 0x40, false));
	CHECK(svmx_lapic_pending_vector(&a) == -1);
	svmx_lapic_mmio_write(&a, SVMX_APIC_SVR, 0x1ff, 0);
	CHECK(svmx_lapic_accept_fixed(&a, 0x40, false));
	CHECK(!svmx_lapic_accept_fixed(&a, 0x40, false));	/* coalesced */
	CHECK(svmx_lapic_pending_vector(&a) == 0x40);
	CHECK(rd(&a, SVMX_APIC_IRR + 0x20, 0) == 1);
}

static void test_tpr_and_ppr(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	svmx_lapic_accept_fixed(&a, 0x31, false);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TPR, 0x30, 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x30);
	CHECK(svmx_lapic_pending_vector(&a) == -1);	/* same class */
	svmx_lapic_mmio_write(&a, SVMX_APIC_TPR, 0x2f, 0);
	CHECK(svmx_lapic_pending_vector(&a) == 0x31);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TPR, 0, 0);

	svmx_lapic_ack(&a, 0x31);
	CHECK(rd(&a, SVMX_APIC_ISR + 0x10, 0) == 1U << 17);
	CHECK(rd(&a, SVMX_APIC_IRR + 0x10, 0) == 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x30);
	svmx_lapic_accept_fixed(&a, 0x35, false);
	CHECK(svmx_lapic_pending_vector(&a) == -1);	/* below in-service */
	svmx_lapic_accept_fixed(&a, 0x41, false);
	CHECK(svmx_lapic_pending_vector(&a) == 0x41);
	/* TPR above the in-service class wins. */
	svmx_lapic_mmio_write(&a, SVMX_APIC_TPR, 0x57, 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x57);
	CHECK(svmx_lapic_pending_vector(&a) == -1);
	/* Same class in TPR and ISR: PPR is the TPR (11.8.3.1). */
	svmx_lapic_mmio_write(&a, SVMX_APIC_TPR, 0x3a, 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x3a);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TPR, 0x20, 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x30);
}

static void test_eoi_order_and_level(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	svmx_lapic_accept_fixed(&a, 0x31, false);
	svmx_lapic_ack(&a, 0x31);
	svmx_lapic_accept_fixed(&a, 0x51, true);
	CHECK(rd(&a, SVMX_APIC_TMR + 0x20, 0) == 1U << 17);
	svmx_lapic_ack(&a, 0x51);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x50);
	/* The highest in-service vector retires first; it was level. */
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_EOI, 0, 0) ==
	      SVMX_LAPIC_FX_EOI_LEVEL);
	CHECK(a.eoi_vector == 0x51);
	CHECK(rd(&a, SVMX_APIC_ISR + 0x20, 0) == 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0x30);
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_EOI, 0, 0) == 0);	/* edge */
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0);
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_EOI, 0, 0) == 0);	/* none */
}

static void test_icr(void)
{
	struct svmx_apic_irq irq;
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_ICR2, 0x02345678, 0) == 0);
	CHECK(rd(&a, SVMX_APIC_ICR2, 0) == 0x02000000);
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_ICR, 0x000c4500 | 0x1000, 0) ==
	      SVMX_LAPIC_FX_ICR);
	/* Delivery status is read-only (always idle here). */
	CHECK(rd(&a, SVMX_APIC_ICR, 0) == 0x000c4500);
	svmx_lapic_icr_irq(&a, &irq);
	CHECK(irq.dest == 2 && !irq.dest32);
	CHECK(irq.mode == SVMX_APIC_DM_INIT);
	CHECK(irq.assert && !irq.level && !irq.logical);
	CHECK(irq.shorthand == SVMX_APIC_SHORT_OTHERS);
	svmx_lapic_mmio_write(&a, SVMX_APIC_ICR, 0x0000ce31, 0);
	svmx_lapic_icr_irq(&a, &irq);
	CHECK(irq.vector == 0x31 && irq.logical && irq.level);
	CHECK(irq.mode == SVMX_APIC_DM_STARTUP);
}

static bool match(struct svmx_lapic *a, u32 dest, bool logical, bool dest32)
{
	struct svmx_apic_irq irq = {
		.dest = dest, .logical = logical, .dest32 = dest32,
	};

	return svmx_lapic_match_dest(a, &irq);
}

static void test_dest_xapic(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 5);
	CHECK(match(&a, 5, false, false));
	CHECK(!match(&a, 4, false, false));
	CHECK(match(&a, 0xff, false, false));
	/* Flat model: LDR bit 2. */
	svmx_lapic_mmio_write(&a, SVMX_APIC_LDR, 0x04000000, 0);
	CHECK(match(&a, 0x04, true, false));
	CHECK(match(&a, 0x0c, true, false));
	CHECK(!match(&a, 0x03, true, false));
	CHECK(match(&a, 0xff, true, false));
	/* Cluster model: cluster 2, member bit 1. */
	svmx_lapic_mmio_write(&a, SVMX_APIC_DFR, 0x0fffffff, 0);
	CHECK(rd(&a, SVMX_APIC_DFR, 0) == 0x0fffffff);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LDR, 0x22000000, 0);
	CHECK(match(&a, 0x22, true, false));
	CHECK(match(&a, 0x23, true, false));
	CHECK(!match(&a, 0x12, true, false));
	CHECK(!match(&a, 0x21, true, false));
	/* A hardware-disabled APIC takes nothing. */
	svmx_lapic_set_base(&a, SVMX_APIC_DEFAULT_BASE, 0, false);
	CHECK(!match(&a, 5, false, false));
	CHECK(!match(&a, 0xff, false, false));
}

static void test_dest_x2apic(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0x13);
	CHECK(svmx_lapic_set_base(&a, SVMX_APIC_DEFAULT_BASE | SVMX_APIC_BASE_EN |
				  SVMX_APIC_BASE_EXTD, 0, false) == 0);
	CHECK(match(&a, 0x13, false, true));
	CHECK(!match(&a, 0x12, false, true));
	CHECK(match(&a, 0xffffffff, false, true));
	CHECK(match(&a, 0xff, false, false));	/* 8-bit broadcast */
	CHECK(!match(&a, 0xff, false, true));	/* x2APIC ID 0xff */
	/* Cluster 1, member bit 3. */
	CHECK(match(&a, 0x00010008, true, true));
	CHECK(match(&a, 0x0001000f, true, true));
	CHECK(!match(&a, 0x00000008, true, true));
	CHECK(!match(&a, 0x00010004, true, true));
}

static void test_timer_oneshot(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER, 0x30, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TDCR, 0x0, 0);	/* divide by 2 */
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 1000, 100) ==
	      SVMX_LAPIC_FX_TIMER);
	CHECK(a.deadline_ns == 2100 && a.period_ns == 0);
	CHECK(rd(&a, SVMX_APIC_TMCCT, 600) == 750);
	CHECK(!svmx_lapic_timer_fire(&a, 2000));		/* early */
	CHECK(svmx_lapic_timer_fire(&a, 2100));
	CHECK(svmx_lapic_pending_vector(&a) == 0x30);
	CHECK(a.deadline_ns == 0);
	CHECK(rd(&a, SVMX_APIC_TMCCT, 3000) == 0);
	CHECK(rd(&a, SVMX_APIC_TMICT, 3000) == 1000);
	/* Masked: the count runs out, nothing becomes pending. */
	svmx_lapic_ack(&a, 0x30);
	svmx_lapic_mmio_write(&a, SVMX_APIC_EOI, 0, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER, 0x30 | SVMX_APIC_MASKED, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 10, 5000);
	CHECK(!svmx_lapic_timer_fire(&a, 5020));
	CHECK(svmx_lapic_pending_vector(&a) == -1);
	CHECK(a.deadline_ns == 0);
	/* TMICT 0 stops the timer. */
	svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 10, 6000);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 0, 6001);
	CHECK(a.deadline_ns == 0);
}

static void test_timer_periodic(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER,
			      0x40 | SVMX_APIC_TIMER_PERIODIC, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TDCR, 0xb, 0);	/* divide by 1 */
	svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 500, 0);
	CHECK(a.deadline_ns == 500 && a.period_ns == 500);
	CHECK(svmx_lapic_timer_fire(&a, 500));
	CHECK(a.deadline_ns == 1000);
	CHECK(rd(&a, SVMX_APIC_TMCCT, 600) == 400);
	/* Late by more than a period: the missed ones are skipped. */
	CHECK(!svmx_lapic_timer_fire(&a, 2200));	/* still pending in IRR */
	CHECK(a.deadline_ns == 2500);
	/* A host timer that is late still shows a wrapped count. */
	CHECK(rd(&a, SVMX_APIC_TMCCT, 2600) == 400);
	/* A new divisor rescales what is left. */
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_TDCR, 0x1, 2400) ==
	      SVMX_LAPIC_FX_TIMER);	/* divide by 4 */
	CHECK(a.deadline_ns == 2400 + 100 * 4);
	CHECK(a.period_ns == 2000);
	/* Periodic to one-shot: the current count ends it. */
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER, 0x40, 2400);
	CHECK(a.period_ns == 0 && a.deadline_ns == 2800);
}

static void test_timer_divisors(void)
{
	static const u32 div[16] = {
		[0x0] = 2, [0x1] = 4, [0x2] = 8, [0x3] = 16,
		[0x8] = 32, [0x9] = 64, [0xa] = 128, [0xb] = 1,
	};
	struct svmx_lapic a;
	u32 dcr;

	enabled_apic(&a, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER, 0x30, 0);
	for (dcr = 0; dcr < 16; dcr++) {
		if (!div[dcr])
			continue;
		svmx_lapic_mmio_write(&a, SVMX_APIC_TDCR, dcr, 0);
		svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 10, 0);
		CHECK(a.deadline_ns == 10ULL * div[dcr]);
	}
}

static void test_timer_tsc_deadline(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER, 0x30, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 100, 0);
	/* Not in TSC-deadline mode: the MSR write is ignored. */
	CHECK(svmx_lapic_set_tsc_deadline(&a, 5000, 7000) == 0);
	CHECK(a.tsc_deadline == 0);
	/* Switching into the mode stops the count and clears TMICT. */
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_TIMER,
				    0x30 | SVMX_APIC_TIMER_TSC_DEADLINE, 10) ==
	      SVMX_LAPIC_FX_TIMER);
	CHECK(a.deadline_ns == 0 && rd(&a, SVMX_APIC_TMICT, 10) == 0);
	CHECK(svmx_lapic_mmio_write(&a, SVMX_APIC_TMICT, 100, 10) == 0);
	CHECK(a.deadline_ns == 0);
	CHECK(svmx_lapic_set_tsc_deadline(&a, 5000, 7000) == SVMX_LAPIC_FX_TIMER);
	CHECK(a.deadline_ns == 7000 && a.tsc_deadline == 5000);
	CHECK(svmx_lapic_timer_fire(&a, 7000));
	CHECK(a.tsc_deadline == 0 && a.deadline_ns == 0);
	/* 0 disarms. */
	svmx_lapic_set_tsc_deadline(&a, 9000, 9000);
	svmx_lapic_set_tsc_deadline(&a, 0, 0);
	CHECK(a.deadline_ns == 0);
}

static void test_apic_base_transitions(void)
{
	const u64 en = SVMX_APIC_BASE_EN, extd = SVMX_APIC_BASE_EXTD;
	const u64 b = SVMX_APIC_DEFAULT_BASE;
	struct svmx_lapic a;

	enabled_apic(&a, 0x21);
	CHECK(svmx_lapic_set_base(&a, b | extd, 0, false) == -1);	/* invalid */
	CHECK(svmx_lapic_set_base(&a, b | en | 0x80, 0, false) == -1);	/* reserved */
	CHECK(svmx_lapic_set_base(&a, b | en | extd, extd, false) == -1);
	CHECK(svmx_lapic_set_base(&a, b | en | (1ULL << 40), ~0ULL << 39, false) == -1);
	CHECK(svmx_lapic_set_base(&a, b | en | extd, 0, false) == 0);
	CHECK(svmx_lapic_x2apic(&a));
	CHECK(svmx_lapic_reg(&a, SVMX_APIC_ID) == 0x21);
	CHECK(svmx_lapic_reg(&a, SVMX_APIC_LDR) == ((2U << 16) | 2));
	CHECK(svmx_lapic_set_base(&a, b | en, 0, false) == -1);	/* x2 -> x */
	CHECK(svmx_lapic_x2apic(&a));
	CHECK(svmx_lapic_set_base(&a, b, 0, false) == 0);		/* disable */
	CHECK(svmx_lapic_set_base(&a, b | en | extd, 0, false) == -1);
	CHECK(svmx_lapic_set_base(&a, b | en, 0, false) == 0);
	CHECK(rd(&a, SVMX_APIC_ID, 0) == 0x21U << 24);
	/* The VMM may make any mode change, but not an invalid state. */
	CHECK(svmx_lapic_set_base(&a, b | en | extd, 0, true) == 0);
	CHECK(svmx_lapic_set_base(&a, b | en, 0, true) == 0);
	CHECK(svmx_lapic_set_base(&a, b | extd, 0, true) == -1);
	CHECK(svmx_lapic_set_base(&a, b | en | 0x100 | 0x200, 0, true) == -1);
}

static void test_x2apic_msrs(void)
{
	struct svmx_lapic a;
	u64 v = 0;

	enabled_apic(&a, 7);
	/* Not in x2APIC mode: every MSR #GPs. */
	CHECK(svmx_lapic_msr_read(&a, MSR(SVMX_APIC_ID), &v, 0) == SVMX_LAPIC_FX_GP);
	svmx_lapic_set_base(&a, SVMX_APIC_DEFAULT_BASE | SVMX_APIC_BASE_EN |
			    SVMX_APIC_BASE_EXTD, 0, false);
	/* ...and the xAPIC page is gone. */
	CHECK(svmx_lapic_mmio_read(&a, SVMX_APIC_ID, (u32 *)&v, 0) == -1);

	CHECK(svmx_lapic_msr_read(&a, 0x802, &v, 0) == 0 && v == 7);
	CHECK(svmx_lapic_msr_read(&a, 0x803, &v, 0) == 0 && v == 0x50014);
	CHECK(svmx_lapic_msr_read(&a, 0x80d, &v, 0) == 0 && v == (1U << 7));
	CHECK(svmx_lapic_msr_write(&a, 0x802, 9, 0) == SVMX_LAPIC_FX_GP);
	CHECK(svmx_lapic_msr_write(&a, 0x80d, 1, 0) == SVMX_LAPIC_FX_GP);
	CHECK(svmx_lapic_msr_read(&a, 0x80e, &v, 0) == SVMX_LAPIC_FX_GP); /* DFR */
	CHECK(svmx_lapic_msr_read(&a, 0x831, &v, 0) == SVMX_LAPIC_FX_GP); /* ICR2 */
	CHECK(svmx_lapic_msr_read(&a, 0x80b, &v, 0) == SVMX_LAPIC_FX_GP); /* EOI */
	CHECK(svmx_lapic_msr_read(&a, 0x83f, &v, 0) == SVMX_LAPIC_FX_GP); /* self */
	CHECK(svmx_lapic_msr_read(&a, 0x8ff, &v, 0) == SVMX_LAPIC_FX_GP);
	CHECK(svmx_lapic_msr_write(&a, 0x80b, 1, 0) == SVMX_LAPIC_FX_GP);
	CHECK(svmx_lapic_msr_write(&a, 0x80b, 0, 0) == 0);
	CHECK(svmx_lapic_msr_write(&a, 0x808, 1ULL << 32, 0) == SVMX_LAPIC_FX_GP);
	CHECK(svmx_lapic_msr_write(&a, 0x808, 0x20, 0) == 0);
	CHECK(svmx_lapic_msr_read(&a, 0x808, &v, 0) == 0 && v == 0x20);

	/* The ICR is one 64-bit register. */
	CHECK(svmx_lapic_msr_write(&a, 0x830, (0x12345ULL << 32) | 0x4041, 0) ==
	      SVMX_LAPIC_FX_ICR);
	CHECK(svmx_lapic_msr_read(&a, 0x830, &v, 0) == 0 &&
	      v == ((0x12345ULL << 32) | 0x4041));
	{
		struct svmx_apic_irq irq;

		svmx_lapic_icr_irq(&a, &irq);
		CHECK(irq.dest == 0x12345 && irq.dest32 && irq.vector == 0x41);
	}
	/* Self IPI. */
	svmx_lapic_msr_write(&a, 0x83f, 0x66, 0);
	CHECK(svmx_lapic_pending_vector(&a) == 0x66);
}

static void test_svr_disable_masks_lvts(void)
{
	struct svmx_lapic a;

	enabled_apic(&a, 0);
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_LINT0, SVMX_APIC_DM_EXTINT, 0);
	CHECK(rd(&a, SVMX_APIC_LVT_LINT0, 0) == SVMX_APIC_DM_EXTINT);
	svmx_lapic_mmio_write(&a, SVMX_APIC_SVR, 0xff, 0);
	CHECK(rd(&a, SVMX_APIC_LVT_LINT0, 0) ==
	      (SVMX_APIC_DM_EXTINT | SVMX_APIC_MASKED));
	svmx_lapic_mmio_write(&a, SVMX_APIC_LVT_LINT0, SVMX_APIC_DM_EXTINT, 0);
	CHECK(rd(&a, SVMX_APIC_LVT_LINT0, 0) & SVMX_APIC_MASKED);
	/* Read-only registers ignore xAPIC writes. */
	svmx_lapic_mmio_write(&a, SVMX_APIC_VERSION, 0, 0);
	CHECK(rd(&a, SVMX_APIC_VERSION, 0) == 0x50014);
	svmx_lapic_mmio_write(&a, SVMX_APIC_PPR, 0x80, 0);
	CHECK(rd(&a, SVMX_APIC_PPR, 0) == 0);
}

static const struct tap_case cases[] = {
	{ "reset_state", test_reset_state },
	{ "sw_disabled_drops_fixed", test_sw_disabled_drops_fixed },
	{ "tpr_and_ppr", test_tpr_and_ppr },
	{ "eoi_order_and_level", test_eoi_order_and_level },
	{ "icr", test_icr },
	{ "dest_xapic", test_dest_xapic },
	{ "dest_x2apic", test_dest_x2apic },
	{ "timer_oneshot", test_timer_oneshot },
	{ "timer_periodic", test_timer_periodic },
	{ "timer_divisors", test_timer_divisors },
	{ "timer_tsc_deadline", test_timer_tsc_deadline },
	{ "apic_base_transitions", test_apic_base_transitions },
	{ "x2apic_msrs", test_x2apic_msrs },
	{ "svr_disable_masks_lvts", test_svr_disable_masks_lvts },
};

int main(void)
{
	return TAP_RUN_CASES(cases);
}
