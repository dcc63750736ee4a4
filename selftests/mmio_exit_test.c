// SPDX-License-Identifier: GPL-2.0
/*
 * A guest access to a guest-physical address that no memory slot holds
 * exits as KVM_EXIT_MMIO (api.rst 5, "KVM_EXIT_MMIO"): phys_addr, len (1, 2,
 * 4 or 8), is_write, and for a write the data; for a read the host puts the
 * data in mmio.data and the next KVM_RUN completes the instruction with it.
 * phys_addr is guest-physical, whatever guest-virtual address was used.
 */
#include <string.h>

#include "harness.h"
#include "guest.h"

/* Far from slot 0 and below 4 GiB. */
#define MMIO_GPA	0xc0000000ULL
/* A guest-virtual alias of the second MMIO page. */
#define MMIO_ALIAS_GVA	0x70000000ULL

static void guest_writes(void)
{
	*(volatile uint8_t *)(MMIO_GPA + 1) = 0x12;
	*(volatile uint16_t *)(MMIO_GPA + 2) = 0x3456;
	*(volatile uint32_t *)(MMIO_GPA + 4) = 0x789abcde;
	*(volatile uint64_t *)(MMIO_GPA + 8) = 0x0fedcba987654321ULL;
	/* An immediate operand. */
	asm volatile("movl $0xa5a5f00d, (%0)" : : "r"(MMIO_GPA + 0x10) : "memory");
	/* Through a guest-virtual alias. */
	*(volatile uint32_t *)(MMIO_ALIAS_GVA + 0x20) = 0xc0ffee;
	GUEST_DONE();
}

static struct vm *mmio_vm(struct vcpu **vcpu, void *guest_code)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, guest_code);

	vm_identity_map(vm, MMIO_GPA, GUEST_PAGE_SIZE);
	vm_map(vm, MMIO_ALIAS_GVA, MMIO_GPA + GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
	return vm;
}

/* Run to the next exit, an MMIO one with these fields; returns its data. */
static uint8_t *expect_mmio(struct vcpu *vcpu, uint64_t gpa, uint32_t len,
			    bool write)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == gpa && run->mmio.len == len &&
		    run->mmio.is_write == write,
		    "MMIO %s of %u bytes at %#llx; expected a %s of %u at %#lx",
		    run->mmio.is_write ? "write" : "read", run->mmio.len,
		    run->mmio.phys_addr, write ? "write" : "read", len, gpa);
	return run->mmio.data;
}

static void expect_write(struct vcpu *vcpu, uint64_t gpa, uint32_t len,
			 uint64_t val)
{
	uint64_t data = 0;

	memcpy(&data, expect_mmio(vcpu, gpa, len, true), len);
	TEST_ASSERT_EQ(data, val);
}

TEST(writes)
{
	struct vcpu *vcpu;
	struct vm *vm = mmio_vm(&vcpu, guest_writes);

	expect_write(vcpu, MMIO_GPA + 1, 1, 0x12);
	expect_write(vcpu, MMIO_GPA + 2, 2, 0x3456);
	expect_write(vcpu, MMIO_GPA + 4, 4, 0x789abcde);
	expect_write(vcpu, MMIO_GPA + 8, 8, 0x0fedcba987654321ULL);
	expect_write(vcpu, MMIO_GPA + 0x10, 4, 0xa5a5f00d);
	expect_write(vcpu, MMIO_GPA + GUEST_PAGE_SIZE + 0x20, 4, 0xc0ffee);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_reads(void)
{
	uint64_t v;

	GUEST_SYNC(*(volatile uint8_t *)(MMIO_GPA + 3));
	GUEST_SYNC(*(volatile uint16_t *)(MMIO_GPA + 6));
	GUEST_SYNC(*(volatile uint32_t *)(MMIO_GPA + 0xc));
	GUEST_SYNC(*(volatile uint64_t *)(MMIO_GPA + 0x18));
	GUEST_SYNC(*(volatile uint32_t *)(MMIO_ALIAS_GVA + 0x44));
	/* A memory source operand of an ALU instruction. */
	v = 0x1000;
	asm volatile("addq (%1), %0" : "+r"(v) : "r"(MMIO_GPA + 0x20) : "memory");
	GUEST_SYNC(v);
}

static void supply_read(struct vcpu *vcpu, uint64_t gpa, uint32_t len,
			uint64_t val)
{
	memcpy(expect_mmio(vcpu, gpa, len, false), &val, len);
}

TEST(reads)
{
	struct vcpu *vcpu;
	struct vm *vm = mmio_vm(&vcpu, guest_reads);

	supply_read(vcpu, MMIO_GPA + 3, 1, 0xab);
	EXPECT_EQ(0xabULL, vcpu_run_sync(vcpu));
	supply_read(vcpu, MMIO_GPA + 6, 2, 0xcdef);
	EXPECT_EQ(0xcdefULL, vcpu_run_sync(vcpu));
	supply_read(vcpu, MMIO_GPA + 0xc, 4, 0x13579bdf);
	EXPECT_EQ(0x13579bdfULL, vcpu_run_sync(vcpu));
	supply_read(vcpu, MMIO_GPA + 0x18, 8, 0x2468ace013579bdfULL);
	EXPECT_EQ(0x2468ace013579bdfULL, vcpu_run_sync(vcpu));
	supply_read(vcpu, MMIO_GPA + GUEST_PAGE_SIZE + 0x44, 4, 0x55aa55aa);
	EXPECT_EQ(0x55aa55aaULL, vcpu_run_sync(vcpu));
	supply_read(vcpu, MMIO_GPA + 0x20, 8, 0x234);
	EXPECT_EQ(0x1234ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* The same address again and again: each access is its own exit. */
static void guest_polls(void)
{
	uint32_t v;

	do {
		v = *(volatile uint32_t *)MMIO_GPA;
	} while (v != 3);
	GUEST_DONE();
}

TEST(each_access_exits)
{
	struct vcpu *vcpu;
	struct vm *vm = mmio_vm(&vcpu, guest_polls);

	for (uint32_t i = 1; i <= 3; i++)
		supply_read(vcpu, MMIO_GPA, 4, i);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/*
 * Executing from an address with no memory: there is no instruction to
 * emulate, and KVM reports KVM_EXIT_INTERNAL_ERROR (emulation failure).
 */
static void guest_jumps_to_mmio(void)
{
	((void (*)(void))(MMIO_GPA + 0x100))();
	GUEST_DONE();
}

TEST(fetch_is_internal_error)
{
	struct vcpu *vcpu;
	struct vm *vm = mmio_vm(&vcpu, guest_jumps_to_mmio);

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((__u32)KVM_INTERNAL_ERROR_EMULATION, vcpu->run->internal.suberror);
	vm_free(vm);
}

TEST_HARNESS_MAIN
