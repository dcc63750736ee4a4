// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots (api.rst 4.35 KVM_SET_USER_MEMORY_REGION): a slot the guest
 * uses; deleted or moved after a vCPU used it (the old addresses become
 * MMIO, a moved slot's memory is found at its new address); read-only
 * (reads are memory, writes exit as MMIO); the
 * KVM_CAP_NR_MEMSLOTS limit, the errors for malformed requests as Linux
 * 6.1's __kvm_set_memory_region() returns them, and a vCPU whose code is
 * in no slot.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "harness.h"
#include "guest.h"

#define SLOT		1
#define SLOT_GPA	0x40000000ULL
#define SLOT_SIZE	(4 * GUEST_PAGE_SIZE)
#define MOVED_GPA	0x50000000ULL

/* Reads the first quadword at @gpa and writes @val + 1 to the second. */
static void guest_rw(uint64_t gpa, uint64_t val)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;

	GUEST_SYNC(p[0]);
	p[1] = val + 1;
	GUEST_DONE();
}

/* A VM whose page tables map both SLOT_GPA and MOVED_GPA (no slot yet). */
static struct vm *slot_vm(struct vcpu **vcpu)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, guest_rw);

	vm_identity_map(vm, SLOT_GPA, SLOT_SIZE);
	vm_identity_map(vm, MOVED_GPA, SLOT_SIZE);
	return vm;
}

TEST(guest_uses_new_slot)
{
	struct vcpu *vcpu;
	struct vm *vm = slot_vm(&vcpu);
	uint64_t *mem = vm_add_slot(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);

	mem[0] = 0x1122334455667788ULL;
	vcpu_args_set(vcpu, 2, SLOT_GPA, 41ULL);
	EXPECT_EQ(0x1122334455667788ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	EXPECT_EQ(42ULL, mem[1]);
	vm_free(vm);
}

/* The guest reads the quadword at read_target, forever. */
static uint64_t read_target;

static void guest_reader(void)
{
	for (;;)
		GUEST_SYNC(*(volatile uint64_t *)*(volatile uint64_t *)&read_target);
}

static void set_read_target(struct vm *vm, uint64_t gpa)
{
	read_target = gpa;
	vm_sync_to_guest(vm, read_target);
}

/* Run to a read of @gpa that exits as MMIO; answer @val, expect it back. */
static void expect_mmio_read(struct vcpu *vcpu, uint64_t gpa, uint64_t val)
{
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT_EQ(vcpu->run->mmio.phys_addr, gpa);
	TEST_ASSERT_EQ(vcpu->run->mmio.is_write, 0);
	TEST_ASSERT_EQ(vcpu->run->mmio.len, 8);
	memcpy(vcpu->run->mmio.data, &val, 8);
	TEST_ASSERT_EQ(vcpu_run_sync(vcpu), val);
}

/* The vCPU has used the slot: deleting it must take it away. */
TEST(delete_under_a_vcpu)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_reader);
	uint64_t *mem;

	vm_identity_map(vm, SLOT_GPA, SLOT_SIZE);
	mem = vm_add_slot(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	mem[1] = 0x1234;
	set_read_target(vm, SLOT_GPA + 8);
	EXPECT_EQ(0x1234ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0x1234ULL, vcpu_run_sync(vcpu));
	vm_delete_slot(vm, SLOT);
	expect_mmio_read(vcpu, SLOT_GPA + 8, 0xdead);
	/* The slot number is free again, and the memory back. */
	mem = vm_add_slot(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	mem[1] = 0x4321;
	EXPECT_EQ(0x4321ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* Moving: the same memory at the new address, MMIO at the old one. */
TEST(move_under_a_vcpu)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_reader);
	uint64_t *mem;

	vm_identity_map(vm, SLOT_GPA, SLOT_SIZE);
	vm_identity_map(vm, MOVED_GPA, SLOT_SIZE);
	mem = vm_add_slot(vm, SLOT, 0, SLOT_GPA, SLOT_SIZE);
	mem[3] = 0xabcdef;
	set_read_target(vm, SLOT_GPA + 24);
	EXPECT_EQ(0xabcdefULL, vcpu_run_sync(vcpu));
	vm_move_slot(vm, SLOT, MOVED_GPA);
	expect_mmio_read(vcpu, SLOT_GPA + 24, 0x77);
	set_read_target(vm, MOVED_GPA + 24);
	EXPECT_EQ(0xabcdefULL, vcpu_run_sync(vcpu));
	/* And back. */
	vm_move_slot(vm, SLOT, SLOT_GPA);
	expect_mmio_read(vcpu, MOVED_GPA + 24, 0x88);
	set_read_target(vm, SLOT_GPA + 24);
	EXPECT_EQ(0xabcdefULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST(readonly_slot)
{
	struct vcpu *vcpu;
	struct vm *vm = slot_vm(&vcpu);
	uint64_t *mem, data;

	if (vm_check_cap(vm, KVM_CAP_READONLY_MEM) <= 0)
		SKIP(goto out, "no KVM_CAP_READONLY_MEM");
	mem = vm_add_slot(vm, SLOT, KVM_MEM_READONLY, SLOT_GPA, SLOT_SIZE);
	mem[0] = 0x600d;
	vcpu_args_set(vcpu, 2, SLOT_GPA, 0x776ULL);
	/* The read is served from memory... */
	EXPECT_EQ(0x600dULL, vcpu_run_sync(vcpu));
	/* ...the write exits, with its data, and the memory keeps its value. */
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	EXPECT_EQ(SLOT_GPA + 8, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(8U, vcpu->run->mmio.len);
	EXPECT_EQ(1, vcpu->run->mmio.is_write);
	memcpy(&data, vcpu->run->mmio.data, 8);
	EXPECT_EQ(0x777ULL, data);
	vcpu_run_done(vcpu);
	EXPECT_EQ(0ULL, mem[1]);
out:
	vm_free(vm);
}

/* Slot ids run from 0 to KVM_CAP_NR_MEMSLOTS - 1. */
TEST(nr_memslots)
{
	struct vm *vm = vm_create_bare();
	void *mem = mmap(NULL, GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int nr = vm_check_cap(vm, KVM_CAP_NR_MEMSLOTS);
	int i;

	ASSERT_NE(MAP_FAILED, mem);
	/* QEMU assumes 32 where the capability reads 0: at least that. */
	ASSERT_LE(32, nr);
	EXPECT_EQ(nr, ioctl(vm->dev_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS));
	EXPECT_EQ(0, _vm_set_memory_region(vm, nr - 1, 0, 0, GUEST_PAGE_SIZE, mem))
		TH_LOG("slot %d: %m", nr - 1);
	EXPECT_EQ(-1, _vm_set_memory_region(vm, nr, 0, GUEST_PAGE_SIZE,
					    GUEST_PAGE_SIZE, mem));
	EXPECT_EQ(EINVAL, errno);
	/* Many slots at once, all sharing one page of host memory. */
	for (i = 0; i < 32 && i < nr - 1; i++) {
		ASSERT_EQ(0, _vm_set_memory_region(vm, i, 0, (i + 1) * GUEST_PAGE_SIZE,
						   GUEST_PAGE_SIZE, mem))
			TH_LOG("slot %d: %m", i);
	}
	munmap(mem, GUEST_PAGE_SIZE);
	vm_free(vm);
}

/* @r is -1 with errno @err. */
#define EXPECT_ERRNO(err, r)						\
	do {								\
		int __r = (r);						\
									\
		EXPECT_EQ(-1, __r) TH_LOG("%s succeeded", #r);	\
		if (__r == -1) {					\
			EXPECT_EQ(err, errno) TH_LOG("%s: %m", #r);	\
		}							\
	} while (0)

TEST(malformed_requests)
{
	struct vm *vm = vm_create_bare();
	size_t size = 16 * GUEST_PAGE_SIZE;
	char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const uint64_t g = 0x100000, s = 4 * GUEST_PAGE_SIZE;

	ASSERT_NE(MAP_FAILED, mem);
	/* Misaligned size, guest address, host address; unknown flags. */
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, g, s + 1, mem));
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, g + 8, s, mem));
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, g, s, mem + 8));
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 1U << 31, g, s, mem));
	/* Guest addresses that wrap around. */
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, -GUEST_PAGE_SIZE, s, mem));
	/* Deleting a slot that does not exist. */
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, g, 0, mem));

	ASSERT_EQ(0, _vm_set_memory_region(vm, 1, 0, g, s, mem)) TH_LOG("%m");
	/* Setting it again unchanged is fine. */
	EXPECT_EQ(0, _vm_set_memory_region(vm, 1, 0, g, s, mem)) TH_LOG("%m");
	/* A live slot cannot change its size, its memory or READONLY. */
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, g, 2 * s, mem));
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, 0, g, s, mem + s));
	if (vm_check_cap(vm, KVM_CAP_READONLY_MEM) > 0) {
		EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 1, KVM_MEM_READONLY, g, s, mem));
	}

	/* Overlaps: inside, over the start, over the end, all around. */
	EXPECT_ERRNO(EEXIST, _vm_set_memory_region(vm, 2, 0, g + GUEST_PAGE_SIZE,
						   GUEST_PAGE_SIZE, mem + s));
	EXPECT_ERRNO(EEXIST, _vm_set_memory_region(vm, 2, 0, g - GUEST_PAGE_SIZE,
						   2 * GUEST_PAGE_SIZE, mem + s));
	EXPECT_ERRNO(EEXIST, _vm_set_memory_region(vm, 2, 0, g + s - GUEST_PAGE_SIZE,
						   2 * GUEST_PAGE_SIZE, mem + s));
	EXPECT_ERRNO(EEXIST, _vm_set_memory_region(vm, 2, 0, g - GUEST_PAGE_SIZE,
						   s + 2 * GUEST_PAGE_SIZE, mem + s));
	/* Touching is not overlapping, on either side. */
	EXPECT_EQ(0, _vm_set_memory_region(vm, 2, 0, g + s, GUEST_PAGE_SIZE, mem + s))
		TH_LOG("%m");
	EXPECT_EQ(0, _vm_set_memory_region(vm, 3, 0, g - GUEST_PAGE_SIZE,
					   GUEST_PAGE_SIZE, mem + s + GUEST_PAGE_SIZE))
		TH_LOG("%m");
	/* Moving a slot onto another one. */
	EXPECT_ERRNO(EEXIST, _vm_set_memory_region(vm, 2, 0, g, GUEST_PAGE_SIZE, mem + s));
	/* Two slots may share host memory. */
	EXPECT_EQ(0, _vm_set_memory_region(vm, 4, 0, 0x800000, s, mem)) TH_LOG("%m");
	/* Deleting, then deleting again. */
	EXPECT_EQ(0, _vm_set_memory_region(vm, 4, 0, 0x800000, 0, mem)) TH_LOG("%m");
	EXPECT_ERRNO(EINVAL, _vm_set_memory_region(vm, 4, 0, 0x800000, 0, mem));
	munmap(mem, size);
	vm_free(vm);
}

/*
 * Code where no slot is: the vCPU starts at the reset vector (0xfffffff0,
 * SDM Vol. 3A 10.1.4), and the only slot is one page at 0. Nothing can be
 * fetched: KVM reports KVM_EXIT_INTERNAL_ERROR (emulation failure). (With
 * no slot at all, Linux 6.1's KVM fails KVM_RUN with ENOSPC instead, having
 * sized its MMU page cache from the memory slots, unless
 * KVM_SET_NR_MMU_PAGES was used.)
 */
TEST(reset_vector_outside_memory)
{
	struct vm *vm = vm_create_bare();
	struct vcpu *vcpu = vm_add_vcpu_bare(vm, 0);
	void *mem = mmap(NULL, GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, mem);
	vm_set_memory_region(vm, 0, 0, 0, GUEST_PAGE_SIZE, mem);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((__u32)KVM_INTERNAL_ERROR_EMULATION, vcpu->run->internal.suberror);
	vm_free(vm);
	munmap(mem, GUEST_PAGE_SIZE);
}

TEST_HARNESS_MAIN
