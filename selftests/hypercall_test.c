// SPDX-License-Identifier: GPL-2.0
/*
 * KVM hypercalls (Documentation/virt/kvm/x86/hypercalls.rst): the guest's
 * VMCALL (Intel) or VMMCALL (AMD) is handled in the kernel, without an exit
 * to userspace. The number is RAX (all 64 bits in 64-bit mode), the result
 * comes back in RAX, the other registers are left alone, and the guest goes
 * on after the instruction. An unknown number returns -KVM_ENOSYS (-1000);
 * KVM_HC_VAPIC_POLL_IRQ (1), which needs no paravirtual feature, returns 0.
 *
 * The other vendor's instruction is #UD on the CPU; KVM (with its default
 * KVM_X86_QUIRK_FIX_HYPERCALL_INSN) takes the #UD, rewrites the instruction
 * into the native one and lets the guest execute that: the guest sees the
 * same result as with the native instruction.
 */
#include <string.h>

#include "harness.h"
#include "guest.h"

#define KVM_ENOSYS		1000
#define KVM_HC_VAPIC_POLL_IRQ	1

/* Registers the hypercall reads as arguments; they must come back intact. */
#define ARG_RBX	0x1111222233334444ULL
#define ARG_RCX	0x5555666677778888ULL
#define ARG_RDX	0x99990000aaaabbbbULL
#define ARG_RSI	0xccccddddeeeeffffULL

static const uint64_t unknown_nrs[] = {
	0, 2, 3, 4, 0x1234, 0x7fffffff,
	/* 1 in the low half: 64-bit mode takes all of RAX as the number. */
	0x100000001ULL,
};
#define NR_UNKNOWN (sizeof(unknown_nrs) / sizeof(unknown_nrs[0]))

#define DEFINE_HYPERCALL(name, insn)					\
static uint64_t name(uint64_t nr, uint64_t *regs_after)			\
{									\
	uint64_t b = ARG_RBX, c = ARG_RCX, d = ARG_RDX, s = ARG_RSI;	\
									\
	asm volatile(insn						\
		     : "+a"(nr), "+b"(b), "+c"(c), "+d"(d), "+S"(s)	\
		     : : "memory");					\
	regs_after[0] = b;						\
	regs_after[1] = c;						\
	regs_after[2] = d;						\
	regs_after[3] = s;						\
	return nr;							\
}
DEFINE_HYPERCALL(hc_vmcall, "vmcall")
DEFINE_HYPERCALL(hc_vmmcall, "vmmcall")

/* The guest: each number in @nrs through @insn (0 VMCALL, 1 VMMCALL). */
static void guest_hypercalls(uint64_t use_vmmcall, const uint64_t *nrs,
			     uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t regs[4];
		uint64_t ret = use_vmmcall ? hc_vmmcall(nrs[i], regs) :
					     hc_vmcall(nrs[i], regs);

		GUEST_ASSERT(regs[0] == ARG_RBX && regs[1] == ARG_RCX &&
			     regs[2] == ARG_RDX && regs[3] == ARG_RSI,
			     "hypercall %#lx changed RBX/RCX/RDX/RSI", nrs[i]);
		GUEST_SYNC(ret);
	}
	GUEST_DONE();
}

static bool is_amd(void)
{
	return !strcmp(test_cpu_extension(), "svm");
}

static void run_hypercalls(struct __test_metadata *_metadata, bool vmmcall,
			   const uint64_t *nrs, size_t n, uint64_t expect)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_hypercalls);

	vcpu_args_set(vcpu, 3, (uint64_t)vmmcall, (uint64_t)nrs, (uint64_t)n);
	for (size_t i = 0; i < n; i++) {
		EXPECT_EQ(expect, vcpu_run_sync(vcpu))
			TH_LOG("%s with RAX=%#lx", vmmcall ? "VMMCALL" : "VMCALL",
			       nrs[i]);
	}
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST(native_unknown_is_enosys)
{
	run_hypercalls(_metadata, is_amd(), unknown_nrs, NR_UNKNOWN,
		       (uint64_t)-KVM_ENOSYS);
}

TEST(other_vendor_insn_unknown_is_enosys)
{
	run_hypercalls(_metadata, !is_amd(), unknown_nrs, NR_UNKNOWN,
		       (uint64_t)-KVM_ENOSYS);
}

static const uint64_t vapic_poll[] = { KVM_HC_VAPIC_POLL_IRQ };

TEST(native_vapic_poll_irq_is_zero)
{
	run_hypercalls(_metadata, is_amd(), vapic_poll, 1, 0);
}

/* Many in a row, native, all in the kernel: no exit to userspace. */
static void guest_many(uint64_t use_vmmcall, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t regs[4];
		uint64_t ret = use_vmmcall ? hc_vmmcall(0x1234, regs) :
					     hc_vmcall(0x1234, regs);

		GUEST_ASSERT_EQ(ret, (uint64_t)-KVM_ENOSYS);
	}
	GUEST_SYNC(n);
}

TEST(many_native_hypercalls_stay_in_kernel)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_many);
	uint64_t n = test_scaled(1000);

	vcpu_args_set(vcpu, 2, (uint64_t)is_amd(), n);
	EXPECT_EQ(n, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* The hypervisor's signature leaf: KVM's, as hypercalls.rst expects. */
static void guest_signature(void)
{
	uint32_t a, b, c, d;

	cpuid_count(0x40000000, 0, &a, &b, &c, &d);
	GUEST_ASSERT(b == 0x4b4d564b && c == 0x564b4d56 && d == 0x4d,
		     "signature %08x %08x %08x", b, c, d);
	GUEST_SYNC(a);
}

TEST(kvm_signature_leaf)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_signature);

	EXPECT_LE(0x40000001ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST_HARNESS_MAIN
