// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM changes the memory behind a slot while the VM exists, and the
 * guest must see what the VMM's page tables now hold, never the pages the
 * hypervisor had mapped before (it has to drop its guest mappings when the
 * host's change, e.g. through an MMU notifier):
 *   - MADV_DONTNEED of private anonymous memory: the pages read as zeros
 *     again, for the guest and for the VMM, whichever looks first, and the
 *     guest's next writes land in the new pages;
 *   - munmap() and a new mmap(MAP_FIXED) at the same address, and a
 *     MAP_FIXED mapping of a memfd straight over the old one: the guest sees
 *     the new mapping's contents, and its writes go there.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "guest.h"

#define SLOT		1
#define SLOT_GPA	0x40000000ULL
#define SLOT_PAGES	16
#define SLOT_SIZE	(SLOT_PAGES * GUEST_PAGE_SIZE)

#define PP_GPA		SLOT_GPA
#define PP_PAGES	SLOT_PAGES
#include "page_pattern.h"

/* The pages' seeds: @per_page's, or @seed for every page. */
static void seeds_of(uint64_t *s, const uint64_t *per_page, uint64_t seed)
{
	for (int p = 0; p < SLOT_PAGES; p++)
		s[p] = per_page ? per_page[p] : seed;
}

/* guest_op() with every page's seed @seed (or @per_page's). */
static void guest_op_seed(struct __test_metadata *_metadata, struct vcpu *vcpu,
			  uint64_t what, const uint64_t *per_page, uint64_t seed)
{
	uint64_t s[SLOT_PAGES];

	seeds_of(s, per_page, seed);
	guest_op(_metadata, vcpu, what, s);
}

/* host_check() with every page's seed @seed (or @per_page's). */
static void host_check_seed(struct __test_metadata *_metadata,
			    const uint64_t *mem, const uint64_t *per_page,
			    uint64_t seed)
{
	uint64_t s[SLOT_PAGES];

	seeds_of(s, per_page, seed);
	host_check(_metadata, mem, s);
}

static struct vm *memory_vm(struct vcpu **vcpu, uint64_t **mem)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, guest_memory);

	vm_identity_map(vm, SLOT_GPA, SLOT_SIZE);
	*mem = vm_add_slot(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	return vm;
}

/* The guest looks first, then the host. */
TEST(dontneed_guest_sees_zeros)
{
	struct vcpu *vcpu;
	uint64_t *mem;
	struct vm *vm = memory_vm(&vcpu, &mem);

	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0x1111);
	host_check_seed(_metadata, mem, NULL, 0x1111);
	ASSERT_EQ(0, madvise(mem, SLOT_SIZE, MADV_DONTNEED)) TH_LOG("%m");
	guest_op_seed(_metadata, vcpu, OP_CHECK, NULL, 0);
	host_check_seed(_metadata, mem, NULL, 0);
	/* The guest's new writes reach the new pages. */
	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0x2222);
	host_check_seed(_metadata, mem, NULL, 0x2222);
	guest_op_seed(_metadata, vcpu, OP_CHECK, NULL, 0x2222);
	vm_free(vm);
}

/* Part of the slot; the host looks first (and so faults the pages in). */
TEST(dontneed_part_host_first)
{
	uint64_t seeds_after[SLOT_PAGES];
	struct vcpu *vcpu;
	uint64_t *mem;
	struct vm *vm = memory_vm(&vcpu, &mem);

	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0x3333);
	for (int p = 0; p < SLOT_PAGES; p++)
		seeds_after[p] = p >= 3 && p < 7 ? 0 : 0x3333;
	ASSERT_EQ(0, madvise((char *)mem + 3 * GUEST_PAGE_SIZE, 4 * GUEST_PAGE_SIZE,
			     MADV_DONTNEED)) TH_LOG("%m");
	host_check_seed(_metadata, mem, seeds_after, 0);
	guest_op_seed(_metadata, vcpu, OP_CHECK, seeds_after, 0);
	/* The host writes into the new pages; the guest sees that too. */
	for (int p = 3; p < 7; p++) {
		seeds_after[p] = 0x4444 + p;
		host_fill_page(mem, p, seeds_after[p]);
	}
	guest_op_seed(_metadata, vcpu, OP_CHECK, seeds_after, 0);
	vm_free(vm);
}

/* The host writes @seed's pattern to @mem. */
static void host_fill(uint64_t *mem, uint64_t seed)
{
	for (int p = 0; p < SLOT_PAGES; p++)
		host_fill_page(mem, p, seed);
}

TEST(munmap_and_mmap_fixed)
{
	struct vcpu *vcpu;
	uint64_t *mem, *again;
	struct vm *vm = memory_vm(&vcpu, &mem);

	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0x5555);
	ASSERT_EQ(0, munmap(mem, SLOT_SIZE)) TH_LOG("%m");
	again = mmap(mem, SLOT_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(mem, again) TH_LOG("mmap: %m");
	host_fill(mem, 0x6666);
	guest_op_seed(_metadata, vcpu, OP_CHECK, NULL, 0x6666);
	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0x7777);
	host_check_seed(_metadata, mem, NULL, 0x7777);
	vm_free(vm);
}

TEST(mmap_fixed_memfd_over_the_slot)
{
	uint64_t *buf = malloc(SLOT_SIZE);
	struct vcpu *vcpu;
	uint64_t *mem, *again;
	struct vm *vm = memory_vm(&vcpu, &mem);
	int fd = memfd_create("madvise_test", 0);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd) TH_LOG("memfd_create: %m");
	host_fill(buf, 0x8888);
	ASSERT_EQ((ssize_t)SLOT_SIZE, pwrite(fd, buf, SLOT_SIZE, 0)) TH_LOG("%m");

	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0x9999);
	again = mmap(mem, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		     fd, 0);
	ASSERT_EQ(mem, again) TH_LOG("mmap: %m");
	guest_op_seed(_metadata, vcpu, OP_CHECK, NULL, 0x8888);
	/* The guest's writes reach the file. */
	guest_op_seed(_metadata, vcpu, OP_FILL, NULL, 0xaaaa);
	ASSERT_EQ((ssize_t)SLOT_SIZE, pread(fd, buf, SLOT_SIZE, 0)) TH_LOG("%m");
	host_check_seed(_metadata, buf, NULL, 0xaaaa);
	vm_free(vm);
	close(fd);
	free(buf);
}

TEST_HARNESS_MAIN
