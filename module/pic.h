/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's two cascaded Intel 8259A programmable interrupt controllers
 * (pic.c), one pair per VM with the in-kernel irqchip (KVM_CREATE_IRQCHIP):
 * the master at ports 0x20/0x21 with the slave's INT on its IR2, the slave
 * at 0xa0/0xa1, and the chipset's edge/level control registers (ELCR) at
 * 0x4d0/0x4d1.
 *
 * This is the state machine of the Intel 8259A datasheet (ICW1-ICW4,
 * OCW1-OCW3, the priority resolver, INTA, poll) plus the ELCR of the PIIX
 * south bridges, and nothing else. It includes only <linux/types.h>, so the
 * same source is unit-tested in userspace (selftests/unit/pic_test.c). The
 * caller owns the lock, the vCPUs and the other interrupt controllers: what
 * a call sets off outside the PICs (waking a vCPU, ack and mask notifiers)
 * is accumulated in the struct as SVMX_PIC_FX_* bits for the caller to take
 * (svmx_pic_take_fx()).
 *
 * struct svmx_pic_chip mirrors x86's struct kvm_pic_state (<linux/kvm.h>)
 * field by field, same names, same order, all u8, so that KVM_GET/SET_IRQCHIP
 * copy one into the other.
 */
#ifndef SVMX_PIC_H
#define SVMX_PIC_H

#include <linux/types.h>

#define SVMX_PIC_MASTER		0
#define SVMX_PIC_SLAVE		1
#define SVMX_PIC_NR_IRQS	16
#define SVMX_PIC_CASCADE_IRQ	2	/* the master's input from the slave */

/* I/O ports */
#define SVMX_PIC_MASTER_CMD	0x20	/* A0 = 0: ICW1, OCW2, OCW3; IRR/ISR */
#define SVMX_PIC_MASTER_DATA	0x21	/* A0 = 1: ICW2-ICW4, OCW1 (IMR) */
#define SVMX_PIC_SLAVE_CMD	0xa0
#define SVMX_PIC_SLAVE_DATA	0xa1
#define SVMX_PIC_ELCR_MASTER	0x4d0	/* IRQ 0-7 edge (0) / level (1) */
#define SVMX_PIC_ELCR_SLAVE	0x4d1	/* IRQ 8-15 */

/*
 * The ELCR bits that can be set: IRQ 0, 1, 2 (timer, keyboard, cascade),
 * 8 (RTC) and 13 (FPU error) are always edge-triggered.
 */
#define SVMX_PIC_ELCR_MASK_MASTER	0xf8
#define SVMX_PIC_ELCR_MASK_SLAVE	0xde

/* svmx_pic_set_irq() results, as KVM_IRQ_LINE_STATUS reports them. */
#define SVMX_PIC_IRQ_MASKED	(-1)	/* the line's IMR bit is set */
#define SVMX_PIC_IRQ_COALESCED	0	/* the request was already pending */
#define SVMX_PIC_IRQ_DELIVERED	1

/* What the calls set off, for the caller to carry out. */
#define SVMX_PIC_FX_KICK	(1U << 0)	/* INT rose: wake an ExtINT vCPU */
#define SVMX_PIC_FX_EOI		(1U << 1)	/* requests ended: fx_eoi */
#define SVMX_PIC_FX_IMR		(1U << 2)	/* mask bits flipped: fx_imr */

/* One 8259A; the fields and their order are struct kvm_pic_state's. */
struct svmx_pic_chip {
	u8 last_irr;		/* the input lines' levels (edge detection) */
	u8 irr;			/* interrupt request register */
	u8 imr;			/* interrupt mask register (OCW1) */
	u8 isr;			/* in-service register */
	u8 priority_add;	/* the IR of highest priority (rotation) */
	u8 irq_base;		/* vector of IR0 (ICW2, T7-T3) */
	u8 read_reg_select;	/* OCW3 RIS: A0 = 0 reads ISR (1) or IRR (0) */
	u8 poll;		/* OCW3 P: the next read is a poll */
	u8 special_mask;	/* OCW3 SMM */
	u8 init_state;		/* 0: ready; 1, 2, 3: ICW2, ICW3, ICW4 next */
	u8 auto_eoi;		/* ICW4 AEOI */
	u8 rotate_on_auto_eoi;	/* OCW2 "rotate in automatic EOI mode" */
	u8 special_fully_nested_mode;	/* ICW4 SFNM */
	u8 init4;		/* ICW1 IC4: an ICW4 follows */
	u8 elcr;		/* edge (0) / level (1) per IR */
	u8 elcr_mask;		/* the ELCR bits that can be set */
};

struct svmx_pic {
	struct svmx_pic_chip chip[2];	/* SVMX_PIC_MASTER, SVMX_PIC_SLAVE */
	bool output;		/* the master's INT */
	/* Accumulated until svmx_pic_take_fx(). */
	u32 fx;			/* SVMX_PIC_FX_* */
	u16 fx_eoi;		/* IRQs 0-15 whose request ended (ISR cleared) */
	u16 fx_imr;		/* IRQs 0-15 whose IMR bit flipped */
};

void svmx_pic_reset(struct svmx_pic *pic);
bool svmx_pic_port(u16 port);
int svmx_pic_ioport_read(struct svmx_pic *pic, u16 port, u8 *val);
int svmx_pic_ioport_write(struct svmx_pic *pic, u16 port, u8 val);
int svmx_pic_set_irq(struct svmx_pic *pic, unsigned int irq, bool level);
bool svmx_pic_output(const struct svmx_pic *pic);
u8 svmx_pic_ack(struct svmx_pic *pic);
u32 svmx_pic_take_fx(struct svmx_pic *pic, u16 *eoi, u16 *imr);
void svmx_pic_get_state(const struct svmx_pic *pic, unsigned int chip,
			struct svmx_pic_chip *st);
void svmx_pic_set_state(struct svmx_pic *pic, unsigned int chip,
			const struct svmx_pic_chip *st);

#endif
