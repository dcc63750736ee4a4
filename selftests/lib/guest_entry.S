/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry points written in assembly:
 *
 * guest_idt_stubs: 256 interrupt-gate targets, 16 bytes apart. Each makes
 * the stack look the same (pushing a zero where the CPU pushes no error
 * code; SDM Vol. 3A 6.13 lists the vectors that have one), pushes its vector
 * and joins guest_exception_common, which saves the general registers as a
 * struct guest_regs (processor.h), calls guest_exception_dispatch() and
 * returns with IRETQ. In 64-bit mode the CPU aligns RSP to 16 bytes before
 * pushing its frame (SDM Vol. 3A 6.14.2); the frame, error code, vector and
 * 15 registers are 22 quadwords, so the call sees an aligned stack.
 *
 * guest_return_trampoline: the return address of the guest function.
 */
	.text

	.globl guest_idt_stubs
	.balign 16
guest_idt_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp guest_exception_common
	.set vec, vec + 1
	.endr

guest_exception_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call guest_exception_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	.globl guest_return_trampoline
guest_return_trampoline:
	andq $-16, %rsp
	call guest_code_returned
	ud2

	.section .note.GNU-stack, "", @progbits
