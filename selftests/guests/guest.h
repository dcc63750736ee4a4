/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C test guests share: port I/O, the UART, the exit port, number
 * printing. Freestanding (no libc), 32- or 64-bit.
 */
#ifndef SVMX_GUEST_H
#define SVMX_GUEST_H

#include <stdint.h>

#define UART		0x3f8
#define UART_LSR	(UART + 5)
#define LSR_THRE	0x20
#define EXIT_PORT	0xf4
#define FW_CFG_CTL	0x510
#define FW_CFG_DATA	0x511

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void putc(char c)
{
	while (!(inb(UART_LSR) & LSR_THRE))
		;
	outb(UART, (uint8_t)c);
}

static inline void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static inline void put_dec(uint32_t v)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		putc(buf[--i]);
}

/* 0x followed by the hex digits, no leading zeros. */
static inline void put_hex(uint64_t v)
{
	int shift = 60;

	puts("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

/* fw_cfg item @key, @len bytes, little-endian. */
static inline uint64_t fw_cfg_read(uint16_t key, int len)
{
	uint64_t v = 0;
	int i;

	outw(FW_CFG_CTL, key);
	for (i = 0; i < len; i++)
		v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

static inline void __attribute__((noreturn)) guest_exit(uint8_t status)
{
	for (;;) {
		outb(EXIT_PORT, status);
		__asm__ volatile("cli; hlt");
	}
}

#endif
