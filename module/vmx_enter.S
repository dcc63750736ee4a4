/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch.
 *
 * int svmx_vmx_vmrun(u64 *regs, bool launched)
 *
 * Called with interrupts off and the vCPU's VMCS current. Writes HOST_RSP,
 * loads the guest's GPRs from regs[] (enum svmx_reg order; RSP lives in the
 * VMCS), and executes VMRESUME if @launched, else VMLAUNCH. A VM exit
 * resumes at svmx_vmx_vmexit (the VMCS's HOST_RIP) with the host's RSP, and
 * the guest's GPRs go back to regs[].
 *
 * Returns 0 after a VM exit (including a failed VM entry, which is a VM
 * exit with bit 31 of the exit reason set), 1 if VMLAUNCH/VMRESUME itself
 * failed (VMfail: read VM_INSTRUCTION_ERROR) or faulted.
 *
 * Intel SDM Vol. 3C, 27 "VM Entries", 28.5 "Loading Host State"; the
 * buffer clearing before entry and the return-stack filling after the exit
 * follow the host's mitigation state (the alternatives).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define GPR(n)		((n) * 8)
#define HOST_RSP	0x6c14

.section .text, "ax"

SYM_FUNC_START(svmx_vmx_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* 0(%rsp): regs, also at the VM exit */

	mov	$HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail_early

	/*
	 * CF=0 selects VMLAUNCH; nothing below changes CF until the jnc
	 * (VERW changes ZF only).
	 */
	mov	%rdi, %rax
	bt	$0, %esi

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
	mov	GPR(0)(%rax), %rax

	/* MDS and friends: clear CPU buffers before the guest runs. */
#ifdef VM_CLEAR_CPU_BUFFERS
	VM_CLEAR_CPU_BUFFERS
#else
	CLEAR_CPU_BUFFERS
#endif
	jnc	.Lvmlaunch

	UNWIND_HINT_SAVE
.Lvmresume:
	vmresume
	jmp	.Lvmfail
.Lvmlaunch:
	vmlaunch
	jmp	.Lvmfail

	_ASM_EXTABLE(.Lvmresume, .Lvmfail)
	_ASM_EXTABLE(.Lvmlaunch, .Lvmfail)

SYM_INNER_LABEL(svmx_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push	%rax
	mov	8(%rsp), %rax
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
	popq	GPR(0)(%rax)
	xor	%eax, %eax

.Lclear:
	/* The guest must not steer the host's returns. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Leave no guest value in a register the caller may speculate on. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	/* No VM exit happened: the stack is as before VMLAUNCH/VMRESUME. */
	mov	$1, %eax
	jmp	.Lclear

.Lvmfail_early:
	mov	$1, %eax
	jmp	.Lclear
SYM_FUNC_END(svmx_vmx_vmrun)
