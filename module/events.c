// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts, NMIs and exceptions with the irqchip in userspace, and the
 * state ioctls around them: KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS,
 * KVM_GET/SET_DEBUGREGS, KVM_TRANSLATE.
 *
 * A queued interrupt or NMI is injected by the backend at an entry where
 * the guest can take it (RFLAGS.IF set, no STI/MOV-SS shadow, NMIs not
 * blocked); until then the backend asks the CPU for an exit when the
 * window opens. With run->request_interrupt_window set, KVM_RUN returns
 * KVM_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take an interrupt
 * (api.rst 5, "request_interrupt_window"); every exit to userspace reports
 * if_flag, cr8, apic_base and ready_for_interrupt_injection.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "svmx.h"
#include "vcpu.h"

/** svmx_ready_for_interrupt() - may userspace inject with KVM_INTERRUPT now */
bool svmx_ready_for_interrupt(struct svmx_vcpu *vcpu)
{
	return !vcpu->irq_pending &&
	       svmx_backend->vcpu->interrupt_allowed(vcpu);
}

/** svmx_fill_run_state() - the state every exit to userspace reports */
void svmx_fill_run_state(struct svmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	run->cr8 = svmx_backend->vcpu->get_cr(vcpu, 8);
	run->apic_base = vcpu->apic_base;
	run->ready_for_interrupt_injection = svmx_ready_for_interrupt(vcpu);
}

static long svmx_ioctl_interrupt(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= KVM_NR_INTERRUPTS)
		return -EINVAL;
	/* With the in-kernel APIC, interrupts come through it (as KVM). */
	if (vcpu->apic)
		return -ENXIO;
	/* One at a time, as KVM: the previous one is not delivered yet. */
	if (vcpu->irq_pending)
		return -EEXIST;
	vcpu->irq_pending = true;
	vcpu->irq_source = SVMX_IRQ_USER;
	vcpu->irq_vector = irq.irq;
	return 0;
}

/**
 * svmx_queue_nmi() - an NMI for the vCPU (KVM_NMI, an APIC's NMI message)
 * @vcpu: the vCPU, from its own thread
 *
 * As KVM: an NMI is delivered and one more held behind it, or only one
 * held if an NMI handler runs already; more are dropped.
 */
void svmx_queue_nmi(struct svmx_vcpu *vcpu)
{
	u8 limit = 2;

	if (vcpu->nmi_injected || svmx_backend->vcpu->get_nmi_masked(vcpu))
		limit = 1;
	if (vcpu->nmi_pending < limit)
		vcpu->nmi_pending++;
}

static long svmx_get_vcpu_events(struct svmx_vcpu *vcpu, void __user *argp)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	struct kvm_vcpu_events ev = {};

	ev.exception.injected = vcpu->exception.pending;
	ev.exception.nr = vcpu->exception.vector;
	ev.exception.has_error_code = vcpu->exception.has_error;
	ev.exception.error_code = vcpu->exception.error;
	/* Only an acknowledged one: the APIC's and PIC's are still pending. */
	ev.interrupt.injected = vcpu->irq_pending &&
				vcpu->irq_source == SVMX_IRQ_USER;
	ev.interrupt.nr = vcpu->irq_vector;
	ev.interrupt.shadow = ops->get_interrupt_shadow(vcpu);
	ev.nmi.injected = vcpu->nmi_injected;
	ev.nmi.pending = !!vcpu->nmi_pending;
	ev.nmi.masked = ops->get_nmi_masked(vcpu);
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static long svmx_set_vcpu_events(struct svmx_vcpu *vcpu, void __user *argp)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	struct kvm_vcpu_events ev;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	/*
	 * Exception payloads and triple faults are not offered (KVM too says
	 * EINVAL until their capabilities are enabled). Nor is SMM, but the
	 * flag is taken when it asks for none, as QEMU always sends it.
	 */
	if (ev.flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			 KVM_VCPUEVENT_VALID_SHADOW |
			 KVM_VCPUEVENT_VALID_SMM))
		return -EINVAL;
	if ((ev.flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (ev.smi.smm || ev.smi.pending))
		return -EINVAL;
	if (ev.exception.injected &&
	    (ev.exception.nr > 31 || ev.exception.nr == 2))
		return -EINVAL;

	vcpu->exception.pending = ev.exception.injected;
	vcpu->exception.vector = ev.exception.nr;
	vcpu->exception.has_error = ev.exception.has_error_code;
	vcpu->exception.error = ev.exception.error_code;
	vcpu->irq_pending = ev.interrupt.injected;
	vcpu->irq_source = SVMX_IRQ_USER;
	vcpu->irq_vector = ev.interrupt.nr;
	if (ev.flags & KVM_VCPUEVENT_VALID_SHADOW)
		ops->set_interrupt_shadow(vcpu, ev.interrupt.shadow &
					  (KVM_X86_SHADOW_INT_MOV_SS |
					   KVM_X86_SHADOW_INT_STI));
	vcpu->nmi_injected = ev.nmi.injected;
	if (ev.flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->nmi_pending = min_t(u8, ev.nmi.pending, 2);
	ops->set_nmi_masked(vcpu, ev.nmi.masked);
	return 0;
}

static long svmx_get_debugregs(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d = {};

	memcpy(d.db, vcpu->db, sizeof(d.db));
	d.dr6 = vcpu->dr6;
	d.dr7 = svmx_backend->vcpu->get_dr7(vcpu);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

static long svmx_set_debugregs(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	/* Bits 63:32 of DR6 and DR7 are reserved (SDM Vol. 3B, 18.2). */
	if (d.flags || (d.dr6 >> 32) || (d.dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->db, d.db, sizeof(vcpu->db));
	vcpu->dr6 = d.dr6;
	svmx_backend->vcpu->set_dr7(vcpu, d.dr7);
	return 0;
}

static long svmx_translate(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_translation tr;
	u32 pf_error;
	u64 gpa;

	if (copy_from_user(&tr, argp, sizeof(tr)))
		return -EFAULT;
	/* As KVM: a supervisor access, no permission check beyond presence. */
	if (svmx_gva_to_gpa(vcpu, tr.linear_address, 0, &gpa, &pf_error)) {
		tr.physical_address = ~0ULL;
		tr.valid = 0;
	} else {
		tr.physical_address = gpa;
		tr.valid = 1;
	}
	tr.writeable = 1;
	tr.usermode = 0;
	return copy_to_user(argp, &tr, sizeof(tr)) ? -EFAULT : 0;
}

/**
 * svmx_vcpu_events_ioctl() - the ioctls of this file
 * @vcpu: the vCPU, its lock held
 * @ioctl: the ioctl
 * @argp: its argument
 *
 * Return: 0 or a negative errno; -ENOTTY for another ioctl.
 */
long svmx_vcpu_events_ioctl(struct svmx_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp)
{
	switch (ioctl) {
	case KVM_INTERRUPT:
		return svmx_ioctl_interrupt(vcpu, argp);
	case KVM_NMI:
		svmx_queue_nmi(vcpu);
		return 0;
	case KVM_GET_VCPU_EVENTS:
		return svmx_get_vcpu_events(vcpu, argp);
	case KVM_SET_VCPU_EVENTS:
		return svmx_set_vcpu_events(vcpu, argp);
	case KVM_GET_DEBUGREGS:
		return svmx_get_debugregs(vcpu, argp);
	case KVM_SET_DEBUGREGS:
		return svmx_set_debugregs(vcpu, argp);
	case KVM_TRANSLATE:
		return svmx_translate(vcpu, argp);
	default:
		return -ENOTTY;
	}
}
