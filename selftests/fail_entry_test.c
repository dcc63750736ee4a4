// SPDX-License-Identifier: GPL-2.0
/*
 * A guest state that KVM_SET_SREGS accepts but the CPU refuses to enter
 * makes KVM_RUN return KVM_EXIT_FAIL_ENTRY with the hardware's reason
 * (api.rst 5, "KVM_EXIT_FAIL_ENTRY"): in 64-bit mode CS may not have both
 * L and D/B set (Intel SDM Vol. 3C, 27.3.1.2 "Checks on Guest Segment
 * Registers"; AMD APM Vol. 2, 15.5.1 "Basic Operation", the VMRUN
 * consistency checks).
 */
#include <string.h>

#include "harness.h"
#include "guest.h"

static void guest_code(void)
{
	GUEST_SYNC(1);
}

TEST(cs_l_and_d_in_long_mode)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_code);
	const char *why = test_emu_limit("no-cs-ld-check");

	if (why)
		SKIP(goto out, "%s", why);
	vcpu_get_sregs(vcpu, &sregs);
	sregs.cs.db = 1;
	ASSERT_EQ(0, _vcpu_set_sregs(vcpu, &sregs))
		TH_LOG("KVM_SET_SREGS refused CS.L = CS.D = 1");
	vcpu_run(vcpu);
	EXPECT_EQ((uint32_t)KVM_EXIT_FAIL_ENTRY, vcpu->run->exit_reason)
		TH_LOG("exit reason %s", exit_reason_name(vcpu->run->exit_reason));
	TH_LOG("hardware_entry_failure_reason %#llx",
	       (unsigned long long)vcpu->run->fail_entry.hardware_entry_failure_reason);
	EXPECT_NE(0ULL, vcpu->run->fail_entry.hardware_entry_failure_reason);
out:
	vm_free(vm);
}

TEST_HARNESS_MAIN
