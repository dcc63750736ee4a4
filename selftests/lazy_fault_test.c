// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory is faulted in lazily: registering a large slot of memory the
 * VMM never touched, and running a guest, makes resident (in the VMM's page
 * tables) exactly the pages the guest touched, no more. mincore(2) tells
 * which pages of the VMM's mapping are resident; an anonymous page a guest
 * only read may be the shared zero page, which mincore() counts as well.
 *
 * Transparent huge pages are turned off for the slot (MADV_NOHUGEPAGE):
 * with them, one touch could legitimately bring in 2 MiB.
 *
 * Along the way: the guest's writes reach the VMM's memory, the VMM's
 * writes reach the guest, also into a page the guest had only read (which
 * the hypervisor may have mapped read-only to the zero page: the VMM's
 * write replaces that page, and the guest must see the new one), and a
 * guest write to a page it had only read lands where the VMM sees it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"
#include "guest.h"

#define BIG_SLOT	1
#define BIG_GPA		0x40000000ULL
#define BIG_SIZE	(64ULL << 20)
#define BIG_PAGES	(BIG_SIZE / GUEST_PAGE_SIZE)

enum { OP_READ, OP_WRITE };

/* One access of the guest: a quadword of page @page. */
struct touch {
	uint32_t page;
	uint32_t op;
	uint64_t val;	/* OP_WRITE: what to write; OP_READ: what to expect */
};

#define MAX_TOUCHES 64

/* The current batch: the host fills it in before each run. */
static struct touch touches[MAX_TOUCHES];
static uint64_t ntouches;

/* Where in page @page the test accesses: not always offset 0. */
static uint64_t touch_gpa(uint32_t page)
{
	return BIG_GPA + page * GUEST_PAGE_SIZE + (page % 512) * 8;
}

static void guest_toucher(void)
{
	for (uint64_t batch = 1;; batch++) {
		for (uint64_t i = 0; i < ntouches; i++) {
			volatile uint64_t *p = (volatile uint64_t *)touch_gpa(touches[i].page);

			if (touches[i].op == OP_WRITE) {
				*p = touches[i].val;
			} else {
				uint64_t v = *p;

				GUEST_ASSERT(v == touches[i].val,
					     "page %u reads %#lx, expected %#lx",
					     touches[i].page, v, touches[i].val);
			}
		}
		GUEST_SYNC(batch);
	}
}

static uint64_t *host_quad(uint8_t *mem, uint32_t page)
{
	return (uint64_t *)(mem + (touch_gpa(page) - BIG_GPA));
}

/* The value the guest writes to @page, and the one the host writes. */
static uint64_t guest_val(uint32_t page)
{
	return 0x6a65000000000000ULL | page;
}

static uint64_t host_val(uint32_t page)
{
	return 0x4f53000000000000ULL | (uint64_t)page << 16 | 0x55;
}

/*
 * Compare residency with @expect (one bool per page); log up to a few
 * differences; returns how many pages differ.
 */
static int check_resident(struct __test_metadata *_metadata, uint8_t *mem,
			  const bool *expect, const char *when)
{
	unsigned char *vec = malloc(BIG_PAGES);
	int bad = 0, resident = 0;

	ASSERT_NE(NULL, vec);
	ASSERT_EQ(0, mincore(mem, BIG_SIZE, vec)) TH_LOG("mincore: %m");
	for (uint64_t i = 0; i < BIG_PAGES; i++) {
		bool r = vec[i] & 1;

		resident += r;
		if (r != expect[i] && bad++ < 8)
			TH_LOG("%s: page %lu is %sresident", when, i, r ? "" : "not ");
	}
	TH_LOG("%s: %d of %llu pages resident, %d unexpected", when, resident,
	       BIG_PAGES, bad);
	free(vec);
	return bad;
}

static void add_touch(uint32_t page, uint32_t op, uint64_t val)
{
	TEST_ASSERT(ntouches < MAX_TOUCHES, "too many touches");
	touches[ntouches++] = (struct touch){ .page = page, .op = op, .val = val };
}

/* Hand the batch to the guest and run it; the guest reports @batch. */
static void run_batch(struct vcpu *vcpu, uint64_t batch)
{
	vm_sync_to_guest(vcpu->vm, touches);
	vm_sync_to_guest(vcpu->vm, ntouches);
	TEST_ASSERT_EQ(vcpu_run_sync(vcpu), batch);
	ntouches = 0;
}

/* Pages the guest writes / only reads in the first batch, spread out. */
static const uint32_t written[] = {
	0, 1, 2, 511, 512, 1000, 4095, 4096, 8191, 9000, 12345, 16383,
};
static const uint32_t read_only[] = {
	3, 513, 2047, 6000, 10000, 16000, 16382,
};
/* Pages only the host writes, before the guest reads them. */
static const uint32_t host_written[] = { 5, 777, 8192, 15000 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

TEST(only_touched_pages_become_resident)
{
	bool *expect = calloc(BIG_PAGES, sizeof(bool));
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_toucher);
	uint8_t *mem;
	size_t i;

	ASSERT_NE(NULL, expect);
	vm_identity_map(vm, BIG_GPA, BIG_SIZE);
	mem = vm_add_slot(vm, BIG_SLOT, 0, BIG_GPA, BIG_SIZE);
	ASSERT_EQ(0, madvise(mem, BIG_SIZE, MADV_NOHUGEPAGE)) TH_LOG("%m");

	/* Registering the slot and starting the vCPU bring in nothing. */
	EXPECT_EQ(0, check_resident(_metadata, mem, expect, "slot registered"));
	run_batch(vcpu, 1);
	EXPECT_EQ(0, check_resident(_metadata, mem, expect, "guest started"));

	/* Batch 2: writes and reads (of zeros) here and there. */
	for (i = 0; i < N(written); i++) {
		add_touch(written[i], OP_WRITE, guest_val(written[i]));
		expect[written[i]] = true;
	}
	for (i = 0; i < N(read_only); i++) {
		add_touch(read_only[i], OP_READ, 0);
		expect[read_only[i]] = true;
	}
	run_batch(vcpu, 2);
	EXPECT_EQ(0, check_resident(_metadata, mem, expect, "after the guest's accesses"));

	/* The guest's writes are in the VMM's memory; the reads left zeros. */
	for (i = 0; i < N(written); i++)
		EXPECT_EQ(guest_val(written[i]), *host_quad(mem, written[i]))
			TH_LOG("page %u", written[i]);
	for (i = 0; i < N(read_only); i++)
		EXPECT_EQ(0ULL, *host_quad(mem, read_only[i]))
			TH_LOG("page %u", read_only[i]);

	/*
	 * The host writes pages the guest never touched, and one it only
	 * read; the guest then reads them all, and writes another page it
	 * had only read.
	 */
	for (i = 0; i < N(host_written); i++) {
		*host_quad(mem, host_written[i]) = host_val(host_written[i]);
		expect[host_written[i]] = true;
		add_touch(host_written[i], OP_READ, host_val(host_written[i]));
	}
	*host_quad(mem, read_only[1]) = host_val(read_only[1]);
	add_touch(read_only[1], OP_READ, host_val(read_only[1]));
	add_touch(read_only[2], OP_WRITE, guest_val(read_only[2]));
	add_touch(read_only[2], OP_READ, guest_val(read_only[2]));
	/* The first batch's writes are still there for the guest. */
	for (i = 0; i < N(written); i++)
		add_touch(written[i], OP_READ, guest_val(written[i]));
	run_batch(vcpu, 3);

	EXPECT_EQ(guest_val(read_only[2]), *host_quad(mem, read_only[2]));
	EXPECT_EQ(host_val(read_only[1]), *host_quad(mem, read_only[1]));
	EXPECT_EQ(0, check_resident(_metadata, mem, expect, "at the end"));
	vm_free(vm);
	free(expect);
}

TEST_HARNESS_MAIN
