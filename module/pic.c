// SPDX-License-Identifier: GPL-2.0
/*
 * The cascaded 8259A pair; see pic.h for what it covers and what it leaves
 * to the caller. Section names are those of the Intel 8259A Programmable
 * Interrupt Controller datasheet; the ELCR is the PIIX's (Intel 82371
 * PIIX/PIIX3 datasheet, "ELCR1/ELCR2, Edge/Level Control Registers").
 *
 *   priorities   the IRs in rotation order from priority_add (the IR of
 *                highest priority, 0 after ICW1: "Fully Nested Mode"); a
 *                request is presented on INT when it is unmasked and ranks
 *                above every in-service IR ("Priority Resolver")
 *   cascade      the slave's INT drives the master's IR2: whenever the
 *                slave presents a request the master latches IRR2, which
 *                stays latched until the master acknowledges IR2 ("Cascade
 *                Mode")
 *   INTA         svmx_pic_ack(): the master's ISR bit set, its IRR bit
 *                cleared for an edge-triggered IR, and for IR2 the same on
 *                the slave, which supplies the vector ("Interrupt
 *                Sequence"); a request gone by then gives IR7's vector
 *                and sets no ISR bit (spurious IRQ 7, or 15 on the slave)
 *   triggering   per IR from the ELCR rather than ICW1 LTIM: an edge IR
 *                latches IRR on a rising input and keeps it until INTA,
 *                whatever the input does meanwhile (devices pulse their
 *                line); a level IR's IRR is the input
 */
#include "pic.h"

#define BIT8(n)		((u8)(1U << (n)))

/* ICW1 (A0 = 0, D4 = 1) */
#define ICW1_IC4	0x01	/* ICW4 needed */
#define ICW1_ID		0x10
/* OCW3 (A0 = 0, D4 = 0, D3 = 1) */
#define OCW3_ID		0x08
#define OCW3_RIS	0x01	/* read ISR (1) or IRR (0) ... */
#define OCW3_RR		0x02	/* ... if RR */
#define OCW3_P		0x04	/* poll */
#define OCW3_SMM	0x20	/* special mask mode on (1) or off (0) ... */
#define OCW3_ESMM	0x40	/* ... if ESMM */
/* ICW4 */
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
/* The poll word: I, then W2-W0 ("Poll Command") */
#define POLL_INT	0x80

/* OCW2 (A0 = 0, D4 = 0, D3 = 0): R, SL, EOI in D7-D5, L2-L0 in D2-D0. */
enum {
	OCW2_CLEAR_ROTATE_AEOI	= 0,	/* rotate in AEOI mode: clear */
	OCW2_EOI		= 1,	/* non-specific EOI */
	OCW2_NOP		= 2,
	OCW2_SPECIFIC_EOI	= 3,
	OCW2_SET_ROTATE_AEOI	= 4,	/* rotate in AEOI mode: set */
	OCW2_ROTATE_EOI		= 5,	/* rotate on non-specific EOI */
	OCW2_SET_PRIORITY	= 6,	/* L becomes the lowest priority */
	OCW2_ROTATE_SPECIFIC	= 7,	/* rotate on specific EOI */
};

/* @bits rotated so that bit 0 is the IR of highest priority. */
static u8 by_priority(const struct svmx_pic_chip *c, u8 bits)
{
	unsigned int n = c->priority_add & 7;

	return (u8)((bits >> n) | (bits << (8 - n)));
}

/* The rank of IR @ir: 0 the highest priority, 7 the lowest. */
static unsigned int rank(const struct svmx_pic_chip *c, unsigned int ir)
{
	return (ir - c->priority_add) & 7;
}

/* The IR of highest priority among @bits, or -1. */
static int highest(const struct svmx_pic_chip *c, u8 bits)
{
	u8 r = by_priority(c, bits);

	if (!r)
		return -1;
	return (__builtin_ctz(r) + c->priority_add) & 7;
}

/* @ir becomes the lowest priority ("Automatic/Specific Rotation"). */
static void make_lowest(struct svmx_pic_chip *c, unsigned int ir)
{
	c->priority_add = (ir + 1) & 7;
}

/*
 * The in-service IRs that hold back lower ones. In special mask mode an
 * IR masked in the IMR does not: "when a mask bit is set in OCW1, it
 * inhibits further interrupts at that level and enables interrupts from
 * all other levels (lower as well as higher) that are not masked".
 */
static u8 blocking_isr(const struct svmx_pic_chip *c)
{
	return c->special_mask ? c->isr & ~c->imr : c->isr;
}

/* The IR that chip @n presents on its INT, or -1. */
static int chip_request(const struct svmx_pic *pic, unsigned int n)
{
	const struct svmx_pic_chip *c = &pic->chip[n];
	int req = highest(c, c->irr & ~c->imr);
	int cur = highest(c, blocking_isr(c));

	if (req < 0 || cur < 0)
		return req;
	if (rank(c, req) < rank(c, cur))
		return req;
	/*
	 * Special fully nested mode: the master takes a further request on
	 * the cascade IR while the slave is in service, so that the slave's
	 * higher IRs nest ("The Special Fully Nested Mode").
	 */
	if (n == SVMX_PIC_MASTER && c->special_fully_nested_mode &&
	    req == SVMX_PIC_CASCADE_IRQ && cur == SVMX_PIC_CASCADE_IRQ)
		return req;
	return -1;
}

/* Follow the slave's INT into the master's IR2, then the master's INT. */
static void update(struct svmx_pic *pic)
{
	bool was = pic->output;

	if (chip_request(pic, SVMX_PIC_SLAVE) >= 0)
		pic->chip[SVMX_PIC_MASTER].irr |= BIT8(SVMX_PIC_CASCADE_IRQ);
	pic->output = chip_request(pic, SVMX_PIC_MASTER) >= 0;
	if (pic->output && !was)
		pic->fx |= SVMX_PIC_FX_KICK;
}

/* The request of IR @ir of chip @n ended (EOI): its ISR bit clears. */
static void end_request(struct svmx_pic *pic, unsigned int n, unsigned int ir)
{
	struct svmx_pic_chip *c = &pic->chip[n];

	if (!(c->isr & BIT8(ir)))
		return;
	c->isr &= ~BIT8(ir);
	pic->fx |= SVMX_PIC_FX_EOI;
	pic->fx_eoi |= 1U << (ir + 8 * n);
}

/* INTA (or a poll) of IR @ir of chip @n: it goes in service. */
static void intack(struct svmx_pic *pic, unsigned int n, unsigned int ir)
{
	struct svmx_pic_chip *c = &pic->chip[n];

	c->isr |= BIT8(ir);
	/* A level IR stays requested while its input is high. */
	if (!(c->elcr & BIT8(ir)))
		c->irr &= ~BIT8(ir);
	/* "Automatic End of Interrupt (AEOI) Mode" */
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			make_lowest(c, ir);
		end_request(pic, n, ir);
	}
}

static void set_imr(struct svmx_pic *pic, unsigned int n, u8 imr)
{
	u8 flipped = pic->chip[n].imr ^ imr;

	pic->chip[n].imr = imr;
	if (flipped) {
		pic->fx |= SVMX_PIC_FX_IMR;
		pic->fx_imr |= (u16)flipped << (8 * n);
	}
}

/**
 * svmx_pic_reset() - the state KVM_CREATE_IRQCHIP starts from
 * @pic: the PICs
 *
 * Everything clear (the guest initializes the PICs with ICW1-ICW4 before
 * use), the ELCR all edge, INT low.
 */
void svmx_pic_reset(struct svmx_pic *pic)
{
	static const struct svmx_pic_chip zero;

	pic->chip[SVMX_PIC_MASTER] = zero;
	pic->chip[SVMX_PIC_SLAVE] = zero;
	pic->chip[SVMX_PIC_MASTER].elcr_mask = SVMX_PIC_ELCR_MASK_MASTER;
	pic->chip[SVMX_PIC_SLAVE].elcr_mask = SVMX_PIC_ELCR_MASK_SLAVE;
	pic->output = false;
	pic->fx = 0;
	pic->fx_eoi = 0;
	pic->fx_imr = 0;
}

/* Whether @port is one of the PICs' (or the ELCR's). */
bool svmx_pic_port(u16 port)
{
	switch (port) {
	case SVMX_PIC_MASTER_CMD:
	case SVMX_PIC_MASTER_DATA:
	case SVMX_PIC_SLAVE_CMD:
	case SVMX_PIC_SLAVE_DATA:
	case SVMX_PIC_ELCR_MASTER:
	case SVMX_PIC_ELCR_SLAVE:
		return true;
	}
	return false;
}

/*
 * ICW1 ("Initialization Command Words"): the edge sense circuit is reset
 * (an IR must rise again to be requested, so pending edge requests are
 * dropped), the IMR cleared, IR7 made the lowest priority, special mask
 * mode cleared and the status read set to IRR; without IC4 the ICW4
 * functions are cleared. ICW2 comes next.
 *
 * ICW1's SNGL, ADI and LTIM bits are not modelled: the PCs cascade two
 * chips (ICW3 is always expected), the vector comes from ICW2 in 8086 mode
 * and the ELCR sets the triggering per IR.
 */
static void icw1(struct svmx_pic *pic, unsigned int n, u8 val)
{
	struct svmx_pic_chip *c = &pic->chip[n];
	u8 dropped = c->irr & ~c->elcr;
	unsigned int ir;

	c->init4 = val & ICW1_IC4;
	c->last_irr = 0;
	c->irr &= c->elcr;
	set_imr(pic, n, 0);
	c->priority_add = 0;
	c->special_mask = 0;
	c->read_reg_select = 0;
	if (!c->init4) {
		c->special_fully_nested_mode = 0;
		c->auto_eoi = 0;
	}
	c->init_state = 1;
	/*
	 * A dropped edge request never gets its INTA and EOI: end it now,
	 * in service or not, so that whoever waits for its acknowledgment
	 * (the PIT reinjecting ticks) goes on. KVM does the same.
	 */
	for (ir = 0; ir < 8; ir++) {
		if (!(dropped & BIT8(ir)))
			continue;
		c->isr &= ~BIT8(ir);
		pic->fx |= SVMX_PIC_FX_EOI;
		pic->fx_eoi |= 1U << (ir + 8 * n);
	}
	update(pic);
}

/* ICW2-ICW4 and OCW1: a write with A0 = 1. */
static void write_data(struct svmx_pic *pic, unsigned int n, u8 val)
{
	struct svmx_pic_chip *c = &pic->chip[n];

	switch (c->init_state) {
	case 0:		/* OCW1: the IMR */
		set_imr(pic, n, val);
		update(pic);
		break;
	case 1:		/* ICW2: T7-T3 of the vectors (8086 mode) */
		c->irq_base = val & 0xf8;
		c->init_state = 2;
		break;
	case 2:		/* ICW3: the cascade wiring, which is fixed */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:		/* ICW4: SFNM, AEOI; BUF, M/S, uPM ignored */
		c->special_fully_nested_mode = !!(val & ICW4_SFNM);
		c->auto_eoi = !!(val & ICW4_AEOI);
		c->init_state = 0;
		break;
	default:	/* not a state the model enters (KVM_SET_IRQCHIP) */
		break;
	}
}

/* OCW2: EOI, rotation and priority commands. */
static void ocw2(struct svmx_pic *pic, unsigned int n, u8 val)
{
	struct svmx_pic_chip *c = &pic->chip[n];
	unsigned int level = val & 7;
	int ir;

	switch (val >> 5) {
	case OCW2_CLEAR_ROTATE_AEOI:
		c->rotate_on_auto_eoi = 0;
		break;
	case OCW2_SET_ROTATE_AEOI:
		c->rotate_on_auto_eoi = 1;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		/*
		 * The highest in-service IR; in special mask mode "IS bits
		 * masked by an IMR bit will not be cleared by a non-specific
		 * EOI" ("End of Interrupt (EOI)").
		 */
		ir = highest(c, blocking_isr(c));
		if (ir < 0)
			break;
		if (val >> 5 == OCW2_ROTATE_EOI)
			make_lowest(c, ir);
		end_request(pic, n, ir);
		break;
	case OCW2_SPECIFIC_EOI:
		end_request(pic, n, level);
		break;
	case OCW2_ROTATE_SPECIFIC:
		make_lowest(c, level);
		end_request(pic, n, level);
		break;
	case OCW2_SET_PRIORITY:
		make_lowest(c, level);
		break;
	case OCW2_NOP:
		break;
	}
	update(pic);
}

/* OCW3: the register read at A0 = 0, poll, special mask mode. */
static void ocw3(struct svmx_pic_chip *c, u8 val)
{
	if (val & OCW3_P)
		c->poll = 1;
	if (val & OCW3_RR)
		c->read_reg_select = !!(val & OCW3_RIS);
	if (val & OCW3_ESMM)
		c->special_mask = !!(val & OCW3_SMM);
}

/*
 * A read after the poll command ("Poll Command"): it acknowledges the
 * chip's request as INTA would (the IS bit set; the caller EOIs it), and
 * returns I (bit 7) and the IR in W2-W0; 0x07 when nothing is requested.
 * Polling the slave takes the master's latched IR2 back if the slave has
 * no request left: its INT fell before the master was acknowledged.
 */
static u8 poll_read(struct svmx_pic *pic, unsigned int n)
{
	int ir = chip_request(pic, n);
	u8 val = 0x07;

	pic->chip[n].poll = 0;
	if (ir >= 0) {
		intack(pic, n, ir);
		val = POLL_INT | ir;
		if (n == SVMX_PIC_SLAVE)
			pic->chip[SVMX_PIC_MASTER].irr &=
				~BIT8(SVMX_PIC_CASCADE_IRQ);
	}
	update(pic);
	return val;
}

/**
 * svmx_pic_ioport_read() - an IN from a PIC or ELCR port
 * @pic: the PICs
 * @port: the port
 * @val: the byte read
 *
 * A0 = 0 reads the IRR or the ISR as OCW3 selected, A0 = 1 the IMR ("Reading
 * the 8259A Status"); after a poll command either reads the poll word.
 *
 * Return: 0, or -1 if @port is not the PICs'.
 */
int svmx_pic_ioport_read(struct svmx_pic *pic, u16 port, u8 *val)
{
	unsigned int n = (port >> 7) & 1;
	struct svmx_pic_chip *c = &pic->chip[n];

	switch (port) {
	case SVMX_PIC_ELCR_MASTER:
	case SVMX_PIC_ELCR_SLAVE:
		*val = pic->chip[port & 1].elcr;
		return 0;
	case SVMX_PIC_MASTER_CMD:
	case SVMX_PIC_MASTER_DATA:
	case SVMX_PIC_SLAVE_CMD:
	case SVMX_PIC_SLAVE_DATA:
		if (c->poll)
			*val = poll_read(pic, n);
		else if (port & 1)
			*val = c->imr;
		else
			*val = c->read_reg_select ? c->isr : c->irr;
		return 0;
	}
	return -1;
}

/**
 * svmx_pic_ioport_write() - an OUT to a PIC or ELCR port
 * @pic: the PICs
 * @port: the port
 * @val: the byte written
 *
 * With A0 = 0, D4 selects ICW1, else D3 OCW3, else OCW2; with A0 = 1 the
 * byte is the next ICW of an initialization or else OCW1 ("Programming
 * the 8259A"). The ELCR keeps only the bits of elcr_mask.
 *
 * Return: 0, or -1 if @port is not the PICs'.
 */
int svmx_pic_ioport_write(struct svmx_pic *pic, u16 port, u8 val)
{
	unsigned int n = (port >> 7) & 1;
	struct svmx_pic_chip *c;

	switch (port) {
	case SVMX_PIC_ELCR_MASTER:
	case SVMX_PIC_ELCR_SLAVE:
		c = &pic->chip[port & 1];
		c->elcr = val & c->elcr_mask;
		return 0;
	case SVMX_PIC_MASTER_DATA:
	case SVMX_PIC_SLAVE_DATA:
		write_data(pic, n, val);
		return 0;
	case SVMX_PIC_MASTER_CMD:
	case SVMX_PIC_SLAVE_CMD:
		if (val & ICW1_ID)
			icw1(pic, n, val);
		else if (val & OCW3_ID)
			ocw3(&pic->chip[n], val);
		else
			ocw2(pic, n, val);
		return 0;
	}
	return -1;
}

/**
 * svmx_pic_set_irq() - the level of an input line
 * @pic: the PICs
 * @irq: 0-7 the master's IR0-IR7, 8-15 the slave's (the caller checks the
 *	 range and has merged the line's sources)
 * @level: asserted
 *
 * An edge-triggered IR requests on a rising input; a level-triggered one
 * requests while its input is high ("Edge and Level Triggered Modes").
 *
 * Return: SVMX_PIC_IRQ_MASKED if the IR is masked in its chip's IMR, else
 * SVMX_PIC_IRQ_COALESCED if a new assertion found the request already
 * pending, else SVMX_PIC_IRQ_DELIVERED.
 */
int svmx_pic_set_irq(struct svmx_pic *pic, unsigned int irq, bool level)
{
	struct svmx_pic_chip *c = &pic->chip[(irq >> 3) & 1];
	u8 bit = BIT8(irq & 7);
	bool rising = level && !(c->last_irr & bit);
	bool level_ir = c->elcr & bit;
	int ret = SVMX_PIC_IRQ_DELIVERED;

	if (level)
		c->last_irr |= bit;
	else
		c->last_irr &= ~bit;
	if (level && (rising || level_ir)) {
		if (c->irr & bit)
			ret = SVMX_PIC_IRQ_COALESCED;
		c->irr |= bit;
	} else if (!level && level_ir) {
		c->irr &= ~bit;
	}
	update(pic);
	return c->imr & bit ? SVMX_PIC_IRQ_MASKED : ret;
}

/** svmx_pic_output() - whether the master's INT is asserted */
bool svmx_pic_output(const struct svmx_pic *pic)
{
	return chip_request(pic, SVMX_PIC_MASTER) >= 0;
}

/**
 * svmx_pic_ack() - the CPU's interrupt acknowledge (an ExtINT taken)
 * @pic: the PICs
 *
 * The master's request goes in service; if it is the cascade IR, the
 * slave's goes in service too and the slave supplies the vector
 * ("Interrupt Sequence"). With no request left, the vector is IR7's and
 * no ISR bit is set (a spurious IRQ 7; IRQ 15 when the master saw its IR2
 * but the slave has nothing).
 *
 * Return: the vector.
 */
u8 svmx_pic_ack(struct svmx_pic *pic)
{
	struct svmx_pic_chip *m = &pic->chip[SVMX_PIC_MASTER];
	struct svmx_pic_chip *s = &pic->chip[SVMX_PIC_SLAVE];
	int ir = chip_request(pic, SVMX_PIC_MASTER);
	u8 vector;

	/* INTA ends the INT pulse; update() raises it again if need be. */
	pic->output = false;
	if (ir < 0) {
		vector = m->irq_base + 7;
	} else if (ir != SVMX_PIC_CASCADE_IRQ) {
		intack(pic, SVMX_PIC_MASTER, ir);
		vector = m->irq_base + ir;
	} else {
		intack(pic, SVMX_PIC_MASTER, ir);
		ir = chip_request(pic, SVMX_PIC_SLAVE);
		if (ir < 0) {
			vector = s->irq_base + 7;
		} else {
			intack(pic, SVMX_PIC_SLAVE, ir);
			vector = s->irq_base + ir;
		}
	}
	update(pic);
	return vector;
}

/**
 * svmx_pic_take_fx() - what the calls since the last take set off
 * @pic: the PICs
 * @eoi: set to the IRQs whose request ended (for ack notifiers), or NULL
 * @imr: set to the IRQs whose mask bit flipped (mask notifiers), or NULL
 *
 * Return: the SVMX_PIC_FX_* bits; all are cleared.
 */
u32 svmx_pic_take_fx(struct svmx_pic *pic, u16 *eoi, u16 *imr)
{
	u32 fx = pic->fx;

	if (eoi)
		*eoi = pic->fx_eoi;
	if (imr)
		*imr = pic->fx_imr;
	pic->fx = 0;
	pic->fx_eoi = 0;
	pic->fx_imr = 0;
	return fx;
}

/** svmx_pic_get_state() - chip @chip's state for KVM_GET_IRQCHIP */
void svmx_pic_get_state(const struct svmx_pic *pic, unsigned int chip,
			struct svmx_pic_chip *st)
{
	*st = pic->chip[chip & 1];
}

/**
 * svmx_pic_set_state() - load chip @chip's state (KVM_SET_IRQCHIP)
 * @pic: the PICs
 * @chip: SVMX_PIC_MASTER or SVMX_PIC_SLAVE
 * @st: the state, taken as is (as KVM does)
 *
 * Then the cascade and INT follow the new state: SVMX_PIC_FX_KICK if INT
 * rose.
 */
void svmx_pic_set_state(struct svmx_pic *pic, unsigned int chip,
			const struct svmx_pic_chip *st)
{
	pic->chip[chip & 1] = *st;
	update(pic);
}
