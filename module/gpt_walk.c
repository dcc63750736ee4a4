// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walks: a guest linear address to a guest-physical one,
 * through the guest's own paging structures, as the CPU would do it.
 *
 * Used where svmx must act for the guest on a linear address: the string
 * forms of IN/OUT, instruction emulation for MMIO, KVM_TRANSLATE. One
 * walker reads the three formats, which are described as data (SDM Vol. 3A,
 * 4.3 "32-Bit Paging", 4.4 "PAE Paging", 4.5 "4-Level Paging"):
 *
 *   format   levels  entry  index bits (top first)   large pages at
 *   32-bit   2       4 B    10, 10                   level 2 (4 MiB, PSE)
 *   PAE      3       8 B    2, 9, 9                  level 2 (2 MiB)
 *   4-level  4       8 B    9, 9, 9, 9               levels 3, 2 (1G, 2M)
 *
 * The walk sets the accessed flags and, for a write, the dirty flag of the
 * leaf, as the hardware does; a failed walk gives the #PF error code.
 */
#include <linux/kvm.h>
#include <asm/processor-flags.h>

#include "svmx.h"
#include "vcpu.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR	GENMASK_ULL(51, 12)

/* #PF error code bits (SDM Vol. 3A, 4.7). */
#define PFERR_P		BIT(0)
#define PFERR_W		BIT(1)
#define PFERR_U		BIT(2)
#define PFERR_RSVD	BIT(3)
#define PFERR_F		BIT(4)

struct svmx_gpt_format {
	int levels;
	int entry_size;
	u8 bits[4];		/* index bits, top level first */
	u8 large_levels;	/* bit n: level n may map a large page */
};

static const struct svmx_gpt_format svmx_gpt_32bit = {
	.levels = 2, .entry_size = 4, .bits = { 10, 10 },
	.large_levels = BIT(2),
};

static const struct svmx_gpt_format svmx_gpt_pae = {
	.levels = 3, .entry_size = 8, .bits = { 2, 9, 9 },
	.large_levels = BIT(2),
};

static const struct svmx_gpt_format svmx_gpt_4level = {
	.levels = 4, .entry_size = 8, .bits = { 9, 9, 9, 9 },
	.large_levels = BIT(3) | BIT(2),
};

/**
 * svmx_gva_to_gpa() - translate a guest linear address
 * @vcpu: the vCPU (its current paging mode is used)
 * @gva: the linear address
 * @access: PFERR_W / PFERR_U / PFERR_F bits of the access to check
 * @gpa: the guest-physical address
 * @pf_error: the #PF error code when the walk fails
 *
 * Return: 0; -EFAULT with @pf_error set for a fault the guest must see;
 * -ENOENT when a paging structure is outside guest memory.
 */
int svmx_gva_to_gpa(struct svmx_vcpu *vcpu, u64 gva, u32 access, u64 *gpa,
		    u32 *pf_error)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	u64 cr0 = ops->get_cr(vcpu, 0), cr4 = ops->get_cr(vcpu, 4);
	u64 efer = ops->get_efer(vcpu);
	const struct svmx_gpt_format *f;
	bool wp = cr0 & X86_CR0_WP, nx = efer & EFER_NX;
	bool writable = true, user = true, exec = true;
	u64 table, entry = 0, leaf_addr = 0;
	int shift, level, i;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = (efer & EFER_LMA) ? gva : (u32)gva;
		return 0;
	}
	if (efer & EFER_LMA)
		f = &svmx_gpt_4level;
	else if (cr4 & X86_CR4_PAE)
		f = &svmx_gpt_pae;
	else
		f = &svmx_gpt_32bit;
	if (f->entry_size == 4)
		gva = (u32)gva;

	table = ops->get_cr(vcpu, 3) & (f == &svmx_gpt_pae ? ~0x1fULL : PTE_ADDR);
	shift = PAGE_SHIFT;
	for (i = 0; i < f->levels; i++)
		shift += f->bits[i];

	for (i = 0, level = f->levels; level >= 1; i++, level--) {
		u64 index, addr;

		shift -= f->bits[i];
		index = (gva >> shift) & ((1ULL << f->bits[i]) - 1);
		addr = table + index * f->entry_size;
		leaf_addr = addr;
		entry = 0;
		if (svmx_read_guest(vcpu->vm, addr, &entry, f->entry_size))
			return -ENOENT;
		if (!(entry & PTE_P)) {
			*pf_error = access & (PFERR_W | PFERR_U | PFERR_F);
			return -EFAULT;
		}
		/* PAE PDPTEs carry no permissions (SDM Vol. 3A, 4.4.1). */
		if (!(f == &svmx_gpt_pae && level == 3)) {
			writable &= !!(entry & PTE_RW);
			user &= !!(entry & PTE_US);
			if (nx && (entry & PTE_NX))
				exec = false;
			if (!(entry & PTE_A)) {
				entry |= PTE_A;
				svmx_write_guest(vcpu->vm, addr, &entry,
						 f->entry_size);
			}
		}
		if (level > 1 && (f->large_levels & BIT(level)) &&
		    (entry & PTE_PS) && (f != &svmx_gpt_32bit || (cr4 & X86_CR4_PSE))) {
			u64 base = entry & PTE_ADDR & ~((1ULL << shift) - 1);

			/* 4 MiB pages: bits 20:13 are address bits 39:32. */
			if (f == &svmx_gpt_32bit)
				base = (entry & GENMASK_ULL(31, 22)) |
				       ((entry & GENMASK_ULL(20, 13)) << 19);
			*gpa = base | (gva & ((1ULL << shift) - 1));
			goto check;
		}
		table = entry & (f->entry_size == 4 ? GENMASK_ULL(31, 12) : PTE_ADDR);
		if (level == 1) {
			*gpa = table | (gva & ~PAGE_MASK);
			goto check;
		}
	}
	return -ENOENT;

check:
	/* SDM Vol. 3A, 4.6 "Access Rights". */
	if (((access & PFERR_U) && !user) ||
	    ((access & PFERR_W) && !writable && ((access & PFERR_U) || wp)) ||
	    ((access & PFERR_F) && !exec)) {
		*pf_error = PFERR_P | (access & (PFERR_W | PFERR_U | PFERR_F));
		return -EFAULT;
	}
	if ((access & PFERR_W) && !(entry & PTE_D)) {
		/* Only the leaf carries a dirty flag. */
		entry |= PTE_D;
		svmx_write_guest(vcpu->vm, leaf_addr, &entry, f->entry_size);
	}
	return 0;
}
