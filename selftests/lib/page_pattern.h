/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A slot of guest memory filled with a per-page pattern that the guest and
 * the host both write and check, for the tests of the memory path
 * (madvise_test, swap_test, page_migration_test): a hypervisor that kept
 * mapping a page the host replaced shows up as a mismatch on one side.
 *
 * Page p holds pattern(seeds[p], i) in its quadword i; seed 0 is all
 * zeros. The test defines PP_GPA (the slot's address, guest-physical and
 * identity-mapped) and PP_PAGES before including this, and runs
 * guest_memory() in its vCPU; each guest_op() is one run of it.
 */
#ifndef SVMX_PAGE_PATTERN_H
#define SVMX_PAGE_PATTERN_H

#include <string.h>

#include "guest.h"

#define QUADS_PER_PAGE	((uint64_t)(GUEST_PAGE_SIZE / 8))

enum { OP_FILL = 1, OP_CHECK };

/* What the guest does next, and each page's seed: set by guest_op(). */
static uint64_t op;
static uint64_t seeds[PP_PAGES];

/* Quadword i of the slot, in a page whose seed is @seed. */
static inline uint64_t pattern(uint64_t seed, uint64_t i)
{
	return seed ? seed ^ (i * 0x9e3779b97f4a7c15ULL) : 0;
}

/* OP_FILL writes every page's pattern; OP_CHECK counts mismatches. */
static inline void guest_memory(void)
{
	volatile uint64_t *mem = (volatile uint64_t *)PP_GPA;

	for (;;) {
		uint64_t bad = 0, first = -1ULL;

		for (uint64_t i = 0; i < PP_PAGES * QUADS_PER_PAGE; i++) {
			uint64_t want = pattern(seeds[i / QUADS_PER_PAGE], i);

			if (op == OP_FILL) {
				mem[i] = want;
			} else if (mem[i] != want) {
				if (!bad++)
					first = i;
			}
		}
		GUEST_SYNC2(bad, first);
	}
}

/* One run of guest_memory(): @what with the pages' seeds @page_seeds. */
static inline void guest_op(struct __test_metadata *_metadata,
			    struct vcpu *vcpu, uint64_t what,
			    const uint64_t *page_seeds)
{
	struct ucall uc;

	op = what;
	memcpy(seeds, page_seeds, sizeof(seeds));
	vm_sync_to_guest(vcpu->vm, op);
	vm_sync_to_guest(vcpu->vm, seeds);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	EXPECT_EQ(0ULL, uc.args[0])
		TH_LOG("the guest found %lu quadwords wrong, the first at offset %#lx (page %lu)",
		       uc.args[0], uc.args[1] * 8, uc.args[1] / QUADS_PER_PAGE);
}

/* Does the host see the pages' patterns in @mem? */
static inline void host_check(struct __test_metadata *_metadata,
			      const uint64_t *mem, const uint64_t *page_seeds)
{
	uint64_t bad = 0, first = 0;

	for (uint64_t i = 0; i < PP_PAGES * QUADS_PER_PAGE; i++) {
		if (mem[i] != pattern(page_seeds[i / QUADS_PER_PAGE], i) && !bad++)
			first = i;
	}
	EXPECT_EQ(0ULL, bad)
		TH_LOG("the host found %lu quadwords wrong, the first at offset %#lx (page %lu): %#lx, not %#lx",
		       bad, first * 8, first / QUADS_PER_PAGE, mem[first],
		       pattern(page_seeds[first / QUADS_PER_PAGE], first));
}

/* The host writes page @page's pattern for @seed into @mem. */
static inline void host_fill_page(uint64_t *mem, uint64_t page, uint64_t seed)
{
	for (uint64_t i = page * QUADS_PER_PAGE; i < (page + 1) * QUADS_PER_PAGE; i++)
		mem[i] = pattern(seed, i);
}

#endif
