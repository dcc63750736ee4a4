// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: entering a guest in 64-bit mode.
 *
 * Long mode needs paging (Intel SDM Vol. 3A 10.8.5 "Initializing IA-32e
 * Mode"; AMD APM Vol. 2 14.6 "Enabling and Activating Long Mode"): CR4.PAE,
 * EFER.LME, CR0.PG with CR0.PE, and a 64-bit code segment. The guest gets
 * 4-level page tables mapping every address from 0 to the end of RAM, and
 * at least the whole first 4 GiB (for MMIO), to itself with 2 MiB pages
 * (SDM Vol. 3A 4.5, table 4-17: a PDE with PS=1). The MMIO window [3 GiB,
 * 4 GiB) is mapped uncacheable (PCD|PWT).
 */
#include "boot.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_PS		(1ULL << 7)

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define PAGE_SIZE	4096ULL

int longmode_page_tables(struct guest_mem *m, uint64_t *cr3)
{
	uint64_t top = guest_mem_end(m), pml4, pdpt, pd, addr;
	unsigned int i, npd;
	uint8_t *p;

	if (top < 4 * GiB)
		top = 4 * GiB;
	npd = (unsigned int)(ALIGN_UP(top, GiB) / GiB);	/* <= 512: one PDPT */
	if (guest_mem_alloc(m, PAGE_SIZE, PAGE_SIZE, 4 * GiB, "PML4", &pml4) ||
	    guest_mem_alloc(m, PAGE_SIZE, PAGE_SIZE, 4 * GiB, "PDPT", &pdpt) ||
	    guest_mem_alloc(m, npd * PAGE_SIZE, PAGE_SIZE, 4 * GiB,
			    "page directories", &pd))
		return -1;
	put_le64(guest_ptr(m, pml4, 8), pdpt | PTE_P | PTE_RW);
	p = guest_ptr(m, pdpt, PAGE_SIZE);
	for (i = 0; i < npd; i++)
		put_le64(p + i * 8, (pd + i * PAGE_SIZE) | PTE_P | PTE_RW);
	p = guest_ptr(m, pd, npd * PAGE_SIZE);
	for (i = 0; i < npd * 512; i++) {
		uint64_t flags = PTE_P | PTE_RW | PTE_PS;

		addr = (uint64_t)i * 2 * MiB;
		if (addr >= GUEST_LOW_MAX && addr < 4 * GiB)
			flags |= PTE_PCD | PTE_PWT;
		put_le64(p + i * 8, addr | flags);
	}
	*cr3 = pml4;
	return 0;
}

void longmode_sregs(struct kvm_sregs *s, const struct boot *b)
{
	/* SSE is usable from the start: compiled code may use it. */
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->cr3 = b->cr3;
	s->efer = EFER_LME | EFER_LMA;
	gdt_segment(GDT_CODE64, &s->cs);
	gdt_segment(GDT_DATA, &s->ds);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = b->gdt_base;
	s->gdt.limit = b->gdt_limit;
}
