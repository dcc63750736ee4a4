// SPDX-License-Identifier: GPL-2.0
/*
 * The guest library's reporting path: a C function of this binary runs in
 * the VM, reports values with GUEST_SYNC, fails GUEST_ASSERT with its file,
 * line and a message formatted in the guest, and shares the binary's
 * globals. Also the guest-side formatter itself, run on the host.
 */
#include <string.h>

#include "harness.h"
#include "guest.h"
#include "guest_fmt.h"

/* Set by the host before the VM exists: the guest sees the snapshot. */
static uint64_t host_value;
/* Written by the guest, read back with vm_sync_from_guest(). */
static uint64_t guest_value;

static void guest_sync_values(uint64_t a, uint64_t b)
{
	GUEST_SYNC(a);
	GUEST_SYNC(b);
	GUEST_SYNC(a + b);
	GUEST_SYNC2(0xfeedface12345678ULL, 7);
	GUEST_DONE();
}

TEST(sync_reports_values_and_arguments)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_sync_values);
	struct ucall uc;

	vcpu_args_set(vcpu, 2, 0x1111222233334444ULL, 5ULL);
	EXPECT_EQ(0x1111222233334444ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(5ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0x1111222233334449ULL, vcpu_run_sync(vcpu));
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	EXPECT_EQ(0xfeedface12345678ULL, uc.args[0]);
	EXPECT_EQ(7ULL, uc.args[1]);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_globals(void)
{
	GUEST_SYNC(host_value);
	guest_value = host_value * 3;
	GUEST_SYNC(0);
	/* The host changed host_value in guest memory meanwhile. */
	GUEST_SYNC(host_value);
}

TEST(globals_are_shared_by_address)
{
	struct vcpu *vcpu;
	struct vm *vm;

	host_value = 0xabcdef;
	vm = vm_create_with_vcpu(&vcpu, guest_globals);
	EXPECT_EQ(0xabcdefULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, guest_value);
	EXPECT_EQ(0xabcdefULL * 3, guest_value);
	host_value = 42;
	vm_sync_to_guest(vm, host_value);
	EXPECT_EQ(42ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* Returning from the guest function counts as GUEST_DONE(). */
static void guest_returns(void)
{
	GUEST_SYNC(1);
}

TEST(return_is_done)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_returns);

	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static uint64_t assert_line;

static void guest_assert_eq_fails(uint64_t x)
{
	/* Keep the next two lines together. */
	assert_line = __LINE__ + 1;
	GUEST_ASSERT_EQ(x, 42);
	GUEST_DONE();
}

TEST(assert_eq_failure_reports_file_line_values)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_assert_eq_fails);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 41ULL);
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_ASSERT, get_ucall(vcpu, &uc));
	vm_sync_from_guest(vm, assert_line);
	EXPECT_STREQ(__FILE__, uc.file);
	EXPECT_EQ(assert_line, uc.line);
	EXPECT_STREQ("x == 42: 0x29 vs 0x2a", uc.msg);
	vm_free(vm);
}

static void guest_assert_formats(uint64_t x)
{
	assert_line = __LINE__ + 1;
	GUEST_ASSERT(x < 10, "x is %lu, %s %d%c", x, "not below", 10, '!');
}

TEST(assert_failure_formats_message_in_guest)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_assert_formats);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 12ULL);
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_ASSERT, get_ucall(vcpu, &uc));
	vm_sync_from_guest(vm, assert_line);
	EXPECT_STREQ(__FILE__, uc.file);
	EXPECT_EQ(assert_line, uc.line);
	EXPECT_STREQ("x < 10: x is 12, not below 10!", uc.msg);
	vm_free(vm);
}

/* A passing assertion does not exit at all. */
static void guest_assert_passes(uint64_t x)
{
	GUEST_ASSERT(x == 3);
	GUEST_ASSERT_EQ(x, 3);
	GUEST_ASSERT_NE(x, 4);
	GUEST_SYNC(x);
}

TEST(passing_asserts_are_silent)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_assert_passes);

	vcpu_args_set(vcpu, 1, 3ULL);
	EXPECT_EQ(3ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* GUEST_PRINTF lines are printed by vcpu_run_ucall(), which carries on. */
static void guest_prints(void)
{
	GUEST_PRINTF("hello from the guest, %d + %d", 2, 2);
	GUEST_SYNC(4);
}

TEST(print_is_passed_over)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_prints);
	struct ucall uc;

	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_PRINT, get_ucall(vcpu, &uc));
	EXPECT_STREQ("hello from the guest, 2 + 2", uc.msg);
	EXPECT_EQ(4ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* Two VMs, each with its own copy of the image and memory. */
static void guest_counts(uint64_t start)
{
	for (;;)
		GUEST_SYNC(start++);
}

TEST(two_vms_are_independent)
{
	struct vcpu *a, *b;
	struct vm *vma = vm_create_with_vcpu(&a, guest_counts);
	struct vm *vmb = vm_create_with_vcpu(&b, guest_counts);

	vcpu_args_set(a, 1, 100ULL);
	vcpu_args_set(b, 1, 200ULL);
	EXPECT_EQ(100ULL, vcpu_run_sync(a));
	EXPECT_EQ(200ULL, vcpu_run_sync(b));
	EXPECT_EQ(101ULL, vcpu_run_sync(a));
	EXPECT_EQ(102ULL, vcpu_run_sync(a));
	EXPECT_EQ(201ULL, vcpu_run_sync(b));
	vm_free(vma);
	vm_free(vmb);
}

/* The formatter GUEST_ASSERT uses, checked against the C library's. */
TEST(guest_formatter_matches_libc)
{
	char mine[64], libc[64];

#define CHECK_FMT(...)							\
	do {								\
		int n1 = guest_snprintf(mine, sizeof(mine), __VA_ARGS__);	\
		int n2 = snprintf(libc, sizeof(libc), __VA_ARGS__);	\
									\
		EXPECT_STREQ(libc, mine);				\
		EXPECT_EQ(n2, n1);					\
	} while (0)

	CHECK_FMT("plain");
	CHECK_FMT("%d %i %u", -42, 7, 4000000000U);
	CHECK_FMT("%ld %lu %lx %lX", -1L, ~0UL, 0xdeadbeefcafeUL, 0xabcUL);
	CHECK_FMT("%#x %#lx %#o %o", 255, 0UL, 8, 0);
	CHECK_FMT("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, -42, 3, 3);
	CHECK_FMT("[%.3d] [%8.3x] [%.0d]", 7, 0xa, 0);
	CHECK_FMT("[%s] [%8s] [%-8s] [%.2s]", "abc", "abc", "abc", "abc");
	CHECK_FMT("[%c%c] [%%] [%*d] [%-*d]", 'o', 'k', 4, 9, 4, 9);
	CHECK_FMT("%hhu %hd %zu", 0x1ff, 0x18000, (size_t)12345);
	CHECK_FMT("%p", (void *)0x1234);
	CHECK_FMT("%lld %llx", -9223372036854775807LL - 1, 0x8000000000000000ULL);
	/* Truncation: NUL-terminated, returns the full length. */
	EXPECT_EQ(11, guest_snprintf(mine, 6, "hello world"));
	EXPECT_STREQ("hello", mine);
	EXPECT_EQ(3, guest_snprintf(NULL, 0, "abc"));
#undef CHECK_FMT
}

TEST_HARNESS_MAIN
