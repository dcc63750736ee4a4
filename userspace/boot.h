/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: the state a vCPU starts in. An image loader fills struct boot
 * (mode, entry, the registers its format defines); boot_prepare() then
 * puts the stack, the GDT and, for long mode, the page tables into guest
 * memory; boot_set_vcpu() loads the result into a vCPU.
 */
#ifndef SVMX_BOOT_H
#define SVMX_BOOT_H

#include <stdint.h>
#include <linux/kvm.h>

#include "guest_mem.h"
#include "vcpu.h"

enum boot_mode {
	BOOT_REAL16,	/* real mode, CS:IP from the entry address */
	BOOT_PROT32,	/* flat 32-bit protected mode, paging off */
	BOOT_LONG64,	/* 64-bit mode, identity-mapped */
};

#define BOOT_STACK_SIZE	(16 * KiB)

struct boot {
	enum boot_mode mode;
	uint64_t entry;
	uint64_t rax, rbx;	/* e.g. the multiboot magic and info block */
	/* Set by boot_prepare(): */
	uint64_t stack_top;
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t cr3;
};

int boot_prepare(struct guest_mem *m, struct boot *b);
int boot_set_vcpu(struct vcpu *vcpu, const struct boot *b);

/* gdt.c: the boot GDT, the same for every mode but real mode. */
#define GDT_CODE64	0x08
#define GDT_DATA	0x10
#define GDT_CODE32	0x18
int gdt_build(struct guest_mem *m, uint64_t *base, uint16_t *limit);
/* The segment register state that loading @selector would give. */
void gdt_segment(uint16_t selector, struct kvm_segment *seg);

/* longmode.c */
int longmode_page_tables(struct guest_mem *m, uint64_t *cr3);
void longmode_sregs(struct kvm_sregs *s, const struct boot *b);

#endif
