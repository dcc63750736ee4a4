// SPDX-License-Identifier: GPL-2.0
/*
 * The processor modes the library sets up: 64-bit long mode for C guest
 * code (the guest reads back its own CR0, CR3, CR4, EFER and CS), real mode
 * and 32-bit protected mode for small assembly blobs, which report through
 * port I/O and stop with HLT.
 */
#include "harness.h"
#include "guest.h"

static void guest_long_mode(void)
{
	uint64_t rflags;

	GUEST_SYNC(read_cr0());
	GUEST_SYNC(read_cr3());
	GUEST_SYNC(read_cr4());
	GUEST_SYNC(rdmsr(MSR_EFER));
	GUEST_SYNC(read_cs());
	asm volatile("pushfq; popq %0" : "=r"(rflags));
	GUEST_SYNC(rflags);
}

TEST(long_mode_as_set_up)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_long_mode);
	struct kvm_sregs s;

	vcpu_get_sregs(vcpu, &s);
	EXPECT_TRUE(!!(s.efer & EFER_LMA));
	EXPECT_EQ(1, s.cs.l);
	EXPECT_EQ(s.cr0, vcpu_run_sync(vcpu));
	EXPECT_EQ(s.cr3, vcpu_run_sync(vcpu));
	EXPECT_EQ(s.cr4, vcpu_run_sync(vcpu));
	EXPECT_EQ(s.efer, vcpu_run_sync(vcpu));
	EXPECT_EQ((uint64_t)GUEST_SEL_CODE64, vcpu_run_sync(vcpu));
	/* Interrupts off, bit 1 set (the arithmetic flags are the code's). */
	EXPECT_EQ(X86_RFLAGS_FIXED,
		  vcpu_run_sync(vcpu) & (X86_RFLAGS_FIXED | X86_RFLAGS_IF));
	vm_free(vm);
}

/*
 * Real mode: a word read through CS (the segment base is CS * 16), CS
 * itself, and a 32-bit operand (operand-size prefix).
 */
asm(".pushsection .text\n"
    ".code16\n"
    "rm_blob:\n"
    "	movw %cs:(rm_word - rm_blob), %ax\n"
    "	outw %ax, $0x80\n"
    "	movw %cs, %ax\n"
    "	outw %ax, $0x81\n"
    "	movl $0x12345678, %eax\n"
    "	outl %eax, $0x82\n"
    "	hlt\n"
    "rm_word:\n"
    "	.word 0xbeef\n"
    "rm_blob_end:\n"
    ".code64\n"
    ".popsection");
extern char rm_blob[], rm_blob_end[];

/* Run to the next exit: an OUT of @size bytes of @val to @port. */
static void expect_out(struct vcpu *vcpu, uint16_t port, int size, uint32_t val)
{
	uint32_t data = 0;

	vcpu_run(vcpu);
	memcpy(&data, vcpu_assert_io(vcpu, KVM_EXIT_IO_OUT, port, size, 1), size);
	TEST_ASSERT_EQ(data, val);
}

TEST(real_mode_blob)
{
	struct vm *vm = vm_create();
	struct vcpu *vcpu = vm_add_vcpu(vm, 0, NULL);
	uint64_t gpa = vm_alloc_pages(vm, 1);
	struct kvm_sregs s;

	ASSERT_GT(0x100000ULL, gpa) TH_LOG("no page below 1 MiB");
	vm_load_blob(vm, gpa, rm_blob, rm_blob_end);
	vcpu_set_real_mode(vcpu, gpa >> 4, 0, 0);

	expect_out(vcpu, 0x80, 2, 0xbeef);
	expect_out(vcpu, 0x81, 2, gpa >> 4);
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(0ULL, s.cr0 & X86_CR0_PE);
	EXPECT_EQ(gpa, s.cs.base);
	expect_out(vcpu, 0x82, 4, 0x12345678);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	vm_free(vm);
}

/*
 * 32-bit protected mode, paging off: the blob runs where it is linked
 * (linear == physical == its address in slot 0) and reads a 32-bit
 * absolute address.
 */
asm(".pushsection .text\n"
    ".code32\n"
    "pm_blob:\n"
    "	xorl %eax, %eax\n"
    "	movw %cs, %ax\n"
    "	outl %eax, $0x80\n"
    "	movl pm_dword, %eax\n"
    "	outl %eax, $0x81\n"
    "	pushl $0x89abcdef\n"
    "	popl %ebx\n"
    "	movl %ebx, %eax\n"
    "	outl %eax, $0x82\n"
    "	hlt\n"
    "pm_dword:\n"
    "	.long 0xfeedf00d\n"
    ".code64\n"
    ".popsection");
extern char pm_blob[];

TEST(protected_mode_blob)
{
	struct vm *vm = vm_create();
	struct vcpu *vcpu = vm_add_vcpu(vm, 0, NULL);
	uint64_t stack = vm_alloc_pages(vm, 1) + GUEST_PAGE_SIZE;
	struct kvm_sregs s;

	vcpu_set_protected_mode(vcpu, (uintptr_t)pm_blob, stack);
	expect_out(vcpu, 0x80, 4, GUEST_SEL_CODE32);
	expect_out(vcpu, 0x81, 4, 0xfeedf00d);
	vcpu_get_sregs(vcpu, &s);
	EXPECT_TRUE(!!(s.cr0 & X86_CR0_PE));
	EXPECT_FALSE(!!(s.cr0 & X86_CR0_PG));
	EXPECT_FALSE(!!(s.efer & EFER_LMA));
	expect_out(vcpu, 0x82, 4, 0x89abcdef);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	vm_free(vm);
}

TEST_HARNESS_MAIN
