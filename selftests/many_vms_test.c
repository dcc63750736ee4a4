// SPDX-License-Identifier: GPL-2.0
/*
 * Several VMs at once: eight VMs of one vCPU each, each run by its own
 * thread, all started together. Each guest computes over its own memory,
 * from its own seed, and reports every round's checksum (GUEST_SYNC2),
 * which its thread compares with the same computation done on the host.
 * The guests share code and the addresses of their data but not their
 * memory: at the end each VM's copy of the work buffer and of its id must
 * be its own. A hypervisor that mixed up VMs' memory, vCPU state or exits
 * between concurrent runs would fail a checksum.
 */
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "guest.h"

#define NR_VMS		8
#define ROUNDS		200
#define WORK_QUADS	256

/* Every VM has its own copy of these, at the same guest address. */
static uint64_t work[WORK_QUADS];
static uint64_t my_id;

/* One round over @buf: the guest and the host run the same code. */
static uint64_t work_round(uint64_t *buf, uint64_t id, uint64_t round)
{
	uint64_t sum = id;

	for (uint64_t i = 0; i < WORK_QUADS; i++) {
		buf[i] = buf[i] * 6364136223846793005ULL + (id << 32 | round) + i;
		sum = (sum << 7 | sum >> 57) ^ buf[i];
	}
	return sum;
}

static void guest_worker(uint64_t id, uint64_t rounds)
{
	my_id = id;
	for (uint64_t round = 1; round <= rounds; round++) {
		uint64_t sum = work_round(work, id, round);

		GUEST_ASSERT_EQ(my_id, id);
		GUEST_SYNC2(round, sum);
	}
}

struct runner {
	struct vm *vm;
	struct vcpu *vcpu;
	uint64_t id, rounds;
	uint64_t host_work[WORK_QUADS];
	pthread_barrier_t *start;
};

static void *vm_thread(void *arg)
{
	struct runner *r = arg;
	struct ucall uc;

	pthread_barrier_wait(r->start);
	for (uint64_t round = 1; round <= r->rounds; round++) {
		uint64_t want = work_round(r->host_work, r->id, round);

		TEST_ASSERT(vcpu_run_ucall(r->vcpu, &uc) == UCALL_SYNC,
			    "VM %lu: GUEST_DONE in round %lu", r->id, round);
		TEST_ASSERT(uc.args[0] == round && uc.args[1] == want,
			    "VM %lu round %lu: the guest reports round %lu, checksum %#lx; expected %#lx",
			    r->id, round, uc.args[0], uc.args[1], want);
	}
	vcpu_run_done(r->vcpu);
	return NULL;
}

TEST(eight_vms_at_once)
{
	static struct runner runners[NR_VMS];
	uint64_t rounds = test_scaled(ROUNDS);
	pthread_t threads[NR_VMS];
	pthread_barrier_t start;
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, NR_VMS));
	/* The library's setup is not thread-safe: create everything here. */
	for (i = 0; i < NR_VMS; i++) {
		struct runner *r = &runners[i];

		r->id = 0x1000 + i;
		r->rounds = rounds;
		r->start = &start;
		memset(r->host_work, 0, sizeof(r->host_work));
		r->vm = vm_create_with_vcpu(&r->vcpu, guest_worker);
		vcpu_args_set(r->vcpu, 2, r->id, rounds);
	}
	for (i = 0; i < NR_VMS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, vm_thread, &runners[i]));
	for (i = 0; i < NR_VMS; i++)
		pthread_join(threads[i], NULL);

	/* Each VM's memory holds its own results. */
	for (i = 0; i < NR_VMS; i++) {
		struct runner *r = &runners[i];

		vm_sync_from_guest(r->vm, my_id);
		vm_sync_from_guest(r->vm, work);
		EXPECT_EQ(r->id, my_id) TH_LOG("VM %d", i);
		EXPECT_EQ(0, memcmp(work, r->host_work, sizeof(work)))
			TH_LOG("VM %d: its work buffer differs from the host's", i);
		vm_free(r->vm);
	}
	pthread_barrier_destroy(&start);
}

TEST_HARNESS_MAIN
