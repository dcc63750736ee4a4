// SPDX-License-Identifier: GPL-2.0
/*
 * A multiboot v1 ELF32 guest for `svmx run`: prints what its multiboot
 * information says (command line, memory sizes, memory map, modules, boot
 * loader name) and exits with status 5.
 */
#include "guest.h"

#define MB_HEADER_MAGIC	0x1badb002u
#define MB_HEADER_FLAGS	0x00000003u	/* page-aligned modules, memory info */
#define MB_BOOT_MAGIC	0x2badb002u

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr;
	uint32_t config_table, boot_loader_name;
} __attribute__((packed));

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start, end, string, reserved;
};

__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t mb_header[3] = {
	MB_HEADER_MAGIC, MB_HEADER_FLAGS, -(MB_HEADER_MAGIC + MB_HEADER_FLAGS),
};

static void put_string(const char *label, uint32_t addr)
{
	puts(label);
	puts("[");
	puts((const char *)addr);
	puts("]");
}

void guest_main(uint32_t magic, const struct mb_info *info)
{
	uint32_t i, entries = 0, ram_kib = 0;

	puts("hello from multiboot\n");
	puts("magic: ");
	put_hex(magic);
	puts("\n");
	if (magic != MB_BOOT_MAGIC)
		guest_exit(1);
	if (info->flags & (1u << 2)) {
		put_string("cmdline: ", info->cmdline);
		puts("\n");
	}
	if (info->flags & (1u << 0)) {
		puts("mem: lower=");
		put_dec(info->mem_lower);
		puts(" upper=");
		put_dec(info->mem_upper);
		puts("\n");
	}
	if (info->flags & (1u << 6)) {
		uint32_t p = info->mmap_addr;

		while (p < info->mmap_addr + info->mmap_length) {
			const struct mb_mmap *e = (const struct mb_mmap *)p;

			if (e->type == 1)
				ram_kib += (uint32_t)(e->len >> 10);
			entries++;
			p += e->size + 4;
		}
		puts("mmap: ");
		put_dec(entries);
		puts(" entries, ");
		put_dec(ram_kib);
		puts(" KiB RAM\n");
	}
	if (info->flags & (1u << 3)) {
		const struct mb_module *mod = (const struct mb_module *)info->mods_addr;

		for (i = 0; i < info->mods_count; i++, mod++) {
			const char *data = (const char *)mod->start;
			uint32_t len = mod->end - mod->start;

			put_string("module: ", mod->string);
			puts(" ");
			put_dec(len);
			puts(" bytes, page-aligned=");
			puts(mod->start & 0xfff ? "no" : "yes");
			puts(": ");
			while (len-- && *data != '\n')
				putc(*data++);
			puts("\n");
		}
	}
	if (info->flags & (1u << 9)) {
		put_string("loader: ", info->boot_loader_name);
		puts("\n");
	}
	guest_exit(5);
}

__asm__(".pushsection .text\n"
	".globl _start\n"
	"_start:\n"
	"	mov $stack_top, %esp\n"
	"	push %ebx\n"
	"	push %eax\n"
	"	call guest_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".popsection\n"
	".pushsection .bss\n"
	".balign 16\n"
	".skip 8192\n"
	"stack_top:\n"
	".popsection\n");
