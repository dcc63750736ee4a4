// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory the host swaps out: the guest fills pages of a slot with a
 * per-page pattern, the VMM pushes exactly those pages out to swap with
 * madvise(MADV_PAGEOUT), and /proc/self/pagemap proves they left RAM (bit
 * 62 "swapped", bit 63 "present" clear). The hypervisor must have dropped
 * its mappings of them (its MMU notifier): the guest then reads the pattern
 * back from the pages swap brings in, and its writes land where the VMM
 * sees them, whoever swaps a page in first (a guest fault or the VMM).
 * A hypervisor that kept its old mapping would read and write the freed
 * page instead: the writes check catches that even when the freed page
 * still holds the old pattern.
 *
 * MADV_PAGEOUT reclaims a page only if nothing used it since it was last
 * aged (mm/vmscan.c, folio_check_references()): the MMU notifier's
 * clear_flush_young asks the hypervisor, whose mappings of a page the
 * guest just wrote are young. So the first MADV_PAGEOUT may keep them and
 * clear the accessed bits; the next one takes them. The test tries at most
 * three times (aging_test checks that behaviour exactly).
 *
 * The test runs on one CPU: a page the guest faulted in waits in that CPU's
 * LRU batch, and MADV_PAGEOUT drains only its own CPU's batch (pages not
 * on the LRU yet are not reclaimed). Transparent huge pages are off for
 * the slot: one 4 KiB page at a time.
 *
 * Needs a swap device (the test machines have a zram one); SKIPs without.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "harness.h"
#include "guest.h"

#define SLOT		1
#define SLOT_GPA	0x40000000ULL
#define NPAGES		64
#define SLOT_SIZE	(NPAGES * GUEST_PAGE_SIZE)
#define PP_GPA		SLOT_GPA
#define PP_PAGES	NPAGES
#define PAGEOUT_TRIES	3

#include "page_pattern.h"

static bool page_swapped(const void *p)
{
	uint64_t e = test_pagemap(p);

	return (e & PAGEMAP_SWAPPED) && !(e & PAGEMAP_PRESENT);
}

static bool page_present(const void *p)
{
	return test_pagemap(p) & PAGEMAP_PRESENT;
}

/* How many of pages [first, first + n) are swapped out / present. */
static int count_pages(const uint8_t *mem, int first, int n,
		       bool (*what)(const void *p))
{
	int c = 0;

	for (int p = first; p < first + n; p++)
		c += what(mem + p * GUEST_PAGE_SIZE);
	return c;
}

/*
 * MADV_PAGEOUT pages [first, first + n) until all of them are swapped out,
 * at most PAGEOUT_TRIES times; returns how many times it took (0: never).
 */
static int pageout(struct __test_metadata *_metadata, uint8_t *mem, int first,
		   int n)
{
	for (int t = 1; t <= PAGEOUT_TRIES; t++) {
		int swapped;

		ASSERT_EQ(0, madvise(mem + first * GUEST_PAGE_SIZE,
				     n * GUEST_PAGE_SIZE, MADV_PAGEOUT))
			TH_LOG("madvise(MADV_PAGEOUT): %m");
		swapped = count_pages(mem, first, n, page_swapped);
		TH_LOG("MADV_PAGEOUT #%d: %d of %d pages swapped out", t,
		       swapped, n);
		if (swapped == n)
			return t;
	}
	return 0;
}

FIXTURE(swap) {
	struct vm *vm;
	struct vcpu *vcpu;
	uint64_t *mem;
	char skip[128];
};

FIXTURE_SETUP(swap)
{
	self->vm = NULL;
	self->skip[0] = 0;
	if (!test_have_swap(self->skip, sizeof(self->skip)))
		return;
	ASSERT_EQ(0, test_pin_to_cpu(0)) TH_LOG("sched_setaffinity: %m");
	self->vm = vm_create_with_vcpu(&self->vcpu, guest_memory);
	vm_identity_map(self->vm, SLOT_GPA, SLOT_SIZE);
	self->mem = vm_add_slot(self->vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	ASSERT_EQ(0, madvise(self->mem, SLOT_SIZE, MADV_NOHUGEPAGE)) TH_LOG("%m");
	/* A kernel without MADV_PAGEOUT (before 5.4) says EINVAL. */
	if (madvise(self->mem, GUEST_PAGE_SIZE, MADV_PAGEOUT) && errno == EINVAL)
		snprintf(self->skip, sizeof(self->skip),
			 "the kernel has no MADV_PAGEOUT");
}

FIXTURE_TEARDOWN(swap)
{
	if (self->vm)
		vm_free(self->vm);
}

static void seeds_for(uint64_t *s, uint64_t base)
{
	for (int p = 0; p < NPAGES; p++)
		s[p] = base + p * 0x10001;
}

/*
 * Three rounds: the guest fills the slot, it is swapped out, the guest
 * reads it back (its faults swap the pages in) and the next round's fill
 * writes to the pages swap brought in.
 */
TEST_F(swap, guest_reads_swapped_pages)
{
	uint64_t s[NPAGES];

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	for (int round = 1; round <= 3; round++) {
		seeds_for(s, 0x5a5a000000000000ULL * round + round);
		guest_op(_metadata, self->vcpu, OP_FILL, s);
		host_check(_metadata, self->mem, s);
		ASSERT_NE(0, pageout(_metadata, (uint8_t *)self->mem, 0, NPAGES))
			TH_LOG("round %d: the pages did not leave RAM", round);
		guest_op(_metadata, self->vcpu, OP_CHECK, s);
		/* The guest's accesses brought every page back. */
		EXPECT_EQ(NPAGES, count_pages((uint8_t *)self->mem, 0, NPAGES,
					      page_present));
	}
	/* The last round's pages, swapped in by the guest, take its writes. */
	seeds_for(s, 0x7777000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	host_check(_metadata, self->mem, s);
}

/*
 * The VMM swaps the pages in first (reading them), then writes half of
 * them: the guest sees the VMM's pages, not the ones it had before.
 */
TEST_F(swap, host_swaps_in_first)
{
	uint64_t s[NPAGES];

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	seeds_for(s, 0x1111000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	ASSERT_NE(0, pageout(_metadata, (uint8_t *)self->mem, 0, NPAGES));
	host_check(_metadata, self->mem, s);
	for (int p = 0; p < NPAGES; p += 2) {
		s[p] = 0x2222000000000000ULL + p;
		host_fill_page(self->mem, p, s[p]);
	}
	guest_op(_metadata, self->vcpu, OP_CHECK, s);
	seeds_for(s, 0x3333000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	host_check(_metadata, self->mem, s);
	guest_op(_metadata, self->vcpu, OP_CHECK, s);
}

/*
 * Part of the slot: exactly the pages asked for leave RAM, the others stay
 * (the guest's mappings of them are not disturbed beyond aging).
 */
TEST_F(swap, part_of_the_slot)
{
	const int first = 16, n = 24;
	uint64_t s[NPAGES];

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	seeds_for(s, 0x4444000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	ASSERT_NE(0, pageout(_metadata, (uint8_t *)self->mem, first, n));
	EXPECT_EQ(0, count_pages((uint8_t *)self->mem, 0, first, page_swapped));
	EXPECT_EQ(0, count_pages((uint8_t *)self->mem, first + n,
				 NPAGES - first - n, page_swapped));
	EXPECT_EQ(NPAGES - n, count_pages((uint8_t *)self->mem, 0, NPAGES,
					  page_present));
	guest_op(_metadata, self->vcpu, OP_CHECK, s);
	seeds_for(s, 0x5555000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	host_check(_metadata, self->mem, s);
}

TEST_HARNESS_MAIN
