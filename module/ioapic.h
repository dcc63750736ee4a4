/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O APIC's register model (ioapic.c): one per VM with the in-kernel
 * irqchip (KVM_CREATE_IRQCHIP), 24 input pins at 0xfec00000, version 0x11.
 *
 * This is the state machine of the Intel 82093AA I/O APIC datasheet
 * (order number 290566), section 3 "Register Description", plus what KVM's
 * IOAPIC makes observable where the datasheet is silent or KVM differs
 * (ioapic.c says which). It includes only <linux/types.h> and lapic.h (for
 * the message format), so the same source is unit-tested in userspace
 * (selftests/unit/ioapic_test.c).
 *
 * Sending an interrupt: the model fills a struct svmx_apic_irq and calls
 * the send function the caller gave svmx_ioapic_init(), synchronously,
 * from svmx_ioapic_set_irq(), svmx_ioapic_mmio_write(), svmx_ioapic_eoi()
 * and svmx_ioapic_set_state(). A callback rather than a list of pins to
 * send, because a level-triggered entry's remote IRR depends on whether
 * the message was taken, and the model must know that before it returns.
 * The send function returns what KVM's delivery to the local APICs
 * returns:
 *
 *   < 0  no local APIC is the destination
 *   0    destination APICs exist but none took the interrupt
 *   > 0  the number of local APICs that took it
 *
 * It runs under whatever lock the caller holds around the model and must
 * not call back into this IOAPIC. The caller owns locking, the MMIO
 * window's placement, the combination of the interrupt sources of a pin
 * (KVM_IRQ_LINE, the PIT, irqfds) into one line level, and the routing of
 * GSIs to pins.
 */
#ifndef SVMX_IOAPIC_H
#define SVMX_IOAPIC_H

#include <linux/types.h>

#include "lapic.h"

#define SVMX_IOAPIC_NUM_PINS	24
#define SVMX_IOAPIC_VERSION_ID	0x11
#define SVMX_IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define SVMX_IOAPIC_MMIO_SIZE	0x100	/* the window KVM decodes */

/* The memory-mapped registers (3.1), offsets in the window. */
#define SVMX_IOAPIC_IOREGSEL	0x00
#define SVMX_IOAPIC_IOWIN	0x10

/* The indirect registers IOREGSEL selects (3.2). */
#define SVMX_IOAPIC_REG_ID	0x00
#define SVMX_IOAPIC_REG_VERSION	0x01
#define SVMX_IOAPIC_REG_ARB	0x02
#define SVMX_IOAPIC_REG_REDTBL	0x10	/* pin n: low 0x10 + 2n, high +1 */

/* A redirection table entry (3.2.4), 64 bits as KVM_GET_IRQCHIP has it. */
#define SVMX_IOAPIC_RTE_VECTOR		0xffULL
#define SVMX_IOAPIC_RTE_DM_SHIFT	8
#define SVMX_IOAPIC_RTE_DM		(7ULL << 8)	/* delivery mode */
#define SVMX_IOAPIC_RTE_LOGICAL		(1ULL << 11)	/* destination mode */
#define SVMX_IOAPIC_RTE_DELIVS		(1ULL << 12)	/* RO: send pending */
#define SVMX_IOAPIC_RTE_POLARITY	(1ULL << 13)	/* 1: active low */
#define SVMX_IOAPIC_RTE_REMOTE_IRR	(1ULL << 14)	/* RO */
#define SVMX_IOAPIC_RTE_LEVEL		(1ULL << 15)	/* trigger mode */
#define SVMX_IOAPIC_RTE_MASKED		(1ULL << 16)
#define SVMX_IOAPIC_RTE_DEST_SHIFT	56
#define SVMX_IOAPIC_RTE_DEST		(0xffULL << 56)

/* Sends one message; returns as described above. */
typedef int (*svmx_ioapic_send_fn)(void *opaque, const struct svmx_apic_irq *irq);

struct svmx_ioapic {
	u64 redirtbl[SVMX_IOAPIC_NUM_PINS];
	u64 base;		/* only reported: the caller places the window */
	u32 ioregsel;
	u32 id;			/* IOAPICID bits 27:24, kept shifted down */
	u32 irr;		/* bit n: pin n's line is asserted */
	u32 irr_delivered;	/* edge pins whose assertion was sent */
	svmx_ioapic_send_fn send;
	void *opaque;
};

/*
 * struct kvm_ioapic_state of <linux/kvm.h> (x86), field for field, for
 * KVM_GET/SET_IRQCHIP with chip_id KVM_IRQCHIP_IOAPIC.
 */
struct svmx_ioapic_state {
	u64 base_address;
	u32 ioregsel;
	u32 id;
	u32 irr;
	u32 pad;
	u64 redirtbl[SVMX_IOAPIC_NUM_PINS];
};

void svmx_ioapic_init(struct svmx_ioapic *io, svmx_ioapic_send_fn send,
		      void *opaque);
void svmx_ioapic_reset(struct svmx_ioapic *io);
u32 svmx_ioapic_mmio_read(const struct svmx_ioapic *io, u32 off);
u32 svmx_ioapic_mmio_write(struct svmx_ioapic *io, u32 off, u32 val);
int svmx_ioapic_set_irq(struct svmx_ioapic *io, u32 pin, bool level);
u32 svmx_ioapic_eoi(struct svmx_ioapic *io, u8 vector);
void svmx_ioapic_pin_irq(const struct svmx_ioapic *io, u32 pin,
			 struct svmx_apic_irq *irq);
void svmx_ioapic_get_state(const struct svmx_ioapic *io,
			   struct svmx_ioapic_state *s);
void svmx_ioapic_set_state(struct svmx_ioapic *io,
			   const struct svmx_ioapic_state *s);

#endif
