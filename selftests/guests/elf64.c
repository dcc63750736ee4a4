// SPDX-License-Identifier: GPL-2.0
/*
 * An x86-64 ELF64 guest for `svmx run`: checks that it runs in long mode,
 * reads fw_cfg, reads an unknown port and unknown MMIO (both must read as
 * all-ones), checks the last RAM page above 4 GiB when there is RAM there,
 * and exits with status 42.
 */
#include "guest.h"

#define MSR_EFER	0xc0000080
#define EFER_LMA	(1u << 10)
#define CR0_PG		(1ul << 31)
#define UNKNOWN_PORT	0x1234
#define UNKNOWN_MMIO	0xd0000000ul
#define LOW_RAM_MAX	(3ul << 30)
#define HIGH_BASE	(4ul << 30)

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

void guest_main(void)
{
	volatile uint32_t *mmio = (volatile uint32_t *)UNKNOWN_MMIO;
	uint64_t ram, sig, a, b;

	puts("hello from long mode\n");
	puts("long mode: ");
	puts(rdmsr(MSR_EFER) & EFER_LMA && read_cr0() & CR0_PG ? "yes\n" : "no\n");

	sig = fw_cfg_read(0x00, 4);
	ram = fw_cfg_read(0x03, 8);
	puts("fw_cfg: ");
	putc((char)sig);
	putc((char)(sig >> 8));
	putc((char)(sig >> 16));
	putc((char)(sig >> 24));
	puts(" cpus=");
	put_dec((uint32_t)fw_cfg_read(0x05, 2));
	puts(" ram=");
	put_hex(ram);
	puts("\n");

	a = inl(UNKNOWN_PORT);
	b = inl(UNKNOWN_PORT);
	puts("port 0x1234: ");
	put_hex(a);
	puts(" ");
	put_hex(b);
	puts("\n");

	a = mmio[0];
	mmio[0] = 0x12345678;
	b = mmio[0];
	puts("mmio 0xd0000000: ");
	put_hex(a);
	puts(" ");
	put_hex(b);
	puts("\n");

	if (ram > LOW_RAM_MAX) {
		volatile uint64_t *top = (volatile uint64_t *)
			(HIGH_BASE + (ram - LOW_RAM_MAX) - 8);

		*top = 0x5a5a1234abcdull;
		puts(*top == 0x5a5a1234abcdull ? "high ram: ok\n" : "high ram: bad\n");
	}
	guest_exit(42);
}

__asm__(".pushsection .text\n"
	".globl _start\n"
	"_start:\n"
	"	lea stack_top(%rip), %rsp\n"
	"	call guest_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".popsection\n"
	".pushsection .bss\n"
	".balign 16\n"
	".skip 8192\n"
	"stack_top:\n"
	".popsection\n");
