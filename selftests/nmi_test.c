// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_NMI (api.rst 4.97): the guest takes vector 2 whatever RFLAGS.IF says.
 * From the NMI's delivery to the handler's IRET further NMIs are blocked
 * (SDM Vol. 3A 6.7.1); one that comes meanwhile is held and delivered after
 * the IRET. KVM_GET_VCPU_EVENTS reports nmi.pending (an NMI is waiting) and
 * nmi.masked (NMIs are blocked).
 *
 * KVM keeps at most two NMIs: one to deliver and one held behind it (one
 * if an NMI handler runs already); more KVM_NMIs meanwhile are dropped, as
 * NMIs that arrive while one is held are on real hardware.
 */
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

#define MAX_NMIS	8

/* Guest globals. */
static uint64_t nr_nmis;
static uint64_t nmi_rip[MAX_NMIS];
static uint64_t nmi_rflags[MAX_NMIS];
/* Set by the host: the first NMI handler reports twice before its IRET. */
static uint64_t sync_in_handler;

static void guest_nmi_handler(struct guest_regs *regs)
{
	uint64_t n = nr_nmis;

	if (n < MAX_NMIS) {
		nmi_rip[n] = regs->rip;
		nmi_rflags[n] = regs->rflags;
	}
	nr_nmis = n + 1;
	if (sync_in_handler && n == 0) {
		GUEST_SYNC2(100, nr_nmis);
		GUEST_SYNC2(101, nr_nmis);
	}
}

/* IF stays 0 all along: report the NMI count @n times. */
static void guest_sync_nmis(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		GUEST_SYNC(nr_nmis);
}

asm(".pushsection .text\n"
    "guest_cli_hlt:\n"
    "	cli\n"
    "	hlt\n"
    "guest_after_cli_hlt:\n"
    "	ret\n"
    ".popsection");
extern char guest_cli_hlt[], guest_after_cli_hlt[];

static void guest_hlt_code(void)
{
	GUEST_SYNC(nr_nmis);
	((void (*)(void))guest_cli_hlt)();
	GUEST_SYNC2(nr_nmis, nmi_rip[0]);
}

static struct vm *create(struct vcpu **vcpu, void *guest_code)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, guest_code);

	vm_install_exception_handler(vm, 2, guest_nmi_handler);
	return vm;
}

static void nmi(struct vcpu *vcpu)
{
	TEST_ASSERT(ioctl(vcpu->fd, KVM_NMI) == 0, "KVM_NMI");
}

static void get_events(struct vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	TEST_ASSERT(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev) == 0,
		    "KVM_GET_VCPU_EVENTS");
}

/* Fails the test unless nmi.pending and nmi.masked are these. */
#define EXPECT_NMI_STATE(vcpu, pend, mask)				\
	do {								\
		struct kvm_vcpu_events __ev;				\
									\
		get_events(vcpu, &__ev);				\
		EXPECT_EQ(pend, __ev.nmi.pending);			\
		EXPECT_EQ(mask, __ev.nmi.masked);			\
		EXPECT_NE(0U, __ev.flags & KVM_VCPUEVENT_VALID_NMI_PENDING); \
	} while (0)

TEST(nmi_delivered_with_if_clear)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sync_nmis);

	vcpu_args_set(vcpu, 1, 3ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0, vcpu->run->if_flag);
	EXPECT_NMI_STATE(vcpu, 0, 0);
	nmi(vcpu);
	EXPECT_NMI_STATE(vcpu, 1, 0);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, nmi_rflags);
	EXPECT_EQ(0ULL, nmi_rflags[0] & X86_RFLAGS_IF);
	/* The handler's IRET unblocked NMIs. */
	EXPECT_NMI_STATE(vcpu, 0, 0);
	/* And again. */
	nmi(vcpu);
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/*
 * A second NMI while the handler of the first runs: pending and masked
 * until the handler's IRET, then delivered at the RIP the IRET returned
 * to, not inside the handler.
 */
TEST(second_nmi_held_until_iret)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sync_nmis);
	struct ucall uc;

	sync_in_handler = 1;
	vm_sync_to_guest(vm, sync_in_handler);
	vcpu_args_set(vcpu, 1, 2ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	nmi(vcpu);

	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	ASSERT_EQ(100ULL, uc.args[0]);
	EXPECT_EQ(1ULL, uc.args[1]);
	EXPECT_NMI_STATE(vcpu, 0, 1);
	nmi(vcpu);
	EXPECT_NMI_STATE(vcpu, 1, 1);

	/* Still in the first handler: the second NMI waits. */
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	ASSERT_EQ(101ULL, uc.args[0]);
	EXPECT_EQ(1ULL, uc.args[1]);
	EXPECT_NMI_STATE(vcpu, 1, 1);

	/* The IRET: the second NMI, then the guest's next report. */
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, nmi_rip);
	EXPECT_EQ(nmi_rip[0], nmi_rip[1])
		TH_LOG("second NMI at %#lx, the first returned to %#lx",
		       nmi_rip[1], nmi_rip[0]);
	EXPECT_NMI_STATE(vcpu, 0, 0);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* While a handler runs, only one more NMI is kept, however many come. */
TEST(one_nmi_held_while_masked)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sync_nmis);
	struct ucall uc;

	sync_in_handler = 1;
	vm_sync_to_guest(vm, sync_in_handler);
	vcpu_args_set(vcpu, 1, 2ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	nmi(vcpu);
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	ASSERT_EQ(100ULL, uc.args[0]);
	for (int i = 0; i < 3; i++)
		nmi(vcpu);
	EXPECT_NMI_STATE(vcpu, 1, 1);
	EXPECT_EQ(101ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	EXPECT_NMI_STATE(vcpu, 0, 0);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* Two KVM_NMIs while NMIs are not blocked: one delivered, one held. */
TEST(two_nmis_queued_both_delivered)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sync_nmis);

	vcpu_args_set(vcpu, 1, 3ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	nmi(vcpu);
	nmi(vcpu);
	EXPECT_NMI_STATE(vcpu, 1, 0);
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	EXPECT_NMI_STATE(vcpu, 0, 0);
	/* A third and fourth before the next run: two again. */
	for (int i = 0; i < 3; i++)
		nmi(vcpu);
	EXPECT_EQ(4ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* HLT with IF=0 exits to userspace; an NMI then is taken past the HLT. */
TEST(nmi_while_halted)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_hlt_code);
	struct ucall uc;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	EXPECT_EQ(0, vcpu->run->if_flag);
	nmi(vcpu);
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	EXPECT_EQ(1ULL, uc.args[0]);
	EXPECT_EQ((uintptr_t)guest_after_cli_hlt, uc.args[1]);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST_HARNESS_MAIN
