// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory the host migrates to another NUMA node: the guest fills
 * pages of a slot with a per-page pattern, the VMM moves them with
 * move_pages(2) (MPOL_MF_MOVE) to the other node, and /proc/self/pagemap
 * proves each now lives in another host page (its PFN changed). The
 * hypervisor must have dropped its mappings of the old pages (its MMU
 * notifier): the guest reads the pattern from the new pages, sees what the
 * VMM writes into them afterwards, and its writes land where the VMM sees
 * them. A hypervisor that kept the old mapping would read the old page,
 * which still holds the pattern: the checks after the VMM's and the
 * guest's writes catch that.
 *
 * Twice: to the other node and back. move_pages() is called through
 * syscall(2) (no libnuma). Needs two NUMA nodes with memory (the test
 * machines boot with numa=fake=2) and root for the PFNs; SKIPs otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "guest.h"

#define SLOT		1
#define SLOT_GPA	0x40000000ULL
#define NPAGES		32
#define SLOT_SIZE	(NPAGES * GUEST_PAGE_SIZE)
#define PP_GPA		SLOT_GPA
#define PP_PAGES	NPAGES

#define MPOL_MF_MOVE	(1 << 1)	/* <numaif.h>, not needed otherwise */
#define MAX_NODES	64

#include "page_pattern.h"

static long sys_move_pages(unsigned long count, void **pages, const int *nodes,
			   int *status, int flags)
{
	return syscall(SYS_move_pages, 0, count, pages, nodes, status, flags);
}

/* The NUMA nodes the host has: their numbers in @nodes; returns how many. */
static int host_nodes(int *nodes)
{
	int n = 0;

	for (int i = 0; i < MAX_NODES; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", i);
		if (!access(path, F_OK))
			nodes[n++] = i;
	}
	return n;
}

static uint64_t pfn_of(const void *p)
{
	return test_pagemap(p) & PAGEMAP_PFN_MASK;
}

FIXTURE(migration) {
	struct vm *vm;
	struct vcpu *vcpu;
	uint64_t *mem;
	int nodes[MAX_NODES];
	char skip[160];
};

FIXTURE_SETUP(migration)
{
	int n = host_nodes(self->nodes);

	self->vm = NULL;
	self->skip[0] = 0;
	if (n < 2) {
		snprintf(self->skip, sizeof(self->skip),
			 "the host has %d NUMA node(s): nowhere to migrate to", n);
		return;
	}
	self->vm = vm_create_with_vcpu(&self->vcpu, guest_memory);
	vm_identity_map(self->vm, SLOT_GPA, SLOT_SIZE);
	self->mem = vm_add_slot(self->vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	ASSERT_EQ(0, madvise(self->mem, SLOT_SIZE, MADV_NOHUGEPAGE)) TH_LOG("%m");
	/* The PFNs in pagemap read as 0 without CAP_SYS_ADMIN. */
	self->mem[0] = 1;
	if (!pfn_of(self->mem))
		snprintf(self->skip, sizeof(self->skip),
			 "/proc/self/pagemap shows no PFNs (needs CAP_SYS_ADMIN)");
	self->mem[0] = 0;
}

FIXTURE_TEARDOWN(migration)
{
	if (self->vm)
		vm_free(self->vm);
}

/*
 * Move every page of the slot to a node it is not on; fails the test unless
 * each page moved and got a new PFN.
 */
static void migrate_all(struct __test_metadata *_metadata, uint64_t *mem,
			const int *host, int round)
{
	void *pages[NPAGES];
	int nodes[NPAGES], status[NPAGES];
	uint64_t old_pfn[NPAGES];
	int moved = 0, new_pfn = 0;

	for (int p = 0; p < NPAGES; p++) {
		pages[p] = (uint8_t *)mem + p * GUEST_PAGE_SIZE;
		old_pfn[p] = pfn_of(pages[p]);
		ASSERT_NE(0ULL, old_pfn[p]) TH_LOG("page %d is not present", p);
	}
	/* Where the pages are now (nodes NULL: query only). */
	ASSERT_EQ(0, sys_move_pages(NPAGES, pages, NULL, status, 0))
		TH_LOG("move_pages (query): %m");
	for (int p = 0; p < NPAGES; p++) {
		ASSERT_LE(0, status[p]) TH_LOG("page %d: status %d", p, status[p]);
		nodes[p] = status[p] == host[0] ? host[1] : host[0];
	}
	ASSERT_EQ(0, sys_move_pages(NPAGES, pages, nodes, status, MPOL_MF_MOVE))
		TH_LOG("move_pages: %m");
	for (int p = 0; p < NPAGES; p++) {
		uint64_t pfn = pfn_of(pages[p]);

		moved += status[p] == nodes[p];
		new_pfn += pfn && pfn != old_pfn[p];
		if (status[p] != nodes[p] || !pfn || pfn == old_pfn[p])
			TH_LOG("round %d, page %d: status %d (wanted node %d), PFN %#lx -> %#lx",
			       round, p, status[p], nodes[p], old_pfn[p], pfn);
	}
	TH_LOG("round %d: %d of %d pages moved to node %d, %d with a new PFN",
	       round, moved, NPAGES, nodes[0], new_pfn);
	ASSERT_EQ(NPAGES, moved);
	ASSERT_EQ(NPAGES, new_pfn);
}

static void seeds_for(uint64_t *s, uint64_t base)
{
	for (int p = 0; p < NPAGES; p++)
		s[p] = base + p * 0x10001;
}

/* The guest reads the migrated pages first, then the VMM writes some. */
TEST_F(migration, guest_sees_migrated_pages)
{
	uint64_t s[NPAGES];

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	for (int round = 1; round <= 2; round++) {
		seeds_for(s, 0x6d69000000000000ULL * round + round);
		guest_op(_metadata, self->vcpu, OP_FILL, s);
		migrate_all(_metadata, self->mem, self->nodes, round);
		guest_op(_metadata, self->vcpu, OP_CHECK, s);
		/* The VMM writes every other new page: the guest sees that. */
		for (int p = 0; p < NPAGES; p += 2) {
			s[p] = 0x686f737400000000ULL + round * 0x100 + p;
			host_fill_page(self->mem, p, s[p]);
		}
		guest_op(_metadata, self->vcpu, OP_CHECK, s);
		/* The guest's writes reach the new pages. */
		seeds_for(s, 0x6775000000000000ULL + round);
		guest_op(_metadata, self->vcpu, OP_FILL, s);
		host_check(_metadata, self->mem, s);
	}
}

/* The guest writes the migrated pages before anything else touches them. */
TEST_F(migration, guest_writes_migrated_pages)
{
	uint64_t s[NPAGES];

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	seeds_for(s, 0x1234000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	migrate_all(_metadata, self->mem, self->nodes, 1);
	seeds_for(s, 0x4321000000000000ULL);
	guest_op(_metadata, self->vcpu, OP_FILL, s);
	host_check(_metadata, self->mem, s);
	guest_op(_metadata, self->vcpu, OP_CHECK, s);
}

TEST_HARNESS_MAIN
