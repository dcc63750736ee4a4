// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 interval timer; see pit.h for what it covers and what it leaves
 * to the caller. Section names are those of the Intel 8254 Programmable
 * Interval Timer datasheet (order number 231164); port 0x61 is the PC/AT's
 * "NMI Status and Control" register as KVM's speaker stub serves it.
 *
 *   time       a counter counts down at SVMX_PIT_FREQ from count_load_time:
 *              d CLK pulses after it, d = elapsed ns * FREQ / 10^9. The
 *              count is loaded at the write or trigger itself (the
 *              datasheet's loading CLK pulse is not modelled, as KVM)
 *   count 0    the largest count: 65536 in binary, 10000 in BCD ("Mode
 *              Definitions": "an initial count of 0 ... is equivalent to
 *              2^16 for binary counting and 10^4 for BCD counting")
 *   run        each counter is counting, held by its gate, waiting for
 *              a count (after a control word) or waiting for a gate
 *              trigger (modes 1 and 5); KVM's state has no room for this,
 *              so KVM_SET_PIT2 restarts every counter (as KVM)
 *   OUT0       drives IRQ 0: its rising edges are the interrupts, which
 *              the caller raises from an hrtimer (svmx_pit_irq0_next())
 */
#include "pit.h"

#define NSEC_PER_SEC	1000000000ULL

/* Control word (port 0x43) SC1-SC0 RW1-RW0 M2-M0 BCD ("Control Word Format") */
#define CW_SC(v)	((v) >> 6)
#define CW_RW(v)	(((v) >> 4) & 3)
#define CW_MODE(v)	(((v) >> 1) & 7)
#define CW_BCD		0x01
#define SC_READ_BACK	3
#define RW_LATCH	0	/* counter latch command */
/* Read-back command (SC = 3): D5 = !COUNT, D4 = !STATUS, D3-D1 = CNT2-CNT0 */
#define RB_NO_COUNT	0x20
#define RB_NO_STATUS	0x10
#define RB_CNT(n)	(2U << (n))
/* Status byte ("Status Byte"): OUTPUT, NULL COUNT, RW1-RW0, M2-M0, BCD */
#define ST_OUT		0x80
#define ST_NULL_COUNT	0x40

/* Port 0x61 */
#define P61_GATE2	0x01
#define P61_SPEAKER	0x02
#define P61_REFRESH	0x10	/* toggles with DRAM refresh */
#define P61_OUT2	0x20
#define REFRESH_SHIFT	14	/* half period 2^14 ns, KVM's approximation */

/* Whether each counter counts. */
enum {
	RUN_WAIT_COUNT = 0,	/* control word written, no count yet */
	RUN_WAIT_TRIGGER,	/* modes 1, 5: count written, no trigger yet */
	RUN_COUNTING,		/* from count_load_time */
	RUN_HELD,		/* GATE low stopped it after held_ns */
};

/*
 * The mode that the counter runs in: 6 and 7 are 2 and 3 ("X" in M2; the
 * control word stores them as 2 and 3, KVM_SET_PIT2 may bring them as
 * is); above 7, none.
 */
static unsigned int mode_of(const struct svmx_pit_channel *c)
{
	if (c->mode > 7)
		return SVMX_PIT_MODE_NONE;
	return c->mode > 5 ? c->mode - 4 : c->mode;
}

/* The counting range: the count after 0 wraps to this less one. */
static u32 modulus(const struct svmx_pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/* The initial count as a number of CLK pulses, 1 to 65536 (10000 in BCD). */
static u32 initial(const struct svmx_pit_channel *c)
{
	u32 v = c->count & 0xffff;

	if (c->bcd)
		v = (v >> 12) * 1000 + ((v >> 8) & 15) * 100 +
		    ((v >> 4) & 15) * 10 + (v & 15);
	return v ? v : modulus(c);
}

/* A count of CLK pulses as the counter shows it, binary or BCD. */
static u16 to_register(const struct svmx_pit_channel *c, u32 v)
{
	v %= modulus(c);
	if (c->bcd)
		v = (v / 1000) << 12 | (v / 100 % 10) << 8 |
		    (v / 10 % 10) << 4 | v % 10;
	return (u16)v;
}

/* CLK pulses in @ns nanoseconds (no overflow for any s64). */
static u64 ns_to_ticks(s64 ns)
{
	u64 n = ns > 0 ? ns : 0;

	return n / NSEC_PER_SEC * SVMX_PIT_FREQ +
	       n % NSEC_PER_SEC * SVMX_PIT_FREQ / NSEC_PER_SEC;
}

/* The first nanosecond at which @ticks CLK pulses have elapsed. */
static u64 ticks_to_ns(u64 ticks)
{
	return ticks / SVMX_PIT_FREQ * NSEC_PER_SEC +
	       (ticks % SVMX_PIT_FREQ * NSEC_PER_SEC + SVMX_PIT_FREQ - 1) /
	       SVMX_PIT_FREQ;
}

/* CLK pulses counter @n has counted by @now (counting or held). */
static u64 elapsed(const struct svmx_pit *pit, unsigned int n, s64 now)
{
	if (pit->run[n] == RUN_HELD)
		return ns_to_ticks(pit->held_ns[n]);
	return ns_to_ticks(now - pit->s.channels[n].count_load_time);
}

/*
 * The counting element of counter @n, as read ("Read Operations"). In
 * modes 0, 1, 4 and 5 it wraps past 0 and keeps counting; in mode 2 it
 * runs N .. 1 and reloads; in mode 3 it counts down by two, from N for an
 * even N and N - 1 for an odd N, and reloads at each half period ("Mode
 * 3"). A counter not counting shows its initial count.
 */
static u16 read_counter(const struct svmx_pit *pit, unsigned int n, s64 now)
{
	const struct svmx_pit_channel *c = &pit->s.channels[n];
	u32 init = initial(c), h, t;
	u64 d;

	if (pit->run[n] != RUN_COUNTING && pit->run[n] != RUN_HELD)
		return c->count & 0xffff;
	d = elapsed(pit, n, now);
	switch (mode_of(c)) {
	case 2:
		return to_register(c, init - d % init);
	case 3:
		t = d % init;
		h = (init + 1) / 2;
		if (t >= h)
			t -= h;
		return to_register(c, (init & ~1U) - 2 * t);
	default:
		return to_register(c, init + modulus(c) - d % modulus(c));
	}
}

/* The OUT pin of counter @n ("Mode Definitions", each mode's OUT). */
static bool out_pin(const struct svmx_pit *pit, unsigned int n, s64 now)
{
	const struct svmx_pit_channel *c = &pit->s.channels[n];
	unsigned int mode = mode_of(c);
	u32 init = initial(c);
	u64 d;

	switch (pit->run[n]) {
	case RUN_WAIT_COUNT:
		/* "OUT goes to a known initial state": low in mode 0 */
		return mode != 0 && mode != SVMX_PIT_MODE_NONE;
	case RUN_WAIT_TRIGGER:
		return true;
	case RUN_HELD:
		/* modes 2 and 3: "GATE = 0 ... sets OUT high immediately" */
		if (mode == 2 || mode == 3)
			return true;
		break;
	}
	d = elapsed(pit, n, now);
	switch (mode) {
	case 0:		/* high from terminal count on */
	case 1:		/* low from the trigger until terminal count */
		return d >= init;
	case 2:		/* low for the CLK pulse at which the count is 1 */
		return d % init != init - 1;
	case 3:		/* high for (N + 1) / 2 pulses, low for N / 2 */
		return d % init < (init + 1) / 2;
	case 4:
	case 5:		/* low for the CLK pulse at terminal count */
		return d != init;
	default:
		return false;
	}
}

/* The counter starts from its initial count at @now. */
static void start(struct svmx_pit *pit, unsigned int n, s64 now)
{
	pit->run[n] = RUN_COUNTING;
	pit->s.channels[n].count_load_time = now;
	pit->held_ns[n] = 0;
}

/*
 * A complete count was written ("Write Operations"). Modes 0 and 4 load it
 * and count on, or wait for GATE; modes 2 and 3 (re)start at once, as KVM
 * does (the datasheet would finish the current period first); modes 1 and
 * 5 wait for a rising GATE.
 */
static void load_count(struct svmx_pit *pit, unsigned int n, u32 count,
		       s64 now)
{
	struct svmx_pit_channel *c = &pit->s.channels[n];

	c->count = count ? count : 0x10000;
	switch (mode_of(c)) {
	case 0:
	case 2:
	case 3:
	case 4:
		start(pit, n, now);
		if (!c->gate)
			pit->run[n] = RUN_HELD;
		break;
	case 1:
	case 5:
		pit->run[n] = RUN_WAIT_TRIGGER;
		break;
	default:	/* no control word yet */
		c->count_load_time = now;
		break;
	}
	if (n == 0)
		pit->fx |= SVMX_PIT_FX_IRQ0;
}

/* The status byte of counter @n ("Read-Back Command", Figure "Status Byte"). */
static u8 status_byte(const struct svmx_pit *pit, unsigned int n, s64 now)
{
	const struct svmx_pit_channel *c = &pit->s.channels[n];
	u8 st = (c->rw_mode & 3) << 4 | (c->mode & 7) << 1 | (c->bcd & 1);

	if (out_pin(pit, n, now))
		st |= ST_OUT;
	/* the count written is not in the counting element yet */
	if (pit->run[n] == RUN_WAIT_COUNT || pit->run[n] == RUN_WAIT_TRIGGER)
		st |= ST_NULL_COUNT;
	return st;
}

/*
 * Counter latch command, and the read-back command's COUNT: "the second
 * Counter Latch Command is ignored" until the latched count is read.
 */
static void latch_count(struct svmx_pit *pit, unsigned int n, s64 now)
{
	struct svmx_pit_channel *c = &pit->s.channels[n];

	if (c->count_latched)
		return;
	c->latched_count = read_counter(pit, n, now);
	c->count_latched = c->rw_mode ? c->rw_mode : SVMX_PIT_RW_LSB;
}

/* The read-back command's STATUS: likewise, the first one is kept. */
static void latch_status(struct svmx_pit *pit, unsigned int n, s64 now)
{
	struct svmx_pit_channel *c = &pit->s.channels[n];

	if (c->status_latched)
		return;
	c->status = status_byte(pit, n, now);
	c->status_latched = 1;
}

/* A write to port 0x43 ("Control Word Format"). */
static void control_word(struct svmx_pit *pit, u8 val, s64 now)
{
	struct svmx_pit_channel *c;
	unsigned int n;

	if (CW_SC(val) == SC_READ_BACK) {
		for (n = 0; n < SVMX_PIT_NR_CHANNELS; n++) {
			if (!(val & RB_CNT(n)))
				continue;
			if (!(val & RB_NO_COUNT))
				latch_count(pit, n, now);
			if (!(val & RB_NO_STATUS))
				latch_status(pit, n, now);
		}
		return;
	}
	n = CW_SC(val);
	c = &pit->s.channels[n];
	if (CW_RW(val) == RW_LATCH) {
		latch_count(pit, n, now);
		return;
	}
	/*
	 * "When a Control Word is written to a Counter, all Control Logic is
	 * immediately reset and OUT goes to a known initial state": the
	 * counter waits for a count. The latches are left alone (as KVM).
	 */
	c->rw_mode = CW_RW(val);
	c->read_state = c->rw_mode;
	c->write_state = c->rw_mode;
	c->mode = CW_MODE(val) > 5 ? CW_MODE(val) - 4 : CW_MODE(val);
	c->bcd = val & CW_BCD;
	pit->run[n] = RUN_WAIT_COUNT;
	if (n == 0)
		pit->fx |= SVMX_PIT_FX_IRQ0;
}

/* A byte written to counter @n, by its write state ("Write Operations"). */
static void write_counter(struct svmx_pit *pit, unsigned int n, u8 val,
			  s64 now)
{
	struct svmx_pit_channel *c = &pit->s.channels[n];

	switch (c->write_state) {
	case SVMX_PIT_RW_MSB:
		load_count(pit, n, (u32)val << 8, now);
		break;
	case SVMX_PIT_RW_WORD0:
		c->write_latch = val;
		c->write_state = SVMX_PIT_RW_WORD1;
		/* mode 0: "Writing the first byte disables counting" */
		if (mode_of(c) == 0) {
			pit->run[n] = RUN_WAIT_COUNT;
			if (n == 0)
				pit->fx |= SVMX_PIT_FX_IRQ0;
		}
		break;
	case SVMX_PIT_RW_WORD1:
		c->write_state = SVMX_PIT_RW_WORD0;
		load_count(pit, n, c->write_latch | (u32)val << 8, now);
		break;
	default:	/* LSB, or no control word yet (as KVM) */
		load_count(pit, n, val, now);
		break;
	}
}

/*
 * A byte read from counter @n ("Read Operations"): a latched status first,
 * then a latched count, then the counting element itself, each by bytes
 * as RW1-RW0 says.
 */
static u8 read_byte(struct svmx_pit *pit, unsigned int n, s64 now)
{
	struct svmx_pit_channel *c = &pit->s.channels[n];

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	switch (c->count_latched) {
	case 0:
		break;
	case SVMX_PIT_RW_MSB:
		c->count_latched = 0;
		return c->latched_count >> 8;
	case SVMX_PIT_RW_WORD0:
		c->count_latched = SVMX_PIT_RW_MSB;
		return c->latched_count & 0xff;
	default:
		c->count_latched = 0;
		return c->latched_count & 0xff;
	}
	switch (c->read_state) {
	case SVMX_PIT_RW_MSB:
		return read_counter(pit, n, now) >> 8;
	case SVMX_PIT_RW_WORD0:
		c->read_state = SVMX_PIT_RW_WORD1;
		return read_counter(pit, n, now) & 0xff;
	case SVMX_PIT_RW_WORD1:
		c->read_state = SVMX_PIT_RW_WORD0;
		return read_counter(pit, n, now) >> 8;
	default:
		return read_counter(pit, n, now) & 0xff;
	}
}

/**
 * svmx_pit_reset() - the state KVM_CREATE_PIT2 starts from
 * @pit: the PIT
 * @now_ns: the time
 *
 * As KVM: no control word written (mode SVMX_PIT_MODE_NONE), counts 0
 * (65536), gates 0 and 1 high and gate 2 low, flags clear. A counter
 * counts only once programmed; OUT is low until then.
 */
void svmx_pit_reset(struct svmx_pit *pit, s64 now_ns)
{
	static const struct svmx_pit zero;
	unsigned int n;

	*pit = zero;
	for (n = 0; n < SVMX_PIT_NR_CHANNELS; n++) {
		pit->s.channels[n].mode = SVMX_PIT_MODE_NONE;
		pit->s.channels[n].gate = n != 2;
		pit->s.channels[n].count = 0x10000;
		pit->s.channels[n].count_load_time = now_ns;
		pit->run[n] = RUN_WAIT_COUNT;
	}
	pit->fx = SVMX_PIT_FX_IRQ0;
}

/* Whether @port is the PIT's (0x40-0x43) or the speaker port's (0x61). */
bool svmx_pit_port(u16 port)
{
	return (port >= SVMX_PIT_PORT_COUNTER0 &&
		port <= SVMX_PIT_PORT_CONTROL) || port == SVMX_PIT_PORT_SPEAKER;
}

/**
 * svmx_pit_ioport_read() - an IN from a PIT port or port 0x61
 * @pit: the PIT
 * @port: the port
 * @val: the byte read
 * @now_ns: the time
 *
 * 0x40-0x42 read the counter (or what is latched); 0x43 is write only and
 * reads as an idle bus, 0xff. 0x61 reads gate 2 (bit 0), speaker data
 * (bit 1), the refresh toggle (bit 4) and OUT2 (bit 5), the other bits 0
 * (as KVM's speaker stub).
 *
 * Return: 0, or -1 if @port is not the PIT's.
 */
int svmx_pit_ioport_read(struct svmx_pit *pit, u16 port, u8 *val, s64 now_ns)
{
	switch (port) {
	case SVMX_PIT_PORT_COUNTER0:
	case SVMX_PIT_PORT_COUNTER0 + 1:
	case SVMX_PIT_PORT_COUNTER0 + 2:
		*val = read_byte(pit, port - SVMX_PIT_PORT_COUNTER0, now_ns);
		return 0;
	case SVMX_PIT_PORT_CONTROL:
		*val = 0xff;
		return 0;
	case SVMX_PIT_PORT_SPEAKER:
		*val = (pit->s.channels[2].gate ? P61_GATE2 : 0) |
		       (pit->s.flags & SVMX_PIT_FLAGS_SPEAKER_DATA_ON ?
			P61_SPEAKER : 0) |
		       (((u64)now_ns >> REFRESH_SHIFT) & 1 ? P61_REFRESH : 0) |
		       (out_pin(pit, 2, now_ns) ? P61_OUT2 : 0);
		return 0;
	}
	return -1;
}

/**
 * svmx_pit_ioport_write() - an OUT to a PIT port or port 0x61
 * @pit: the PIT
 * @port: the port
 * @val: the byte written
 * @now_ns: the time
 *
 * 0x43 takes a control word, counter latch or read-back command; 0x40-0x42
 * a count byte; 0x61 gate 2 (bit 0) and speaker data (bit 1).
 * SVMX_PIT_FX_IRQ0 if counter 0 may interrupt at other times now.
 *
 * Return: 0, or -1 if @port is not the PIT's.
 */
int svmx_pit_ioport_write(struct svmx_pit *pit, u16 port, u8 val, s64 now_ns)
{
	switch (port) {
	case SVMX_PIT_PORT_COUNTER0:
	case SVMX_PIT_PORT_COUNTER0 + 1:
	case SVMX_PIT_PORT_COUNTER0 + 2:
		write_counter(pit, port - SVMX_PIT_PORT_COUNTER0, val, now_ns);
		return 0;
	case SVMX_PIT_PORT_CONTROL:
		control_word(pit, val, now_ns);
		return 0;
	case SVMX_PIT_PORT_SPEAKER:
		if (val & P61_SPEAKER)
			pit->s.flags |= SVMX_PIT_FLAGS_SPEAKER_DATA_ON;
		else
			pit->s.flags &= ~SVMX_PIT_FLAGS_SPEAKER_DATA_ON;
		svmx_pit_set_gate(pit, 2, val & P61_GATE2, now_ns);
		return 0;
	}
	return -1;
}

/**
 * svmx_pit_set_gate() - the GATE input of a counter
 * @pit: the PIT
 * @channel: 0-2 (on the PC only counter 2's moves, through port 0x61)
 * @gate: its level
 * @now_ns: the time
 *
 * "Gate Pin Operations Summary": in modes 0 and 4 a low GATE suspends
 * counting and a high one resumes it; in modes 2 and 3 a low GATE stops
 * counting with OUT high and a rising one restarts from the initial count;
 * in modes 1 and 5 a rising GATE (re)triggers the count.
 */
void svmx_pit_set_gate(struct svmx_pit *pit, unsigned int channel, bool gate,
		       s64 now_ns)
{
	struct svmx_pit_channel *c = &pit->s.channels[channel];
	unsigned int mode = mode_of(c);
	u8 *run = &pit->run[channel];

	if (!gate == !c->gate)
		return;
	c->gate = gate;
	if (!gate) {
		if (*run == RUN_COUNTING && mode != 1 && mode != 5 &&
		    mode != SVMX_PIT_MODE_NONE) {
			pit->held_ns[channel] = now_ns - c->count_load_time;
			*run = RUN_HELD;
		}
	} else if (*run == RUN_HELD) {
		if (mode == 0 || mode == 4) {
			*run = RUN_COUNTING;
			c->count_load_time = now_ns - pit->held_ns[channel];
			pit->held_ns[channel] = 0;
		} else {
			start(pit, channel, now_ns);
		}
	} else if ((mode == 1 || mode == 5) &&
		   (*run == RUN_WAIT_TRIGGER || *run == RUN_COUNTING)) {
		start(pit, channel, now_ns);
	}
	if (channel == 0)
		pit->fx |= SVMX_PIT_FX_IRQ0;
}

/** svmx_pit_out() - the OUT pin of counter @channel at @now_ns */
bool svmx_pit_out(const struct svmx_pit *pit, unsigned int channel,
		  s64 now_ns)
{
	return out_pin(pit, channel, now_ns);
}

/**
 * svmx_pit_irq0_next() - when IRQ 0 is raised next
 * @pit: the PIT
 * @now_ns: the time
 * @expiry_ns: set to the time of the next rising edge of OUT0 after @now_ns
 * @period_ns: set to the time between edges in modes 2 and 3 (N CLK pulses,
 *	       rounded down, as KVM's hrtimer period), 0 for a single edge
 *
 * Mode 0 and 1 rise at terminal count, 4 and 5 just after it, once per
 * count; 2 and 3 every N pulses. None while counter 0 does not count, nor
 * in HPET legacy replacement mode, where the HPET's timer 0 drives IRQ 0.
 * The caller pulses GSI 0 at @expiry_ns and every @period_ns after, or
 * asks again after each edge for the exact next one.
 *
 * Return: whether there is such an edge.
 */
bool svmx_pit_irq0_next(const struct svmx_pit *pit, s64 now_ns,
			s64 *expiry_ns, s64 *period_ns)
{
	const struct svmx_pit_channel *c = &pit->s.channels[0];
	u32 init = initial(c);
	u64 d, edge;

	if (pit->run[0] != RUN_COUNTING ||
	    pit->s.flags & SVMX_PIT_FLAGS_HPET_LEGACY)
		return false;
	d = elapsed(pit, 0, now_ns);
	switch (mode_of(c)) {
	case 0:
	case 1:
		edge = init;
		*period_ns = 0;
		break;
	case 4:
	case 5:
		edge = init + 1;
		*period_ns = 0;
		break;
	case 2:
	case 3:
		edge = (d / init + 1) * init;
		*period_ns = (u64)init * NSEC_PER_SEC / SVMX_PIT_FREQ;
		break;
	default:
		return false;
	}
	if (d >= edge)
		return false;
	*expiry_ns = c->count_load_time + ticks_to_ns(edge);
	return true;
}

/**
 * svmx_pit_take_fx() - what the calls since the last take set off
 * @pit: the PIT
 *
 * Return: the SVMX_PIT_FX_* bits; all are cleared.
 */
u32 svmx_pit_take_fx(struct svmx_pit *pit)
{
	u32 fx = pit->fx;

	pit->fx = 0;
	return fx;
}

/** svmx_pit_get_state() - the state for KVM_GET_PIT2 */
void svmx_pit_get_state(const struct svmx_pit *pit, struct svmx_pit_state *st)
{
	*st = pit->s;
}

/**
 * svmx_pit_set_state() - load the state (KVM_SET_PIT2)
 * @pit: the PIT
 * @st: the state, taken as is (as KVM does)
 * @now_ns: the time
 *
 * As KVM, each counter then starts over from its initial count at @now_ns
 * (count_load_time is not taken): programmed counters count, a counter in
 * mode 0, 2, 3 or 4 with its gate low is held. SVMX_PIT_FX_IRQ0.
 */
void svmx_pit_set_state(struct svmx_pit *pit, const struct svmx_pit_state *st,
			s64 now_ns)
{
	unsigned int n, mode;

	pit->s = *st;
	for (n = 0; n < SVMX_PIT_NR_CHANNELS; n++) {
		mode = mode_of(&pit->s.channels[n]);
		start(pit, n, now_ns);
		if (mode == SVMX_PIT_MODE_NONE)
			pit->run[n] = RUN_WAIT_COUNT;
		else if (!pit->s.channels[n].gate && mode != 1 && mode != 5)
			pit->run[n] = RUN_HELD;
	}
	pit->fx |= SVMX_PIT_FX_IRQ0;
}
