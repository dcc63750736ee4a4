/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flat real-mode guest for `svmx run --load 0x7c00`: says hello on the
 * UART (polling LSR.THRE before each byte) and exits with status 7.
 */
#define UART		0x3f8
#define UART_LSR	(UART + 5)
#define LSR_THRE	0x20
#define EXIT_PORT	0xf4

	.code16
	.text
	.globl _start
_start:
	cli
	cld
	mov	$msg, %si
1:	lodsb
	test	%al, %al
	jz	2f
	mov	%al, %bl
	mov	$UART_LSR, %dx
3:	inb	%dx, %al
	test	$LSR_THRE, %al
	jz	3b
	mov	$UART, %dx
	mov	%bl, %al
	outb	%al, %dx
	jmp	1b
2:	mov	$7, %al
	outb	%al, $EXIT_PORT
	hlt
	jmp	2b

msg:	.asciz	"hello from real mode\n"
