// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the 8254 model (module/pit.c), built for userspace. Each
 * case programs the PIT through its ports as a guest would, at times given
 * in PIT clock pulses, and checks what the 8254 datasheet (and KVM, where
 * it decides) says must happen: the control word, the byte sequences of
 * counts, the counter latch and read-back commands, OUT in each mode, the
 * IRQ 0 edges the caller's timer is armed for, the gates, port 0x61 and
 * the state that KVM_GET/SET_PIT2 carry.
 */
#include <stdio.h>
#include <string.h>

#include "pit.h"
#include "tap.h"

#define T0	1000000000LL	/* the tests' start, 1 s */

/*
 * The first nanosecond @ticks PIT clock pulses after @t. Times checked are
 * taken after the event that loaded the count, so that the rounding to
 * nanoseconds does not lose a pulse.
 */
static s64 after(s64 t, u64 ticks)
{
	return t + (s64)((ticks * 1000000000ULL + SVMX_PIT_FREQ - 1) /
			 SVMX_PIT_FREQ);
}

static s64 at(u64 ticks)
{
	return after(T0, ticks);
}

static void out(struct svmx_pit *p, u16 port, u8 val, s64 now)
{
	CHECK(svmx_pit_ioport_write(p, port, val, now) == 0);
}

static u8 in(struct svmx_pit *p, u16 port, s64 now)
{
	u8 v = 0xa5;

	CHECK(svmx_pit_ioport_read(p, port, &v, now) == 0);
	return v;
}

/* Control word for counter @n, LSB then MSB, @mode, binary; then @count. */
static void program(struct svmx_pit *p, unsigned int n, unsigned int mode,
		    u16 count, s64 now)
{
	out(p, 0x43, n << 6 | 0x30 | mode << 1, now);
	out(p, 0x40 + n, count & 0xff, now);
	out(p, 0x40 + n, count >> 8, now);
}

/* The two bytes of counter @n read at @now (LSB then MSB mode). */
static u16 read16(struct svmx_pit *p, unsigned int n, s64 now)
{
	u8 lo = in(p, 0x40 + n, now);

	return lo | in(p, 0x40 + n, now) << 8;
}

static void test_reset_and_control_word(void)
{
	struct svmx_pit p;
	unsigned int n;

	svmx_pit_reset(&p, T0);
	for (n = 0; n < 3; n++) {
		CHECK(p.s.channels[n].mode == SVMX_PIT_MODE_NONE);
		CHECK(p.s.channels[n].count == 0x10000);
		CHECK(p.s.channels[n].gate == (n != 2));
	}
	CHECK(svmx_pit_take_fx(&p) == SVMX_PIT_FX_IRQ0);
	CHECK(!svmx_pit_out(&p, 0, at(100000)));
	CHECK(svmx_pit_port(0x40) && svmx_pit_port(0x43) && svmx_pit_port(0x61));
	CHECK(!svmx_pit_port(0x44) && !svmx_pit_port(0x3f) && !svmx_pit_port(0x60));
	CHECK(svmx_pit_ioport_write(&p, 0x44, 0, T0) == -1);

	out(&p, 0x43, 0x34, T0);		/* counter 0, LSB+MSB, mode 2 */
	CHECK(p.s.channels[0].rw_mode == 3 && p.s.channels[0].mode == 2);
	CHECK(p.s.channels[0].read_state == 3 && p.s.channels[0].write_state == 3);
	CHECK(!p.s.channels[0].bcd);
	CHECK(svmx_pit_take_fx(&p) == SVMX_PIT_FX_IRQ0);
	out(&p, 0x43, 0x7e, T0);		/* counter 1, mode 7 = 3 */
	CHECK(p.s.channels[1].rw_mode == 3 && p.s.channels[1].mode == 3);
	out(&p, 0x43, 0x9c, T0);		/* counter 2, LSB, mode 6 = 2 */
	CHECK(p.s.channels[2].rw_mode == 1 && p.s.channels[2].mode == 2);
	out(&p, 0x43, 0x23, T0);		/* counter 0, MSB, mode 1, BCD */
	CHECK(p.s.channels[0].rw_mode == 2 && p.s.channels[0].mode == 1);
	CHECK(p.s.channels[0].bcd == 1);
	CHECK(svmx_pit_take_fx(&p) == SVMX_PIT_FX_IRQ0);
	out(&p, 0x43, 0xb6, T0);		/* counter 2 only: no IRQ 0 fx */
	CHECK(svmx_pit_take_fx(&p) == 0);
	CHECK(in(&p, 0x43, T0) == 0xff);	/* write only */
}

static void test_rw_sequences(void)
{
	struct svmx_pit p;

	svmx_pit_reset(&p, T0);
	/* LSB only: the high byte is 0; reads give the low byte only. */
	out(&p, 0x43, 0x90, T0);		/* counter 2, LSB, mode 0 */
	out(&p, 0x42, 0x80, T0);
	CHECK(p.s.channels[2].count == 0x80);
	out(&p, 0x61, 1, T0);
	CHECK(in(&p, 0x42, at(0x10)) == 0x70);
	CHECK(in(&p, 0x42, at(0x11)) == 0x6f);

	/* MSB only: the low byte is 0; reads give the high byte only. */
	out(&p, 0x43, 0xa0, T0);
	out(&p, 0x42, 0x12, T0);
	CHECK(p.s.channels[2].count == 0x1200);
	CHECK(in(&p, 0x42, at(0x100)) == 0x11);
	CHECK(in(&p, 0x42, at(0x100)) == 0x11);

	/* LSB then MSB: the count is loaded at the second byte. */
	out(&p, 0x43, 0xb0, T0);
	out(&p, 0x42, 0x34, T0);
	CHECK(p.s.channels[2].count == 0x1200);
	CHECK(p.s.channels[2].write_state == SVMX_PIT_RW_WORD1);
	out(&p, 0x42, 0x12, at(5));
	CHECK(p.s.channels[2].count == 0x1234);
	CHECK(p.s.channels[2].write_state == SVMX_PIT_RW_WORD0);
	CHECK(in(&p, 0x42, at(0x39)) == 0x00);
	CHECK(in(&p, 0x42, at(0x39)) == 0x12);
	/* The read flip-flop is its own: interleaved writes do not move it. */
	CHECK(in(&p, 0x42, at(0x39)) == 0x00);
	out(&p, 0x42, 0x00, at(0x39));
	CHECK(in(&p, 0x42, at(0x39)) == 0x12);
	out(&p, 0x42, 0x10, at(0x40));		/* 0x1000 from here */
	CHECK(read16(&p, 2, after(at(0x40), 1)) == 0x0fff);

	/* Mode 0: the first byte of two stops counting, OUT low. */
	out(&p, 0x42, 0x05, at(0x2000));
	CHECK(!svmx_pit_out(&p, 2, at(0x2000)));
	CHECK(read16(&p, 2, at(0x3000)) == 0x1000);
	CHECK(read16(&p, 2, at(0x3000)) == 0x1000);
}

static void test_counter_latch(void)
{
	struct svmx_pit p;

	svmx_pit_reset(&p, T0);
	program(&p, 1, 0, 1000, T0);
	out(&p, 0x43, 0x40, at(100));		/* latch counter 1 */
	CHECK(p.s.channels[1].count_latched == SVMX_PIT_RW_WORD0);
	CHECK(in(&p, 0x41, at(300)) == (900 & 0xff));
	out(&p, 0x43, 0x40, at(350));		/* ignored: not read yet */
	CHECK(in(&p, 0x41, at(400)) == 900 >> 8);
	CHECK(!p.s.channels[1].count_latched);
	/* Released: live again. */
	CHECK(read16(&p, 1, at(500)) == 500);
	out(&p, 0x43, 0x40, at(600));
	CHECK(read16(&p, 1, at(700)) == 400);

	/* LSB-only counter: one byte releases the latch. */
	out(&p, 0x43, 0x50, T0);
	out(&p, 0x41, 200, T0);
	out(&p, 0x43, 0x40, at(20));
	CHECK(in(&p, 0x41, at(50)) == 180);
	CHECK(in(&p, 0x41, at(50)) == 150);
}

static void test_read_back(void)
{
	struct svmx_pit p;
	u8 st;

	svmx_pit_reset(&p, T0);
	out(&p, 0x61, 1, T0);			/* gate 2 high */
	program(&p, 0, 2, 100, T0);
	out(&p, 0x43, 0x50, T0);		/* counter 1: LSB, mode 0 */
	out(&p, 0x41, 50, T0);
	program(&p, 2, 3, 1000, T0);

	/* COUNT and STATUS of all three: status first, then the count. */
	out(&p, 0x43, 0xce, at(30));
	CHECK(in(&p, 0x40, at(60)) == 0xb4);	/* OUT, LSB+MSB, mode 2 */
	CHECK(read16(&p, 0, at(60)) == 70);
	CHECK(in(&p, 0x41, at(60)) == 0x10);	/* OUT low, LSB, mode 0 */
	CHECK(in(&p, 0x41, at(60)) == 20);
	CHECK(in(&p, 0x41, at(60)) == 50 - 60 + 256);	/* live, wrapped */
	CHECK(in(&p, 0x42, at(60)) == 0xb6);	/* OUT, LSB+MSB, mode 3 */
	CHECK(read16(&p, 2, at(60)) == 940);

	/* A second status latch before the read is ignored. */
	out(&p, 0x43, 0xe4, at(40));		/* STATUS of counter 1 */
	out(&p, 0x43, 0xe4, at(80));
	st = in(&p, 0x41, at(90));
	CHECK(st == 0x10);			/* latched before OUT rose */
	CHECK(in(&p, 0x41, at(90)) == (u8)(50 - 90));	/* no count latched */
	out(&p, 0x43, 0xe4, at(90));
	CHECK(in(&p, 0x41, at(90)) == 0x90);

	/* COUNT only, counters 0 and 2. */
	out(&p, 0x43, 0xda, at(130));
	CHECK(read16(&p, 0, at(150)) == 70);
	CHECK(read16(&p, 2, at(150)) == 740);
	CHECK(read16(&p, 0, at(150)) == 50);

	/* NULL COUNT: a control word without a count yet. */
	out(&p, 0x43, 0x34, at(200));
	out(&p, 0x43, 0xe2, at(200));
	CHECK(in(&p, 0x40, at(200)) == 0xf4);
	out(&p, 0x40, 10, at(200));
	out(&p, 0x40, 0, at(200));
	out(&p, 0x43, 0xe2, at(200));
	CHECK(in(&p, 0x40, at(200)) == 0xb4);
}

static void test_mode0_terminal_count(void)
{
	struct svmx_pit p;
	s64 exp = 0, per = 1;

	svmx_pit_reset(&p, T0);
	program(&p, 0, 0, 1000, T0);
	CHECK(svmx_pit_take_fx(&p) == SVMX_PIT_FX_IRQ0);
	CHECK(!svmx_pit_out(&p, 0, T0));
	CHECK(!svmx_pit_out(&p, 0, at(999)));
	CHECK(svmx_pit_out(&p, 0, at(1000)));
	CHECK(svmx_pit_out(&p, 0, at(70000)));	/* stays high */
	CHECK(svmx_pit_irq0_next(&p, at(10), &exp, &per));
	CHECK(exp == at(1000) && per == 0);
	CHECK(!svmx_pit_irq0_next(&p, at(1000), &exp, &per));
	/* The count wraps and goes on. */
	CHECK(read16(&p, 0, at(1001)) == 0xffff);
	CHECK(read16(&p, 0, at(1002)) == 0xfffe);
	/* A control word: OUT low again, no edge until a count. */
	out(&p, 0x43, 0x30, at(2000));
	CHECK(!svmx_pit_out(&p, 0, at(2000)));
	CHECK(!svmx_pit_irq0_next(&p, at(2000), &exp, &per));

	/* Mode 4: strobe low for one pulse at terminal count. */
	program(&p, 0, 4, 10, T0);
	CHECK(svmx_pit_out(&p, 0, at(9)));
	CHECK(!svmx_pit_out(&p, 0, at(10)));
	CHECK(svmx_pit_out(&p, 0, at(11)));
	CHECK(svmx_pit_irq0_next(&p, T0, &exp, &per));
	CHECK(exp == at(11) && per == 0);

	/* HPET legacy replacement: no IRQ 0 from the PIT. */
	p.s.flags |= SVMX_PIT_FLAGS_HPET_LEGACY;
	CHECK(!svmx_pit_irq0_next(&p, T0, &exp, &per));
}

static void test_periodic(void)
{
	struct svmx_pit p;
	s64 exp = 0, per = 0;
	s64 late = T0 + 36000LL * 1000000000LL;	/* ten hours on */

	svmx_pit_reset(&p, T0);
	program(&p, 0, 2, 100, T0);
	CHECK(read16(&p, 0, T0) == 100);
	CHECK(read16(&p, 0, at(99)) == 1);
	CHECK(read16(&p, 0, at(100)) == 100);
	CHECK(read16(&p, 0, at(250)) == 50);
	CHECK(svmx_pit_out(&p, 0, at(98)));
	CHECK(!svmx_pit_out(&p, 0, at(99)));
	CHECK(svmx_pit_out(&p, 0, at(100)));
	CHECK(!svmx_pit_out(&p, 0, at(199)));
	CHECK(svmx_pit_irq0_next(&p, T0, &exp, &per));
	CHECK(exp == at(100));
	CHECK(per == 100LL * 1000000000 / SVMX_PIT_FREQ);
	CHECK(svmx_pit_irq0_next(&p, at(100), &exp, &per) && exp == at(200));
	CHECK(svmx_pit_irq0_next(&p, at(150), &exp, &per) && exp == at(200));
	CHECK(svmx_pit_irq0_next(&p, late, &exp, &per));
	CHECK(exp > late && exp - late <= per + 1);
	CHECK(svmx_pit_out(&p, 0, exp) && !svmx_pit_out(&p, 0, exp - 1));

	/* Mode 3, even: high 50, low 50, counting down by two. */
	program(&p, 0, 3, 100, T0);
	CHECK(read16(&p, 0, at(10)) == 80);
	CHECK(read16(&p, 0, at(60)) == 80);
	CHECK(svmx_pit_out(&p, 0, at(49)) && !svmx_pit_out(&p, 0, at(50)));
	CHECK(!svmx_pit_out(&p, 0, at(99)) && svmx_pit_out(&p, 0, at(100)));
	CHECK(svmx_pit_irq0_next(&p, at(50), &exp, &per) && exp == at(100));
	/* Odd: high (N + 1) / 2, low (N - 1) / 2. */
	program(&p, 0, 3, 5, T0);
	CHECK(svmx_pit_out(&p, 0, at(2)) && !svmx_pit_out(&p, 0, at(3)));
	CHECK(!svmx_pit_out(&p, 0, at(4)) && svmx_pit_out(&p, 0, at(5)));
	CHECK(read16(&p, 0, at(0)) == 4 && read16(&p, 0, at(1)) == 2);
	CHECK(svmx_pit_irq0_next(&p, at(7), &exp, &per) && exp == at(10));
}

static void test_count_zero(void)
{
	struct svmx_pit p;
	s64 exp, per;

	svmx_pit_reset(&p, T0);
	program(&p, 0, 2, 0, T0);
	CHECK(p.s.channels[0].count == 0x10000);
	CHECK(read16(&p, 0, T0) == 0);		/* 65536 shows as 0 */
	CHECK(read16(&p, 0, at(1)) == 0xffff);
	CHECK(svmx_pit_irq0_next(&p, T0, &exp, &per) && exp == at(65536));
	CHECK(per == 65536LL * 1000000000 / SVMX_PIT_FREQ);

	/* BCD: 0 is 10000, and the counter reads in BCD. */
	out(&p, 0x43, 0x35, T0);		/* mode 2, BCD */
	out(&p, 0x40, 0, T0);
	out(&p, 0x40, 0, T0);
	CHECK(svmx_pit_irq0_next(&p, T0, &exp, &per) && exp == at(10000));
	CHECK(read16(&p, 0, at(1)) == 0x9999);
	out(&p, 0x43, 0x31, T0);		/* mode 0, BCD */
	out(&p, 0x40, 0x00, T0);
	out(&p, 0x40, 0x01, T0);		/* 100 */
	CHECK(read16(&p, 0, at(1)) == 0x0099);
	CHECK(read16(&p, 0, at(100)) == 0x0000);
	CHECK(read16(&p, 0, at(101)) == 0x9999);
	CHECK(svmx_pit_irq0_next(&p, T0, &exp, &per) && exp == at(100));
}

static void test_gate(void)
{
	struct svmx_pit p;
	s64 t;

	svmx_pit_reset(&p, T0);
	/* Mode 1: a rising gate triggers; OUT low until terminal count. */
	program(&p, 2, 1, 100, T0);
	CHECK(svmx_pit_out(&p, 2, at(500)));
	CHECK(read16(&p, 2, at(500)) == 100);	/* not counting */
	t = at(1000);
	out(&p, 0x61, 1, t);
	CHECK(!svmx_pit_out(&p, 2, t));
	CHECK(read16(&p, 2, after(t, 40)) == 60);
	CHECK(!svmx_pit_out(&p, 2, after(t, 99)));
	CHECK(svmx_pit_out(&p, 2, after(t, 100)));
	out(&p, 0x61, 0, after(t, 50));		/* low: no effect */
	CHECK(read16(&p, 2, after(t, 60)) == 40);
	t = after(t, 70);
	out(&p, 0x61, 1, t);			/* retrigger */
	CHECK(!svmx_pit_out(&p, 2, after(t, 30)));
	CHECK(!svmx_pit_out(&p, 2, after(t, 99)));
	CHECK(svmx_pit_out(&p, 2, after(t, 100)));

	/* Mode 5: triggered, strobe low at terminal count. */
	out(&p, 0x61, 0, T0);
	program(&p, 2, 5, 10, T0);
	CHECK(svmx_pit_out(&p, 2, at(10)));
	t = at(20);
	out(&p, 0x61, 1, t);
	CHECK(svmx_pit_out(&p, 2, after(t, 9)));
	CHECK(!svmx_pit_out(&p, 2, after(t, 10)));
	CHECK(svmx_pit_out(&p, 2, after(t, 11)));

	/* Mode 0: counting suspended while the gate is low. */
	out(&p, 0x61, 1, T0);
	program(&p, 2, 0, 1000, T0);
	out(&p, 0x61, 0, at(100));
	CHECK(read16(&p, 2, at(500)) == 900);
	t = at(500);
	out(&p, 0x61, 1, t);
	CHECK(read16(&p, 2, after(t, 100)) == 800);
	CHECK(!svmx_pit_out(&p, 2, after(t, 899)));
	CHECK(svmx_pit_out(&p, 2, after(t, 900)));
	/* A count written while the gate is low waits for it. */
	out(&p, 0x61, 0, T0);
	program(&p, 2, 0, 1000, T0);
	CHECK(read16(&p, 2, at(300)) == 1000);
	t = at(300);
	out(&p, 0x61, 1, t);
	CHECK(read16(&p, 2, after(t, 100)) == 900);

	/* Mode 4 likewise. */
	program(&p, 2, 4, 100, T0);
	out(&p, 0x61, 0, at(50));
	CHECK(svmx_pit_out(&p, 2, at(100)));
	t = at(200);
	out(&p, 0x61, 1, t);
	CHECK(svmx_pit_out(&p, 2, after(t, 49)));
	CHECK(!svmx_pit_out(&p, 2, after(t, 50)));

	/* Mode 2: gate low stops it with OUT high; rising reloads. */
	program(&p, 2, 2, 100, T0);
	out(&p, 0x61, 0, at(99));
	CHECK(svmx_pit_out(&p, 2, at(99)));
	CHECK(read16(&p, 2, at(150)) == 1);
	t = at(300);
	out(&p, 0x61, 1, t);
	CHECK(read16(&p, 2, after(t, 10)) == 90);
	CHECK(!svmx_pit_out(&p, 2, after(t, 99)));

	/* Mode 3 likewise. */
	program(&p, 2, 3, 100, T0);
	out(&p, 0x61, 0, at(60));
	CHECK(svmx_pit_out(&p, 2, at(70)));
	t = at(80);
	out(&p, 0x61, 1, t);
	CHECK(svmx_pit_out(&p, 2, after(t, 49)));
	CHECK(!svmx_pit_out(&p, 2, after(t, 50)));

	/* Counter 0's gate moves its IRQ 0 schedule. */
	svmx_pit_take_fx(&p);
	svmx_pit_set_gate(&p, 0, false, T0);
	CHECK(svmx_pit_take_fx(&p) == SVMX_PIT_FX_IRQ0);
}

static void test_port61(void)
{
	struct svmx_pit p;
	s64 t = 7LL << 14;		/* the refresh bit is set */

	svmx_pit_reset(&p, T0);
	CHECK((in(&p, 0x61, t) & ~0x10) == 0);
	out(&p, 0x61, 0x03, t);
	CHECK(p.s.channels[2].gate == 1);
	CHECK(p.s.flags & SVMX_PIT_FLAGS_SPEAKER_DATA_ON);
	CHECK(in(&p, 0x61, t) == 0x13);
	CHECK(in(&p, 0x61, t + (1 << 14)) == 0x03);
	out(&p, 0x61, 0x01, t);
	CHECK(!(p.s.flags & SVMX_PIT_FLAGS_SPEAKER_DATA_ON));
	CHECK(in(&p, 0x61, t) == 0x11);
	/* Bits 2, 3, 6, 7 are not kept. */
	out(&p, 0x61, 0xfd, t);
	CHECK(in(&p, 0x61, t) == 0x11);

	/* OUT2, as Linux's PIT calibration polls it. */
	out(&p, 0x61, 0x01, T0);
	program(&p, 2, 0, 500, T0);
	CHECK(!(in(&p, 0x61, at(499)) & 0x20));
	CHECK(in(&p, 0x61, at(500)) & 0x20);
	out(&p, 0x43, 0xb6, at(500));
	out(&p, 0x42, 4, at(500));
	out(&p, 0x42, 0, at(500));
	CHECK(in(&p, 0x61, after(at(500), 1)) & 0x20);
	CHECK(!(in(&p, 0x61, after(at(500), 2)) & 0x20));
}

static void test_state_roundtrip(void)
{
	struct svmx_pit p, q;
	struct svmx_pit_state st, st2;
	s64 later = at(100000), exp, per;
	unsigned int n;

	svmx_pit_reset(&p, T0);
	program(&p, 0, 2, 1000, T0);
	out(&p, 0x43, 0x50, T0);
	out(&p, 0x41, 200, T0);
	out(&p, 0x43, 0x40, at(10));		/* counter 1's count latched */
	out(&p, 0x61, 0x02, T0);
	out(&p, 0x43, 0xb4, T0);
	out(&p, 0x43, 0xe8, at(10));		/* counter 2's status latched */
	out(&p, 0x42, 0x22, T0);		/* half a count */
	in(&p, 0x40, at(10));			/* read flip-flop on the MSB */
	svmx_pit_get_state(&p, &st);
	CHECK(st.channels[0].read_state == SVMX_PIT_RW_WORD1);
	CHECK(st.channels[1].count_latched == SVMX_PIT_RW_LSB);
	CHECK(st.channels[1].latched_count == 190);
	CHECK(st.channels[2].status_latched && st.channels[2].status == 0xf4);
	CHECK(st.channels[2].write_state == SVMX_PIT_RW_WORD1);
	CHECK(st.channels[2].write_latch == 0x22);
	CHECK(st.flags == SVMX_PIT_FLAGS_SPEAKER_DATA_ON);

	svmx_pit_reset(&q, T0);
	svmx_pit_take_fx(&q);
	svmx_pit_set_state(&q, &st, later);
	CHECK(svmx_pit_take_fx(&q) == SVMX_PIT_FX_IRQ0);
	svmx_pit_get_state(&q, &st2);
	for (n = 0; n < 3; n++) {
		CHECK(st2.channels[n].count_load_time == later);
		st2.channels[n].count_load_time = st.channels[n].count_load_time;
	}
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	/* The counters start over at the set, as KVM. */
	CHECK(in(&q, 0x40, later) == 1000 >> 8);
	CHECK(in(&q, 0x41, later) == 190);
	CHECK(in(&q, 0x41, at(100010)) == 190);
	CHECK(svmx_pit_irq0_next(&q, later, &exp, &per));
	CHECK(exp == later + (s64)(at(1000) - T0));
	CHECK(in(&q, 0x42, later) == 0xf4);

	/* Every field goes through unchanged, but count_load_time. */
	memset(&st, 0, sizeof(st));
	for (n = 0; n < 3; n++) {
		st.channels[n].count = 0x1234 + n;
		st.channels[n].latched_count = 0x4321 + n;
		st.channels[n].count_latched = 3;
		st.channels[n].status_latched = 1;
		st.channels[n].status = 0x35 + n;
		st.channels[n].read_state = 4;
		st.channels[n].write_state = 3;
		st.channels[n].write_latch = 0x77 + n;
		st.channels[n].rw_mode = 3;
		st.channels[n].mode = n + 1;
		st.channels[n].bcd = 1;
		st.channels[n].gate = n & 1;
		st.channels[n].count_load_time = later;
	}
	st.flags = SVMX_PIT_FLAGS_HPET_LEGACY;
	svmx_pit_set_state(&q, &st, later);
	svmx_pit_get_state(&q, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	CHECK(!svmx_pit_irq0_next(&q, later, &exp, &per));
}

static const struct tap_case cases[] = {
	{ "reset_and_control_word", test_reset_and_control_word },
	{ "rw_sequences", test_rw_sequences },
	{ "counter_latch", test_counter_latch },
	{ "read_back", test_read_back },
	{ "mode0_terminal_count", test_mode0_terminal_count },
	{ "periodic", test_periodic },
	{ "count_zero", test_count_zero },
	{ "gate", test_gate },
	{ "port61", test_port61 },
	{ "state_roundtrip", test_state_roundtrip },
};

int main(void)
{
	return TAP_RUN_CASES(cases);
}
