/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instructions that emulate_oracle_test.c runs both natively on the host
 * CPU and in the emulator, and the trampolines that run one natively.
 *
 * Each SNIP assembles one instruction followed by a ret, and records in a
 * table section its start and end, its name, the RFLAGS status flags the SDM
 * defines after it (the others are not compared), and options. The
 * assembler is the encoder, so the emulator decodes exactly the bytes the CPU
 * executes.
 *
 * 64-bit snippets (emul_snippets64) run in 64-bit mode with these registers:
 *   rbx rbp r12 r13  emul_buf + 256     (bases)
 *   rsi              emul_buf + 1024    (string source, bit-test base)
 *   rdi              emul_buf + 1536    (string destination)
 *   rcx              0..3               (REP count, index)
 *   r9               0..7               (index)
 *   r10              -4096..4095        (bit offset)
 *   rax rdx r8 r11 r14 r15              random data
 * rsp is never an operand: the trampoline's call and ret use it.
 *
 * 32-bit snippets (emul_snippets32) run in compatibility mode (CS 0x23) with
 * LDT data segments whose bases are offsets into emul_seg_area (see
 * emulate_oracle_test.c): SS +0, DS +0x200, GS +0x400, ES +0x800, so that
 * using the wrong segment shows. Registers (offsets in those segments):
 *   ebx ebp 0x100, esi 0x400, edi 0x600, ecx 0..3, eax edx random data;
 * with ADDR16, bits 31:16 of ebx ebp esi edi ecx are random and bx, bp sit
 * near 0xff00, so that 16-bit sums wrap around.
 */

#define ALL	0x8d5	/* CF PF AF ZF SF OF */
#define LOGIC	0x8c5	/* AF undefined: AND OR XOR TEST */
#define BITS	0x001	/* only CF defined: BT BTS BTR BTC */

/*
 * Options. ADDR32: 32-bit addressing in 64-bit mode; the test puts junk in
 * bits 63:32 of the pointer and count registers, which must not matter.
 * ADDR16: 16-bit addressing in 32-bit mode, likewise for bits 31:16.
 */
#define ADDR32	1
#define ADDR16	2

/* One snippet, recorded in section \sect. */
.macro SNIPS sect:req, name:req, mask:req, opts:req, insn:vararg
	.pushsection .rodata.emul_snippet_names, "a"
.Lname\@:
	.asciz "\name"
	.popsection
	.pushsection \sect, "a"
	.balign 8
	.quad .Lstart\@, .Lend\@, .Lname\@, \mask, \opts
	.popsection
.Lstart\@:
	\insn
.Lend\@:
	ret
.endm

/* 64-bit snippets: SNIPN "name", mask, opts, insn; SNIP names it by its text. */
.macro SNIPN name:req, mask:req, opts:req, insn:vararg
	SNIPS emul_snippets64, "\name", \mask, \opts, \insn
.endm

.macro SNIP mask:req, opts:req, insn:vararg
	SNIPS emul_snippets64, "\insn", \mask, \opts, \insn
.endm

/* The same for 32-bit (compatibility mode) snippets. */
.macro SNIPN32 name:req, mask:req, opts:req, insn:vararg
	SNIPS emul_snippets32, "\name", \mask, \opts, \insn
.endm

.macro SNIP32 mask:req, opts:req, insn:vararg
	SNIPS emul_snippets32, "\insn", \mask, \opts, \insn
.endm

	.text
	.code64

/* The ALU families: every form, every size, with memory operands. */
.macro ALU op:req, mask:req
	SNIP \mask, 0, \op\()b %dl, (%rbx)
	SNIP \mask, 0, \op\()b %ah, 3(%rbx)
	SNIP \mask, 0, \op\()w %dx, 2(%rbx)
	SNIP \mask, 0, \op\()l %edx, -4(%rbx,%rcx,4)
	SNIP \mask, 0, \op\()q %r8, (%r12)
	SNIP \mask, 0, \op\()b (%rbx), %dh
	SNIP \mask, 0, \op\()b 8(%rbx), %sil
	SNIP \mask, 0, \op\()w (%rbx,%r9,2), %r8w
	SNIP \mask, 0, \op\()l 0x40(%r13), %r11d
	SNIP \mask, 0, \op\()q -0x100(%rbp,%r9,8), %rax
	SNIP \mask, 0, \op\()b $0x85, (%rbx)
	SNIP \mask, 0, \op\()w $0x1234, 0x600(%rbx)
	SNIP \mask, 0, \op\()l $-0x12345678, (%rbx)
	SNIP \mask, 0, \op\()q $0x7fffffff, 16(%rbx)
	SNIP \mask, 0, \op\()w $-3, 6(%rbx)
	SNIP \mask, 0, \op\()l $0x7f, (%rbx)
	SNIP \mask, 0, \op\()q $-0x80, (%rbx)
	SNIP \mask, 0, \op\()b $0x80, %al
	SNIP \mask, 0, \op\()w $0x8000, %ax
	SNIP \mask, 0, \op\()l $0x12345678, %eax
	SNIP \mask, 0, \op\()q $-0x789abcd, %rax
	SNIP \mask, 0, \op\()q %r14, %r15
	SNIP \mask, 0, \op\()l %eax, emul_buf+300(%rip)
	SNIP \mask, ADDR32, \op\()l %eax, (%ebx,%ecx,2)
.endm

.irp op, add, adc, sub, sbb
	ALU \op, ALL
	SNIP ALL, 0, lock \op\()l %eax, (%rbx)
	SNIP ALL, 0, lock \op\()b %al, 1(%rbx)
.endr
	ALU cmp, ALL
.irp op, and, or, xor
	ALU \op, LOGIC
	SNIP LOGIC, 0, lock \op\()q %rax, (%rbx)
.endr

/* Prefix combinations. */
	SNIPN "66 48 01 03: add %rax,(%rbx), REX.W beats 66", ALL, 0, .byte 0x66, 0x48, 0x01, 0x03
	SNIPN "48 66 01 03: add %ax,(%rbx), a REX before 66 is ignored", ALL, 0, .byte 0x48, 0x66, 0x01, 0x03
	SNIPN "66 66 01 03: add %ax,(%rbx), 66 twice", ALL, 0, .byte 0x66, 0x66, 0x01, 0x03
	SNIPN "2e 01 03: cs add %eax,(%rbx)", ALL, 0, .byte 0x2e, 0x01, 0x03
	SNIPN "36 89 03: ss mov %eax,(%rbx)", ALL, 0, .byte 0x36, 0x89, 0x03
	SNIPN "88 33: mov %dh,(%rbx)", ALL, 0, .byte 0x88, 0x33
	SNIPN "40 88 33: mov %sil,(%rbx), with REX", ALL, 0, .byte 0x40, 0x88, 0x33
	SNIP ALL, 0, xacquire lock addl %eax, (%rbx)
	SNIP ALL, 0, xrelease lock subq %rax, (%rbx)
	SNIP ALL, 0, xrelease movl %eax, (%rbx)
	SNIP ALL, 0, xrelease movb $0x12, (%rbx)
	SNIP ALL, 0, xacquire xchgl %eax, (%rbx)

/* MOV, MOVZX, MOVSX, MOVSXD. */
	SNIP ALL, 0, movb %bh, 3(%rbx)
	SNIP ALL, 0, movb %r8b, (%rbx)
	SNIP ALL, 0, movw %dx, (%rbx)
	SNIP ALL, 0, movl %edx, (%rbx,%r9,8)
	SNIP ALL, 0, movq %r15, -8(%r13)
	SNIP ALL, 0, movb (%rbx), %dh
	SNIP ALL, 0, movb 1(%rbx), %dil
	SNIP ALL, 0, movw (%rbx), %ax
	SNIP ALL, 0, movl (%rbx), %eax
	SNIP ALL, 0, movq (%rbx), %r14
	SNIP ALL, 0, movl emul_buf+64, %edx
	SNIP ALL, 0, movq emul_buf+72(%rip), %r11
	SNIP ALL, 0, movb $0x5a, (%rbx)
	SNIP ALL, 0, movw $0x1234, (%rbx)
	SNIP ALL, 0, movl $0xdeadbeef, (%rbx)
	SNIP ALL, 0, movq $-2, (%rbx)
	SNIP ALL, 0, movq $0x7fffffff, 8(%rbp)
	SNIP ALL, 0, movabs emul_buf+16, %al
	SNIP ALL, 0, movabs emul_buf+18, %ax
	SNIP ALL, 0, movabs emul_buf+20, %eax
	SNIP ALL, 0, movabs emul_buf+24, %rax
	SNIP ALL, 0, movabs %al, emul_buf+33
	SNIP ALL, 0, movabs %ax, emul_buf+34
	SNIP ALL, 0, movabs %eax, emul_buf+36
	SNIP ALL, 0, movabs %rax, emul_buf+40
	SNIP ALL, ADDR32, addr32 movl emul_buf+48, %eax
	SNIP ALL, ADDR32, addr32 movb %al, emul_buf+52
	SNIP ALL, ADDR32, movl (%ebx), %eax
	SNIP ALL, ADDR32, movq %rdx, 8(%ebp,%r9d,4)
	SNIP ALL, 0, movzbl (%rbx), %eax
	SNIP ALL, 0, movzbw (%rbx), %ax
	SNIP ALL, 0, movzbq (%rbx), %r11
	SNIP ALL, 0, movzbl (%rbx), %ebx
	SNIP ALL, 0, movzwl (%rbx), %edx
	SNIP ALL, 0, movzwq (%rbx), %rax
	SNIPN "66 0f b7 03: movzww (%rbx),%ax", ALL, 0, .byte 0x66, 0x0f, 0xb7, 0x03
	SNIP ALL, 0, movsbl (%rbx), %eax
	SNIP ALL, 0, movsbw (%rbx), %ax
	SNIP ALL, 0, movsbq (%rbx), %r11
	SNIP ALL, 0, movsbl (%rbx), %esi
	SNIP ALL, 0, movswl (%rbx), %edx
	SNIP ALL, 0, movswq (%rbx), %rax
	SNIP ALL, 0, movslq (%rbx), %rax
	SNIP ALL, 0, movslq 4(%rbx,%rcx,8), %r15

/* TEST. */
	SNIP LOGIC, 0, testb %dl, (%rbx)
	SNIP LOGIC, 0, testb %ah, (%rbx)
	SNIP LOGIC, 0, testw %dx, (%rbx)
	SNIP LOGIC, 0, testl %edx, (%rbx)
	SNIP LOGIC, 0, testq %rdx, (%rbx)
	SNIP LOGIC, 0, testb $0x81, (%rbx)
	SNIP LOGIC, 0, testw $0x8001, (%rbx)
	SNIP LOGIC, 0, testl $0x80000001, (%rbx)
	SNIP LOGIC, 0, testq $-1, (%rbx)
	SNIP LOGIC, 0, testb $0x80, %al
	SNIP LOGIC, 0, testl $0x7fffffff, %eax

/* XCHG. */
	SNIP ALL, 0, xchgb %dl, (%rbx)
	SNIP ALL, 0, xchgb %ah, 1(%rbx)
	SNIP ALL, 0, xchgw %dx, (%rbx)
	SNIP ALL, 0, xchgl %edx, (%rbx)
	SNIP ALL, 0, xchgq %r8, (%rbx)
	SNIP ALL, 0, lock xchgq %rax, 8(%rbx)
	SNIPN "87 d0: xchg %edx,%eax", ALL, 0, .byte 0x87, 0xd0
	SNIPN "87 c0: xchg %eax,%eax (zero-extends)", ALL, 0, .byte 0x87, 0xc0

/* BT BTS BTR BTC: register offsets reach around the base, immediates not. */
.irp op, bt, bts, btr, btc
	SNIP BITS, 0, \op\()w %r10w, (%rsi)
	SNIP BITS, 0, \op\()l %r10d, (%rsi)
	SNIP BITS, 0, \op\()q %r10, (%rsi)
	SNIP BITS, 0, \op\()w $17, (%rsi)
	SNIP BITS, 0, \op\()l $35, (%rsi)
	SNIP BITS, 0, \op\()q $63, (%rsi)
	SNIP BITS, 0, \op\()l %r10d, %eax
	SNIP BITS, 0, \op\()q $40, %rdx
.endr
	SNIP BITS, 0, lock btsl %r10d, (%rsi)
	SNIP BITS, 0, lock btrq $5, (%rsi)
	SNIP BITS, 0, lock btcw %r10w, (%rsi)

/* String instructions, DF either way, REP counts 0 to 3. */
	SNIP ALL, 0, movsb
	SNIP ALL, 0, movsw
	SNIP ALL, 0, movsl
	SNIP ALL, 0, movsq
	SNIP ALL, 0, rep movsb
	SNIP ALL, 0, rep movsw
	SNIP ALL, 0, rep movsl
	SNIP ALL, 0, rep movsq
	SNIP ALL, 0, stosb
	SNIP ALL, 0, stosw
	SNIP ALL, 0, stosl
	SNIP ALL, 0, stosq
	SNIP ALL, 0, rep stosb
	SNIP ALL, 0, rep stosw
	SNIP ALL, 0, rep stosl
	SNIP ALL, 0, rep stosq
	SNIP ALL, 0, lodsb
	SNIP ALL, 0, lodsw
	SNIP ALL, 0, lodsl
	SNIP ALL, 0, lodsq
	SNIP ALL, 0, rep lodsb
	SNIP ALL, 0, rep lodsq
	SNIPN "66 a5: movsw", ALL, 0, .byte 0x66, 0xa5
	SNIPN "48 66 ab: stosw, REX.W ignored before 66", ALL, 0, .byte 0x48, 0x66, 0xab
	SNIPN "f3 66 48 a5: rep movsq", ALL, 0, .byte 0xf3, 0x66, 0x48, 0xa5
	SNIPN "3e a4: ds movsb", ALL, 0, .byte 0x3e, 0xa4
	SNIPN "26 aa: es stosb", ALL, 0, .byte 0x26, 0xaa
	SNIPN "67 f3 a4: addr32 rep movsb", ALL, ADDR32, .byte 0x67, 0xf3, 0xa4
	SNIPN "67 f3 48 ab: addr32 rep stosq", ALL, ADDR32, .byte 0x67, 0xf3, 0x48, 0xab
	SNIPN "67 ad: addr32 lodsl", ALL, ADDR32, .byte 0x67, 0xad

/* --- 32-bit snippets (compatibility mode) --- */
	.code32

.macro ALU32 op:req, mask:req
	SNIP32 \mask, 0, \op\()b %dl, (%ebx)
	SNIP32 \mask, 0, \op\()b %ah, 3(%ebx)
	SNIP32 \mask, 0, \op\()w %dx, 2(%ebx)
	SNIP32 \mask, 0, \op\()l %edx, -4(%ebx,%ecx,4)
	SNIP32 \mask, 0, \op\()l 8(%ebp), %eax
	SNIP32 \mask, 0, \op\()w (%esi), %dx
	SNIP32 \mask, 0, \op\()b $0x85, (%ebx)
	SNIP32 \mask, 0, \op\()w $0x1234, 0x600(%ebx)
	SNIP32 \mask, 0, \op\()l $-0x12345678, (%ebx)
	SNIP32 \mask, 0, \op\()w $-3, 6(%ebx)
	SNIP32 \mask, 0, \op\()l $0x7f, (%ebx)
	SNIP32 \mask, 0, \op\()l %eax, 0x300
	SNIP32 \mask, ADDR16, \op\()w %dx, (%bx,%si)
	SNIP32 \mask, ADDR16, \op\()l (%bp,%di), %eax
	SNIP32 \mask, ADDR16, \op\()b $0x80, 0x10(%bp)
	SNIP32 \mask, ADDR16, \op\()l %edx, 0x1234(%bx)
.endm

.irp op, add, adc, sub, sbb, cmp
	ALU32 \op, ALL
.endr
.irp op, and, or, xor
	ALU32 \op, LOGIC
.endr
	SNIP32 ALL, 0, lock addl %eax, (%ebx)
	SNIP32 LOGIC, 0, lock orw %dx, %gs:(%ebx)

/* Segments: overrides, defaults. */
	SNIP32 ALL, 0, movl %gs:(%ebx), %eax
	SNIP32 ALL, 0, movl %eax, %ss:4(%ebx)
	SNIP32 ALL, 0, movl %ds:8(%ebp), %eax
	SNIP32 ALL, 0, movl %es:(%esi), %edx
	SNIP32 ALL, 0, movl %eax, %es:0x10(%ebp,%ecx,4)
	SNIP32 ALL, 0, movw %cx, 12(%ebp)
	SNIP32 ALL, ADDR16, movl %eax, %gs:(%bx,%di)
	SNIP32 ALL, ADDR16, movb %ss:(%si), %dh
	SNIP32 ALL, ADDR16, addr16 movw 0x100, %dx
	SNIP32 ALL, ADDR16, movw (%di), %ax

/* MOV, MOVZX, MOVSX, moffs. */
	SNIP32 ALL, 0, movb %bh, 3(%ebx)
	SNIP32 ALL, 0, movw %dx, (%ebx)
	SNIP32 ALL, 0, movl (%ebx), %eax
	SNIP32 ALL, 0, movb 1(%ebx), %ch
	SNIP32 ALL, 0, movl $0xdeadbeef, (%ebx)
	SNIP32 ALL, 0, movw $0x1234, %es:(%ebx)
	SNIP32 ALL, 0, movb $0x5a, (%ebp)
	SNIP32 ALL, 0, movl 0x120, %eax
	SNIP32 ALL, 0, movb %al, 0x124
	SNIP32 ALL, 0, movw %gs:0x128, %ax
	SNIP32 ALL, 0, movl %eax, %ss:0x12c
	SNIP32 ALL, ADDR16, addr16 movl 0x130, %eax
	SNIP32 ALL, 0, movzbl (%ebx), %eax
	SNIP32 ALL, 0, movzbw (%ebx), %dx
	SNIP32 ALL, 0, movzwl (%ebp), %edx
	SNIP32 ALL, 0, movsbl (%ebx), %eax
	SNIP32 ALL, 0, movsbw (%ebx), %ax
	SNIP32 ALL, 0, movswl (%ebx), %edx
	SNIP32 ALL, ADDR16, movswl (%bx,%si), %eax

/* TEST, XCHG, BT. */
	SNIP32 LOGIC, 0, testb %dl, (%ebx)
	SNIP32 LOGIC, 0, testl $0x80000001, (%ebx)
	SNIP32 LOGIC, 0, testw $0x8001, (%ebp)
	SNIP32 ALL, 0, xchgl %edx, (%ebx)
	SNIP32 ALL, 0, xchgb %ah, (%ebp)
	SNIP32 ALL, ADDR16, xchgw %dx, (%bp,%si)
	SNIP32 BITS, 0, btl %ecx, (%esi)
	SNIP32 BITS, 0, btsw %cx, (%esi)
	SNIP32 BITS, 0, btrl $33, (%esi)
	SNIP32 BITS, 0, btcl %ecx, 4(%ebp)

/* Strings: DS (or an override) to ES, counts in ECX or CX. */
	SNIP32 ALL, 0, movsb
	SNIP32 ALL, 0, movsw
	SNIP32 ALL, 0, movsl
	SNIP32 ALL, 0, rep movsb
	SNIP32 ALL, 0, rep movsl
	SNIP32 ALL, 0, stosb
	SNIP32 ALL, 0, rep stosw
	SNIP32 ALL, 0, lodsl
	SNIP32 ALL, 0, rep lodsb
	SNIPN32 "65 a4: gs movsb", ALL, 0, .byte 0x65, 0xa4
	SNIPN32 "36 f3 a5: ss rep movsl", ALL, 0, .byte 0x36, 0xf3, 0xa5
	SNIPN32 "65 aa: gs stosb (ES all the same)", ALL, 0, .byte 0x65, 0xaa
	SNIPN32 "67 f3 a4: addr16 rep movsb", ALL, ADDR16, .byte 0x67, 0xf3, 0xa4
	SNIPN32 "67 f3 66 ab: addr16 rep stosw", ALL, ADDR16, .byte 0x67, 0xf3, 0x66, 0xab
	SNIPN32 "67 ac: addr16 lodsb", ALL, ADDR16, .byte 0x67, 0xac

	.code64

/*
 * void emul_native_run(struct native_state *st, const void *code):
 * load every register but rsp and RFLAGS from *st, call code, store them
 * back. st: u64 gpr[16] (encoding order), then rflags at 128.
 */
	.globl emul_native_run
	.type emul_native_run, @function
emul_native_run:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rdi, native_state(%rip)
	mov %rsi, native_code(%rip)
	pushq 128(%rdi)
	popfq
	mov 0(%rdi), %rax
	mov 8(%rdi), %rcx
	mov 16(%rdi), %rdx
	mov 24(%rdi), %rbx
	mov 40(%rdi), %rbp
	mov 48(%rdi), %rsi
	mov 64(%rdi), %r8
	mov 72(%rdi), %r9
	mov 80(%rdi), %r10
	mov 88(%rdi), %r11
	mov 96(%rdi), %r12
	mov 104(%rdi), %r13
	mov 112(%rdi), %r14
	mov 120(%rdi), %r15
	mov 56(%rdi), %rdi
	call *native_code(%rip)
	pushfq
	push %rdi
	mov native_state(%rip), %rdi
	popq 56(%rdi)
	popq 128(%rdi)
	mov %rax, 0(%rdi)
	mov %rcx, 8(%rdi)
	mov %rdx, 16(%rdi)
	mov %rbx, 24(%rdi)
	mov %rbp, 40(%rdi)
	mov %rsi, 48(%rdi)
	mov %r8, 64(%rdi)
	mov %r9, 72(%rdi)
	mov %r10, 80(%rdi)
	mov %r11, 88(%rdi)
	mov %r12, 96(%rdi)
	mov %r13, 104(%rdi)
	mov %r14, 112(%rdi)
	mov %r15, 120(%rdi)
	cld
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size emul_native_run, . - emul_native_run

	.local native_state, native_code
	.comm native_state, 8, 8
	.comm native_code, 8, 8

/*
 * void emul_native_run32(void): switch to compatibility mode (CS 0x23) on a
 * stack below 4 GiB, load the LDT selectors, ESP, EFLAGS and registers of
 * emul_state32 (struct state32 in emulate_oracle_test.c), call its code,
 * store EFLAGS and the registers back, and return to 64-bit mode (CS 0x33).
 * Segments are loaded through EAX before EAX gets its value; DS last of
 * all, from the stack, since the loads read emul_state32 through the flat
 * DS. Everything below 4 GiB: the test is linked -static -no-pie.
 */
#define S32_EFLAGS	32
#define S32_CODE	36
#define S32_SS		40
#define S32_DS		44
#define S32_ES		48
#define S32_GS		52
#define S32_ESP		56
#define USER_DS		0x2b
#define USER32_CS	0x23
#define USER_CS		0x33

	.globl emul_native_run32
	.type emul_native_run32, @function
emul_native_run32:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, saved_rsp(%rip)
	mov $low_stack_top, %esp
	mov $USER_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	pushq $USER32_CS
	pushq $1f
	lretq
	.code32
1:	mov emul_state32 + S32_ES, %eax
	mov %eax, %es
	mov emul_state32 + S32_GS, %eax
	mov %eax, %gs
	mov emul_state32 + S32_SS, %eax
	mov %eax, %ss
	mov emul_state32 + S32_ESP, %esp
	pushl emul_state32 + S32_DS
	pushl emul_state32 + S32_EFLAGS
	popfl
	mov emul_state32 + 0, %eax
	mov emul_state32 + 4, %ecx
	mov emul_state32 + 8, %edx
	mov emul_state32 + 12, %ebx
	mov emul_state32 + 20, %ebp
	mov emul_state32 + 24, %esi
	mov emul_state32 + 28, %edi
	pop %ds
	call *%cs:emul_state32 + S32_CODE
	pushfl
	push %eax
	mov $USER_DS, %eax
	mov %eax, %ds
	pop %eax
	mov %eax, emul_state32 + 0
	mov %ecx, emul_state32 + 4
	mov %edx, emul_state32 + 8
	mov %ebx, emul_state32 + 12
	mov %ebp, emul_state32 + 20
	mov %esi, emul_state32 + 24
	mov %edi, emul_state32 + 28
	popl emul_state32 + S32_EFLAGS
	cld
	mov $USER_DS, %eax
	mov %eax, %ss
	mov $low_stack_top, %esp
	mov %eax, %es
	xor %eax, %eax
	mov %eax, %gs
	pushl $USER_CS
	pushl $2f
	lret
	.code64
2:	mov saved_rsp(%rip), %rsp
	xor %eax, %eax
	mov %eax, %ds
	mov %eax, %es
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size emul_native_run32, . - emul_native_run32

	.bss
	.balign 16
	.local saved_rsp
saved_rsp:
	.skip 8
	.balign 16
low_stack:
	.skip 4096
low_stack_top:

	.section .note.GNU-stack, "", @progbits
