// SPDX-License-Identifier: GPL-2.0
/*
 * A triple fault (an exception while delivering a double fault, SDM Vol. 3A
 * 6.15 "Interrupt 8") shuts the processor down: KVM_RUN returns with
 * KVM_EXIT_SHUTDOWN (api.rst 5).
 */
#include "harness.h"
#include "guest.h"

/* No IDT at all: the #UD cannot be delivered, nor the #GP, nor the #DF. */
static void guest_no_idt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	asm volatile("lidt %0" : : "m"(idtr));
	asm volatile("ud2");
	GUEST_SYNC(1);
}

/* A stack in unmapped page 0: every exception frame push faults. */
static void guest_no_stack(void)
{
	asm volatile("movq $0x800, %%rsp; int3" : : : "memory");
	GUEST_SYNC(1);
}

static void expect_shutdown(void *guest_code)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_code);

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_SHUTDOWN);
	vm_free(vm);
}

TEST(no_idt)
{
	expect_shutdown(guest_no_idt);
}

TEST(no_stack)
{
	expect_shutdown(guest_no_stack);
}

/* In real mode too: the IVT's limit makes every vector undeliverable. */
asm(".pushsection .text\n"
    ".code16\n"
    "rm_triple:\n"
    "	int3\n"
    "	hlt\n"
    "rm_triple_end:\n"
    ".code64\n"
    ".popsection");
extern char rm_triple[], rm_triple_end[];

TEST(real_mode_no_ivt)
{
	struct vm *vm = vm_create();
	struct vcpu *vcpu = vm_add_vcpu(vm, 0, NULL);
	uint64_t gpa = vm_alloc_pages(vm, 1);
	struct kvm_sregs s;

	ASSERT_GT(0x100000ULL, gpa);
	vm_load_blob(vm, gpa, rm_triple, rm_triple_end);
	vcpu_set_real_mode(vcpu, gpa >> 4, 0, 0x1000);
	vcpu_get_sregs(vcpu, &s);
	s.idt.limit = 0;
	vcpu_set_sregs(vcpu, &s);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_SHUTDOWN);
	vm_free(vm);
}

TEST_HARNESS_MAIN
