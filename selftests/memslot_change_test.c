// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots deleted or moved while a vCPU runs (api.rst 4.35
 * KVM_SET_USER_MEMORY_REGION): a second thread runs the guest, which reads
 * a quadword in a loop without exiting, and reports (GUEST_SYNC) each time
 * what it reads changes. Meanwhile the main thread changes the slot.
 *
 * When KVM_SET_USER_MEMORY_REGION returns, no vCPU may use the old mapping
 * any more. The test catches a late access by writing a new value into the
 * slot's host memory right after the ioctl returns: a guest that reads it
 * at the old address read memory that was no longer there. After a delete
 * the guest's reads exit as MMIO (the vCPU thread answers them with a
 * marker value); after a move, the same memory appears at the new address.
 *
 * The page tables, the code and the control variables are in slot 0, which
 * does not change. The library's slot bookkeeping is not thread-safe, so
 * the slot under test is managed here with the raw ioctl.
 *
 * The guest runs with RFLAGS.IF set (nothing interrupts it: there is no
 * interrupt controller). Bochs does not deliver host interrupts, such as
 * the IPI that takes a vCPU out of the guest when its mappings change, to
 * a CPU running a guest with IF clear (Documentation/testing.md), and
 * kvm-intel would wait for that IPI forever.
 */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "harness.h"
#include "guest.h"

#define SLOT		1
#define GPA_A		0x40000000ULL
#define GPA_B		0x50000000ULL
#define SLOT_SIZE	(4 * GUEST_PAGE_SIZE)
/* The quadword the guest reads, at this offset in the slot. */
#define OFFSET		0x1238
/* What the vCPU thread answers an MMIO read with. */
#define MMIO_MARKER	0x3131313131313131ULL

/* Control variables in slot 0: the host writes them while the guest runs. */
static uint64_t target;		/* the guest-physical address to read */
static uint64_t stop;		/* nonzero: the guest returns */

static void guest_reader(void)
{
	volatile uint64_t *t = &target, *s = &stop;
	uint64_t last_addr = 0, last_val = 0;

	while (!*s) {
		uint64_t addr = *t;
		uint64_t val = *(volatile uint64_t *)addr;

		if (addr != last_addr || val != last_val) {
			GUEST_SYNC2(addr, val);
			last_addr = addr;
			last_val = val;
		}
	}
}

/* What the vCPU thread saw, for the main thread. */
struct shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct vcpu *vcpu;
	uint64_t reports;		/* GUEST_SYNCs so far */
	uint64_t addr, val;		/* the last one */
	uint64_t mmio_reads;
	uint64_t bad_mmio;		/* MMIO exits other than the expected read */
	uint64_t forbidden;		/* a value the guest must not report... */
	uint64_t forbidden_addr;	/* ...at this address */
	uint64_t forbidden_seen;
	bool done;
};

static void *vcpu_thread(void *arg)
{
	struct shared *sh = arg;
	struct vcpu *vcpu = sh->vcpu;
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_MMIO) {
			uint64_t m = MMIO_MARKER;

			pthread_mutex_lock(&sh->lock);
			sh->mmio_reads++;
			if (run->mmio.is_write || run->mmio.len != 8 ||
			    (run->mmio.phys_addr != GPA_A + OFFSET &&
			     run->mmio.phys_addr != GPA_B + OFFSET))
				sh->bad_mmio++;
			pthread_mutex_unlock(&sh->lock);
			memcpy(run->mmio.data, &m, sizeof(m));
			continue;
		}
		if (vcpu_check_ucall(vcpu, &uc) == UCALL_DONE)
			break;
		if (uc.cmd != UCALL_SYNC)
			continue;
		pthread_mutex_lock(&sh->lock);
		sh->reports++;
		sh->addr = uc.args[0];
		sh->val = uc.args[1];
		if (sh->addr == sh->forbidden_addr && sh->val == sh->forbidden)
			sh->forbidden_seen++;
		pthread_cond_broadcast(&sh->cond);
		pthread_mutex_unlock(&sh->lock);
	}
	pthread_mutex_lock(&sh->lock);
	sh->done = true;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

/* Wait until the guest reports @val at @addr; false after 60 s. */
static bool wait_report(struct shared *sh, uint64_t addr, uint64_t val)
{
	struct timespec deadline;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 60;
	pthread_mutex_lock(&sh->lock);
	while (ok && !(sh->reports && sh->addr == addr && sh->val == val) && !sh->done)
		ok = !pthread_cond_timedwait(&sh->cond, &sh->lock, &deadline);
	ok = sh->reports && sh->addr == addr && sh->val == val;
	pthread_mutex_unlock(&sh->lock);
	return ok;
}

static void forbid(struct shared *sh, uint64_t addr, uint64_t val)
{
	pthread_mutex_lock(&sh->lock);
	sh->forbidden_addr = addr;
	sh->forbidden = val;
	pthread_mutex_unlock(&sh->lock);
}

struct slot_test {
	struct vm *vm;
	struct vcpu *vcpu;
	uint8_t *mem;
	volatile uint64_t *target, *stop;
	struct shared sh;
	pthread_t thread;
};

static void set_slot(struct slot_test *t, uint64_t gpa, uint64_t size)
{
	vm_set_memory_region(t->vm, SLOT, 0, gpa, size, t->mem);
}

static void put_value(struct slot_test *t, uint64_t val)
{
	__atomic_store_n((uint64_t *)(t->mem + OFFSET), val, __ATOMIC_SEQ_CST);
}

static void set_target(struct slot_test *t, uint64_t gpa)
{
	__atomic_store_n(t->target, gpa, __ATOMIC_SEQ_CST);
}

/* The VM, the slot at GPA_A holding @val, the guest reading it. */
static void start(struct slot_test *t, uint64_t val)
{
	struct kvm_regs regs;

	t->vm = vm_create_with_vcpu(&t->vcpu, guest_reader);
	vcpu_get_regs(t->vcpu, &regs);
	regs.rflags |= X86_RFLAGS_IF;
	vcpu_set_regs(t->vcpu, &regs);
	vm_identity_map(t->vm, GPA_A, SLOT_SIZE);
	vm_identity_map(t->vm, GPA_B, SLOT_SIZE);
	t->mem = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(t->mem != MAP_FAILED, "mmap");
	put_value(t, val);
	set_slot(t, GPA_A, SLOT_SIZE);
	t->target = vm_gva_to_hva(t->vm, (uintptr_t)&target);
	t->stop = vm_gva_to_hva(t->vm, (uintptr_t)&stop);
	*t->target = GPA_A + OFFSET;
	pthread_mutex_init(&t->sh.lock, NULL);
	pthread_cond_init(&t->sh.cond, NULL);
	t->sh.vcpu = t->vcpu;
	TEST_ASSERT(!pthread_create(&t->thread, NULL, vcpu_thread, &t->sh),
		    "pthread_create");
}

static void finish(struct slot_test *t)
{
	__atomic_store_n(t->stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(t->thread, NULL);
	vm_free(t->vm);
	munmap(t->mem, SLOT_SIZE);
}

/* Rounds of delete / re-create, each with its own values. */
#define ROUNDS 20

TEST(delete_while_running)
{
	struct slot_test t = {};
	int rounds = test_scaled(ROUNDS);

	start(&t, 0x1000);
	ASSERT_TRUE(wait_report(&t.sh, GPA_A + OFFSET, 0x1000));
	for (int r = 1; r <= rounds; r++) {
		uint64_t late = 0xdead000000000000ULL | r, back = 0x1000 + r;

		/* Delete; a read of what is written afterwards is too late. */
		forbid(&t.sh, GPA_A + OFFSET, late);
		set_slot(&t, GPA_A, 0);
		put_value(&t, late);
		ASSERT_TRUE(wait_report(&t.sh, GPA_A + OFFSET, MMIO_MARKER))
			TH_LOG("round %d: the guest never read MMIO after the delete (%lu reads of the deleted memory)",
			       r, t.sh.forbidden_seen);
		/* Back again, with a new value. */
		put_value(&t, back);
		set_slot(&t, GPA_A, SLOT_SIZE);
		ASSERT_TRUE(wait_report(&t.sh, GPA_A + OFFSET, back))
			TH_LOG("round %d: the guest never saw the slot again", r);
	}
	finish(&t);
	EXPECT_EQ(0ULL, t.sh.forbidden_seen)
		TH_LOG("the guest read the deleted slot's memory after the delete returned");
	EXPECT_EQ(0ULL, t.sh.bad_mmio);
	EXPECT_LE((uint64_t)rounds, t.sh.mmio_reads);
}

TEST(move_while_running)
{
	struct slot_test t = {};
	int rounds = test_scaled(ROUNDS);

	start(&t, 0x2000);
	ASSERT_TRUE(wait_report(&t.sh, GPA_A + OFFSET, 0x2000));
	for (int r = 1; r <= rounds; r++) {
		uint64_t from = r & 1 ? GPA_A : GPA_B, to = r & 1 ? GPA_B : GPA_A;
		uint64_t val = 0x2000 + r;

		/*
		 * Move; the value written afterwards must not be read at the
		 * old address, where the guest now reads MMIO...
		 */
		forbid(&t.sh, from + OFFSET, val);
		set_slot(&t, to, SLOT_SIZE);
		put_value(&t, val);
		ASSERT_TRUE(wait_report(&t.sh, from + OFFSET, MMIO_MARKER))
			TH_LOG("round %d: no MMIO at %#lx after the move (%lu reads of the old address)",
			       r, from, t.sh.forbidden_seen);
		/* ...and is found at the new one. */
		set_target(&t, to + OFFSET);
		ASSERT_TRUE(wait_report(&t.sh, to + OFFSET, val))
			TH_LOG("round %d: the moved slot's memory is not at %#lx", r, to);
	}
	finish(&t);
	EXPECT_EQ(0ULL, t.sh.forbidden_seen)
		TH_LOG("the guest read the moved slot at its old address after the move returned");
	EXPECT_EQ(0ULL, t.sh.bad_mmio);
}

TEST_HARNESS_MAIN
