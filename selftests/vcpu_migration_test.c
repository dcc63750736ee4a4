// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU whose thread moves between physical CPUs: the main thread pins
 * the vCPU thread to one CPU, then the other (sched_setaffinity), a
 * thousand or two times, while that thread keeps running the guest. The
 * hypervisor must carry the vCPU's state along (its VMCS or VMCB, the
 * guest's registers, FPU state and TSC), wherever the move happens: in the
 * guest (the move interrupts it) or between two KVM_RUNs.
 *
 * The guest checks itself in every round, and reports the round with a
 * GUEST_SYNC that the host checks:
 *   - general registers and XMM registers it loads before its report exit
 *     and finds unchanged after it;
 *   - a buffer it rewrote in the previous round still holds that round's
 *     pattern (its work in between uses registers heavily, so a lost
 *     register across a move would also show there);
 *   - its round counter, kept in memory, goes up by one;
 *   - the TSC it reads never goes backwards.
 *
 * sched_setaffinity() returns once the thread is off the old CPU; after
 * that the main thread waits for two more reports, so the guest has run on
 * the new CPU before the next move. SKIPs without two CPUs to move between.
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "guest.h"

#define MIGRATIONS	2000
#define BUF_QUADS	1024

static uint64_t stop;			/* set by the host: the guest returns */
static uint64_t buf[BUF_QUADS];
static uint64_t round_count;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static uint64_t pattern(uint64_t round, uint64_t i)
{
	return (round << 32 | i) * 0x9e3779b97f4a7c15ULL;
}

/* The value register @r holds around the report of round @round. */
static uint64_t reg_val(uint64_t round, int r)
{
	return 0x5245470000000000ULL ^ (round << 8) ^ r;
}

/*
 * GUEST_SYNC(round) written out, so that the registers stay loaded across
 * the exit: RBX, RCX and R8-R15 hold reg_val() (register numbers as in
 * the instruction encoding), XMM0-15 are loaded from xmm[0..31] and
 * stored to xmm[32..63] after the exit.
 */
static void guest_report(uint64_t round)
{
	uint64_t xmm[64] __attribute__((aligned(16))), got[10];
	struct ucall uc;
	int i;

	ucall_fill(&uc, UCALL_SYNC, round, 0);
	for (i = 0; i < 32; i++)
		xmm[i] = reg_val(round, 100 + i);
	/*
	 * Register variables hold their register only as asm operands: set
	 * them after the last call, and copy the results out at once.
	 */
	{
		register uint64_t rbx asm("rbx") = reg_val(round, 3);
		register uint64_t rcx asm("rcx") = reg_val(round, 1);
		register uint64_t r8 asm("r8") = reg_val(round, 8);
		register uint64_t r9 asm("r9") = reg_val(round, 9);
		register uint64_t r10 asm("r10") = reg_val(round, 10);
		register uint64_t r11 asm("r11") = reg_val(round, 11);
		register uint64_t r12 asm("r12") = reg_val(round, 12);
		register uint64_t r13 asm("r13") = reg_val(round, 13);
		register uint64_t r14 asm("r14") = reg_val(round, 14);
		register uint64_t r15 asm("r15") = reg_val(round, 15);

		asm volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "movdqa \\r*16(%%rsi), %%xmm\\r\n\t"
			     ".endr\n\t"
			     "outl %%eax, %%dx\n\t"
			     ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			     "movdqa %%xmm\\r, 256+\\r*16(%%rsi)\n\t"
			     ".endr"
			     : "+r"(rbx), "+r"(rcx), "+r"(r8), "+r"(r9), "+r"(r10),
			       "+r"(r11), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			     : "a"((uint32_t)(uintptr_t)&uc), "d"(UCALL_PORT), "D"(&uc),
			       "S"(xmm)
			     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			       "xmm13", "xmm14", "xmm15");
		got[0] = rbx;
		got[1] = rcx;
		got[2] = r8;
		got[3] = r9;
		got[4] = r10;
		got[5] = r11;
		got[6] = r12;
		got[7] = r13;
		got[8] = r14;
		got[9] = r15;
	}
	for (i = 0; i < 10; i++) {
		static const int regno[10] = { 3, 1, 8, 9, 10, 11, 12, 13, 14, 15 };

		GUEST_ASSERT(got[i] == reg_val(round, regno[i]),
			     "round %lu: register #%d is %#lx, expected %#lx", round,
			     regno[i], got[i], reg_val(round, regno[i]));
	}
	for (i = 0; i < 32; i++)
		GUEST_ASSERT(xmm[32 + i] == xmm[i], "round %lu: xmm%d is %#lx, expected %#lx",
			     round, i / 2, xmm[32 + i], xmm[i]);
}

static void guest_self_check(void)
{
	volatile uint64_t *stopping = &stop, *count = &round_count;
	uint64_t last_tsc = rdtsc();

	for (uint64_t round = 1; !*stopping; round++) {
		uint64_t tsc;

		GUEST_ASSERT_EQ(*count, round - 1);
		for (uint64_t i = 0; i < BUF_QUADS; i++) {
			GUEST_ASSERT(round == 1 || buf[i] == pattern(round - 1, i),
				     "round %lu: buf[%lu] is %#lx", round, i, buf[i]);
			buf[i] = pattern(round, i);
		}
		*count = round;
		tsc = rdtsc();
		GUEST_ASSERT(tsc >= last_tsc, "the TSC went back from %#lx to %#lx",
			     last_tsc, tsc);
		last_tsc = tsc;
		guest_report(round);
	}
}

/* Between the vCPU thread and the main thread. */
struct shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct vcpu *vcpu;
	pid_t tid;
	uint64_t rounds;	/* reports so far */
	int cpu;		/* the CPU the last report was seen on */
	uint64_t cpu_changes;
	bool done;
};

static void *vcpu_thread(void *arg)
{
	struct shared *sh = arg;
	struct ucall uc;

	pthread_mutex_lock(&sh->lock);
	sh->tid = syscall(SYS_gettid);
	sh->cpu = sched_getcpu();
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);

	while (vcpu_run_ucall(sh->vcpu, &uc) == UCALL_SYNC) {
		int cpu = sched_getcpu();

		pthread_mutex_lock(&sh->lock);
		TEST_ASSERT_EQ(uc.args[0], sh->rounds + 1);
		sh->rounds++;
		if (cpu != sh->cpu)
			sh->cpu_changes++;
		sh->cpu = cpu;
		pthread_cond_broadcast(&sh->cond);
		pthread_mutex_unlock(&sh->lock);
	}
	pthread_mutex_lock(&sh->lock);
	sh->done = true;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

/* Wait (under sh.lock) until @pred holds; its value, false after 60 s. */
#define WAIT_UNTIL(pred)						\
	({								\
		struct timespec __dl;					\
		bool __ok = true;					\
									\
		clock_gettime(CLOCK_REALTIME, &__dl);			\
		__dl.tv_sec += 60;					\
		while (__ok && !(pred) && !sh.done)			\
			__ok = !pthread_cond_timedwait(&sh.cond, &sh.lock, &__dl); \
		(pred);							\
	})

TEST(bounce_between_cpus)
{
	struct shared sh = { .lock = PTHREAD_MUTEX_INITIALIZER,
			     .cond = PTHREAD_COND_INITIALIZER, .tid = 0 };
	int cpus[2], n = 0, migrations = test_scaled(MIGRATIONS);
	struct vcpu *vcpu;
	struct vm *vm;
	cpu_set_t all, one;
	pthread_t thread;
	int m;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(all), &all));
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &all))
			cpus[n++] = c;
	if (n < 2)
		SKIP(return, "%d CPU(s) to run on: no other CPU to move the vCPU to", n);

	vm = vm_create_with_vcpu(&vcpu, guest_self_check);
	sh.vcpu = vcpu;
	ASSERT_EQ(0, pthread_create(&thread, NULL, vcpu_thread, &sh));
	pthread_mutex_lock(&sh.lock);
	ASSERT_TRUE(WAIT_UNTIL(sh.tid != 0));

	for (m = 0; m < migrations; m++) {
		uint64_t seen;

		CPU_ZERO(&one);
		CPU_SET(cpus[m & 1], &one);
		pthread_mutex_unlock(&sh.lock);
		ASSERT_EQ(0, sched_setaffinity(sh.tid, sizeof(one), &one))
			TH_LOG("sched_setaffinity to CPU %d: %m", cpus[m & 1]);
		pthread_mutex_lock(&sh.lock);
		seen = sh.rounds;
		if (!WAIT_UNTIL(sh.rounds >= seen + 2 && sh.cpu == cpus[m & 1]))
			break;
	}
	pthread_mutex_unlock(&sh.lock);
	/* (A stuck vCPU thread cannot be joined: end the test here.) */
	ASSERT_EQ(migrations, m)
		TH_LOG("move %d: the guest did not report from CPU %d within 60 s (%s)",
		       m, cpus[m & 1], sh.done ? "it finished" : "it is stuck");

	*(uint64_t *)vm_gva_to_hva(vm, (uintptr_t)&stop) = 1;
	pthread_join(thread, NULL);
	TH_LOG("%d moves, %lu guest rounds, %lu CPU changes seen", m, sh.rounds,
	       sh.cpu_changes);
	EXPECT_LE((uint64_t)migrations - 1, sh.cpu_changes);
	vm_free(vm);
}

TEST_HARNESS_MAIN
