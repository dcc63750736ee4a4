// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC's register model; see ioapic.h for what it covers and what
 * it leaves to the caller. Section numbers are the Intel 82093AA I/O APIC
 * datasheet's (290566), section 3 "Register Description":
 *
 *   window        IOREGSEL at 0x00 and IOWIN at 0x10 (3.1); nothing else.
 *                 Version 0x11 has no EOI register (those came with
 *                 version 0x20): KVM reads 0 at 0x40 and ignores writes
 *                 there, as at every other offset
 *   ID, ARB       the 4-bit ID, bits 27:24 (3.2.1); the arbitration ID is
 *                 loaded with it (3.2.3), so both read the ID
 *   version       0x11, maximum redirection entry 23 (3.2.2)
 *   IOREDTBL      24 entries of 64 bits, two dwords each (3.2.4); delivery
 *                 status and remote IRR are read-only
 *
 * Delivery follows KVM, which the datasheet's bus protocol does not
 * constrain (delivery is immediate, so delivery status stays 0):
 *
 *   - line levels are the logical assertion: polarity is stored, not used
 *     (KVM_CAP_X86_IOAPIC_POLARITY_IGNORED, api.rst 4.25);
 *   - edge: each rising edge is sent unless the entry is masked; an
 *     assertion while the line is already asserted is coalesced (status 0)
 *     and an edge on a masked pin is lost (unmasking does not send it);
 *   - level: while the line is asserted, the entry unmasked and remote IRR
 *     clear, the message is sent and remote IRR set, unless the send
 *     function reports 0 (destinations, none took it);
 *   - an EOI for a vector clears remote IRR of the level entries with that
 *     vector and re-sends those whose line is still asserted;
 *   - any write of a level entry whose line is asserted sends it under the
 *     same rule (so does unmasking); writing an entry as edge clears its
 *     remote IRR (operating systems without an EOI register rely on it).
 */
#include "ioapic.h"

#define RTE_RO_BITS	(SVMX_IOAPIC_RTE_DELIVS | SVMX_IOAPIC_RTE_REMOTE_IRR)

/* The IOAPIC's reset state (3.2.1, 3.2.4: mask bit set, the rest 0). */
void svmx_ioapic_reset(struct svmx_ioapic *io)
{
	unsigned int pin;

	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++)
		io->redirtbl[pin] = SVMX_IOAPIC_RTE_MASKED;
	io->base = SVMX_IOAPIC_DEFAULT_BASE;
	io->ioregsel = 0;
	io->id = 0;
	io->irr = 0;
	io->irr_delivered = 0;
}

/**
 * svmx_ioapic_init() - set up an IOAPIC in its reset state
 * @io: the IOAPIC
 * @send: sends a message to the local APICs (see ioapic.h)
 * @opaque: the first argument of @send
 */
void svmx_ioapic_init(struct svmx_ioapic *io, svmx_ioapic_send_fn send,
		      void *opaque)
{
	io->send = send;
	io->opaque = opaque;
	svmx_ioapic_reset(io);
}

static bool rte_level(u64 rte)
{
	return rte & SVMX_IOAPIC_RTE_LEVEL;
}

/* The message pin @pin's entry sends: a fixed 8-bit destination, asserted. */
void svmx_ioapic_pin_irq(const struct svmx_ioapic *io, u32 pin,
			 struct svmx_apic_irq *irq)
{
	u64 rte = io->redirtbl[pin % SVMX_IOAPIC_NUM_PINS];

	irq->dest = rte >> SVMX_IOAPIC_RTE_DEST_SHIFT;
	irq->dest32 = false;
	irq->mode = (u32)(rte & SVMX_IOAPIC_RTE_DM);
	irq->vector = rte & SVMX_IOAPIC_RTE_VECTOR;
	irq->logical = rte & SVMX_IOAPIC_RTE_LOGICAL;
	irq->level = rte_level(rte);
	irq->assert = true;
	irq->shorthand = SVMX_APIC_SHORT_NONE;
}

/*
 * Send pin @pin's message if its entry lets it: not masked, and for a
 * level entry, remote IRR clear (the previous one was EOIed). Returns the
 * send function's result, or -1 if nothing was sent.
 */
static int service(struct svmx_ioapic *io, u32 pin)
{
	u64 *rte = &io->redirtbl[pin];
	struct svmx_apic_irq irq;
	int ret;

	if (*rte & SVMX_IOAPIC_RTE_MASKED)
		return -1;
	if (rte_level(*rte) && (*rte & SVMX_IOAPIC_RTE_REMOTE_IRR))
		return -1;
	svmx_ioapic_pin_irq(io, pin, &irq);
	if (!rte_level(*rte))
		io->irr_delivered |= 1U << pin;
	ret = io->send(io->opaque, &irq);
	if (rte_level(*rte) && ret != 0)
		*rte |= SVMX_IOAPIC_RTE_REMOTE_IRR;
	return ret;
}

/**
 * svmx_ioapic_set_irq() - set the level of an input pin
 * @io: the IOAPIC
 * @pin: 0 to 23
 * @level: asserted (whatever the entry's polarity)
 *
 * Return: as KVM_IRQ_LINE_STATUS reports it: 1 for a de-assertion; for an
 * assertion, 0 if it is coalesced (an edge pin already asserted), -1 if
 * nothing was sent (masked; level with remote IRR set; @pin out of range),
 * or the send function's result.
 */
int svmx_ioapic_set_irq(struct svmx_ioapic *io, u32 pin, bool level)
{
	u32 bit;
	bool was;

	if (pin >= SVMX_IOAPIC_NUM_PINS)
		return -1;
	bit = 1U << pin;
	if (!level) {
		io->irr &= ~bit;
		return 1;
	}
	was = io->irr & bit;
	io->irr |= bit;
	if (!rte_level(io->redirtbl[pin])) {
		/* A second assertion is no edge: pending, not sent again. */
		io->irr_delivered &= ~bit;
		if (was)
			return 0;
	}
	return service(io, pin);
}

/**
 * svmx_ioapic_eoi() - a local APIC's EOI of a level-triggered vector
 * @io: the IOAPIC
 * @vector: the vector the local APIC retired
 *
 * Clears remote IRR of every level entry with @vector (3.2.4, bit 14) and
 * sends again those whose line is still asserted.
 *
 * Return: the pins whose entry took the EOI, bit n for pin n.
 */
u32 svmx_ioapic_eoi(struct svmx_ioapic *io, u8 vector)
{
	u32 pin, pins = 0;

	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++) {
		u64 *rte = &io->redirtbl[pin];

		if (!rte_level(*rte) ||
		    (*rte & SVMX_IOAPIC_RTE_VECTOR) != vector)
			continue;
		*rte &= ~SVMX_IOAPIC_RTE_REMOTE_IRR;
		pins |= 1U << pin;
		if (io->irr & (1U << pin))
			service(io, pin);
	}
	return pins;
}

/* The register IOREGSEL selects, through IOWIN (3.2). */
static u32 read_indirect(const struct svmx_ioapic *io)
{
	u32 sel = io->ioregsel;
	u32 pin;
	u64 rte;

	switch (sel) {
	case SVMX_IOAPIC_REG_ID:
	case SVMX_IOAPIC_REG_ARB:
		return (io->id & 0xf) << 24;
	case SVMX_IOAPIC_REG_VERSION:
		return SVMX_IOAPIC_VERSION_ID |
		       ((SVMX_IOAPIC_NUM_PINS - 1) << 16);
	}
	if (sel < SVMX_IOAPIC_REG_REDTBL)
		return 0xffffffff;	/* no register: all ones, as KVM */
	pin = (sel - SVMX_IOAPIC_REG_REDTBL) / 2;
	if (pin >= SVMX_IOAPIC_NUM_PINS)
		return 0xffffffff;
	rte = io->redirtbl[pin];
	return sel & 1 ? (u32)(rte >> 32) : (u32)rte;
}

/*
 * A write of one dword of pin @pin's redirection entry; returns the pin's
 * bit if the write changed its mask bit.
 */
static u32 write_rte(struct svmx_ioapic *io, u32 pin, bool high, u32 val)
{
	u64 *rte = &io->redirtbl[pin];
	u64 old = *rte, new;

	if (high)
		new = (old & 0xffffffffULL) | ((u64)val << 32);
	else
		new = (old & ~0xffffffffULL) | val;
	new = (new & ~RTE_RO_BITS) | (old & RTE_RO_BITS);
	if (!rte_level(new))
		new &= ~SVMX_IOAPIC_RTE_REMOTE_IRR;
	*rte = new;
	if (rte_level(new) && (io->irr & (1U << pin)))
		service(io, pin);
	return (old ^ new) & SVMX_IOAPIC_RTE_MASKED ? 1U << pin : 0;
}

static u32 write_indirect(struct svmx_ioapic *io, u32 val)
{
	u32 sel = io->ioregsel;
	u32 pin;

	if (sel == SVMX_IOAPIC_REG_ID) {
		io->id = (val >> 24) & 0xf;
		return 0;
	}
	/* Version and arbitration ID are read-only (3.2.2, 3.2.3). */
	if (sel < SVMX_IOAPIC_REG_REDTBL)
		return 0;
	pin = (sel - SVMX_IOAPIC_REG_REDTBL) / 2;
	if (pin >= SVMX_IOAPIC_NUM_PINS)
		return 0;
	return write_rte(io, pin, sel & 1, val);
}

/**
 * svmx_ioapic_mmio_read() - a read in the register window
 * @io: the IOAPIC
 * @off: the offset from the window's base
 *
 * Return: the dword at @off: IOREGSEL, IOWIN, or 0 at any other offset.
 * The caller gives a narrower read the low bytes and zero-extends a wider
 * one (as KVM).
 */
u32 svmx_ioapic_mmio_read(const struct svmx_ioapic *io, u32 off)
{
	switch (off & (SVMX_IOAPIC_MMIO_SIZE - 1)) {
	case SVMX_IOAPIC_IOREGSEL:
		return io->ioregsel;
	case SVMX_IOAPIC_IOWIN:
		return read_indirect(io);
	}
	return 0;
}

/**
 * svmx_ioapic_mmio_write() - a write in the register window
 * @io: the IOAPIC
 * @off: the offset from the window's base
 * @val: the data, zero-extended if narrower than a dword (the low dword
 *       if wider, as KVM)
 *
 * A write of a redirection entry may send its message (see ioapic.h).
 *
 * Return: the pins whose mask bit the write changed (bit n for pin n), for
 * the caller's mask notifiers.
 */
u32 svmx_ioapic_mmio_write(struct svmx_ioapic *io, u32 off, u32 val)
{
	switch (off & (SVMX_IOAPIC_MMIO_SIZE - 1)) {
	case SVMX_IOAPIC_IOREGSEL:
		io->ioregsel = val & 0xff;	/* bits 7:0 (3.1.1) */
		return 0;
	case SVMX_IOAPIC_IOWIN:
		return write_indirect(io, val);
	}
	return 0;
}

/**
 * svmx_ioapic_get_state() - the state for KVM_GET_IRQCHIP
 * @io: the IOAPIC
 * @s: filled in
 *
 * irr reports the asserted lines except edge ones already sent: what
 * svmx_ioapic_set_state() must still send.
 */
void svmx_ioapic_get_state(const struct svmx_ioapic *io,
			   struct svmx_ioapic_state *s)
{
	unsigned int pin;

	s->base_address = io->base;
	s->ioregsel = io->ioregsel;
	s->id = io->id;
	s->irr = io->irr & ~io->irr_delivered;
	s->pad = 0;
	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++)
		s->redirtbl[pin] = io->redirtbl[pin];
}

/**
 * svmx_ioapic_set_state() - the state of KVM_SET_IRQCHIP
 * @io: the IOAPIC
 * @s: the new state, taken as is (read-only bits too)
 *
 * Then each line in @s->irr is asserted again, which sends the unmasked
 * edge pins and the level pins whose remote IRR is clear.
 */
void svmx_ioapic_set_state(struct svmx_ioapic *io,
			   const struct svmx_ioapic_state *s)
{
	unsigned int pin;

	io->base = s->base_address;
	io->ioregsel = s->ioregsel;
	io->id = s->id;
	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++)
		io->redirtbl[pin] = s->redirtbl[pin];
	io->irr = 0;
	io->irr_delivered = 0;
	for (pin = 0; pin < SVMX_IOAPIC_NUM_PINS; pin++)
		if (s->irr & (1U << pin))
			svmx_ioapic_set_irq(io, pin, true);
}
