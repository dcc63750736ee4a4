// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions in the guest: the library's IDT reports an unexpected one as a
 * ucall with its vector, error code, RIP and CR2, and a handler installed
 * with vm_install_exception_handler() handles one and resumes the guest.
 * Which RIP the CPU reports follows SDM Vol. 3A 6.5: the faulting
 * instruction for a fault, the next instruction for a trap (INT3, INT n).
 */
#include "harness.h"
#include "guest.h"

/* Guest functions in assembly, so each faulting instruction has a label. */
asm(".pushsection .text\n"
    "guest_ud2:\n"
    "	ud2\n"
    "	ret\n"
    "guest_read_page0:\n"
    "	movq 0x10, %rax\n"
    "	ret\n"
    "guest_write_page0:\n"
    "	movq %rax, 0x18\n"
    "	ret\n"
    "guest_divide_by_zero:\n"
    "	xorl %ecx, %ecx\n"
    "	movl $1, %eax\n"
    "	xorl %edx, %edx\n"
    "guest_div:\n"
    "	divl %ecx\n"
    "	ret\n"
    "guest_int3:\n"
    "	int3\n"
    "guest_after_int3:\n"
    "	ret\n"
    "guest_int80:\n"
    "	int $0x80\n"
    "guest_after_int80:\n"
    "	ret\n"
    "guest_bad_selector:\n"
    "	movw $0x1230, %ax\n"
    "guest_mov_ds:\n"
    "	movw %ax, %ds\n"
    "	ret\n"
    /* Returns RAX as the #UD handler left it. */
    "guest_ud2_handled:\n"
    "	movq $1, %rax\n"
    "	movq $0x5555, %rbx\n"
    "	ud2\n"
    "	addq %rbx, %rax\n"
    "	ret\n"
    ".popsection");

extern char guest_ud2[], guest_read_page0[], guest_write_page0[],
	guest_divide_by_zero[], guest_div[], guest_int3[], guest_after_int3[],
	guest_int80[], guest_after_int80[], guest_bad_selector[],
	guest_mov_ds[], guest_ud2_handled[];

/* Run @fn in the guest; it must report an exception: return its ucall. */
static struct ucall run_to_exception(void *fn)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, fn);
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_EXCEPTION,
		    "exit %s, ucall %lu: no exception reported",
		    exit_reason_name(vcpu->run->exit_reason), uc.cmd);
	vm_free(vm);
	return uc;
}

TEST(ud_reports_vector_and_rip)
{
	struct ucall uc = run_to_exception(guest_ud2);

	EXPECT_EQ((uint64_t)UD_VECTOR, uc.args[0]);
	EXPECT_EQ(0ULL, uc.args[1]);
	EXPECT_EQ((uintptr_t)guest_ud2, uc.args[2]);
}

/* Page 0 is never mapped: a not-present fault, CR2 the address. */
TEST(page_fault_read_reports_cr2_and_error_code)
{
	struct ucall uc = run_to_exception(guest_read_page0);

	EXPECT_EQ((uint64_t)PF_VECTOR, uc.args[0]);
	EXPECT_EQ(0ULL, uc.args[1]);		/* not present, read, supervisor */
	EXPECT_EQ((uintptr_t)guest_read_page0, uc.args[2]);
	EXPECT_EQ(0x10ULL, uc.args[3]);
}

TEST(page_fault_write_error_code)
{
	struct ucall uc = run_to_exception(guest_write_page0);

	EXPECT_EQ((uint64_t)PF_VECTOR, uc.args[0]);
	EXPECT_EQ(2ULL, uc.args[1]);		/* not present, write */
	EXPECT_EQ((uintptr_t)guest_write_page0, uc.args[2]);
	EXPECT_EQ(0x18ULL, uc.args[3]);
}

TEST(divide_error)
{
	struct ucall uc = run_to_exception(guest_divide_by_zero);

	EXPECT_EQ((uint64_t)DE_VECTOR, uc.args[0]);
	EXPECT_EQ((uintptr_t)guest_div, uc.args[2]);
}

/* Traps report the instruction after. */
TEST(int3_is_a_trap)
{
	struct ucall uc = run_to_exception(guest_int3);

	EXPECT_EQ((uint64_t)BP_VECTOR, uc.args[0]);
	EXPECT_EQ((uintptr_t)guest_after_int3, uc.args[2]);
}

TEST(software_interrupt_above_31)
{
	struct ucall uc = run_to_exception(guest_int80);

	EXPECT_EQ(0x80ULL, uc.args[0]);
	EXPECT_EQ(0ULL, uc.args[1]);
	EXPECT_EQ((uintptr_t)guest_after_int80, uc.args[2]);
}

/* A selector past the GDT's limit: #GP with the selector as error code. */
TEST(general_protection_error_code)
{
	struct ucall uc = run_to_exception(guest_bad_selector);

	EXPECT_EQ((uint64_t)GP_VECTOR, uc.args[0]);
	EXPECT_EQ(0x1230ULL, uc.args[1]);
	EXPECT_EQ((uintptr_t)guest_mov_ds, uc.args[2]);
}

/* Guest code: skip the 2-byte UD2 and change RAX in the saved frame. */
static void guest_ud_handler(struct guest_regs *regs)
{
	GUEST_ASSERT_EQ(regs->vector, UD_VECTOR);
	GUEST_ASSERT_EQ(regs->rax, 1);
	GUEST_ASSERT_EQ(regs->rbx, 0x5555);
	GUEST_ASSERT_EQ(regs->cs, GUEST_SEL_CODE64);
	regs->rip += 2;
	regs->rax = 0x1000;
}

static void guest_handles_ud(void)
{
	uint64_t (*fn)(void) = (uint64_t (*)(void))guest_ud2_handled;

	/* 0x1000 from the handler + RBX, preserved across the exception. */
	GUEST_SYNC(fn());
	GUEST_SYNC(fn());
}

TEST(installed_handler_resumes_guest)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_handles_ud);

	vm_install_exception_handler(vm, UD_VECTOR, guest_ud_handler);
	EXPECT_EQ(0x6555ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0x6555ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST_HARNESS_MAIN
