/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch.
 *
 * void svmx_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa)
 *
 * Called with interrupts off and GIF clear. VMRUN loads RAX, RSP, RIP,
 * RFLAGS, the segment, control and debug state from the VMCB; the other
 * guest GPRs come from regs[] (enum svmx_reg order) and go back there.
 * VMLOAD/VMSAVE move the state VMRUN leaves alone (FS, GS, TR, LDTR with
 * their hidden parts, KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*):
 * the guest's from and to its VMCB, the host's from host_save_pa, which
 * the caller filled with VMSAVE. The host's GS base is back only after that
 * VMLOAD, so nothing here may touch per-CPU data before it.
 *
 * AMD APM Vol. 2, 15.5 "VMRUN Instruction", 15.6 "#VMEXIT", 15.5.2 "VMSAVE
 * and VMLOAD Instructions". The return-stack and branch-predictor measures
 * after the exit follow the host's mitigation state (the alternatives).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define GPR(n)	((n) * 8)

.section .text, "ax"

SYM_FUNC_START(svmx_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rsi		/* 16(%rsp): regs */
	push	%rdi		/*  8(%rsp): guest VMCB */
	push	%rdx		/*  0(%rsp): host save area */

	/* The guest's GPRs, except RAX and RSP, which live in the VMCB. */
	mov	%rsi, %rax
	mov	GPR(1)(%rax), %rcx
	mov	GPR(2)(%rax), %rdx
	mov	GPR(3)(%rax), %rbx
	mov	GPR(5)(%rax), %rbp
	mov	GPR(6)(%rax), %rsi
	mov	GPR(7)(%rax), %rdi
	mov	GPR(8)(%rax), %r8
	mov	GPR(9)(%rax), %r9
	mov	GPR(10)(%rax), %r10
	mov	GPR(11)(%rax), %r11
	mov	GPR(12)(%rax), %r12
	mov	GPR(13)(%rax), %r13
	mov	GPR(14)(%rax), %r14
	mov	GPR(15)(%rax), %r15

	mov	8(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	/* #VMEXIT restored the host's RSP: the pointers above are valid. */
	mov	16(%rsp), %rax
	mov	%rcx, GPR(1)(%rax)
	mov	%rdx, GPR(2)(%rax)
	mov	%rbx, GPR(3)(%rax)
	mov	%rbp, GPR(5)(%rax)
	mov	%rsi, GPR(6)(%rax)
	mov	%rdi, GPR(7)(%rax)
	mov	%r8, GPR(8)(%rax)
	mov	%r9, GPR(9)(%rax)
	mov	%r10, GPR(10)(%rax)
	mov	%r11, GPR(11)(%rax)
	mov	%r12, GPR(12)(%rax)
	mov	%r13, GPR(13)(%rax)
	mov	%r14, GPR(14)(%rax)
	mov	%r15, GPR(15)(%rax)

	mov	0(%rsp), %rax
	vmload	%rax

	/* The guest must not steer the host's returns or indirect branches. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* Leave no guest value in a register the caller may speculate on. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svmx_svm_vmrun)
