// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN and signals (api.rst 4.10 KVM_RUN, 4.43 KVM_SET_SIGNAL_MASK, 5
 * "immediate_exit"):
 *   - immediate_exit = 1 makes KVM_RUN return -1/EINTR without running the
 *     guest, after completing an I/O instruction the last exit left;
 *   - a signal pending and not blocked by the vCPU's signal mask makes
 *     KVM_RUN return -1/EINTR with exit_reason KVM_EXIT_INTR before the
 *     guest runs; the signal stays pending for the thread afterwards;
 *   - a signal the vCPU's mask blocks does not stop the guest;
 *   - a signal arriving while the guest runs interrupts KVM_RUN the same
 *     way, and the guest carries on at the next KVM_RUN.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>

#include "harness.h"
#include "guest.h"

/* Set by the guest the moment it starts. */
static uint64_t guest_started;

static void guest_first(void)
{
	guest_started = 1;
	GUEST_SYNC(1);
	GUEST_DONE();
}

static void vcpu_expect_not_started(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	vm_sync_from_guest(vcpu->vm, guest_started);
	TEST_ASSERT_EQ(guest_started, 0);
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT_EQ(regs.rip, (uintptr_t)guest_first);
}

TEST(immediate_exit_before_the_guest_runs)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_first);

	if (vm_check_cap(vm, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		SKIP(goto out, "no KVM_CAP_IMMEDIATE_EXIT");
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(-1, _vcpu_run(vcpu));
	EXPECT_EQ(EINTR, errno);
	vcpu_expect_not_started(vcpu);
	vcpu->run->immediate_exit = 0;
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
out:
	vm_free(vm);
}

asm(".pushsection .text\n"
    "guest_in:\n"
    "	movq $0x1234567800000000, %rax\n"
    "	inb $0x80, %al\n"
    "guest_after_in:\n"
    "	ret\n"
    ".popsection");
extern char guest_in[], guest_after_in[];

static void guest_port_read(void)
{
	GUEST_SYNC(((uint64_t (*)(void))guest_in)());
}

/* The way to finish an IN without running the guest on (api.rst 5). */
TEST(immediate_exit_completes_pending_in)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_port_read);
	struct kvm_regs regs;
	uint8_t *data;

	if (vm_check_cap(vm, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		SKIP(goto out, "no KVM_CAP_IMMEDIATE_EXIT");
	vcpu_run(vcpu);
	data = vcpu_assert_io(vcpu, KVM_EXIT_IO_IN, 0x80, 1, 1);
	*data = 0x9c;
	vcpu->run->immediate_exit = 1;
	EXPECT_EQ(-1, _vcpu_run(vcpu));
	EXPECT_EQ(EINTR, errno);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ((uintptr_t)guest_after_in, regs.rip);
	EXPECT_EQ(0x123456780000009cULL, regs.rax);
	vcpu->run->immediate_exit = 0;
	EXPECT_EQ(0x123456780000009cULL, vcpu_run_sync(vcpu));
out:
	vm_free(vm);
}

static volatile sig_atomic_t signals;

static void count_signal(int sig)
{
	(void)sig;
	signals++;
}

static void catch_signal(int sig)
{
	struct sigaction sa = { .sa_handler = count_signal };

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(sig, &sa, NULL), "sigaction %d", sig);
}

static void block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	TEST_ASSERT(!sigprocmask(SIG_BLOCK, &set, NULL), "sigprocmask");
}

/*
 * KVM_SET_SIGNAL_MASK takes the kernel's sigset_t, 8 bytes on x86-64, right
 * after the 4-byte length: no padding in between.
 */
static int set_vcpu_sigmask(struct vcpu *vcpu, uint64_t blocked, uint32_t len)
{
	uint8_t buf[sizeof(struct kvm_signal_mask) + 16] = {};
	struct kvm_signal_mask *m = (struct kvm_signal_mask *)buf;

	m->len = len;
	memcpy(m->sigset, &blocked, sizeof(blocked));
	return ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, m);
}

#define SIGBIT(sig)	(1ULL << ((sig) - 1))

/*
 * The thread blocks SIGUSR1, which is pending; the vCPU's mask does not
 * block it: KVM_RUN stops before the guest, and the signal stays pending.
 */
TEST(pending_signal_unblocked_for_the_vcpu)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_first);
	struct timespec zero = {};
	sigset_t set;

	catch_signal(SIGUSR1);
	block_signal(SIGUSR1);
	raise(SIGUSR1);
	ASSERT_EQ(0, set_vcpu_sigmask(vcpu, 0, 8)) TH_LOG("%m");
	EXPECT_EQ(-1, _vcpu_run(vcpu));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ((__u32)KVM_EXIT_INTR, vcpu->run->exit_reason);
	vcpu_expect_not_started(vcpu);
	EXPECT_EQ(0, signals);

	sigpending(&set);
	EXPECT_TRUE(sigismember(&set, SIGUSR1));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	EXPECT_EQ(SIGUSR1, sigtimedwait(&set, NULL, &zero));

	/* Nothing pending any more: the guest runs. */
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* The vCPU's mask blocks the pending signal: the guest runs. */
TEST(pending_signal_blocked_for_the_vcpu)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_first);
	sigset_t set;

	catch_signal(SIGUSR1);
	block_signal(SIGUSR1);
	raise(SIGUSR1);
	ASSERT_EQ(0, set_vcpu_sigmask(vcpu, SIGBIT(SIGUSR1), 8)) TH_LOG("%m");
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	sigpending(&set);
	EXPECT_TRUE(sigismember(&set, SIGUSR1));

	/* No mask at all (NULL): the thread's own mask, which blocks it. */
	vm_free(vm);
	vm = vm_create_with_vcpu(&vcpu, guest_first);
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, NULL)) TH_LOG("%m");
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0, signals);
	vm_free(vm);
}

TEST(signal_mask_length_must_be_8)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_first);

	EXPECT_EQ(-1, set_vcpu_sigmask(vcpu, 0, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_vcpu_sigmask(vcpu, 0, 16));
	EXPECT_EQ(EINVAL, errno);
	vm_free(vm);
}

/*
 * A busy guest, RFLAGS.IF clear, that reports after every round of 2^24
 * iterations (about 100M instructions; see below for why so many).
 */
static void guest_busy(void)
{
	for (uint64_t round = 1;; round++) {
		for (volatile uint32_t i = 0; i < (1U << 24); i++)
			;
		GUEST_SYNC(round);
	}
}

/*
 * A periodic timer signal while the guest computes: some KVM_RUN must
 * return -1/EINTR with KVM_EXIT_INTR, and the guest carries on after it.
 * The guest stops now and then (GUEST_SYNC), so that a hypervisor that
 * never lets the host's timer interrupt the guest fails the test within
 * the time limit instead of hanging it.
 *
 * A signal that arrives while KVM_RUN is on its way to userspace anyway
 * (a GUEST_SYNC) is handled there, between two KVM_RUNs: only a host
 * interrupt that stops the guest in the middle of a round makes KVM_RUN
 * return EINTR. Hardware exits on every host interrupt; Bochs does not
 * while the guest has IF clear (Documentation/testing.md), and a round
 * must outlast what stops the guest there: svmx's 10 ms VMX-preemption-
 * timer slice, or on kvm-intel the first-touch EPT violation of the first
 * GUEST_SYNC. A round is about 29 ms of the host's time there (Bochs's TSC
 * counts one per instruction, and Linux takes it for 3.5 GHz); with 2^20
 * iterations (1.8 ms) every timer interrupt waited for the next GUEST_SYNC,
 * and KVM_RUN returned EINTR only when one happened to land in its path
 * before the entry (after 1629 rounds on kvm-intel, not in 1500 on svmx).
 */
TEST(timer_signal_interrupts_the_guest)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = 20000 },
		.it_value = { .tv_usec = 20000 },
	};
	const char *limit = test_emu_limit("host-irq-in-cli-guest");
	struct vcpu *vcpu;
	struct vm *vm;
	time_t deadline = time(NULL) + 60;
	uint64_t rounds = 0;
	int interrupted = 0;
	struct ucall uc;

	if (limit)
		SKIP(return, "%s", limit);
	vm = vm_create_with_vcpu(&vcpu, guest_busy);
	catch_signal(SIGALRM);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	while (!interrupted && time(NULL) < deadline) {
		if (_vcpu_run(vcpu)) {
			ASSERT_EQ(EINTR, errno) TH_LOG("KVM_RUN: %m");
			ASSERT_EQ((__u32)KVM_EXIT_INTR, vcpu->run->exit_reason);
			interrupted = 1;
			break;
		}
		if (vcpu_check_ucall(vcpu, &uc) == UCALL_SYNC)
			rounds = uc.args[0];
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_TRUE(interrupted)
		TH_LOG("%d signals in 60 s, none interrupted KVM_RUN (%lu guest rounds)",
		       signals, rounds);
	/* The guest goes on counting where it was. */
	if (interrupted) {
		EXPECT_EQ(rounds + 1, vcpu_run_sync(vcpu));
	}
	vm_free(vm);
}

TEST_HARNESS_MAIN
