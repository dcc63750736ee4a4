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

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <asm/fpu/api.h>

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

/** svmx_exit_hlt() - HLT with the irqchip in userspace: KVM_EXIT_HLT */
int svmx_exit_hlt(struct svmx_vcpu *vcpu, unsigned int insn_len)
{
	vcpu->rip += insn_len;
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
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
	if (vcpu->pio.pending)
		return svmx_pio_complete(vcpu);
	if (vcpu->mmio.read_pending)
		return svmx_mmio_complete(vcpu);
	return 1;
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
