// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the I/O APIC register model (module/ioapic.c), built for
 * userspace. Each case sets up an IOAPIC whose send function records the
 * messages, and checks what the 82093AA datasheet (section 3) and KVM's
 * IOAPIC make observable: reset state, the ID/version/arbitration
 * registers, the redirection entries' read-only bits, masking, edge and
 * level delivery, remote IRR and EOI, the messages' destination fields and
 * the KVM_GET/SET_IRQCHIP state.
 */
#include <stdio.h>
#include <string.h>

#include "ioapic.h"
#include "tap.h"

/* The send function's record: how many messages, the last one. */
struct sent {
	unsigned int n;
	struct svmx_apic_irq last;
	int ret;		/* what the send function returns */
};

static int record(void *opaque, const struct svmx_apic_irq *irq)
{
	struct sent *s = opaque;

	s->n++;
	s->last = *irq;
	return s->ret;
}

static void setup(struct svmx_ioapic *io, struct sent *s)
{
	memset(s, 0, sizeof(*s));
	s->ret = 1;
	memset(io, 0x5a, sizeof(*io));	/* reset must set every field */
	svmx_ioapic_init(io, record, s);
}

static u32 rd(struct svmx_ioapic *io, u32 reg)
{
	svmx_ioapic_mmio_write(io, SVMX_IOAPIC_IOREGSEL, reg);
	return svmx_ioapic_mmio_read(io, SVMX_IOAPIC_IOWIN);
}

static u32 wr(struct svmx_ioapic *io, u32 reg, u32 val)
{
	svmx_ioapic_mmio_write(io, SVMX_IOAPIC_IOREGSEL, reg);
	return svmx_ioapic_mmio_write(io, SVMX_IOAPIC_IOWIN, val);
}

#define LO(pin) (SVMX_IOAPIC_REG_REDTBL + 2 * (pin))
#define HI(pin) (SVMX_IOAPIC_REG_REDTBL + 2 * (pin) + 1)

#define MASKED	((u32)SVMX_IOAPIC_RTE_MASKED)
#define LEVEL	((u32)SVMX_IOAPIC_RTE_LEVEL)
#define RIRR	((u32)SVMX_IOAPIC_RTE_REMOTE_IRR)
#define DELIVS	((u32)SVMX_IOAPIC_RTE_DELIVS)
#define LOGICAL	((u32)SVMX_IOAPIC_RTE_LOGICAL)

/* Program pin @pin: low dword @lo, destination @dest (physical APIC ID). */
static void program(struct svmx_ioapic *io, u32 pin, u32 lo, u8 dest)
{
	wr(io, HI(pin), (u32)dest << 24);
	wr(io, LO(pin), lo);
}

static void test_reset_state(void)
{
	struct svmx_ioapic_state st;
	struct svmx_ioapic io;
	struct sent s;
	u32 pin;

	setup(&io, &s);
	CHECK(svmx_ioapic_mmio_read(&io, SVMX_IOAPIC_IOREGSEL) == 0);
	CHECK(svmx_ioapic_mmio_read(&io, SVMX_IOAPIC_IOWIN) == 0);	/* ID */
	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++) {
		CHECK(rd(&io, LO(pin)) == MASKED);
		CHECK(rd(&io, HI(pin)) == 0);
	}
	svmx_ioapic_get_state(&io, &st);
	CHECK(st.base_address == 0xfec00000ULL);
	CHECK(st.id == 0 && st.irr == 0 && st.pad == 0);
	CHECK(st.ioregsel == HI(23));
	/* Reset masks entries and forgets the lines. */
	wr(&io, LO(3), 0x30);
	svmx_ioapic_set_irq(&io, 3, true);
	CHECK(s.n == 1);
	svmx_ioapic_reset(&io);
	CHECK(rd(&io, LO(3)) == MASKED);
	svmx_ioapic_get_state(&io, &st);
	CHECK(st.irr == 0);
	CHECK(s.n == 1);
}

static void test_id_version_arb(void)
{
	struct svmx_ioapic_state st;
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	CHECK(rd(&io, SVMX_IOAPIC_REG_VERSION) == (0x11 | (23 << 16)));
	wr(&io, SVMX_IOAPIC_REG_VERSION, 0);
	CHECK(rd(&io, SVMX_IOAPIC_REG_VERSION) == 0x170011);

	/* ID: bits 27:24 only; the arbitration ID follows it (3.2.1). */
	wr(&io, SVMX_IOAPIC_REG_ID, 0xfa123456);
	CHECK(rd(&io, SVMX_IOAPIC_REG_ID) == 0x0a000000);
	CHECK(rd(&io, SVMX_IOAPIC_REG_ARB) == 0x0a000000);
	svmx_ioapic_get_state(&io, &st);
	CHECK(st.id == 0x0a);
	wr(&io, SVMX_IOAPIC_REG_ARB, 0x03000000);	/* read-only */
	CHECK(rd(&io, SVMX_IOAPIC_REG_ARB) == 0x0a000000);
	CHECK(rd(&io, SVMX_IOAPIC_REG_ID) == 0x0a000000);

	/* IOREGSEL has 8 bits (3.1.1); no register reads all ones. */
	svmx_ioapic_mmio_write(&io, SVMX_IOAPIC_IOREGSEL, 0x1234501);
	CHECK(svmx_ioapic_mmio_read(&io, SVMX_IOAPIC_IOREGSEL) == 0x01);
	CHECK(svmx_ioapic_mmio_read(&io, SVMX_IOAPIC_IOWIN) == 0x170011);
	CHECK(rd(&io, 0x03) == 0xffffffff);
	CHECK(rd(&io, 0x0f) == 0xffffffff);
	CHECK(rd(&io, 0x40) == 0xffffffff);
	CHECK(rd(&io, 0xff) == 0xffffffff);
	wr(&io, 0x40, 0);	/* ignored */
	CHECK(rd(&io, LO(23)) == MASKED);

	/* Only 0x00 and 0x10 decode: no EOI register at 0x40. */
	CHECK(svmx_ioapic_mmio_read(&io, 0x40) == 0);
	CHECK(svmx_ioapic_mmio_read(&io, 0x04) == 0);
	CHECK(svmx_ioapic_mmio_read(&io, 0x20) == 0);
	/* The window repeats every 0x100 bytes, as KVM masks the offset. */
	CHECK(svmx_ioapic_mmio_read(&io, 0x100) == LO(23));
}

static void test_rte_read_only_bits(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	/* Delivery status and remote IRR do not take writes (3.2.4). */
	wr(&io, LO(5), 0xffffffff);
	CHECK(rd(&io, LO(5)) == (0xffffffff & ~(DELIVS | RIRR)));
	wr(&io, HI(5), 0xffffffff);
	CHECK(rd(&io, HI(5)) == 0xffffffff);	/* kept, as KVM */
	wr(&io, HI(5), 0x01000000);
	CHECK(rd(&io, HI(5)) == 0x01000000);

	/* Remote IRR set by a level delivery survives writes... */
	program(&io, 6, LEVEL | 0x41, 0);
	svmx_ioapic_set_irq(&io, 6, true);
	CHECK(rd(&io, LO(6)) == (LEVEL | RIRR | 0x41));
	wr(&io, LO(6), LEVEL | 0x42);
	CHECK(rd(&io, LO(6)) == (LEVEL | RIRR | 0x42));
	wr(&io, HI(6), 0x02000000);
	CHECK(rd(&io, LO(6)) == (LEVEL | RIRR | 0x42));
	CHECK(s.n == 1);
	/* ...but not a switch to edge, which clears it. */
	wr(&io, LO(6), 0x42);
	CHECK(rd(&io, LO(6)) == 0x42);
	CHECK(s.n == 1);
}

static void test_masking(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	/* A masked edge is not sent, and unmasking does not send it. */
	program(&io, 1, MASKED | 0x31, 0);
	CHECK(svmx_ioapic_set_irq(&io, 1, true) == -1);
	CHECK(s.n == 0);
	CHECK(wr(&io, LO(1), 0x31) == 1U << 1);		/* mask changed */
	CHECK(s.n == 0);
	CHECK(wr(&io, LO(1), 0x32) == 0);		/* mask unchanged */
	CHECK(svmx_ioapic_set_irq(&io, 1, false) == 1);
	CHECK(svmx_ioapic_set_irq(&io, 1, true) == 1);
	CHECK(s.n == 1 && s.last.vector == 0x32);

	/* A masked level line is not sent either, and takes no remote IRR. */
	program(&io, 9, MASKED | LEVEL | 0x39, 0);
	CHECK(svmx_ioapic_set_irq(&io, 9, true) == -1);
	CHECK(s.n == 1);
	CHECK(rd(&io, LO(9)) == (MASKED | LEVEL | 0x39));
	/* Masking after delivery keeps remote IRR until the EOI. */
	CHECK(svmx_ioapic_set_irq(&io, 9, false) == 1);
	wr(&io, LO(9), LEVEL | 0x39);
	CHECK(svmx_ioapic_set_irq(&io, 9, true) == 1);
	CHECK(wr(&io, LO(9), MASKED | LEVEL | 0x39) == 1U << 9);
	CHECK(rd(&io, LO(9)) == (MASKED | LEVEL | RIRR | 0x39));
	CHECK(svmx_ioapic_eoi(&io, 0x39) == 1U << 9);
	CHECK(rd(&io, LO(9)) == (MASKED | LEVEL | 0x39));
	CHECK(s.n == 2);	/* still asserted, but masked */

	/* Pins out of range are refused. */
	CHECK(svmx_ioapic_set_irq(&io, 24, true) == -1);
	CHECK(s.n == 2);
}

static void test_edge_delivery(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	program(&io, 4, 0x34, 1);
	CHECK(svmx_ioapic_set_irq(&io, 4, true) == 1);
	CHECK(s.n == 1);
	CHECK(!s.last.level && s.last.assert && s.last.vector == 0x34);
	/* No de-assertion in between: no edge, coalesced. */
	CHECK(svmx_ioapic_set_irq(&io, 4, true) == 0);
	CHECK(s.n == 1);
	CHECK(svmx_ioapic_set_irq(&io, 4, false) == 1);
	CHECK(svmx_ioapic_set_irq(&io, 4, false) == 1);
	CHECK(s.n == 1);
	/* Each rising edge is sent; the send result is the status. */
	s.ret = 3;
	CHECK(svmx_ioapic_set_irq(&io, 4, true) == 3);
	CHECK(s.n == 2);
	svmx_ioapic_set_irq(&io, 4, false);
	s.ret = -1;
	CHECK(svmx_ioapic_set_irq(&io, 4, true) == -1);
	CHECK(s.n == 3);
	/* Edge entries take no remote IRR, whatever the send result. */
	CHECK(rd(&io, LO(4)) == 0x34);
	/* Other pins are independent. */
	program(&io, 5, 0x35, 1);
	s.ret = 1;
	CHECK(svmx_ioapic_set_irq(&io, 5, true) == 1);
	CHECK(s.n == 4 && s.last.vector == 0x35);
}

static void test_level_remote_irr(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	program(&io, 10, LEVEL | 0x50, 2);
	CHECK(svmx_ioapic_set_irq(&io, 10, true) == 1);
	CHECK(s.n == 1 && s.last.level && s.last.assert);
	CHECK(rd(&io, LO(10)) & RIRR);
	/* Waiting for the EOI: not sent again. */
	CHECK(svmx_ioapic_set_irq(&io, 10, true) == -1);
	CHECK(svmx_ioapic_set_irq(&io, 10, false) == 1);
	CHECK(svmx_ioapic_set_irq(&io, 10, true) == -1);
	CHECK(s.n == 1);
	CHECK(rd(&io, LO(10)) & RIRR);

	/* Nobody took it (send returns 0): no remote IRR, sent again. */
	program(&io, 11, LEVEL | 0x51, 3);
	s.ret = 0;
	CHECK(svmx_ioapic_set_irq(&io, 11, true) == 0);
	CHECK(!(rd(&io, LO(11)) & RIRR));
	CHECK(s.n == 2);
	CHECK(svmx_ioapic_set_irq(&io, 11, true) == 0);
	CHECK(s.n == 3);
	/* A write of the asserted level entry sends it (remote IRR clear). */
	s.ret = 1;
	wr(&io, HI(11), 4U << 24);
	CHECK(s.n == 4 && s.last.dest == 4);
	CHECK(rd(&io, LO(11)) & RIRR);
	wr(&io, HI(11), 5U << 24);
	CHECK(s.n == 4);

	/* No destination (< 0): remote IRR is set all the same, as KVM. */
	program(&io, 12, LEVEL | 0x52, 9);
	s.ret = -1;
	CHECK(svmx_ioapic_set_irq(&io, 12, true) == -1);
	CHECK(s.n == 5);
	CHECK(rd(&io, LO(12)) & RIRR);
}

static void test_eoi_redelivery(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	program(&io, 16, LEVEL | 0x60, 0);
	program(&io, 17, LEVEL | 0x60, 1);
	program(&io, 18, LEVEL | 0x61, 2);
	svmx_ioapic_set_irq(&io, 16, true);
	svmx_ioapic_set_irq(&io, 18, true);
	CHECK(s.n == 2);

	/* Line still asserted: the EOI sends it again. */
	CHECK(svmx_ioapic_eoi(&io, 0x60) == ((1U << 16) | (1U << 17)));
	CHECK(s.n == 3 && s.last.dest == 0 && s.last.vector == 0x60);
	CHECK(rd(&io, LO(16)) & RIRR);
	CHECK(!(rd(&io, LO(17)) & RIRR));
	/* Another vector's entry keeps its remote IRR. */
	CHECK(rd(&io, LO(18)) & RIRR);

	/* De-asserted: the EOI only clears remote IRR. */
	svmx_ioapic_set_irq(&io, 16, false);
	CHECK(svmx_ioapic_eoi(&io, 0x60) == ((1U << 16) | (1U << 17)));
	CHECK(s.n == 3);
	CHECK(!(rd(&io, LO(16)) & RIRR));
	/* The next assertion is sent at once. */
	CHECK(svmx_ioapic_set_irq(&io, 16, true) == 1);
	CHECK(s.n == 4);

	/* Masked while waiting: the EOI clears remote IRR, sends nothing. */
	wr(&io, LO(18), MASKED | LEVEL | 0x61);
	CHECK(svmx_ioapic_eoi(&io, 0x61) == 1U << 18);
	CHECK(s.n == 4);
	CHECK(rd(&io, LO(18)) == (MASKED | LEVEL | 0x61));
}

static void test_eoi_no_level_entry(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	program(&io, 2, 0x70, 0);		/* edge, same vector */
	program(&io, 3, LEVEL | 0x71, 0);
	svmx_ioapic_set_irq(&io, 2, true);
	svmx_ioapic_set_irq(&io, 3, true);
	CHECK(s.n == 2);
	/* No level entry has the vector: nothing happens. */
	CHECK(svmx_ioapic_eoi(&io, 0x70) == 0);
	CHECK(svmx_ioapic_eoi(&io, 0x99) == 0);
	CHECK(s.n == 2);
	CHECK(rd(&io, LO(2)) == 0x70);
	CHECK(rd(&io, LO(3)) == (LEVEL | RIRR | 0x71));
	/* The masked-off reset entries have vector 0: no EOI for them. */
	CHECK(svmx_ioapic_eoi(&io, 0) == 0);
	/* A write at 0x40 is no EOI on this version. */
	svmx_ioapic_mmio_write(&io, 0x40, 0x71);
	CHECK(rd(&io, LO(3)) == (LEVEL | RIRR | 0x71));
	CHECK(s.n == 2);
}

static void test_unmask_asserted_level(void)
{
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	program(&io, 20, MASKED | LEVEL | 0x80, 6);
	CHECK(svmx_ioapic_set_irq(&io, 20, true) == -1);
	CHECK(s.n == 0);
	CHECK(wr(&io, LO(20), LEVEL | 0x80) == 1U << 20);
	CHECK(s.n == 1);
	CHECK(s.last.vector == 0x80 && s.last.level && s.last.dest == 6);
	CHECK(rd(&io, LO(20)) & RIRR);

	/* Asserted and de-asserted while masked: nothing on unmask. */
	program(&io, 21, MASKED | LEVEL | 0x81, 6);
	svmx_ioapic_set_irq(&io, 21, true);
	svmx_ioapic_set_irq(&io, 21, false);
	wr(&io, LO(21), LEVEL | 0x81);
	CHECK(s.n == 1);
	CHECK(!(rd(&io, LO(21)) & RIRR));
}

static void test_destination_fields(void)
{
	struct svmx_apic_irq irq;
	struct svmx_ioapic io;
	struct sent s;

	setup(&io, &s);
	/* Physical, fixed. */
	program(&io, 0, 0x23, 0x05);
	svmx_ioapic_set_irq(&io, 0, true);
	CHECK(s.n == 1);
	CHECK(s.last.dest == 0x05 && !s.last.dest32 && !s.last.logical);
	CHECK(s.last.mode == SVMX_APIC_DM_FIXED && s.last.vector == 0x23);
	CHECK(!s.last.level && s.last.assert);
	CHECK(s.last.shorthand == SVMX_APIC_SHORT_NONE);

	/* Logical, lowest priority, level: all 8 destination bits. */
	program(&io, 7, LOGICAL | SVMX_APIC_DM_LOWEST | LEVEL | 0xa7, 0xc3);
	svmx_ioapic_set_irq(&io, 7, true);
	CHECK(s.n == 2);
	CHECK(s.last.dest == 0xc3 && !s.last.dest32 && s.last.logical);
	CHECK(s.last.mode == SVMX_APIC_DM_LOWEST && s.last.vector == 0xa7);
	CHECK(s.last.level && s.last.assert);
	CHECK(s.last.shorthand == SVMX_APIC_SHORT_NONE);

	/* Physical broadcast NMI; ExtINT carries its mode. */
	program(&io, 8, SVMX_APIC_DM_NMI, 0xff);
	svmx_ioapic_set_irq(&io, 8, true);
	CHECK(s.n == 3 && s.last.dest == 0xff && !s.last.logical);
	CHECK(s.last.mode == SVMX_APIC_DM_NMI);
	program(&io, 13, SVMX_APIC_DM_EXTINT, 0);
	svmx_ioapic_pin_irq(&io, 13, &irq);
	CHECK(irq.mode == SVMX_APIC_DM_EXTINT && irq.dest == 0);
	/* Polarity is stored, not used: asserted is asserted. */
	program(&io, 14, SVMX_IOAPIC_RTE_POLARITY | 0x44, 1);
	CHECK(svmx_ioapic_set_irq(&io, 14, true) == 1);
	CHECK(s.n == 4 && s.last.vector == 0x44);
	CHECK(rd(&io, LO(14)) == ((u32)SVMX_IOAPIC_RTE_POLARITY | 0x44));
}

static void test_state_round_trip(void)
{
	struct svmx_ioapic_state st, st2;
	struct svmx_ioapic io, io2;
	struct sent s, s2;
	u32 pin;

	setup(&io, &s);
	wr(&io, SVMX_IOAPIC_REG_ID, 0x03000000);
	program(&io, 0, 0x20, 1);			/* edge, sent */
	program(&io, 1, MASKED | 0x21, 1);		/* edge, masked */
	program(&io, 2, LEVEL | 0x22, 2);		/* level, remote IRR */
	program(&io, 3, LEVEL | 0x23, 2);		/* level, asserted, no IRR */
	program(&io, 4, 0x24, 3);			/* edge, coalesced */
	svmx_ioapic_set_irq(&io, 0, true);
	svmx_ioapic_set_irq(&io, 1, true);
	svmx_ioapic_set_irq(&io, 2, true);
	svmx_ioapic_set_irq(&io, 4, true);
	svmx_ioapic_set_irq(&io, 4, true);
	s.ret = 0;
	svmx_ioapic_set_irq(&io, 3, true);
	CHECK(s.n == 4);
	svmx_ioapic_mmio_write(&io, SVMX_IOAPIC_IOREGSEL, LO(7));

	svmx_ioapic_get_state(&io, &st);
	CHECK(st.id == 3);
	CHECK(st.ioregsel == LO(7));
	CHECK(st.base_address == SVMX_IOAPIC_DEFAULT_BASE);
	/* Sent edges are not pending; the masked and coalesced ones are. */
	CHECK(st.irr == ((1U << 1) | (1U << 2) | (1U << 3) | (1U << 4)));
	CHECK(st.redirtbl[0] == (0x20 | (1ULL << 56)));
	CHECK(st.redirtbl[2] == (LEVEL | RIRR | 0x22 | (2ULL << 56)));
	CHECK(st.redirtbl[3] == (LEVEL | 0x23 | (2ULL << 56)));
	CHECK(st.redirtbl[5] == SVMX_IOAPIC_RTE_MASKED);

	/* Setting it: the pending lines are asserted again. */
	setup(&io2, &s2);
	svmx_ioapic_set_state(&io2, &st);
	/* Pin 3 (level, no remote IRR) and pin 4 (edge) are sent. */
	CHECK(s2.n == 2);
	CHECK(rd(&io2, LO(3)) & RIRR);
	CHECK(rd(&io2, SVMX_IOAPIC_REG_ID) == 0x03000000);
	svmx_ioapic_get_state(&io2, &st2);
	CHECK(st2.irr == ((1U << 1) | (1U << 2) | (1U << 3)));
	st.ioregsel = SVMX_IOAPIC_REG_ID;	/* rd() moved it */
	st.irr = st2.irr;
	st.redirtbl[3] |= RIRR;
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	/* Masked pin 1 was not sent; an EOI of pin 2's vector works. */
	CHECK(svmx_ioapic_eoi(&io2, 0x22) == 1U << 2);
	CHECK(s2.n == 3 && s2.last.vector == 0x22);

	/* Everything a set takes comes back, read-only bits too. */
	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++)
		st.redirtbl[pin] = 0x0100000000001000ULL | MASKED | pin;
	st.redirtbl[9] |= RIRR | LEVEL;
	st.irr = 0;
	st.id = 7;
	st.ioregsel = 0x12;
	st.base_address = 0xfec01000ULL;
	svmx_ioapic_set_state(&io2, &st);
	svmx_ioapic_get_state(&io2, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	CHECK(svmx_ioapic_mmio_read(&io2, SVMX_IOAPIC_IOWIN) == (DELIVS | MASKED | 1));
}

static const struct tap_case cases[] = {
	{ "reset_state", test_reset_state },
	{ "id_version_arb", test_id_version_arb },
	{ "rte_read_only_bits", test_rte_read_only_bits },
	{ "masking", test_masking },
	{ "edge_delivery", test_edge_delivery },
	{ "level_remote_irr", test_level_remote_irr },
	{ "eoi_redelivery", test_eoi_redelivery },
	{ "eoi_no_level_entry", test_eoi_no_level_entry },
	{ "unmask_asserted_level", test_unmask_asserted_level },
	{ "destination_fields", test_destination_fields },
	{ "state_round_trip", test_state_round_trip },
};

int main(void)
{
	return TAP_RUN_CASES(cases);
}
