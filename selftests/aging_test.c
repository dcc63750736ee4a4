// SPDX-License-Identifier: GPL-2.0
/*
 * Page aging through the hypervisor's accessed bits (the MMU notifier's
 * clear_flush_young): the host's reclaim asks whether anybody used a page
 * since the last look, and a guest access through the hypervisor's
 * mappings counts. The VMM never touches the slot itself, so only the
 * guest can make a page young.
 *
 * madvise(MADV_PAGEOUT) reclaims the pages of a range through the same
 * check as memory pressure does (mm/vmscan.c, folio_check_references(),
 * after clearing the host's own accessed bits of the range): a page that
 * rmap finds referenced is kept, and looking clears the reference. That
 * makes the aging observable, page by page, in /proc/self/pagemap:
 *
 *   1. the guest writes every page of the slot;
 *   2. MADV_PAGEOUT: no page leaves RAM, all were used since they were
 *      mapped (and the look made them old);
 *   3. the guest reads the even ("hot") pages only, each after an INVLPG
 *      of its address, so that the access walks the tables again;
 *   4. MADV_PAGEOUT: exactly the odd ("cold") pages leave RAM;
 *   5. MADV_PAGEOUT again, the guest idle: the hot pages go too;
 *   6. the guest reads everything back and writes it anew, which the VMM
 *      sees (the swap path itself is swap_test's).
 *
 * Without hypervisor accessed bits (EPT without A/D), aging may drop the
 * guest mapping instead (KVM and svmx do): the guest's next access faults
 * it back in, which is a use as well. Either way the outcome is the above.
 *
 * One CPU (MADV_PAGEOUT only drains its own CPU's LRU batch), no
 * transparent huge pages, and a swap device are needed (SKIP without).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "harness.h"
#include "guest.h"

#define SLOT		1
#define SLOT_GPA	0x40000000ULL
#define NPAGES		32
#define SLOT_SIZE	(NPAGES * GUEST_PAGE_SIZE)
#define QUADS_PER_PAGE	((uint64_t)(GUEST_PAGE_SIZE / 8))

static uint64_t pattern(uint64_t seed, uint64_t i)
{
	return seed ^ (i * 0x9e3779b97f4a7c15ULL);
}

static bool hot(int page)
{
	return !(page & 1);
}

enum { OP_FILL = 1, OP_CHECK, OP_TOUCH_HOT };

static uint64_t op, seed;

static void guest_memory(void)
{
	volatile uint64_t *mem = (volatile uint64_t *)SLOT_GPA;

	for (;;) {
		uint64_t bad = 0, first = -1ULL;

		if (op == OP_TOUCH_HOT) {
			for (int p = 0; p < NPAGES; p++) {
				volatile uint64_t *q = mem + p * QUADS_PER_PAGE;

				if (!hot(p))
					continue;
				asm volatile("invlpg (%0)" : : "r"(q) : "memory");
				if (*q != pattern(seed, p * QUADS_PER_PAGE) && !bad++)
					first = p * QUADS_PER_PAGE;
			}
			GUEST_SYNC2(bad, first);
			continue;
		}
		for (uint64_t i = 0; i < NPAGES * QUADS_PER_PAGE; i++) {
			if (op == OP_FILL) {
				mem[i] = pattern(seed, i);
			} else if (mem[i] != pattern(seed, i)) {
				if (!bad++)
					first = i;
			}
		}
		GUEST_SYNC2(bad, first);
	}
}

static void guest_op(struct __test_metadata *_metadata, struct vcpu *vcpu,
		     uint64_t what, uint64_t s)
{
	struct ucall uc;

	op = what;
	seed = s;
	vm_sync_to_guest(vcpu->vm, op);
	vm_sync_to_guest(vcpu->vm, seed);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	EXPECT_EQ(0ULL, uc.args[0])
		TH_LOG("the guest found %lu quadwords wrong, the first at offset %#lx (page %lu)",
		       uc.args[0], uc.args[1] * 8, uc.args[1] / QUADS_PER_PAGE);
}

/*
 * MADV_PAGEOUT the whole slot; then, per page, 'S' swapped out, 'R' in
 * RAM, '?' neither, into @map (NPAGES + 1 bytes); logs it.
 */
static void pageout(struct __test_metadata *_metadata, uint8_t *mem,
		    char *map, const char *when)
{
	ASSERT_EQ(0, madvise(mem, SLOT_SIZE, MADV_PAGEOUT))
		TH_LOG("madvise(MADV_PAGEOUT): %m");
	for (int p = 0; p < NPAGES; p++) {
		uint64_t e = test_pagemap(mem + p * GUEST_PAGE_SIZE);

		map[p] = e & PAGEMAP_PRESENT ? 'R' :
			 e & PAGEMAP_SWAPPED ? 'S' : '?';
	}
	map[NPAGES] = 0;
	TH_LOG("%-40s %s", when, map);
}

/* The map a step expects: hot pages @h, cold pages @c. */
static void expect_map(char *want, char h, char c)
{
	for (int p = 0; p < NPAGES; p++)
		want[p] = hot(p) ? h : c;
	want[NPAGES] = 0;
}

TEST(guest_accesses_keep_pages_young)
{
	char map[NPAGES + 1], want[NPAGES + 1], why[128];
	struct vcpu *vcpu;
	struct vm *vm;
	uint8_t *mem;

	if (!test_have_swap(why, sizeof(why)))
		SKIP(return, "%s", why);
	ASSERT_EQ(0, test_pin_to_cpu(0)) TH_LOG("sched_setaffinity: %m");
	vm = vm_create_with_vcpu(&vcpu, guest_memory);
	vm_identity_map(vm, SLOT_GPA, SLOT_SIZE);
	mem = vm_add_slot(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	ASSERT_EQ(0, madvise(mem, SLOT_SIZE, MADV_NOHUGEPAGE)) TH_LOG("%m");
	if (madvise(mem, GUEST_PAGE_SIZE, MADV_PAGEOUT) && errno == EINVAL)
		SKIP(return, "the kernel has no MADV_PAGEOUT");

	guest_op(_metadata, vcpu, OP_FILL, 0x6167650000000001ULL);

	TH_LOG("per page: R in RAM, S swapped out; even pages hot");
	pageout(_metadata, mem, map, "1: the guest wrote them all:");
	expect_map(want, 'R', 'R');
	EXPECT_STREQ(want, map)
		TH_LOG("pages the guest used were reclaimed: the hypervisor's accessed bits did not count");

	guest_op(_metadata, vcpu, OP_TOUCH_HOT, 0x6167650000000001ULL);
	pageout(_metadata, mem, map, "2: the guest read the hot ones:");
	expect_map(want, 'R', 'S');
	EXPECT_STREQ(want, map)
		TH_LOG("R where S is expected: the last aging did not clear the accessed bit; S where R: the guest's read did not count");

	pageout(_metadata, mem, map, "3: the guest touched nothing:");
	expect_map(want, 'S', 'S');
	EXPECT_STREQ(want, map);

	guest_op(_metadata, vcpu, OP_CHECK, 0x6167650000000001ULL);
	guest_op(_metadata, vcpu, OP_FILL, 0x6167650000000002ULL);
	for (uint64_t i = 0; i < NPAGES * QUADS_PER_PAGE; i++) {
		uint64_t v = ((uint64_t *)mem)[i];

		if (v != pattern(0x6167650000000002ULL, i)) {
			EXPECT_EQ(pattern(0x6167650000000002ULL, i), v)
				TH_LOG("the host reads quadword %lu wrong", i);
			break;
		}
	}
	vm_free(vm);
}

TEST_HARNESS_MAIN
