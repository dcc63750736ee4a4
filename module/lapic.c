// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC's register model; see lapic.h for what it covers and what
 * it leaves to the caller. Section numbers are Intel SDM Vol. 3A, chapter
 * 11 "Advanced Programmable Interrupt Controller (APIC)".
 *
 *   registers     a 1 KiB page at the xAPIC offsets, the layout
 *                 KVM_GET/SET_LAPIC use; the x2APIC MSRs are a view of it
 *                 with their own rules (11.12.1.2)
 *   IRR/ISR/TMR   256-bit maps, eight 32-bit registers 16 bytes apart
 *   priorities    PPR from TPR and the highest in-service vector (11.8.3.1);
 *                 a pending vector is deliverable when its class is above
 *                 PPR's
 *   EOI           retires the highest in-service vector; a level-triggered
 *                 one (TMR set) is reported for the IOAPIC (11.8.5)
 *   timer         one-shot, periodic, TSC-deadline (11.5.4): the model keeps
 *                 the deadline in the caller's nanoseconds, the caller arms
 *                 a host timer for it
 */
#include "lapic.h"

/* Six LVT entries: timer, thermal, performance, LINT0, LINT1, error. */
#define SVMX_APIC_NR_LVT	6
#define SVMX_APIC_VERSION_VAL	(0x14U | ((SVMX_APIC_NR_LVT - 1U) << 16))

/* Writable bits of each LVT entry (11.5.1, Figure 11-8). */
#define LVT_TIMER_BITS		(0xffU | SVMX_APIC_MASKED | SVMX_APIC_TIMER_MODE_MASK)
#define LVT_DM_BITS		(0xffU | SVMX_APIC_DM_MASK | SVMX_APIC_MASKED)
#define LVT_LINT_BITS		(LVT_DM_BITS | SVMX_APIC_INPUT_POLARITY | \
				 SVMX_APIC_LEVEL_TRIG)
#define LVT_ERROR_BITS		(0xffU | SVMX_APIC_MASKED)

static const u32 lvt_regs[SVMX_APIC_NR_LVT] = {
	SVMX_APIC_LVT_TIMER, SVMX_APIC_LVT_THERMAL, SVMX_APIC_LVT_PERF,
	SVMX_APIC_LVT_LINT0, SVMX_APIC_LVT_LINT1, SVMX_APIC_LVT_ERROR,
};

/* The writable bits of the ICR's low half. */
#define ICR_LO_BITS		(0xffU | SVMX_APIC_DM_MASK | SVMX_APIC_DEST_LOGICAL | \
				 SVMX_APIC_LEVEL_ASSERT | SVMX_APIC_LEVEL_TRIG | \
				 SVMX_APIC_SHORT_MASK)

static u32 reg_get(const struct svmx_lapic *a, u32 off)
{
	return a->regs[off >> 2];
}

static void reg_set(struct svmx_lapic *a, u32 off, u32 val)
{
	a->regs[off >> 2] = val;
}

/* A vector's bit in one of the IRR/ISR/TMR maps starting at @map. */
static u32 *vec_word(struct svmx_lapic *a, u32 map, u8 vector)
{
	return &a->regs[(map + 0x10 * (vector >> 5)) >> 2];
}

static bool vec_test(const struct svmx_lapic *a, u32 map, u8 vector)
{
	return (reg_get(a, map + 0x10 * (vector >> 5)) >> (vector & 31)) & 1;
}

static void vec_set(struct svmx_lapic *a, u32 map, u8 vector)
{
	*vec_word(a, map, vector) |= 1U << (vector & 31);
}

static void vec_clear(struct svmx_lapic *a, u32 map, u8 vector)
{
	*vec_word(a, map, vector) &= ~(1U << (vector & 31));
}

/* The highest vector set in a map, or -1. */
static int vec_highest(const struct svmx_lapic *a, u32 map)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = reg_get(a, map + 0x10 * i);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

bool svmx_lapic_x2apic(const struct svmx_lapic *a)
{
	return (a->base & (SVMX_APIC_BASE_EN | SVMX_APIC_BASE_EXTD)) ==
	       (SVMX_APIC_BASE_EN | SVMX_APIC_BASE_EXTD);
}

bool svmx_lapic_hw_enabled(const struct svmx_lapic *a)
{
	return a->base & SVMX_APIC_BASE_EN;
}

/* Hardware-enabled and software-enabled (SVR bit 8, 11.4.7.2). */
bool svmx_lapic_sw_enabled(const struct svmx_lapic *a)
{
	return svmx_lapic_hw_enabled(a) &&
	       (reg_get(a, SVMX_APIC_SVR) & SVMX_APIC_SVR_ENABLE);
}

u32 svmx_lapic_reg(const struct svmx_lapic *a, u32 off)
{
	return reg_get(a, off & (SVMX_LAPIC_REGS_SIZE - 4));
}

/* PPR (11.8.3.1): TPR if its class is at least the in-service one's. */
static void update_ppr(struct svmx_lapic *a)
{
	u32 tpr = reg_get(a, SVMX_APIC_TPR) & 0xff;
	int isrv = vec_highest(a, SVMX_APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	reg_set(a, SVMX_APIC_PPR, (tpr & 0xf0) >= isr_class ? tpr : isr_class);
}

/* The logical destination register an x2APIC derives from its ID (11.12.10.2). */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1U << (id & 0xf));
}

/* The state after RESET or INIT (11.4.7.1); @bsp sets the BSP flag. */
void svmx_lapic_reset(struct svmx_lapic *a, u32 vcpu_id, bool bsp)
{
	unsigned int i;

	for (i = 0; i < SVMX_LAPIC_REGS_SIZE / 4; i++)
		a->regs[i] = 0;
	a->vcpu_id = vcpu_id;
	a->base = SVMX_APIC_DEFAULT_BASE | SVMX_APIC_BASE_EN |
		  (bsp ? SVMX_APIC_BASE_BSP : 0);
	reg_set(a, SVMX_APIC_ID, vcpu_id << 24);
	reg_set(a, SVMX_APIC_VERSION, SVMX_APIC_VERSION_VAL);
	reg_set(a, SVMX_APIC_DFR, 0xffffffff);
	reg_set(a, SVMX_APIC_SVR, 0xff);
	for (i = 0; i < SVMX_APIC_NR_LVT; i++)
		reg_set(a, lvt_regs[i], SVMX_APIC_MASKED);
	a->deadline_ns = 0;
	a->period_ns = 0;
	a->tsc_deadline = 0;
	a->eoi_vector = 0;
}

/**
 * svmx_lapic_set_base() - a write of IA32_APIC_BASE
 * @a: the APIC
 * @val: the new value
 * @reserved: the bits that must be 0 (above MAXPHYADDR; EXTD without x2APIC)
 * @host: written by the VMM (KVM_SET_MSRS), which may make the mode changes
 *	  a guest may not (as KVM)
 *
 * Return: 0, or -1 for a #GP: a reserved bit, EXTD without EN, or for the
 * guest a transition 11.12.5 does not allow (x2APIC straight back to xAPIC,
 * disabled straight to x2APIC).
 */
int svmx_lapic_set_base(struct svmx_lapic *a, u64 val, u64 reserved, bool host)
{
	u64 old = a->base;
	bool was_x2 = svmx_lapic_x2apic(a);
	bool en = val & SVMX_APIC_BASE_EN, extd = val & SVMX_APIC_BASE_EXTD;

	if (val & (reserved | 0x2ffULL))
		return -1;
	if (extd && !en)
		return -1;
	if (!host) {
		if (was_x2 && en && !extd)
			return -1;
		if (!(old & SVMX_APIC_BASE_EN) && extd)
			return -1;
	}
	a->base = val;
	if (en && !(old & SVMX_APIC_BASE_EN))
		reg_set(a, SVMX_APIC_ID, a->vcpu_id << 24);
	if (svmx_lapic_x2apic(a) && !was_x2) {
		reg_set(a, SVMX_APIC_ID, a->vcpu_id);
		reg_set(a, SVMX_APIC_LDR, x2apic_ldr(a->vcpu_id));
	} else if (!svmx_lapic_x2apic(a) && was_x2) {
		reg_set(a, SVMX_APIC_ID, a->vcpu_id << 24);
		reg_set(a, SVMX_APIC_LDR, 0);
	}
	return 0;
}

/* The timer's divisor from the divide configuration register (11.5.4). */
static u32 timer_divisor(const struct svmx_lapic *a)
{
	u32 dcr = reg_get(a, SVMX_APIC_TDCR);
	u32 v = (dcr & 3) | ((dcr & 8) >> 1);

	return 1U << ((v + 1) & 7);
}

static u32 timer_mode(const struct svmx_lapic *a)
{
	return reg_get(a, SVMX_APIC_LVT_TIMER) & SVMX_APIC_TIMER_MODE_MASK;
}

static bool tsc_deadline_mode(const struct svmx_lapic *a)
{
	return timer_mode(a) == SVMX_APIC_TIMER_TSC_DEADLINE;
}

/* Start counting down from TMICT at @now (a write of TMICT). */
static void timer_start(struct svmx_lapic *a, u64 now)
{
	u64 ns = (u64)reg_get(a, SVMX_APIC_TMICT) * timer_divisor(a);

	a->deadline_ns = ns ? now + ns : 0;
	a->period_ns = ns && timer_mode(a) == SVMX_APIC_TIMER_PERIODIC ? ns : 0;
}

/* TMCCT: what is left of the count (11.5.4); 0 once a one-shot expired. */
static u32 timer_current(const struct svmx_lapic *a, u64 now)
{
	u64 left;

	if (!a->deadline_ns || tsc_deadline_mode(a))
		return 0;
	if (now >= a->deadline_ns) {
		if (!a->period_ns)
			return 0;
		/* The host timer is late: the count has wrapped meanwhile. */
		left = a->period_ns - (now - a->deadline_ns) % a->period_ns;
	} else {
		left = a->deadline_ns - now;
	}
	return left / timer_divisor(a);
}

/** svmx_lapic_tmcct() - the timer's current count at @now */
u32 svmx_lapic_tmcct(const struct svmx_lapic *a, u64 now)
{
	return timer_current(a, now);
}

/**
 * svmx_lapic_restore() - the registers were loaded as a whole
 * @a: the APIC, with regs[] and base loaded (KVM_SET_LAPIC)
 * @now: the time
 *
 * Recomputes what the model derives (the version, an x2APIC's ID and LDR,
 * PPR) and starts the timer from TMICT as a write of TMICT at @now would;
 * in TSC-deadline mode it stays disarmed until the MSR is written.
 */
void svmx_lapic_restore(struct svmx_lapic *a, u64 now)
{
	reg_set(a, SVMX_APIC_VERSION, SVMX_APIC_VERSION_VAL);
	if (svmx_lapic_x2apic(a)) {
		reg_set(a, SVMX_APIC_ID, a->vcpu_id);
		reg_set(a, SVMX_APIC_LDR, x2apic_ldr(a->vcpu_id));
	}
	update_ppr(a);
	a->tsc_deadline = 0;
	a->deadline_ns = 0;
	a->period_ns = 0;
	if (!tsc_deadline_mode(a))
		timer_start(a, now);
}

/**
 * svmx_lapic_timer_fire() - the host timer for deadline_ns went off
 * @a: the APIC
 * @now: the time
 *
 * Sets the timer's vector pending unless the LVT entry is masked, then
 * moves a periodic deadline on (skipping periods the host missed) or
 * disarms the timer; deadline_ns says what to arm next.
 *
 * Return: whether an interrupt became pending.
 */
bool svmx_lapic_timer_fire(struct svmx_lapic *a, u64 now)
{
	u32 lvt = reg_get(a, SVMX_APIC_LVT_TIMER);
	bool raised = false;

	if (!a->deadline_ns || now < a->deadline_ns)
		return false;
	if (!(lvt & SVMX_APIC_MASKED))
		raised = svmx_lapic_accept_fixed(a, lvt & 0xff, false);
	if (a->period_ns) {
		a->deadline_ns += a->period_ns;
		if (a->deadline_ns <= now)
			a->deadline_ns = now + a->period_ns -
					 (now - a->deadline_ns) % a->period_ns;
	} else {
		a->deadline_ns = 0;
		/* IA32_TSC_DEADLINE reads 0 once it fired (11.5.4.1). */
		a->tsc_deadline = 0;
	}
	return raised;
}

/**
 * svmx_lapic_set_tsc_deadline() - a write of IA32_TSC_DEADLINE
 * @a: the APIC
 * @tsc: the value written
 * @deadline_ns: the caller's time at which the guest's TSC reaches @tsc
 *
 * Ignored unless the timer is in TSC-deadline mode (11.5.4.1); 0 disarms.
 *
 * Return: SVMX_LAPIC_FX_TIMER, or 0 if nothing changed.
 */
u32 svmx_lapic_set_tsc_deadline(struct svmx_lapic *a, u64 tsc, u64 deadline_ns)
{
	if (!tsc_deadline_mode(a))
		return 0;
	a->tsc_deadline = tsc;
	a->deadline_ns = tsc ? (deadline_ns ? deadline_ns : 1) : 0;
	a->period_ns = 0;
	return SVMX_LAPIC_FX_TIMER;
}

/* Accept a fixed or lowest-priority interrupt: set it pending in IRR. */
bool svmx_lapic_accept_fixed(struct svmx_lapic *a, u8 vector, bool level)
{
	bool was;

	/* A software-disabled APIC takes no fixed interrupts (11.4.7.2). */
	if (!svmx_lapic_sw_enabled(a))
		return false;
	was = vec_test(a, SVMX_APIC_IRR, vector);
	vec_set(a, SVMX_APIC_IRR, vector);
	if (level)
		vec_set(a, SVMX_APIC_TMR, vector);
	else
		vec_clear(a, SVMX_APIC_TMR, vector);
	return !was;
}

/* The vector to deliver now, or -1: the highest pending one above PPR. */
int svmx_lapic_pending_vector(const struct svmx_lapic *a)
{
	int irrv;

	if (!svmx_lapic_hw_enabled(a))
		return -1;
	irrv = vec_highest(a, SVMX_APIC_IRR);
	if (irrv < 0 ||
	    ((u32)irrv & 0xf0) <= (reg_get(a, SVMX_APIC_PPR) & 0xf0))
		return -1;
	return irrv;
}

/* The CPU took @vector (INTA): from IRR to ISR. */
void svmx_lapic_ack(struct svmx_lapic *a, u8 vector)
{
	vec_clear(a, SVMX_APIC_IRR, vector);
	vec_set(a, SVMX_APIC_ISR, vector);
	update_ppr(a);
}

/* Retire the highest in-service vector (11.8.5). */
static u32 do_eoi(struct svmx_lapic *a)
{
	int v = vec_highest(a, SVMX_APIC_ISR);

	if (v < 0)
		return 0;
	vec_clear(a, SVMX_APIC_ISR, v);
	update_ppr(a);
	if (!vec_test(a, SVMX_APIC_TMR, v))
		return 0;
	a->eoi_vector = v;
	return SVMX_LAPIC_FX_EOI_LEVEL;
}

/* The arbitration priority for lowest-priority delivery: the TPR. */
u32 svmx_lapic_priority(const struct svmx_lapic *a)
{
	return reg_get(a, SVMX_APIC_TPR) & 0xff;
}

/* The IPI the ICR describes (11.6.1). */
void svmx_lapic_icr_irq(const struct svmx_lapic *a, struct svmx_apic_irq *irq)
{
	u32 lo = reg_get(a, SVMX_APIC_ICR), hi = reg_get(a, SVMX_APIC_ICR2);

	irq->dest = svmx_lapic_x2apic(a) ? hi : hi >> 24;
	irq->dest32 = svmx_lapic_x2apic(a);
	irq->mode = lo & SVMX_APIC_DM_MASK;
	irq->vector = lo & 0xff;
	irq->logical = lo & SVMX_APIC_DEST_LOGICAL;
	irq->level = lo & SVMX_APIC_LEVEL_TRIG;
	irq->assert = lo & SVMX_APIC_LEVEL_ASSERT;
	irq->shorthand = lo & SVMX_APIC_SHORT_MASK;
}

/*
 * Does @irq's destination (not its shorthand) name this APIC? Physical:
 * the APIC ID, or the broadcast ID. Logical: xAPIC flat or cluster model
 * (11.6.2.2), x2APIC cluster (11.12.10.2). An 8-bit destination of 0xff
 * (xAPIC, IOAPIC, MSI) broadcasts to x2APICs too.
 */
bool svmx_lapic_match_dest(const struct svmx_lapic *a,
			   const struct svmx_apic_irq *irq)
{
	u32 dest = irq->dest;

	if (!svmx_lapic_hw_enabled(a))
		return false;
	if (svmx_lapic_x2apic(a)) {
		if (!irq->dest32 && dest == 0xff)
			return true;
		if (dest == 0xffffffff)
			return true;
		if (!irq->logical)
			return dest == a->vcpu_id;
		return (dest >> 16) == (a->vcpu_id >> 4) &&
		       (dest & 0xffff & x2apic_ldr(a->vcpu_id));
	}
	if (irq->dest32 && dest > 0xff)
		return false;
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!irq->logical)
		return dest == reg_get(a, SVMX_APIC_ID) >> 24;
	if ((reg_get(a, SVMX_APIC_DFR) >> 28) == 0xf)
		return (reg_get(a, SVMX_APIC_LDR) >> 24) & dest;
	return (reg_get(a, SVMX_APIC_LDR) >> 28) == (dest >> 4) &&
	       ((reg_get(a, SVMX_APIC_LDR) >> 24) & dest & 0xf);
}

/* Set an LVT entry; a software-disabled APIC keeps them masked (11.4.7.2). */
static u32 write_lvt(struct svmx_lapic *a, u32 off, u32 val, u32 bits)
{
	u32 old = reg_get(a, off);

	if (!svmx_lapic_sw_enabled(a))
		val |= SVMX_APIC_MASKED;
	val &= bits;
	if (off == SVMX_APIC_LVT_LINT0 || off == SVMX_APIC_LVT_LINT1)
		val |= old & SVMX_APIC_REMOTE_IRR;
	reg_set(a, off, val);
	if (off == SVMX_APIC_LVT_TIMER &&
	    ((old ^ val) & SVMX_APIC_TIMER_MODE_MASK)) {
		/* Into or out of TSC-deadline mode: the timer stops. */
		if ((old & SVMX_APIC_TIMER_MODE_MASK) == SVMX_APIC_TIMER_TSC_DEADLINE ||
		    (val & SVMX_APIC_TIMER_MODE_MASK) == SVMX_APIC_TIMER_TSC_DEADLINE) {
			reg_set(a, SVMX_APIC_TMICT, 0);
			a->deadline_ns = 0;
			a->period_ns = 0;
			a->tsc_deadline = 0;
			return SVMX_LAPIC_FX_TIMER;
		}
		/* One-shot <-> periodic: the running count goes on. */
		a->period_ns = a->deadline_ns &&
			       (val & SVMX_APIC_TIMER_MODE_MASK) == SVMX_APIC_TIMER_PERIODIC ?
			       (u64)reg_get(a, SVMX_APIC_TMICT) * timer_divisor(a) : 0;
		return SVMX_LAPIC_FX_TIMER;
	}
	return off == SVMX_APIC_LVT_LINT0 ? SVMX_LAPIC_FX_LINT0 : 0;
}

/* A new divide configuration rescales what is left of the count. */
static u32 write_tdcr(struct svmx_lapic *a, u32 val, u64 now)
{
	u32 old_div = timer_divisor(a), new_div;
	u32 left = timer_current(a, now);

	reg_set(a, SVMX_APIC_TDCR, val & 0xb);
	new_div = timer_divisor(a);
	if (new_div == old_div || !a->deadline_ns || tsc_deadline_mode(a))
		return 0;
	a->deadline_ns = now + (u64)left * new_div;
	if (a->period_ns)
		a->period_ns = (u64)reg_get(a, SVMX_APIC_TMICT) * new_div;
	return SVMX_LAPIC_FX_TIMER;
}

/* A register write common to both views; @x2 for the x2APIC rules. */
static u32 reg_write(struct svmx_lapic *a, u32 off, u32 val, u64 now, bool x2)
{
	switch (off) {
	case SVMX_APIC_ID:
		if (x2)
			return SVMX_LAPIC_FX_GP;
		reg_set(a, off, val & 0xff000000);
		return 0;
	case SVMX_APIC_TPR:
		reg_set(a, off, val & 0xff);
		update_ppr(a);
		return 0;
	case SVMX_APIC_EOI:
		if (x2 && val)
			return SVMX_LAPIC_FX_GP;
		return do_eoi(a);
	case SVMX_APIC_LDR:
		if (x2)
			return SVMX_LAPIC_FX_GP;
		reg_set(a, off, val & 0xff000000);
		return 0;
	case SVMX_APIC_DFR:
		if (x2)
			return SVMX_LAPIC_FX_GP;
		reg_set(a, off, val | 0x0fffffff);
		return 0;
	case SVMX_APIC_SVR: {
		unsigned int i;

		/* Vector, APIC enable, focus checking (no EOI suppression). */
		reg_set(a, off, val & 0x3ff);
		if (!(val & SVMX_APIC_SVR_ENABLE))
			for (i = 0; i < SVMX_APIC_NR_LVT; i++)
				reg_set(a, lvt_regs[i],
					reg_get(a, lvt_regs[i]) | SVMX_APIC_MASKED);
		return SVMX_LAPIC_FX_LINT0;
	}
	case SVMX_APIC_ESR:
		/* No errors are recorded, so the latched value is 0. */
		if (x2 && val)
			return SVMX_LAPIC_FX_GP;
		reg_set(a, off, 0);
		return 0;
	case SVMX_APIC_ICR:
		reg_set(a, off, val & ICR_LO_BITS);
		return SVMX_LAPIC_FX_ICR;
	case SVMX_APIC_ICR2:
		if (x2)
			return SVMX_LAPIC_FX_GP;
		reg_set(a, off, val & 0xff000000);
		return 0;
	case SVMX_APIC_LVT_TIMER:
		return write_lvt(a, off, val, LVT_TIMER_BITS);
	case SVMX_APIC_LVT_THERMAL:
	case SVMX_APIC_LVT_PERF:
		return write_lvt(a, off, val, LVT_DM_BITS);
	case SVMX_APIC_LVT_LINT0:
	case SVMX_APIC_LVT_LINT1:
		return write_lvt(a, off, val, LVT_LINT_BITS);
	case SVMX_APIC_LVT_ERROR:
		return write_lvt(a, off, val, LVT_ERROR_BITS);
	case SVMX_APIC_TMICT:
		if (tsc_deadline_mode(a))
			return 0;
		reg_set(a, off, val);
		timer_start(a, now);
		return SVMX_LAPIC_FX_TIMER;
	case SVMX_APIC_TDCR:
		return write_tdcr(a, val, now);
	case SVMX_APIC_SELF_IPI:
		if (!x2)
			return 0;
		svmx_lapic_accept_fixed(a, val & 0xff, false);
		return 0;
	}
	/* Read-only and reserved registers: ignored, or #GP for x2APIC. */
	return x2 ? SVMX_LAPIC_FX_GP : 0;
}

/* A register read; -1 for one that #GPs as an x2APIC MSR. */
static int reg_read(struct svmx_lapic *a, u32 off, u32 *val, u64 now, bool x2)
{
	switch (off) {
	case SVMX_APIC_ID:
	case SVMX_APIC_VERSION:
	case SVMX_APIC_TPR:
	case SVMX_APIC_LDR:
	case SVMX_APIC_SVR:
	case SVMX_APIC_ESR:
	case SVMX_APIC_ICR:
	case SVMX_APIC_LVT_TIMER:
	case SVMX_APIC_LVT_THERMAL:
	case SVMX_APIC_LVT_PERF:
	case SVMX_APIC_LVT_LINT0:
	case SVMX_APIC_LVT_LINT1:
	case SVMX_APIC_LVT_ERROR:
	case SVMX_APIC_TMICT:
	case SVMX_APIC_TDCR:
		*val = reg_get(a, off);
		return 0;
	case SVMX_APIC_PPR:
		update_ppr(a);
		*val = reg_get(a, off);
		return 0;
	case SVMX_APIC_TMCCT:
		*val = timer_current(a, now);
		return 0;
	case SVMX_APIC_DFR:
	case SVMX_APIC_ICR2:
	case SVMX_APIC_APR:
		if (x2)
			return -1;
		*val = off == SVMX_APIC_APR ? 0 : reg_get(a, off);
		return 0;
	}
	if (off >= SVMX_APIC_ISR && off < SVMX_APIC_ESR) {
		*val = reg_get(a, off);
		return 0;
	}
	/* EOI, self IPI (write-only), reserved: 0 in the page, #GP as MSRs. */
	*val = 0;
	return x2 ? -1 : 0;
}

/**
 * svmx_lapic_mmio_read() - a 32-bit read of the xAPIC page
 * @a: the APIC
 * @off: the offset in the page (16-byte aligned register; 0..0xff0)
 * @val: the value read
 * @now: the time, for the timer's current count
 *
 * Return: 0; -1 when the APIC is not in xAPIC mode (the page is not there).
 */
int svmx_lapic_mmio_read(struct svmx_lapic *a, u32 off, u32 *val, u64 now)
{
	if (!svmx_lapic_hw_enabled(a) || svmx_lapic_x2apic(a))
		return -1;
	if (off >= SVMX_LAPIC_REGS_SIZE) {
		*val = 0;
		return 0;
	}
	return reg_read(a, off & ~0xfU, val, now, false);
}

/* A 32-bit write of the xAPIC page; returns SVMX_LAPIC_FX_* bits. */
u32 svmx_lapic_mmio_write(struct svmx_lapic *a, u32 off, u32 val, u64 now)
{
	if (!svmx_lapic_hw_enabled(a) || svmx_lapic_x2apic(a) ||
	    off >= SVMX_LAPIC_REGS_SIZE)
		return 0;
	return reg_write(a, off & ~0xfU, val, now, false);
}

/**
 * svmx_lapic_msr_read() - RDMSR of an x2APIC MSR (0x800-0x8ff)
 * @a: the APIC
 * @msr: the MSR
 * @val: the value read
 * @now: the time
 *
 * Return: 0, or SVMX_LAPIC_FX_GP (not in x2APIC mode, or no such register).
 */
u32 svmx_lapic_msr_read(struct svmx_lapic *a, u32 msr, u64 *val, u64 now)
{
	u32 off = (msr - SVMX_X2APIC_MSR_FIRST) << 4, lo;

	if (!svmx_lapic_x2apic(a) || msr < SVMX_X2APIC_MSR_FIRST ||
	    msr > SVMX_X2APIC_MSR_LAST || off >= SVMX_LAPIC_REGS_SIZE)
		return SVMX_LAPIC_FX_GP;
	if (reg_read(a, off, &lo, now, true))
		return SVMX_LAPIC_FX_GP;
	*val = lo;
	if (off == SVMX_APIC_ICR)
		*val |= (u64)reg_get(a, SVMX_APIC_ICR2) << 32;
	return 0;
}

/* WRMSR of an x2APIC MSR; returns SVMX_LAPIC_FX_* bits. */
u32 svmx_lapic_msr_write(struct svmx_lapic *a, u32 msr, u64 val, u64 now)
{
	u32 off = (msr - SVMX_X2APIC_MSR_FIRST) << 4;

	if (!svmx_lapic_x2apic(a) || msr < SVMX_X2APIC_MSR_FIRST ||
	    msr > SVMX_X2APIC_MSR_LAST || off >= SVMX_LAPIC_REGS_SIZE)
		return SVMX_LAPIC_FX_GP;
	if (off == SVMX_APIC_ICR) {
		/* One 64-bit register: the destination is the high half. */
		reg_set(a, SVMX_APIC_ICR2, val >> 32);
		return reg_write(a, off, (u32)val, now, true);
	}
	/* The other registers are 32 bits; the upper half is reserved. */
	if (val >> 32)
		return SVMX_LAPIC_FX_GP;
	return reg_write(a, off, val, now, true);
}
