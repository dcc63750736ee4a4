// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs (api.rst 4.3 KVM_GET_MSR_INDEX_LIST, 4.18 KVM_GET_MSRS, 4.19
 * KVM_SET_MSRS): a value the host sets is what the guest's RDMSR reads, a
 * value the guest's WRMSR writes is what the host gets; the ioctls process
 * entries in order up to the first one they cannot, and return how many
 * they did; the guest's RDMSR of an MSR that does not exist takes #GP.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

/* MSRs that every x86-64 CPU has and KVM keeps per vCPU. */
static const struct {
	uint32_t index;
	uint64_t value;		/* a valid, distinctive value */
} msrs[] = {
	{ MSR_IA32_SYSENTER_CS, 0x10 },
	/* 32-bit values: AMD CPUs keep only bits 31:0 of these two. */
	{ MSR_IA32_SYSENTER_ESP, 0x12345000 },
	{ MSR_IA32_SYSENTER_EIP, 0x81234560 },
	{ MSR_STAR, 0x0023001000000000ULL },
	{ MSR_LSTAR, 0xffffffff81a00000ULL },
	{ MSR_KERNEL_GS_BASE, 0x00007f1234567000ULL },
};
#define NR_MSRS (sizeof(msrs) / sizeof(msrs[0]))

static void guest_read_msrs(void)
{
	for (size_t i = 0; i < NR_MSRS; i++)
		GUEST_SYNC(rdmsr(msrs[i].index));
}

TEST(guest_reads_what_the_host_set)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_read_msrs);

	for (size_t i = 0; i < NR_MSRS; i++)
		vcpu_set_msr(vcpu, msrs[i].index, msrs[i].value);
	for (size_t i = 0; i < NR_MSRS; i++) {
		EXPECT_EQ(msrs[i].value, vcpu_run_sync(vcpu))
			TH_LOG("MSR %#x", msrs[i].index);
	}
	vm_free(vm);
}

static void guest_write_msrs(void)
{
	for (size_t i = 0; i < NR_MSRS; i++)
		wrmsr(msrs[i].index, msrs[i].value);
	GUEST_DONE();
}

TEST(host_reads_what_the_guest_wrote)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_write_msrs);

	vcpu_run_done(vcpu);
	for (size_t i = 0; i < NR_MSRS; i++) {
		EXPECT_EQ(msrs[i].value, vcpu_get_msr(vcpu, msrs[i].index))
			TH_LOG("MSR %#x", msrs[i].index);
	}
	/* EFER through KVM_GET_MSRS is EFER in KVM_GET_SREGS. */
	{
		struct kvm_sregs s;

		vcpu_get_sregs(vcpu, &s);
		EXPECT_EQ(s.efer, vcpu_get_msr(vcpu, MSR_EFER));
	}
	vm_free(vm);
}

#define NO_SUCH_MSR 0xdeadbeef

/* Entries are processed in order, up to the first that fails. */
TEST(ioctls_stop_at_the_first_unknown_msr)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} m = {
		.hdr.nmsrs = 3,
		.e = {
			{ .index = MSR_LSTAR, .data = 0xffffffff81000000ULL },
			{ .index = NO_SUCH_MSR, .data = 1 },
			{ .index = MSR_STAR, .data = 0x0023001000000000ULL },
		},
	};
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);

	EXPECT_EQ(1, ioctl(vcpu->fd, KVM_SET_MSRS, &m));
	EXPECT_EQ(0xffffffff81000000ULL, vcpu_get_msr(vcpu, MSR_LSTAR));
	EXPECT_EQ(0ULL, vcpu_get_msr(vcpu, MSR_STAR));
	m.e[0].data = m.e[2].data = 0;
	EXPECT_EQ(1, ioctl(vcpu->fd, KVM_GET_MSRS, &m));
	EXPECT_EQ(0xffffffff81000000ULL, m.e[0].data);
	/* All known: all done. */
	m.e[1].index = MSR_KERNEL_GS_BASE;
	EXPECT_EQ(3, ioctl(vcpu->fd, KVM_GET_MSRS, &m));
	vm_free(vm);
}

static void guest_gp_handler(struct guest_regs *regs)
{
	GUEST_ASSERT_EQ(regs->error_code, 0);
	regs->rip += 2;		/* RDMSR is 0f 32 */
	regs->rax = 0x6e6f;
	regs->rdx = 0;
}

static void guest_read_unknown(void)
{
	GUEST_SYNC(rdmsr(NO_SUCH_MSR));
}

TEST(guest_rdmsr_of_unknown_msr_is_gp)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_read_unknown);

	vm_install_exception_handler(vm, GP_VECTOR, guest_gp_handler);
	EXPECT_EQ(0x6e6fULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* The E2BIG protocol reports the list's size; the list has these MSRs. */
TEST(msr_index_list)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	int fd = test_open_dev(O_RDWR);

	ASSERT_LE(0, fd) TH_LOG("open %s: %m", test_dev_path());
	EXPECT_EQ(-1, ioctl(fd, KVM_GET_MSR_INDEX_LIST, &probe));
	EXPECT_EQ(E2BIG, errno);
	ASSERT_LT(0U, probe.nmsrs);
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(list->indices[0]));
	ASSERT_NE(NULL, list);
	list->nmsrs = probe.nmsrs;
	ASSERT_EQ(0, ioctl(fd, KVM_GET_MSR_INDEX_LIST, list)) TH_LOG("%m");
	EXPECT_EQ(probe.nmsrs, list->nmsrs);
	for (size_t i = 0; i < NR_MSRS; i++) {
		uint32_t n;

		for (n = 0; n < list->nmsrs && list->indices[n] != msrs[i].index; n++)
			;
		EXPECT_LT(n, list->nmsrs) TH_LOG("MSR %#x not listed", msrs[i].index);
	}
	free(list);
	close(fd);
}

TEST_HARNESS_MAIN
