// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the cascaded 8259A model (module/pic.c), built for
 * userspace. Each case programs the PICs through their ports as a guest
 * would and checks what the 8259A datasheet (and KVM, where it decides)
 * says must happen: the ICW1-ICW4 sequence, masking, priorities and the
 * cascade, edge and level triggering, EOI and rotation, spurious IRQ 7 and
 * 15, poll, status reads, special mask mode, the ELCR and the state that
 * KVM_GET/SET_IRQCHIP carry.
 */
#include <stdio.h>
#include <string.h>

#include "pic.h"
#include "tap.h"

#define MBASE	0x20	/* vectors as Linux programs them */
#define SBASE	0x28

static void out(struct svmx_pic *p, u16 port, u8 val)
{
	CHECK(svmx_pic_ioport_write(p, port, val) == 0);
}

static u8 in(struct svmx_pic *p, u16 port)
{
	u8 v = 0xa5;

	CHECK(svmx_pic_ioport_read(p, port, &v) == 0);
	return v;
}

/* ICW1-ICW4 on both chips, as Linux's init_8259A(); all unmasked. */
static void init_pics(struct svmx_pic *p, u8 icw4)
{
	svmx_pic_reset(p);
	out(p, 0x20, 0x11);
	out(p, 0x21, MBASE);
	out(p, 0x21, 1 << 2);		/* slave on IR2 */
	out(p, 0x21, icw4);
	out(p, 0xa0, 0x11);
	out(p, 0xa1, SBASE);
	out(p, 0xa1, 2);		/* slave ID 2 */
	out(p, 0xa1, icw4);
	svmx_pic_take_fx(p, NULL, NULL);
}

static void pulse(struct svmx_pic *p, unsigned int irq)
{
	svmx_pic_set_irq(p, irq, true);
	svmx_pic_set_irq(p, irq, false);
}

static u8 read_isr(struct svmx_pic *p, u16 cmd)
{
	u8 v;

	out(p, cmd, 0x0b);
	v = in(p, cmd);
	out(p, cmd, 0x0a);
	return v;
}

static void test_init_sequence(void)
{
	struct svmx_pic p;
	u16 eoi, imr;

	svmx_pic_reset(&p);
	CHECK(p.chip[0].elcr_mask == 0xf8 && p.chip[1].elcr_mask == 0xde);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0x21, 0xff);			/* OCW1 before any ICW */
	CHECK(in(&p, 0x21) == 0xff);
	svmx_pic_take_fx(&p, NULL, NULL);

	/* ICW1 clears the IMR; the data port then takes ICW2-ICW4. */
	out(&p, 0x20, 0x11);
	CHECK(p.chip[0].init_state == 1 && p.chip[0].init4);
	CHECK(in(&p, 0x21) == 0);
	CHECK(svmx_pic_take_fx(&p, NULL, &imr) == SVMX_PIC_FX_IMR);
	CHECK(imr == 0x00ff);
	out(&p, 0x21, 0x37);			/* ICW2: T7-T3 only */
	CHECK(p.chip[0].irq_base == 0x30 && p.chip[0].init_state == 2);
	out(&p, 0x21, 0x04);			/* ICW3 */
	CHECK(p.chip[0].init_state == 3);
	CHECK(in(&p, 0x21) == 0);		/* not an OCW1 */
	out(&p, 0x21, 0x03);			/* ICW4: AEOI, 8086 */
	CHECK(p.chip[0].init_state == 0 && p.chip[0].auto_eoi);
	CHECK(!p.chip[0].special_fully_nested_mode);
	out(&p, 0x21, 0xfe);			/* OCW1 now */
	CHECK(in(&p, 0x21) == 0xfe);

	/* Auto-EOI: acknowledged, never in service; the EOI is reported. */
	svmx_pic_take_fx(&p, NULL, NULL);
	pulse(&p, 0);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == 0x30);
	CHECK(p.chip[0].isr == 0 && p.chip[0].irr == 0);
	CHECK(svmx_pic_take_fx(&p, &eoi, NULL) ==
	      (SVMX_PIC_FX_KICK | SVMX_PIC_FX_EOI));
	CHECK(eoi == 1);

	/* Without IC4: ICW3 ends the sequence and the ICW4 modes clear. */
	out(&p, 0x20, 0x10);
	CHECK(!p.chip[0].init4 && !p.chip[0].auto_eoi);
	out(&p, 0x21, 0x48);
	out(&p, 0x21, 0x04);
	CHECK(p.chip[0].init_state == 0 && p.chip[0].irq_base == 0x48);
	out(&p, 0x21, 0x12);			/* OCW1, not ICW4 */
	CHECK(in(&p, 0x21) == 0x12 && !p.chip[0].auto_eoi);

	/* Special fully nested mode from ICW4. */
	init_pics(&p, 0x11);
	CHECK(p.chip[0].special_fully_nested_mode && !p.chip[0].auto_eoi);
	CHECK(p.chip[1].irq_base == SBASE);
}

static void test_imr_masking(void)
{
	struct svmx_pic p;
	u16 imr;

	init_pics(&p, 0x01);
	out(&p, 0x21, 0x08);
	CHECK(svmx_pic_set_irq(&p, 3, true) == SVMX_PIC_IRQ_MASKED);
	CHECK(!svmx_pic_output(&p));
	CHECK(in(&p, 0x20) == 0x08);		/* requested, but masked */
	CHECK(svmx_pic_take_fx(&p, NULL, &imr) == SVMX_PIC_FX_IMR);
	CHECK(imr == 0x0008);
	out(&p, 0x21, 0x00);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_take_fx(&p, NULL, &imr) ==
	      (SVMX_PIC_FX_KICK | SVMX_PIC_FX_IMR));
	CHECK(svmx_pic_ack(&p) == MBASE + 3);

	/* Masking the cascade IR masks the whole slave. */
	out(&p, 0x21, 0x04);
	out(&p, 0xa1, 0x00);
	CHECK(svmx_pic_set_irq(&p, 10, true) == SVMX_PIC_IRQ_DELIVERED);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0xa1, 0x04);
	CHECK(svmx_pic_take_fx(&p, NULL, &imr) == SVMX_PIC_FX_IMR);
	CHECK(imr == 0x0404);
	out(&p, 0xa1, 0x00);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0x21, 0x00);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == SBASE + 2);
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);

	/*
	 * Masked in the slave after the master latched IR2: the master
	 * still requests, and the acknowledge finds nothing (IRQ 15).
	 */
	pulse(&p, 12);
	out(&p, 0xa1, 0x10);
	CHECK(p.chip[1].irr == 0x10 && svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == SBASE + 7);
	out(&p, 0x20, 0x20);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0xa1, 0x00);
	CHECK(svmx_pic_ack(&p) == SBASE + 4);
}

static void test_priority_and_cascade(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	pulse(&p, 5);
	pulse(&p, 9);
	pulse(&p, 1);
	CHECK(in(&p, 0x20) == (0x22 | 0x04));	/* IR2 latched from the slave */
	CHECK(svmx_pic_ack(&p) == MBASE + 1);
	CHECK(read_isr(&p, 0x20) == 0x02);
	CHECK(!svmx_pic_output(&p));		/* IR2 and IR5 rank below IR1 */
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == SBASE + 1);	/* IRQ 9 through IR2 */
	CHECK(read_isr(&p, 0x20) == 0x04 && read_isr(&p, 0xa0) == 0x02);
	CHECK(!svmx_pic_output(&p));		/* IR5 ranks below IR2 */
	pulse(&p, 0);
	CHECK(svmx_pic_output(&p));		/* IR0 ranks above */
	CHECK(svmx_pic_ack(&p) == MBASE + 0);
	out(&p, 0x20, 0x20);			/* ends IRQ 0 */
	CHECK(read_isr(&p, 0x20) == 0x04);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_ack(&p) == MBASE + 5);
	out(&p, 0x20, 0x20);
	CHECK(p.chip[0].isr == 0 && p.chip[1].isr == 0);
	CHECK(!svmx_pic_output(&p));

	/* Two slave requests: the higher first, the other behind it. */
	pulse(&p, 12);
	pulse(&p, 8);
	CHECK(svmx_pic_ack(&p) == SBASE + 0);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0xa0, 0x20);
	CHECK(!svmx_pic_output(&p));		/* the master's IR2 in service */
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_ack(&p) == SBASE + 4);

	/* Special fully nested mode: the slave's higher IR nests. */
	init_pics(&p, 0x11);
	pulse(&p, 12);
	CHECK(svmx_pic_ack(&p) == SBASE + 4);
	pulse(&p, 9);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == SBASE + 1);
	CHECK(read_isr(&p, 0xa0) == 0x12);
	pulse(&p, 3);
	CHECK(!svmx_pic_output(&p));		/* lower than IR2: still held */
}

static void test_edge_vs_level(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	/* Edge: a rising input latches IRR until INTA. */
	CHECK(svmx_pic_set_irq(&p, 4, true) == SVMX_PIC_IRQ_DELIVERED);
	CHECK(svmx_pic_set_irq(&p, 4, false) == SVMX_PIC_IRQ_DELIVERED);
	CHECK(svmx_pic_output(&p) && p.chip[0].irr == 0x10);
	CHECK(svmx_pic_set_irq(&p, 4, true) == SVMX_PIC_IRQ_COALESCED);
	CHECK(svmx_pic_ack(&p) == MBASE + 4);
	CHECK(p.chip[0].irr == 0);
	out(&p, 0x20, 0x20);
	CHECK(!svmx_pic_output(&p));		/* still high: no new edge */
	CHECK(svmx_pic_set_irq(&p, 4, true) == SVMX_PIC_IRQ_DELIVERED);
	CHECK(p.chip[0].irr == 0 && !svmx_pic_output(&p));
	svmx_pic_set_irq(&p, 4, false);
	svmx_pic_set_irq(&p, 4, true);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == MBASE + 4);
	out(&p, 0x20, 0x20);
	svmx_pic_set_irq(&p, 4, false);

	/* Level (ELCR): IRR follows the input; high again after EOI. */
	out(&p, 0x4d1, 0x08);			/* IRQ 11 */
	CHECK(svmx_pic_set_irq(&p, 11, true) == SVMX_PIC_IRQ_DELIVERED);
	CHECK(svmx_pic_set_irq(&p, 11, true) == SVMX_PIC_IRQ_COALESCED);
	CHECK(svmx_pic_ack(&p) == SBASE + 3);
	CHECK(p.chip[1].irr == 0x08);		/* not cleared by INTA */
	CHECK(!svmx_pic_output(&p));
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_output(&p));		/* re-asserted */
	CHECK(svmx_pic_ack(&p) == SBASE + 3);
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);
	svmx_pic_set_irq(&p, 11, false);
	CHECK(p.chip[1].irr == 0);
	CHECK(in(&p, 0x20) == 0x04);		/* IR2 stays latched ... */
	CHECK(svmx_pic_ack(&p) == SBASE + 7);	/* ... a spurious IRQ 15 */
	out(&p, 0x20, 0x20);
	CHECK(!svmx_pic_output(&p));
}

static void test_eoi(void)
{
	struct svmx_pic p;
	u16 eoi;

	init_pics(&p, 0x01);
	pulse(&p, 3);
	CHECK(svmx_pic_ack(&p) == MBASE + 3);
	pulse(&p, 1);
	CHECK(svmx_pic_ack(&p) == MBASE + 1);
	CHECK(read_isr(&p, 0x20) == 0x0a);
	svmx_pic_take_fx(&p, NULL, NULL);
	out(&p, 0x20, 0x20);			/* non-specific: the highest */
	CHECK(read_isr(&p, 0x20) == 0x08);
	CHECK(svmx_pic_take_fx(&p, &eoi, NULL) == SVMX_PIC_FX_EOI && eoi == 2);
	out(&p, 0x20, 0x65);			/* specific, IR5: not in service */
	CHECK(svmx_pic_take_fx(&p, NULL, NULL) == 0);
	CHECK(read_isr(&p, 0x20) == 0x08);
	out(&p, 0x20, 0x40);			/* no operation */
	CHECK(read_isr(&p, 0x20) == 0x08);
	out(&p, 0x20, 0x63);			/* specific, IR3 */
	CHECK(read_isr(&p, 0x20) == 0);
	CHECK(svmx_pic_take_fx(&p, &eoi, NULL) == SVMX_PIC_FX_EOI && eoi == 8);
	out(&p, 0x20, 0x20);			/* nothing in service */
	CHECK(svmx_pic_take_fx(&p, NULL, NULL) == 0);

	/* A specific EOI out of order, on the slave. */
	pulse(&p, 13);
	CHECK(svmx_pic_ack(&p) == SBASE + 5);
	out(&p, 0x20, 0x20);			/* the master's IR2 */
	pulse(&p, 9);
	CHECK(svmx_pic_ack(&p) == SBASE + 1);
	out(&p, 0x20, 0x20);
	svmx_pic_take_fx(&p, NULL, NULL);
	out(&p, 0xa0, 0x65);
	CHECK(read_isr(&p, 0xa0) == 0x02);
	CHECK(svmx_pic_take_fx(&p, &eoi, NULL) == SVMX_PIC_FX_EOI &&
	      eoi == 1U << 13);
}

static void test_rotation(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	/* Rotate on non-specific EOI: the IR served becomes the lowest. */
	pulse(&p, 0);
	CHECK(svmx_pic_ack(&p) == MBASE + 0);
	out(&p, 0x20, 0xa0);
	CHECK(p.chip[0].priority_add == 1 && p.chip[0].isr == 0);
	pulse(&p, 0);
	pulse(&p, 7);
	CHECK(svmx_pic_ack(&p) == MBASE + 7);	/* 7 now above 0 */
	out(&p, 0x20, 0xa0);			/* 7 lowest: 0 highest */
	CHECK(p.chip[0].priority_add == 0);
	pulse(&p, 7);
	CHECK(svmx_pic_ack(&p) == MBASE + 0);
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_ack(&p) == MBASE + 7);
	out(&p, 0x20, 0x20);

	/* Set priority: IR4 the lowest, IR5 the highest. */
	out(&p, 0x20, 0xc4);
	pulse(&p, 3);
	pulse(&p, 5);
	pulse(&p, 4);
	CHECK(svmx_pic_ack(&p) == MBASE + 5);
	/* Rotate on specific EOI: IR5 ends and becomes the lowest. */
	out(&p, 0x20, 0xe5);
	CHECK(p.chip[0].priority_add == 6 && p.chip[0].isr == 0);
	CHECK(svmx_pic_ack(&p) == MBASE + 3);
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_ack(&p) == MBASE + 4);
	out(&p, 0x20, 0x20);

	/* Rotate in automatic EOI mode. */
	init_pics(&p, 0x03);
	out(&p, 0x20, 0x80);
	CHECK(p.chip[0].rotate_on_auto_eoi);
	pulse(&p, 3);
	CHECK(svmx_pic_ack(&p) == MBASE + 3);
	CHECK(p.chip[0].priority_add == 4 && p.chip[0].isr == 0);
	out(&p, 0x20, 0x00);
	CHECK(!p.chip[0].rotate_on_auto_eoi);
	pulse(&p, 1);
	CHECK(svmx_pic_ack(&p) == MBASE + 1);
	CHECK(p.chip[0].priority_add == 4);
}

static void test_spurious(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	/* A level request that went away before INTA. */
	out(&p, 0x4d0, 0x10);
	svmx_pic_set_irq(&p, 4, true);
	CHECK(svmx_pic_output(&p));
	svmx_pic_set_irq(&p, 4, false);
	CHECK(!svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == MBASE + 7);
	CHECK(p.chip[0].isr == 0 && p.chip[1].isr == 0);

	/* An edge request masked before INTA. */
	pulse(&p, 6);
	out(&p, 0x21, 0x40);
	CHECK(svmx_pic_ack(&p) == MBASE + 7);
	CHECK(p.chip[0].isr == 0 && p.chip[0].irr == 0x40);
	out(&p, 0x21, 0x00);
	CHECK(svmx_pic_ack(&p) == MBASE + 6);
	out(&p, 0x20, 0x20);

	/* The slave's request went away: IRQ 15, the master's IR2 served. */
	out(&p, 0x4d1, 0x02);
	svmx_pic_set_irq(&p, 9, true);
	svmx_pic_set_irq(&p, 9, false);
	CHECK(svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&p) == SBASE + 7);
	CHECK(p.chip[0].isr == 0x04 && p.chip[1].isr == 0);
	out(&p, 0x20, 0x20);
	CHECK(!svmx_pic_output(&p));
}

static void test_poll(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	out(&p, 0x20, 0x0c);			/* OCW3: poll */
	CHECK(in(&p, 0x20) == 0x07);		/* I clear: nothing */
	CHECK(in(&p, 0x20) == 0);		/* poll was one read: IRR */
	pulse(&p, 5);
	pulse(&p, 3);
	out(&p, 0x20, 0x0c);
	CHECK(in(&p, 0x21) == (0x80 | 3));	/* either port */
	CHECK(read_isr(&p, 0x20) == 0x08 && p.chip[0].irr == 0x20);
	out(&p, 0x20, 0x0c);
	CHECK(in(&p, 0x20) == 0x07);		/* IR5 is below IR3 */
	out(&p, 0x20, 0x20);
	out(&p, 0x20, 0x0c);
	CHECK(in(&p, 0x20) == (0x80 | 5));
	out(&p, 0x20, 0x20);
	CHECK(p.chip[0].isr == 0 && !svmx_pic_output(&p));

	/* Through the cascade: the master says IR2, then the slave. */
	pulse(&p, 14);
	out(&p, 0x20, 0x0c);
	CHECK(in(&p, 0x20) == (0x80 | 2));
	out(&p, 0xa0, 0x0c);
	CHECK(in(&p, 0xa0) == (0x80 | 6));
	CHECK(p.chip[0].isr == 0x04 && p.chip[1].isr == 0x40);
	CHECK(p.chip[0].irr == 0 && !svmx_pic_output(&p));
	out(&p, 0xa0, 0x20);
	out(&p, 0x20, 0x20);

	/* Polling the slave alone takes the master's latched IR2 back. */
	pulse(&p, 10);
	CHECK(svmx_pic_output(&p));
	out(&p, 0xa0, 0x0c);
	CHECK(in(&p, 0xa1) == (0x80 | 2));
	CHECK(p.chip[0].irr == 0 && !svmx_pic_output(&p));
}

static void test_read_irr_isr(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	pulse(&p, 6);
	pulse(&p, 1);
	CHECK(in(&p, 0x20) == 0x42);		/* IRR after ICW1 */
	CHECK(svmx_pic_ack(&p) == MBASE + 1);
	out(&p, 0x20, 0x0b);
	CHECK(in(&p, 0x20) == 0x02);		/* ISR */
	CHECK(in(&p, 0x20) == 0x02);		/* the selection sticks */
	out(&p, 0x20, 0x08);			/* RR = 0: unchanged */
	CHECK(in(&p, 0x20) == 0x02);
	out(&p, 0x21, 0x81);
	CHECK(in(&p, 0x21) == 0x81);		/* A0 = 1: the IMR */
	out(&p, 0x20, 0x0a);
	CHECK(in(&p, 0x20) == 0x40);		/* IRR */
	out(&p, 0x20, 0x0b);
	out(&p, 0x20, 0x11);			/* ICW1 selects IRR again */
	CHECK(in(&p, 0x20) == 0);		/* and drops edge requests */
}

static void test_special_mask(void)
{
	struct svmx_pic p;
	u16 eoi;

	init_pics(&p, 0x01);
	pulse(&p, 3);
	CHECK(svmx_pic_ack(&p) == MBASE + 3);
	pulse(&p, 5);
	CHECK(!svmx_pic_output(&p));
	out(&p, 0x21, 0x08);			/* mask IR3: not enough */
	CHECK(!svmx_pic_output(&p));
	out(&p, 0x20, 0x68);			/* OCW3: ESMM, SMM */
	CHECK(p.chip[0].special_mask);
	CHECK(svmx_pic_output(&p));		/* IR3's level is lifted */
	CHECK(svmx_pic_ack(&p) == MBASE + 5);
	CHECK(read_isr(&p, 0x20) == 0x28);
	pulse(&p, 4);
	CHECK(svmx_pic_output(&p));		/* IR4 ranks above IR5 */
	CHECK(svmx_pic_ack(&p) == MBASE + 4);
	/* A non-specific EOI skips the masked IR3. */
	svmx_pic_take_fx(&p, NULL, NULL);
	out(&p, 0x20, 0x20);
	out(&p, 0x20, 0x20);
	CHECK(read_isr(&p, 0x20) == 0x08);
	CHECK(svmx_pic_take_fx(&p, &eoi, NULL) == SVMX_PIC_FX_EOI &&
	      eoi == 0x30);
	out(&p, 0x20, 0x48);			/* OCW3: ESMM, leave SMM */
	CHECK(!p.chip[0].special_mask);
	out(&p, 0x20, 0x08);			/* no ESMM: unchanged */
	CHECK(!p.chip[0].special_mask);
	pulse(&p, 6);
	CHECK(!svmx_pic_output(&p));		/* IR3 in service holds again */
	out(&p, 0x20, 0x20);
	CHECK(read_isr(&p, 0x20) == 0);
	CHECK(svmx_pic_output(&p));
}

static void test_elcr(void)
{
	struct svmx_pic p;

	init_pics(&p, 0x01);
	CHECK(in(&p, 0x4d0) == 0 && in(&p, 0x4d1) == 0);
	out(&p, 0x4d0, 0xff);
	out(&p, 0x4d1, 0xff);
	CHECK(in(&p, 0x4d0) == 0xf8);		/* IRQ 0, 1, 2: edge */
	CHECK(in(&p, 0x4d1) == 0xde);		/* IRQ 8, 13: edge */
	/* IRQ 0 stays edge: a level input does not request again. */
	svmx_pic_set_irq(&p, 0, true);
	CHECK(svmx_pic_ack(&p) == MBASE + 0);
	out(&p, 0x20, 0x20);
	CHECK(!svmx_pic_output(&p));
	/* IRQ 3 is level now. */
	svmx_pic_set_irq(&p, 3, true);
	CHECK(svmx_pic_ack(&p) == MBASE + 3);
	out(&p, 0x20, 0x20);
	CHECK(svmx_pic_output(&p));
	out(&p, 0x4d0, 0x00);
	CHECK(in(&p, 0x4d0) == 0);
	/* Not our ports. */
	CHECK(svmx_pic_ioport_write(&p, 0x22, 0) == -1);
	CHECK(svmx_pic_ioport_write(&p, 0x4d2, 0) == -1);
	CHECK(!svmx_pic_port(0x40) && svmx_pic_port(0xa1) &&
	      svmx_pic_port(0x4d1));
}

static void test_icw1_drops_edge_requests(void)
{
	struct svmx_pic p;
	u16 eoi;

	init_pics(&p, 0x01);
	out(&p, 0x4d0, 0x20);
	pulse(&p, 4);
	svmx_pic_set_irq(&p, 5, true);		/* level */
	CHECK(svmx_pic_ack(&p) == MBASE + 4);
	pulse(&p, 4);				/* again, while in service */
	svmx_pic_set_irq(&p, 6, true);
	svmx_pic_take_fx(&p, NULL, NULL);
	out(&p, 0x20, 0x11);
	CHECK(p.chip[0].irr == 0x20);		/* the level request stays */
	CHECK(p.chip[0].isr == 0);
	CHECK(p.chip[0].last_irr == 0);
	CHECK(svmx_pic_take_fx(&p, &eoi, NULL) & SVMX_PIC_FX_EOI);
	CHECK(eoi == 0x50);
	/* The edge sense was reset: the next assertion is an edge. */
	out(&p, 0x21, MBASE);
	out(&p, 0x21, 4);
	out(&p, 0x21, 1);
	svmx_pic_set_irq(&p, 6, true);
	CHECK(p.chip[0].irr == 0x60);
}

static void test_state_roundtrip(void)
{
	struct svmx_pic p, q;
	struct svmx_pic_chip m, s, m2, s2;
	u16 eoi;

	init_pics(&p, 0x01);
	out(&p, 0x4d1, 0x0c);
	out(&p, 0xa1, 0x80);
	out(&p, 0x20, 0xc3);			/* priority_add 4 */
	out(&p, 0xa0, 0x0b);			/* read ISR */
	pulse(&p, 5);
	svmx_pic_set_irq(&p, 11, true);
	CHECK(svmx_pic_ack(&p) == MBASE + 5);
	out(&p, 0x20, 0x20);
	svmx_pic_get_state(&p, SVMX_PIC_MASTER, &m);
	svmx_pic_get_state(&p, SVMX_PIC_SLAVE, &s);
	CHECK(sizeof(m) == 16);			/* struct kvm_pic_state's */
	CHECK(m.priority_add == 4 && m.irq_base == MBASE);
	CHECK(s.elcr == 0x0c && s.elcr_mask == 0xde && s.imr == 0x80);
	CHECK(s.read_reg_select && s.irr == 0x08 && s.last_irr == 0x08);

	svmx_pic_reset(&q);
	svmx_pic_set_state(&q, SVMX_PIC_MASTER, &m);
	svmx_pic_set_state(&q, SVMX_PIC_SLAVE, &s);
	CHECK(svmx_pic_take_fx(&q, &eoi, NULL) == SVMX_PIC_FX_KICK);
	svmx_pic_get_state(&q, SVMX_PIC_MASTER, &m2);
	svmx_pic_get_state(&q, SVMX_PIC_SLAVE, &s2);
	CHECK(!memcmp(&m, &m2, sizeof(m)) && !memcmp(&s, &s2, sizeof(s)));
	CHECK(svmx_pic_output(&q) == svmx_pic_output(&p));
	CHECK(svmx_pic_ack(&q) == svmx_pic_ack(&p));
	CHECK(!memcmp(&p.chip, &q.chip, sizeof(p.chip)));

	/* Every field goes through unchanged. */
	memset(&m, 0, sizeof(m));
	m.last_irr = 1;
	m.irr = 2;
	m.imr = 0xff;
	m.isr = 4;
	m.priority_add = 5;
	m.irq_base = 0x68;
	m.read_reg_select = 1;
	m.poll = 1;
	m.special_mask = 1;
	m.init_state = 2;
	m.auto_eoi = 1;
	m.rotate_on_auto_eoi = 1;
	m.special_fully_nested_mode = 1;
	m.init4 = 1;
	m.elcr = 0x80;
	m.elcr_mask = 0xf8;
	svmx_pic_set_state(&q, SVMX_PIC_MASTER, &m);
	svmx_pic_get_state(&q, SVMX_PIC_MASTER, &m2);
	CHECK(!memcmp(&m, &m2, sizeof(m)));
}

static const struct tap_case cases[] = {
	{ "init_sequence", test_init_sequence },
	{ "imr_masking", test_imr_masking },
	{ "priority_and_cascade", test_priority_and_cascade },
	{ "edge_vs_level", test_edge_vs_level },
	{ "eoi", test_eoi },
	{ "rotation", test_rotation },
	{ "spurious", test_spurious },
	{ "poll", test_poll },
	{ "read_irr_isr", test_read_irr_isr },
	{ "special_mask", test_special_mask },
	{ "elcr", test_elcr },
	{ "icw1_drops_edge_requests", test_icw1_drops_edge_requests },
	{ "state_roundtrip", test_state_roundtrip },
};

int main(void)
{
	return TAP_RUN_CASES(cases);
}
