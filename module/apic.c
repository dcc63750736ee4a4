// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC of a vCPU (KVM_CREATE_IRQCHIP): the register
 * model of lapic.c wrapped with what it needs in the kernel.
 *
 *   access       the xAPIC page (MMIO through the instruction emulator,
 *                mmio.c), the x2APIC MSRs and IA32_TSC_DEADLINE (msr.c),
 *                IA32_APIC_BASE, KVM_GET/SET_LAPIC
 *   delivery     svmx_apic_deliver(): an IPI (or later an IOAPIC/MSI
 *                message) to every APIC it names; fixed and lowest-priority
 *                vectors land in IRR, NMI/INIT/SIPI become vCPU requests
 *   injection    before each entry the run loop asks for the highest
 *                deliverable vector (svmx_apic_pick_interrupt()), or the
 *                PIC's ExtINT; the backend acknowledges it when it really
 *                injects it (svmx_irq_take()), moving it from IRR to ISR
 *   timer        an hrtimer on CLOCK_MONOTONIC at the model's deadline
 *
 * Locking: apic->lock (interrupts off: the hrtimer callback takes it) guards
 * the model. Only the owning vCPU's thread writes registers, so only it
 * re-arms the hrtimer, outside the lock: cancel (which waits for a running
 * callback), then start at the deadline the model now holds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/tsc.h>

#include "svmx.h"
#include "vcpu.h"
#include "lapic.h"

struct svmx_apic {
	spinlock_t lock;
	struct svmx_lapic m;
	struct hrtimer timer;
	struct svmx_vcpu *vcpu;
	u8 sipi_vector;
};

static u64 svmx_apic_now(void)
{
	return ktime_get_ns();
}

static enum hrtimer_restart svmx_apic_timer_fn(struct hrtimer *t)
{
	struct svmx_apic *apic = container_of(t, struct svmx_apic, timer);
	unsigned long flags;
	bool raised;
	u64 next;

	spin_lock_irqsave(&apic->lock, flags);
	raised = svmx_lapic_timer_fire(&apic->m, svmx_apic_now());
	next = apic->m.deadline_ns;
	spin_unlock_irqrestore(&apic->lock, flags);

	if (raised)
		svmx_vcpu_kick(apic->vcpu, SVMX_REQ_EVENT);
	if (!next)
		return HRTIMER_NORESTART;
	hrtimer_set_expires(t, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

/* The model's deadline changed: re-arm the host timer. Owner thread only. */
static void svmx_apic_timer_update(struct svmx_apic *apic)
{
	unsigned long flags;
	u64 deadline;

	hrtimer_cancel(&apic->timer);
	spin_lock_irqsave(&apic->lock, flags);
	deadline = apic->m.deadline_ns;
	spin_unlock_irqrestore(&apic->lock, flags);
	if (deadline)
		hrtimer_start(&apic->timer, ns_to_ktime(deadline),
			      HRTIMER_MODE_ABS);
}

/**
 * svmx_apic_create() - give a new vCPU its local APIC
 * @vcpu: the vCPU, not yet visible to anyone
 *
 * Return: 0 or -ENOMEM.
 */
int svmx_apic_create(struct svmx_vcpu *vcpu)
{
	struct svmx_apic *apic = kzalloc(sizeof(*apic), GFP_KERNEL_ACCOUNT);

	if (!apic)
		return -ENOMEM;
	spin_lock_init(&apic->lock);
	hrtimer_init(&apic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	apic->timer.function = svmx_apic_timer_fn;
	apic->vcpu = vcpu;
	svmx_lapic_reset(&apic->m, vcpu->id, vcpu->id == 0);
	vcpu->apic_base = apic->m.base;
	vcpu->apic = apic;
	return 0;
}

void svmx_apic_destroy(struct svmx_vcpu *vcpu)
{
	if (!vcpu->apic)
		return;
	hrtimer_cancel(&vcpu->apic->timer);
	kfree(vcpu->apic);
	vcpu->apic = NULL;
}

/* Carry out what a register write set off (SVMX_LAPIC_FX_*). */
static void svmx_apic_effects(struct svmx_vcpu *vcpu, u32 fx)
{
	struct svmx_apic *apic = vcpu->apic;
	struct svmx_apic_irq irq;
	unsigned long flags;

	if (fx & SVMX_LAPIC_FX_TIMER)
		svmx_apic_timer_update(apic);
	if (fx & SVMX_LAPIC_FX_ICR) {
		spin_lock_irqsave(&apic->lock, flags);
		svmx_lapic_icr_irq(&apic->m, &irq);
		spin_unlock_irqrestore(&apic->lock, flags);
		svmx_apic_deliver(vcpu->vm, vcpu, &irq);
	}
	if (fx & SVMX_LAPIC_FX_EOI_LEVEL)
		svmx_irqchip_eoi(vcpu->vm, apic->m.eoi_vector);
	/* A new IRR bit (self IPI) or a new PPR (TPR, EOI): look again. */
	set_bit(SVMX_REQ_EVENT, &vcpu->requests);
}

/* The one vCPU a lowest-priority message goes to (11.6.2.4): lowest TPR. */
static struct svmx_vcpu *svmx_apic_lowest(struct svmx_vm *vm,
					  const struct svmx_apic_irq *irq)
{
	/* Pairs with the release in svmx_vcpu_create(). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);
	struct svmx_vcpu *best = NULL;
	u32 best_prio = ~0U;

	for (i = 0; i < n; i++) {
		struct svmx_vcpu *v = vm->vcpus[i];
		struct svmx_apic *apic = v->apic;
		unsigned long flags;
		bool match;
		u32 prio;

		spin_lock_irqsave(&apic->lock, flags);
		match = svmx_lapic_sw_enabled(&apic->m) &&
			svmx_lapic_match_dest(&apic->m, irq);
		prio = svmx_lapic_priority(&apic->m);
		spin_unlock_irqrestore(&apic->lock, flags);
		if (match && prio < best_prio) {
			best = v;
			best_prio = prio;
		}
	}
	return best;
}

/* Hand one message to one APIC; returns whether it took it. */
static bool svmx_apic_accept(struct svmx_vcpu *v, const struct svmx_apic_irq *irq)
{
	struct svmx_apic *apic = v->apic;
	unsigned long flags;
	bool raised;

	switch (irq->mode) {
	case SVMX_APIC_DM_FIXED:
	case SVMX_APIC_DM_LOWEST:
		spin_lock_irqsave(&apic->lock, flags);
		raised = svmx_lapic_accept_fixed(&apic->m, irq->vector, irq->level);
		spin_unlock_irqrestore(&apic->lock, flags);
		if (raised)
			svmx_vcpu_kick(v, SVMX_REQ_EVENT);
		return raised;
	case SVMX_APIC_DM_NMI:
		svmx_vcpu_kick(v, SVMX_REQ_NMI);
		break;
	case SVMX_APIC_DM_INIT:
		/* The level de-assert form is only a synchronisation message. */
		if (irq->level && !irq->assert)
			return false;
		svmx_vcpu_kick(v, SVMX_REQ_INIT);
		break;
	case SVMX_APIC_DM_STARTUP:
		spin_lock_irqsave(&apic->lock, flags);
		apic->sipi_vector = irq->vector;
		spin_unlock_irqrestore(&apic->lock, flags);
		svmx_vcpu_kick(v, SVMX_REQ_SIPI);
		break;
	default:
		/* SMI and ExtINT messages are not delivered. */
		return false;
	}
	return true;
}

/**
 * svmx_apic_deliver() - send a message on the APIC bus
 * @vm: the VM
 * @src: the sending vCPU for an IPI (the shorthands are relative to it), or
 *       NULL for the IOAPIC and MSIs
 * @irq: the message
 *
 * Return: -1 if no APIC is a destination, else how many took the message
 * (an interrupt already pending in IRR is not taken again), as KVM counts
 * for the IOAPIC's remote IRR and KVM_IRQ_LINE_STATUS.
 */
int svmx_apic_deliver(struct svmx_vm *vm, struct svmx_vcpu *src,
		      const struct svmx_apic_irq *irq)
{
	/* Pairs with the release in svmx_vcpu_create(). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);
	int taken = -1;

	if (irq->shorthand == SVMX_APIC_SHORT_NONE &&
	    irq->mode == SVMX_APIC_DM_LOWEST) {
		struct svmx_vcpu *v = svmx_apic_lowest(vm, irq);

		return v ? svmx_apic_accept(v, irq) : -1;
	}
	for (i = 0; i < n; i++) {
		struct svmx_vcpu *v = vm->vcpus[i];
		struct svmx_apic *apic = v->apic;
		unsigned long flags;
		bool match;

		switch (irq->shorthand) {
		case SVMX_APIC_SHORT_SELF:
			match = v == src;
			break;
		case SVMX_APIC_SHORT_ALL:
			match = true;
			break;
		case SVMX_APIC_SHORT_OTHERS:
			match = v != src;
			break;
		default:
			spin_lock_irqsave(&apic->lock, flags);
			match = svmx_lapic_match_dest(&apic->m, irq);
			spin_unlock_irqrestore(&apic->lock, flags);
			break;
		}
		if (match)
			taken = max(taken, 0) + svmx_apic_accept(v, irq);
	}
	return taken;
}

/**
 * svmx_apic_accepts_extint() - does this vCPU take the PIC's interrupts
 * @vcpu: the vCPU
 *
 * When its LVT0 is unmasked in ExtINT mode, or its APIC is disabled
 * (SDM Vol. 3A, 11.4.3; the 8259's INT then reaches the CPU directly).
 */
bool svmx_apic_accepts_extint(struct svmx_vcpu *vcpu)
{
	struct svmx_apic *apic = vcpu->apic;
	unsigned long flags;
	bool r;
	u32 lvt0;

	spin_lock_irqsave(&apic->lock, flags);
	lvt0 = svmx_lapic_reg(&apic->m, SVMX_APIC_LVT_LINT0);
	r = !svmx_lapic_hw_enabled(&apic->m) ||
	    (!(lvt0 & SVMX_APIC_MASKED) &&
	     (lvt0 & SVMX_APIC_DM_MASK) == SVMX_APIC_DM_EXTINT);
	spin_unlock_irqrestore(&apic->lock, flags);
	return r;
}

/**
 * svmx_apic_pick_interrupt() - choose the interrupt for the next entry
 * @vcpu: the vCPU, in its KVM_RUN loop
 *
 * The PIC's ExtINT first, else the local APIC's highest deliverable vector
 * becomes vcpu->irq_pending; the source is acknowledged only when the
 * backend injects it (svmx_irq_take()). It is chosen again before every
 * entry, so a higher one that came meanwhile wins.
 */
void svmx_apic_pick_interrupt(struct svmx_vcpu *vcpu)
{
	struct svmx_apic *apic = vcpu->apic;
	unsigned long flags;
	int v;

	clear_bit(SVMX_REQ_EVENT, &vcpu->requests);
	/* One already acknowledged (KVM_SET_VCPU_EVENTS) goes first. */
	if (vcpu->irq_pending && vcpu->irq_source == SVMX_IRQ_USER)
		return;
	if (svmx_irqchip_extint(vcpu->vm) && svmx_apic_accepts_extint(vcpu)) {
		vcpu->irq_pending = true;
		vcpu->irq_vector = 0;
		vcpu->irq_source = SVMX_IRQ_PIC;
		return;
	}
	spin_lock_irqsave(&apic->lock, flags);
	v = svmx_lapic_pending_vector(&apic->m);
	spin_unlock_irqrestore(&apic->lock, flags);
	vcpu->irq_pending = v >= 0;
	vcpu->irq_vector = v >= 0 ? v : 0;
	vcpu->irq_source = SVMX_IRQ_APIC;
}

/**
 * svmx_irq_take() - the backend injects vcpu's pending interrupt now
 * @vcpu: the vCPU; interrupts are off
 *
 * This is the interrupt acknowledge: the local APIC's vector moves from
 * IRR to ISR, or the PICs give theirs.
 *
 * Return: the vector to inject.
 */
u8 svmx_irq_take(struct svmx_vcpu *vcpu)
{
	struct svmx_apic *apic = vcpu->apic;

	vcpu->irq_pending = false;
	switch (vcpu->irq_source) {
	case SVMX_IRQ_APIC:
		spin_lock(&apic->lock);
		svmx_lapic_ack(&apic->m, vcpu->irq_vector);
		spin_unlock(&apic->lock);
		break;
	case SVMX_IRQ_PIC:
		vcpu->irq_vector = svmx_irqchip_pic_ack(vcpu->vm);
		break;
	default:
		break;
	}
	vcpu->irq_source = SVMX_IRQ_USER;
	return vcpu->irq_vector;
}

/* Is @gpa in the xAPIC page (enabled, not x2APIC)? Under apic->lock. */
static bool svmx_apic_in_page(struct svmx_apic *apic, u64 gpa)
{
	return svmx_lapic_hw_enabled(&apic->m) && !svmx_lapic_x2apic(&apic->m) &&
	       (gpa & PAGE_MASK) == (apic->m.base & PAGE_MASK);
}

/**
 * svmx_apic_mmio_read() - a guest read of the xAPIC page, if it is one
 * @vcpu: the vCPU
 * @gpa: the guest-physical address
 * @buf: the data read
 * @len: 1, 2, 4 or 8 bytes
 *
 * As on KVM, a read of 1, 2 or 4 bytes within one 32-bit word reads the
 * register; a wider or straddling one reads 0.
 *
 * Return: true if the APIC took the access.
 */
bool svmx_apic_mmio_read(struct svmx_vcpu *vcpu, u64 gpa, void *buf,
			 unsigned int len)
{
	struct svmx_apic *apic = vcpu->apic;
	u32 off = gpa & ~PAGE_MASK, val;
	unsigned long flags;
	bool mine;

	if (!apic)
		return false;
	spin_lock_irqsave(&apic->lock, flags);
	mine = svmx_apic_in_page(apic, gpa);
	if (mine) {
		memset(buf, 0, len);
		if ((off & 3) + len <= 4 &&
		    !svmx_lapic_mmio_read(&apic->m, off & ~3U, &val,
					  svmx_apic_now()))
			memcpy(buf, (u8 *)&val + (off & 3), len);
	}
	spin_unlock_irqrestore(&apic->lock, flags);
	return mine;
}

/**
 * svmx_apic_mmio_write() - a guest write of the xAPIC page, if it is one
 * @vcpu: the vCPU
 * @gpa: the guest-physical address
 * @buf: the data
 * @len: 1, 2, 4 or 8 bytes
 *
 * Only an aligned 4-byte write of a register takes effect; others are
 * dropped, as on KVM.
 *
 * Return: true if the APIC took the access.
 */
bool svmx_apic_mmio_write(struct svmx_vcpu *vcpu, u64 gpa, const void *buf,
			  unsigned int len)
{
	struct svmx_apic *apic = vcpu->apic;
	u32 off = gpa & ~PAGE_MASK, val, fx = 0;
	unsigned long flags;
	bool mine;

	if (!apic)
		return false;
	spin_lock_irqsave(&apic->lock, flags);
	mine = svmx_apic_in_page(apic, gpa);
	if (mine && len == 4 && !(off & 0xf)) {
		memcpy(&val, buf, 4);
		fx = svmx_lapic_mmio_write(&apic->m, off, val, svmx_apic_now());
	}
	spin_unlock_irqrestore(&apic->lock, flags);
	if (mine)
		svmx_apic_effects(vcpu, fx);
	return mine;
}

/* The host time at which the guest's TSC reads @tsc. */
static u64 svmx_tsc_to_ns(struct svmx_vcpu *vcpu, u64 tsc)
{
	u64 now_tsc = rdtsc() + vcpu->tsc_offset, now = svmx_apic_now();

	if (tsc <= now_tsc)
		return now;
	return now + mul_u64_u32_div(tsc - now_tsc, NSEC_PER_MSEC, tsc_khz);
}

/**
 * svmx_apic_get_msr() - an MSR of the local APIC
 * @vcpu: the vCPU
 * @msr: the index: x2APIC range, IA32_TSC_DEADLINE
 * @data: the value
 *
 * Return: 0; 1 for a #GP; -1 if @msr is not the APIC's (or there is none).
 */
int svmx_apic_get_msr(struct svmx_vcpu *vcpu, u32 msr, u64 *data)
{
	struct svmx_apic *apic = vcpu->apic;
	unsigned long flags;
	u32 fx;

	if (!apic)
		return -1;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		spin_lock_irqsave(&apic->lock, flags);
		*data = apic->m.tsc_deadline;
		spin_unlock_irqrestore(&apic->lock, flags);
		return 0;
	}
	if (msr < SVMX_X2APIC_MSR_FIRST || msr > SVMX_X2APIC_MSR_LAST)
		return -1;
	spin_lock_irqsave(&apic->lock, flags);
	fx = svmx_lapic_msr_read(&apic->m, msr, data, svmx_apic_now());
	spin_unlock_irqrestore(&apic->lock, flags);
	return fx & SVMX_LAPIC_FX_GP ? 1 : 0;
}

/** svmx_apic_set_msr() - likewise for a write; returns as svmx_apic_get_msr() */
int svmx_apic_set_msr(struct svmx_vcpu *vcpu, u32 msr, u64 data)
{
	struct svmx_apic *apic = vcpu->apic;
	unsigned long flags;
	u32 fx;

	if (!apic)
		return -1;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		u64 ns = data ? svmx_tsc_to_ns(vcpu, data) : 0;

		spin_lock_irqsave(&apic->lock, flags);
		fx = svmx_lapic_set_tsc_deadline(&apic->m, data, ns);
		spin_unlock_irqrestore(&apic->lock, flags);
		svmx_apic_effects(vcpu, fx);
		return 0;
	}
	if (msr < SVMX_X2APIC_MSR_FIRST || msr > SVMX_X2APIC_MSR_LAST)
		return -1;
	spin_lock_irqsave(&apic->lock, flags);
	fx = svmx_lapic_msr_write(&apic->m, msr, data, svmx_apic_now());
	spin_unlock_irqrestore(&apic->lock, flags);
	if (fx & SVMX_LAPIC_FX_GP)
		return 1;
	svmx_apic_effects(vcpu, fx);
	return 0;
}

/**
 * svmx_apic_set_base() - IA32_APIC_BASE with an in-kernel APIC
 * @vcpu: the vCPU
 * @data: the value
 * @host: written by the VMM
 *
 * Return: 0, or 1 for a #GP (reserved bits, a forbidden mode change).
 */
int svmx_apic_set_base(struct svmx_vcpu *vcpu, u64 data, bool host)
{
	struct svmx_apic *apic = vcpu->apic;
	u64 reserved = ~0ULL << svmx_guest_maxphyaddr(vcpu);
	unsigned long flags;
	int r;

	/* CPUID.1:ECX.x2APIC[21] */
	if (!svmx_guest_has(vcpu, 1, 2, 21))
		reserved |= SVMX_APIC_BASE_EXTD;
	spin_lock_irqsave(&apic->lock, flags);
	r = svmx_lapic_set_base(&apic->m, data, reserved, host);
	vcpu->apic_base = apic->m.base;
	spin_unlock_irqrestore(&apic->lock, flags);
	set_bit(SVMX_REQ_EVENT, &vcpu->requests);
	return r ? 1 : 0;
}

/**
 * svmx_apic_init_event() - INIT: the APIC's part (11.4.7.3)
 * @vcpu: the vCPU
 *
 * The registers return to their reset values; IA32_APIC_BASE and the
 * APIC ID stay.
 */
void svmx_apic_init_event(struct svmx_vcpu *vcpu)
{
	struct svmx_apic *apic = vcpu->apic;
	unsigned long flags;
	u64 base;
	u32 id;

	spin_lock_irqsave(&apic->lock, flags);
	base = apic->m.base;
	id = svmx_lapic_reg(&apic->m, SVMX_APIC_ID);
	svmx_lapic_reset(&apic->m, vcpu->id, base & SVMX_APIC_BASE_BSP);
	apic->m.base = base;
	apic->m.regs[SVMX_APIC_ID >> 2] = id;
	svmx_lapic_restore(&apic->m, svmx_apic_now());
	spin_unlock_irqrestore(&apic->lock, flags);
	svmx_apic_timer_update(apic);
}

/* The vector of the last STARTUP IPI. */
u8 svmx_apic_sipi_vector(struct svmx_vcpu *vcpu)
{
	struct svmx_apic *apic = vcpu->apic;
	unsigned long flags;
	u8 v;

	spin_lock_irqsave(&apic->lock, flags);
	v = apic->sipi_vector;
	spin_unlock_irqrestore(&apic->lock, flags);
	return v;
}

/*
 * KVM_GET_LAPIC / KVM_SET_LAPIC: the register page. In x2APIC mode the ID
 * is shown in the xAPIC format (bits 31:24), as KVM does without
 * KVM_CAP_X2APIC_API. A set restarts the timer from TMICT.
 */
static long svmx_apic_get_state(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct svmx_apic *apic = vcpu->apic;
	struct kvm_lapic_state *s;
	unsigned long flags;
	u32 id, count;
	long r = 0;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	spin_lock_irqsave(&apic->lock, flags);
	memcpy(s->regs, apic->m.regs, sizeof(s->regs));
	if (svmx_lapic_x2apic(&apic->m)) {
		id = apic->m.vcpu_id << 24;
		memcpy(s->regs + SVMX_APIC_ID, &id, 4);
	}
	count = svmx_lapic_tmcct(&apic->m, svmx_apic_now());
	memcpy(s->regs + SVMX_APIC_TMCCT, &count, 4);
	spin_unlock_irqrestore(&apic->lock, flags);
	if (copy_to_user(argp, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

static long svmx_apic_set_state(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct svmx_apic *apic = vcpu->apic;
	struct kvm_lapic_state *s;
	unsigned long flags;
	long r = 0;
	u32 id;

	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	memcpy(&id, s->regs + SVMX_APIC_ID, 4);
	spin_lock_irqsave(&apic->lock, flags);
	if (svmx_lapic_x2apic(&apic->m) && (id >> 24) != apic->m.vcpu_id) {
		r = -EINVAL;
	} else {
		memcpy(apic->m.regs, s->regs, sizeof(apic->m.regs));
		svmx_lapic_restore(&apic->m, svmx_apic_now());
	}
	spin_unlock_irqrestore(&apic->lock, flags);
	kfree(s);
	if (!r) {
		svmx_apic_timer_update(apic);
		set_bit(SVMX_REQ_EVENT, &vcpu->requests);
	}
	return r;
}

/** svmx_apic_ioctl() - KVM_GET_LAPIC, KVM_SET_LAPIC */
long svmx_apic_ioctl(struct svmx_vcpu *vcpu, unsigned int ioctl,
		     void __user *argp)
{
	if (!vcpu->apic)
		return -EINVAL;
	if (ioctl == KVM_GET_LAPIC)
		return svmx_apic_get_state(vcpu, argp);
	return svmx_apic_set_state(vcpu, argp);
}
