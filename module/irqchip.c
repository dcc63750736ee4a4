// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's in-kernel interrupt controllers besides the local APICs: the two
 * cascaded 8259 PICs (pic.c) and the IOAPIC (ioapic.c), created by
 * KVM_CREATE_IRQCHIP, and the ways in and out of them.
 *
 *   in     KVM_IRQ_LINE(_STATUS): a GSI's level, through KVM's default
 *          routing (GSI 0-15: PIC input and IOAPIC pin; 16-23: IOAPIC pin);
 *          the guest's port I/O to the PICs and the ELCR (pio.c) and its
 *          MMIO to the IOAPIC window (mmio.c)
 *   out    an IOAPIC message goes to the local APICs (svmx_apic_deliver());
 *          the master PIC's INT is an ExtINT for a vCPU whose APIC takes it
 *          (LVT0 unmasked in ExtINT mode, or the APIC disabled), which
 *          acknowledges the PIC when it injects the interrupt
 *   EOI    a local APIC's EOI of a level-triggered vector reaches the
 *          IOAPIC (svmx_irqchip_eoi())
 *   state  KVM_GET/SET_IRQCHIP
 *
 * One spinlock (interrupts off) guards both models. It is taken before a
 * local APIC's lock, never after it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmx.h"
#include "vcpu.h"
#include "lapic.h"
#include "ioapic.h"
#include "pic.h"

struct svmx_irqchip {
	spinlock_t lock;
	struct svmx_pic pic;
	struct svmx_ioapic ioapic;
};

static_assert(sizeof(struct svmx_ioapic_state) == sizeof(struct kvm_ioapic_state));
static_assert(sizeof(struct svmx_pic_chip) == sizeof(struct kvm_pic_state));

/* The IOAPIC's messages go to the local APICs (under the irqchip lock). */
static int svmx_irqchip_send(void *opaque, const struct svmx_apic_irq *irq)
{
	return svmx_apic_deliver(opaque, NULL, irq);
}

/** svmx_irqchip_create() - KVM_CREATE_IRQCHIP: the PICs and the IOAPIC */
int svmx_irqchip_create(struct svmx_vm *vm)
{
	struct svmx_irqchip *chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);

	if (!chip)
		return -ENOMEM;
	spin_lock_init(&chip->lock);
	svmx_pic_reset(&chip->pic);
	svmx_ioapic_init(&chip->ioapic, svmx_irqchip_send, vm);
	vm->irqchip = chip;
	return 0;
}

void svmx_irqchip_destroy(struct svmx_vm *vm)
{
	kfree(vm->irqchip);
	vm->irqchip = NULL;
}

/*
 * The PIC's INT rose: the first vCPU that takes ExtINT looks at it. Called
 * with the PIC's effects taken under the lock, after unlocking.
 */
static void svmx_irqchip_pic_fx(struct svmx_vm *vm, u32 fx)
{
	/* Pairs with the release in svmx_vcpu_create(). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	if (!(fx & SVMX_PIC_FX_KICK))
		return;
	for (i = 0; i < n; i++) {
		if (svmx_apic_accepts_extint(vm->vcpus[i])) {
			svmx_vcpu_kick(vm->vcpus[i], SVMX_REQ_EVENT);
			return;
		}
	}
}

/**
 * svmx_irqchip_set_irq() - a GSI's line level (KVM_IRQ_LINE)
 * @vm: the VM, with the irqchip
 * @gsi: the GSI
 * @level: asserted or not
 *
 * Return: KVM_IRQ_LINE_STATUS's status: the sum of what the PIC and the
 * IOAPIC delivered, 0 when coalesced, -1 when masked or not routed.
 */
int svmx_irqchip_set_irq(struct svmx_vm *vm, u32 gsi, bool level)
{
	struct svmx_irqchip *chip = vm->irqchip;
	int status = -1, r;
	unsigned long flags;
	u32 fx = 0;
	u16 eoi, imr;

	spin_lock_irqsave(&chip->lock, flags);
	if (gsi < SVMX_PIC_NR_IRQS) {
		r = svmx_pic_set_irq(&chip->pic, gsi, level);
		fx = svmx_pic_take_fx(&chip->pic, &eoi, &imr);
		if (r >= 0)
			status = r;
	}
	if (gsi < SVMX_IOAPIC_NUM_PINS) {
		r = svmx_ioapic_set_irq(&chip->ioapic, gsi, level);
		if (r >= 0)
			status = status < 0 ? r : status + r;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	svmx_irqchip_pic_fx(vm, fx);
	return status;
}

/** svmx_irqchip_eoi() - a local APIC's EOI of a level-triggered vector */
void svmx_irqchip_eoi(struct svmx_vm *vm, u8 vector)
{
	struct svmx_irqchip *chip = vm->irqchip;
	unsigned long flags;

	if (!chip)
		return;
	spin_lock_irqsave(&chip->lock, flags);
	svmx_ioapic_eoi(&chip->ioapic, vector);
	spin_unlock_irqrestore(&chip->lock, flags);
}

/** svmx_irqchip_extint() - is the master PIC's INT asserted */
bool svmx_irqchip_extint(struct svmx_vm *vm)
{
	struct svmx_irqchip *chip = vm->irqchip;
	unsigned long flags;
	bool out;

	if (!chip)
		return false;
	spin_lock_irqsave(&chip->lock, flags);
	out = svmx_pic_output(&chip->pic);
	spin_unlock_irqrestore(&chip->lock, flags);
	return out;
}

/**
 * svmx_irqchip_pic_ack() - the interrupt acknowledge cycle to the PICs
 * @vm: the VM
 *
 * Return: the vector (the spurious IRQ 7 one if the request went away).
 */
u8 svmx_irqchip_pic_ack(struct svmx_vm *vm)
{
	struct svmx_irqchip *chip = vm->irqchip;
	unsigned long flags;
	u16 eoi, imr;
	u32 fx;
	u8 v;

	spin_lock_irqsave(&chip->lock, flags);
	v = svmx_pic_ack(&chip->pic);
	fx = svmx_pic_take_fx(&chip->pic, &eoi, &imr);
	spin_unlock_irqrestore(&chip->lock, flags);
	svmx_irqchip_pic_fx(vm, fx);
	return v;
}

/**
 * svmx_irqchip_pio() - a guest IN/OUT of the PICs' or the ELCR's ports
 * @vcpu: the vCPU
 * @port: the port
 * @size: 1, 2 or 4
 * @in: IN (else OUT)
 * @val: the value written, or read
 *
 * As on KVM, only byte accesses reach the chips: wider reads return 0 and
 * wider writes are dropped.
 *
 * Return: true if the port is the irqchip's.
 */
bool svmx_irqchip_pio(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
		      u32 *val)
{
	struct svmx_irqchip *chip = vcpu->vm->irqchip;
	unsigned long flags;
	u32 fx = 0;
	u16 eoi, imr;
	u8 b = 0;

	if (!chip || !svmx_pic_port(port))
		return false;
	spin_lock_irqsave(&chip->lock, flags);
	if (size == 1) {
		if (in)
			svmx_pic_ioport_read(&chip->pic, port, &b);
		else
			svmx_pic_ioport_write(&chip->pic, port, *val);
		fx = svmx_pic_take_fx(&chip->pic, &eoi, &imr);
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (in)
		*val = b;
	svmx_irqchip_pic_fx(vcpu->vm, fx);
	return true;
}

static bool svmx_ioapic_window(u64 gpa)
{
	return gpa >= SVMX_IOAPIC_DEFAULT_BASE &&
	       gpa < SVMX_IOAPIC_DEFAULT_BASE + SVMX_IOAPIC_MMIO_SIZE;
}

/**
 * svmx_irqchip_mmio_read() - a guest read of the IOAPIC window, if it is one
 * @vcpu: the vCPU
 * @gpa: the address
 * @buf: the data
 * @len: 1, 2, 4 or 8
 *
 * The 32-bit register is zero-extended to 8 bytes or cut to 1 or 2, as on
 * KVM.
 *
 * Return: true if the IOAPIC took the access.
 */
bool svmx_irqchip_mmio_read(struct svmx_vcpu *vcpu, u64 gpa, void *buf,
			    unsigned int len)
{
	struct svmx_irqchip *chip = vcpu->vm->irqchip;
	unsigned long flags;
	u64 v;

	if (!chip || !svmx_ioapic_window(gpa))
		return false;
	spin_lock_irqsave(&chip->lock, flags);
	v = svmx_ioapic_mmio_read(&chip->ioapic, gpa - SVMX_IOAPIC_DEFAULT_BASE);
	spin_unlock_irqrestore(&chip->lock, flags);
	memcpy(buf, &v, min_t(unsigned int, len, sizeof(v)));
	return true;
}

/** svmx_irqchip_mmio_write() - likewise for a write: only 4 and 8 bytes count */
bool svmx_irqchip_mmio_write(struct svmx_vcpu *vcpu, u64 gpa, const void *buf,
			     unsigned int len)
{
	struct svmx_irqchip *chip = vcpu->vm->irqchip;
	unsigned long flags;
	u32 v;

	if (!chip || !svmx_ioapic_window(gpa))
		return false;
	if (len != 4 && len != 8)
		return true;
	memcpy(&v, buf, sizeof(v));
	spin_lock_irqsave(&chip->lock, flags);
	svmx_ioapic_mmio_write(&chip->ioapic, gpa - SVMX_IOAPIC_DEFAULT_BASE, v);
	spin_unlock_irqrestore(&chip->lock, flags);
	return true;
}

/* KVM_GET_IRQCHIP / KVM_SET_IRQCHIP: a PIC's or the IOAPIC's state. */
static long svmx_irqchip_state(struct svmx_vm *vm, void __user *argp, bool set)
{
	struct svmx_irqchip *chip = vm->irqchip;
	struct kvm_irqchip *s;
	unsigned long flags;
	u32 fx = 0;
	u16 eoi, imr;
	long r = 0;

	if (!chip)
		return -ENXIO;
	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	spin_lock_irqsave(&chip->lock, flags);
	switch (s->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		if (set) {
			svmx_pic_set_state(&chip->pic, s->chip_id,
					   (struct svmx_pic_chip *)&s->chip.pic);
			fx = svmx_pic_take_fx(&chip->pic, &eoi, &imr);
		} else {
			svmx_pic_get_state(&chip->pic, s->chip_id,
					   (struct svmx_pic_chip *)&s->chip.pic);
		}
		break;
	case KVM_IRQCHIP_IOAPIC:
		if (set)
			svmx_ioapic_set_state(&chip->ioapic,
					      (struct svmx_ioapic_state *)&s->chip.ioapic);
		else
			svmx_ioapic_get_state(&chip->ioapic,
					      (struct svmx_ioapic_state *)&s->chip.ioapic);
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	svmx_irqchip_pic_fx(vm, fx);
	if (!r && !set && copy_to_user(argp, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

/* KVM_IRQ_LINE and KVM_IRQ_LINE_STATUS. */
static long svmx_irqchip_irq_line(struct svmx_vm *vm, void __user *argp,
				  bool status)
{
	struct kvm_irq_level irq;

	if (!vm->irqchip)
		return -ENXIO;
	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	irq.status = svmx_irqchip_set_irq(vm, irq.irq, irq.level);
	if (status && copy_to_user(argp, &irq, sizeof(irq)))
		return -EFAULT;
	return 0;
}

/** svmx_irqchip_ioctl() - the VM ioctls of the irqchip; -ENOTTY for others */
long svmx_irqchip_ioctl(struct svmx_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	switch (ioctl) {
	case KVM_IRQ_LINE:
		return svmx_irqchip_irq_line(vm, argp, false);
	case KVM_IRQ_LINE_STATUS:
		return svmx_irqchip_irq_line(vm, argp, true);
	case KVM_GET_IRQCHIP:
		return svmx_irqchip_state(vm, argp, false);
	case KVM_SET_IRQCHIP:
		return svmx_irqchip_state(vm, argp, true);
	}
	return -ENOTTY;
}
