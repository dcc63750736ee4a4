// SPDX-License-Identifier: GPL-2.0
/*
 * HLT without an in-kernel local APIC (no KVM_CREATE_IRQCHIP) exits to
 * userspace as KVM_EXIT_HLT (api.rst 5, "KVM_EXIT_HLT"), with RIP already
 * past the HLT, whether or not interrupts are enabled; the next KVM_RUN
 * carries on after it.
 */
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

asm(".pushsection .text\n"
    "guest_hlt:\n"
    "	hlt\n"
    "guest_after_hlt:\n"
    "	ret\n"
    "guest_sti_hlt:\n"
    "	sti\n"
    "	hlt\n"
    "guest_after_sti_hlt:\n"
    "	cli\n"
    "	ret\n"
    ".popsection");
extern char guest_hlt[], guest_after_hlt[], guest_sti_hlt[], guest_after_sti_hlt[];

static void guest_halts(void)
{
	((void (*)(void))guest_hlt)();
	GUEST_SYNC(1);
	((void (*)(void))guest_sti_hlt)();
	GUEST_SYNC(2);
	for (int i = 0; i < 3; i++)
		hlt();
	GUEST_SYNC(3);
}

static void run_to_hlt(struct vcpu *vcpu, const void *rip_after)
{
	struct kvm_regs regs;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	if (rip_after) {
		vcpu_get_regs(vcpu, &regs);
		TEST_ASSERT_EQ(regs.rip, (uintptr_t)rip_after);
	}
}

TEST(hlt_exits_to_userspace)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_halts);

	run_to_hlt(vcpu, guest_after_hlt);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST(hlt_with_interrupts_enabled)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_halts);
	struct kvm_regs regs;

	run_to_hlt(vcpu, guest_after_hlt);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	run_to_hlt(vcpu, guest_after_sti_hlt);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_NE(0ULL, regs.rflags & X86_RFLAGS_IF);
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST(each_hlt_exits)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_halts);

	run_to_hlt(vcpu, guest_after_hlt);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	run_to_hlt(vcpu, guest_after_sti_hlt);
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	for (int i = 0; i < 3; i++)
		run_to_hlt(vcpu, NULL);
	EXPECT_EQ(3ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* Without an in-kernel APIC the vCPU does not become HALTED in the kernel. */
TEST(mp_state_stays_runnable)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_halts);
	struct kvm_mp_state mp = { .mp_state = ~0U };

	if (vm_check_cap(vm, KVM_CAP_MP_STATE) <= 0)
		SKIP(goto out, "no KVM_CAP_MP_STATE");
	run_to_hlt(vcpu, guest_after_hlt);
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp)) TH_LOG("%m");
	EXPECT_EQ((__u32)KVM_MP_STATE_RUNNABLE, mp.mp_state);
out:
	vm_free(vm);
}

TEST_HARNESS_MAIN
