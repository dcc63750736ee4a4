/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flat 32-bit guest for `svmx run --load 0x100000 --bits 32`: says
 * hello, reads one line from the UART (polling LSR.DR), sends it back as
 * "got: LINE" and exits with status 3.
 */
#define UART		0x3f8
#define UART_LSR	(UART + 5)
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define EXIT_PORT	0xf4

	.code32
	.text
	.globl _start
_start:
	cli
	cld
	mov	$stack_top, %esp
	mov	$hello, %esi
	call	puts
	mov	$got, %esi
	call	puts
	/* Echo until CR or LF. */
1:	mov	$UART_LSR, %dx
	inb	%dx, %al
	test	$LSR_DR, %al
	jz	1b
	mov	$UART, %dx
	inb	%dx, %al
	cmp	$'\n', %al
	je	2f
	cmp	$'\r', %al
	je	2f
	call	putc
	jmp	1b
2:	mov	$'\n', %al
	call	putc
	mov	$3, %al
	outb	%al, $EXIT_PORT
	hlt
	jmp	2b

/* putc: %al to the UART. */
putc:	push	%eax
	mov	$UART_LSR, %dx
3:	inb	%dx, %al
	test	$LSR_THRE, %al
	jz	3b
	pop	%eax
	mov	$UART, %dx
	outb	%al, %dx
	ret

/* puts: the string at %esi. */
puts:	lodsb
	test	%al, %al
	jz	4f
	call	putc
	jmp	puts
4:	ret

hello:	.asciz	"hello from protected mode\n"
got:	.asciz	"got: "

	.bss
	.align	16
	.skip	4096
stack_top:
