// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN: the vendor-neutral run loop.
 *
 *   svmx_vcpu_run()            finish what the last exit left to userspace
 *                              (an IN's data, an MMIO read), then enter the
 *                              guest through the backend until an exit needs
 *                              userspace, a signal is pending or an error
 *   svmx_vcpu_enter_prepare()  the last step before entry, interrupts off:
 *                              publish "in guest" and recheck requests and
 *                              signals, so a kick is never lost
 *   svmx_vcpu_exit_done()      the first step after the exit
 *
 * While KVM_RUN runs, the CPU's FPU registers hold the guest's FPU state
 * (fpu_swap_kvm_fpstate()); the kernel saves them into the guest's fpstate
 * when the thread is preempted, and the host's are back on return.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/smp.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>

#include "svmx.h"
#include "vcpu.h"

/**
 * svmx_queue_exception() - inject an exception at the next entry
 * @vcpu: the vCPU
 * @vector: the exception vector
 * @has_error: whether it pushes an error code
 * @error: the error code
 *
 * A second exception while one is pending makes a double fault, and one
 * while a double fault is pending a triple fault (SDM Vol. 3A, 6.15,
 * Table 6-5), which the backend reports as KVM_EXIT_SHUTDOWN.
 */
void svmx_queue_exception(struct svmx_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct svmx_exception *e = &vcpu->exception;

	if (e->pending) {
		if (e->vector == 8) {
			vcpu->triple_fault = true;
			return;
		}
		vector = 8;
		has_error = true;
		error = 0;
	}
	e->pending = true;
	e->vector = vector;
	e->has_error = has_error;
	e->error = error;
}

/**
 * svmx_exit_internal_error() - stop with KVM_EXIT_INTERNAL_ERROR
 * @vcpu: the vCPU
 * @suberror: KVM_INTERNAL_ERROR_*
 * @reason: reported in data[0] (the hardware exit reason, or an address)
 *
 * Return: 0 (to userspace).
 */
int svmx_exit_internal_error(struct svmx_vcpu *vcpu, u32 suberror, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = reason;
	run->internal.data[1] = vcpu->rip;
	return 0;
}

/** svmx_exit_shutdown() - the guest triple-faulted: KVM_EXIT_SHUTDOWN */
int svmx_exit_shutdown(struct svmx_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

/**
 * svmx_exit_hlt() - HLT
 * @vcpu: the vCPU
 * @insn_len: the instruction's length
 *
 * With the irqchip in userspace: KVM_EXIT_HLT. With the in-kernel APIC the
 * vCPU halts in the kernel until an interrupt, NMI or INIT wakes it.
 * Either way HLT ends an STI/MOV-SS shadow.
 *
 * Return: 0 (userspace) or 1.
 */
int svmx_exit_hlt(struct svmx_vcpu *vcpu, unsigned int insn_len)
{
	vcpu->rip += insn_len;
	svmx_backend->vcpu->set_interrupt_shadow(vcpu, 0);
	if (vcpu->apic) {
		vcpu->mp_state = KVM_MP_STATE_HALTED;
		return 1;
	}
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

/**
 * svmx_vcpu_kick() - make a vCPU look at a request now
 * @vcpu: the vCPU
 * @request: an SVMX_REQ_* bit
 *
 * Wakes it if it sleeps (halted, waiting for SIPI), and forces it out of
 * the guest with a reschedule IPI if it is in there. Any context.
 */
void svmx_vcpu_kick(struct svmx_vcpu *vcpu, unsigned int request)
{
	int cpu;

	set_bit(request, &vcpu->requests);
	/* Pairs with the barrier in svmx_vcpu_enter_prepare(). */
	smp_mb__after_atomic();
	rcuwait_wake_up(&vcpu->wait);
	if (READ_ONCE(vcpu->mode) != SVMX_IN_GUEST)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

/*
 * INIT (SDM Vol. 3A, 9.1.1, Table 9-1): the registers' INIT values; the
 * FPU/SSE state, MSRs and MTRRs stay. The vCPU then waits for SIPI,
 * unless it is the BSP.
 */
static void svmx_vcpu_init_event(struct svmx_vcpu *vcpu)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	struct kvm_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};
	struct kvm_sregs s = {};

	s.cs = data;
	s.cs.type = 0xb;
	s.cs.selector = 0xf000;
	s.cs.base = 0xffff0000;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
	s.tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
	s.gdt.limit = 0xffff;
	s.idt.limit = 0xffff;
	s.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	s.apic_base = vcpu->apic_base;
	ops->set_sregs(vcpu, &s);

	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs[SVMX_RDX] = 0x600;
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->dr6 = 0xffff0ff0;
	memset(vcpu->db, 0, sizeof(vcpu->db));
	ops->set_dr7(vcpu, 0x400);
	ops->set_interrupt_shadow(vcpu, 0);
	ops->set_nmi_masked(vcpu, false);
	vcpu->exception.pending = false;
	vcpu->irq_pending = false;
	vcpu->irq_source = SVMX_IRQ_USER;
	vcpu->nmi_pending = 0;
	vcpu->nmi_injected = false;
	svmx_apic_init_event(vcpu);
	vcpu->mp_state = vcpu->apic_base & MSR_IA32_APICBASE_BSP ?
			 KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_INIT_RECEIVED;
}

/* STARTUP: real mode at vector * 4 KiB (SDM Vol. 3A, 9.4.4.1). */
static void svmx_vcpu_sipi(struct svmx_vcpu *vcpu)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	u8 vector = svmx_apic_sipi_vector(vcpu);
	struct kvm_sregs s;

	ops->get_sregs(vcpu, &s);
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	ops->set_sregs(vcpu, &s);
	vcpu->rip = 0;
	vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
}

/* The requests other CPUs made of the local APIC's vCPU. */
static void svmx_vcpu_apic_requests(struct svmx_vcpu *vcpu)
{
	if (test_and_clear_bit(SVMX_REQ_INIT, &vcpu->requests))
		svmx_vcpu_init_event(vcpu);
	if (test_and_clear_bit(SVMX_REQ_SIPI, &vcpu->requests) &&
	    vcpu->mp_state == KVM_MP_STATE_INIT_RECEIVED)
		svmx_vcpu_sipi(vcpu);
	if (test_and_clear_bit(SVMX_REQ_NMI, &vcpu->requests))
		svmx_queue_nmi(vcpu);
	svmx_apic_pick_interrupt(vcpu);
}

/* Would the halted vCPU wake up: an NMI, or an interrupt it can take. */
static bool svmx_vcpu_wakes(struct svmx_vcpu *vcpu)
{
	return vcpu->nmi_pending || vcpu->nmi_injected ||
	       (vcpu->irq_pending && (vcpu->rflags & X86_EFLAGS_IF));
}

static int svmx_vcpu_wait_uninitialized(struct svmx_vcpu *vcpu)
{
	rcuwait_wait_event(&vcpu->wait,
			   (READ_ONCE(vcpu->requests) & SVMX_REQ_WAKE_MASK) ||
			   signal_pending(current),
			   TASK_INTERRUPTIBLE);
	svmx_vcpu_apic_requests(vcpu);
	if (signal_pending(current)) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	return -EAGAIN;
}

/**
 * svmx_vcpu_block() - a halted vCPU, or one waiting for SIPI, sleeps
 * @vcpu: the vCPU, its mp_state not RUNNABLE
 *
 * Return: 1 once it runs again; -EINTR with KVM_EXIT_INTR for a signal
 * (it is still halted at the next KVM_RUN).
 */
static int svmx_vcpu_block(struct svmx_vcpu *vcpu)
{
	for (;;) {
		svmx_vcpu_apic_requests(vcpu);
		if (vcpu->mp_state == KVM_MP_STATE_HALTED && svmx_vcpu_wakes(vcpu))
			vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
		if (vcpu->mp_state == KVM_MP_STATE_RUNNABLE)
			return 1;
		if (signal_pending(current)) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		rcuwait_wait_event(&vcpu->wait,
				   (READ_ONCE(vcpu->requests) & SVMX_REQ_WAKE_MASK) ||
				   signal_pending(current),
				   TASK_INTERRUPTIBLE);
	}
}

/**
 * svmx_vcpu_enter_prepare() - the last check before entering the guest
 * @vcpu: the vCPU; interrupts are off
 *
 * Return: true to enter; false if a request or a signal came in meanwhile
 * (the caller enables interrupts and goes round the loop again).
 */
bool svmx_vcpu_enter_prepare(struct svmx_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	WRITE_ONCE(vcpu->mode, SVMX_IN_GUEST);
	/* Pairs with svmx_vm_kick_all(): see its request, or it sees us. */
	smp_mb();
	if (READ_ONCE(vcpu->requests) ||
	    need_resched() || signal_pending(current)) {
		WRITE_ONCE(vcpu->mode, SVMX_OUTSIDE_GUEST);
		return false;
	}
	return true;
}

/** svmx_vcpu_exit_done() - the guest exited; interrupts still off */
void svmx_vcpu_exit_done(struct svmx_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->mode, SVMX_OUTSIDE_GUEST);
	vcpu->nr_exits++;
}

static int svmx_complete_userspace_exit(struct svmx_vcpu *vcpu)
{
	u64 rip = vcpu->rip;
	int r = 1;

	if (vcpu->pio.pending)
		r = svmx_pio_complete(vcpu);
	else if (vcpu->mmio.read_pending)
		r = svmx_mmio_complete(vcpu);
	/* An instruction completed: its STI / MOV SS shadow is over. */
	if (vcpu->rip != rip)
		svmx_backend->vcpu->set_interrupt_shadow(vcpu, 0);
	return r;
}

/**
 * svmx_vcpu_run() - KVM_RUN
 * @vcpu: the vCPU, its lock held
 *
 * Return: 0 with run->exit_reason set; -EINTR with KVM_EXIT_INTR when a
 * signal is pending or run->immediate_exit is set; another negative errno
 * when the ioctl itself fails (-EFAULT: the VMM's memory behind a memslot
 * is gone).
 */
int svmx_vcpu_run(struct svmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	if (vcpu->sigmask_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigmask, &current->real_blocked);

	run->flags = 0;
	/* No KVM_CAP_SYNC_REGS: nothing may be asked for. */
	if (run->kvm_valid_regs || run->kvm_dirty_regs) {
		r = -EINVAL;
		goto out;
	}
	/* With the APIC in userspace, run->cr8 is the TPR to use (as KVM). */
	if (run->cr8 > 15) {
		r = -EINVAL;
		goto out;
	}
	svmx_backend->vcpu->set_cr8(vcpu, run->cr8);

	r = svmx_complete_userspace_exit(vcpu);
	if (r <= 0)
		goto out;

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = KVM_EXIT_INTR;
		r = -EINTR;
		goto out;
	}

	/*
	 * An AP that never had INIT (KVM_MP_STATE_UNINITIALIZED) sleeps until
	 * a message comes, then returns -EAGAIN for userspace to call again,
	 * as KVM does.
	 */
	if (vcpu->apic && vcpu->mp_state == KVM_MP_STATE_UNINITIALIZED) {
		r = svmx_vcpu_wait_uninitialized(vcpu);
		goto out;
	}

	/*
	 * The window is open already: KVM's entry exits at once (an interrupt
	 * window exit before any guest instruction), so does this.
	 */
	if (run->request_interrupt_window && svmx_ready_for_interrupt(vcpu)) {
		vcpu->ran = true;
		run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		r = 0;
		goto out;
	}

	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	vcpu->ran = true;
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
		if (vcpu->apic) {
			if (vcpu->mp_state != KVM_MP_STATE_RUNNABLE) {
				r = svmx_vcpu_block(vcpu);
				if (r <= 0)
					break;
			}
			svmx_vcpu_apic_requests(vcpu);
		}
		r = svmx_backend->vcpu->run(vcpu);
		if (r <= 0)
			break;
		if (run->request_interrupt_window &&
		    svmx_ready_for_interrupt(vcpu)) {
			run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			r = 0;
			break;
		}
	}
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);

out:
	svmx_fill_run_state(vcpu);
	if (vcpu->sigmask_active) {
		sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
		sigemptyset(&current->real_blocked);
	}
	return r;
}
