/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's Intel 8254 programmable interval timer (pit.c), one per VM with
 * KVM_CREATE_PIT2: counters 0-2 at ports 0x40-0x42, the control word
 * register at 0x43, and port 0x61's counter 2 gate, speaker data and OUT2
 * bits (served when KVM_PIT_SPEAKER_DUMMY was asked for). Counter 0's OUT
 * drives IRQ 0, counter 2's the speaker; every gate but counter 2's is
 * tied high.
 *
 * This is the counter logic of the Intel 8254 datasheet (control word,
 * modes 0-5, counter latch, read-back) and nothing else. It includes only
 * <linux/types.h>, so the same source is unit-tested in userspace
 * (selftests/unit/pit_test.c). There is no clock in here: every call that
 * looks at a counter takes the caller's time in nanoseconds, and the
 * counters advance at SVMX_PIT_FREQ from the time their count was loaded.
 * The caller owns the lock and the hrtimer that pulses IRQ 0: when counter
 * 0's schedule may have changed, SVMX_PIT_FX_IRQ0 is accumulated in the
 * struct (svmx_pit_take_fx()) and svmx_pit_irq0_next() says when OUT0
 * rises next.
 *
 * struct svmx_pit_state mirrors x86's struct kvm_pit_state2 and struct
 * svmx_pit_channel its struct kvm_pit_channel_state (<linux/kvm.h>) field
 * by field, same names, same order, same encodings, so that
 * KVM_GET/SET_PIT2 copy one into the other.
 */
#ifndef SVMX_PIT_H
#define SVMX_PIT_H

#include <linux/types.h>

#define SVMX_PIT_FREQ		1193181	/* Hz, KVM's KVM_PIT_FREQ */
#define SVMX_PIT_NR_CHANNELS	3

/* I/O ports */
#define SVMX_PIT_PORT_COUNTER0	0x40	/* 0x40 + n: counter n */
#define SVMX_PIT_PORT_CONTROL	0x43	/* the control word (write only) */
#define SVMX_PIT_PORT_SPEAKER	0x61	/* NMI status and control */

/* struct svmx_pit_state flags, as KVM_PIT_FLAGS_* */
#define SVMX_PIT_FLAGS_HPET_LEGACY	0x1	/* OUT0 no longer drives IRQ 0 */
#define SVMX_PIT_FLAGS_SPEAKER_DATA_ON	0x2	/* port 0x61 bit 1 */

/* read_state, write_state, rw_mode and count_latched, as KVM encodes them */
#define SVMX_PIT_RW_LSB		1	/* the low byte only */
#define SVMX_PIT_RW_MSB		2	/* the high byte only */
#define SVMX_PIT_RW_WORD0	3	/* low byte, then high byte: low next */
#define SVMX_PIT_RW_WORD1	4	/* ... high byte next */

/* mode after reset: no control word written yet (as KVM) */
#define SVMX_PIT_MODE_NONE	0xff

/* What the calls set off, for the caller to carry out. */
#define SVMX_PIT_FX_IRQ0	(1U << 0)	/* re-arm: svmx_pit_irq0_next() */

/* One counter; the fields and their order are struct kvm_pit_channel_state's. */
struct svmx_pit_channel {
	u32 count;		/* initial count as written; 0 kept as 0x10000 */
	u16 latched_count;	/* the output latch (counter latch command) */
	u8 count_latched;	/* 0, or SVMX_PIT_RW_*: latched bytes to read */
	u8 status_latched;	/* the status byte is latched (read-back) */
	u8 status;		/* the latched status byte */
	u8 read_state;		/* SVMX_PIT_RW_*: the next byte read */
	u8 write_state;		/* SVMX_PIT_RW_*: the next byte written */
	u8 write_latch;		/* the low byte of a two-byte count */
	u8 rw_mode;		/* control word RW1-RW0 */
	u8 mode;		/* control word M2-M0, 0-5; SVMX_PIT_MODE_NONE */
	u8 bcd;			/* control word BCD */
	u8 gate;		/* GATE input */
	s64 count_load_time;	/* ns: the count was loaded or triggered */
};

/* The whole PIT; the fields and their order are struct kvm_pit_state2's. */
struct svmx_pit_state {
	struct svmx_pit_channel channels[SVMX_PIT_NR_CHANNELS];
	u32 flags;		/* SVMX_PIT_FLAGS_* */
	u32 reserved[9];
};

struct svmx_pit {
	struct svmx_pit_state s;
	/*
	 * Not in struct kvm_pit_state2: whether each counter is counting
	 * (SVMX_PIT_RUN_* in pit.c), and for a counter held by its gate the
	 * nanoseconds it had counted when the gate fell.
	 */
	u8 run[SVMX_PIT_NR_CHANNELS];
	s64 held_ns[SVMX_PIT_NR_CHANNELS];
	/* Accumulated until svmx_pit_take_fx(). */
	u32 fx;			/* SVMX_PIT_FX_* */
};

void svmx_pit_reset(struct svmx_pit *pit, s64 now_ns);
bool svmx_pit_port(u16 port);
int svmx_pit_ioport_read(struct svmx_pit *pit, u16 port, u8 *val, s64 now_ns);
int svmx_pit_ioport_write(struct svmx_pit *pit, u16 port, u8 val, s64 now_ns);
void svmx_pit_set_gate(struct svmx_pit *pit, unsigned int channel, bool gate,
		       s64 now_ns);
bool svmx_pit_out(const struct svmx_pit *pit, unsigned int channel,
		  s64 now_ns);
bool svmx_pit_irq0_next(const struct svmx_pit *pit, s64 now_ns,
			s64 *expiry_ns, s64 *period_ns);
u32 svmx_pit_take_fx(struct svmx_pit *pit);
void svmx_pit_get_state(const struct svmx_pit *pit, struct svmx_pit_state *st);
void svmx_pit_set_state(struct svmx_pit *pit, const struct svmx_pit_state *st,
			s64 now_ns);

#endif
