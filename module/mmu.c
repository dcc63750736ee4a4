// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory: the one place that decides how a guest-physical
 * access the hardware refused is resolved, and the EPT / nested page tables
 * that map guest frames to host pages.
 *
 *   svmx_tdp_fault()      an EPT violation or nested page fault: look the
 *                         frame up in the memslots; outside them (or a write
 *                         to a read-only slot) it is MMIO (mmio.c); else fault
 *                         the host page in with GUP and map it
 *   the MMU notifier      the host unmaps, swaps, migrates or MADV_DONTNEEDs
 *                         memory: zap the guest mappings of those pages and
 *                         flush the vCPUs' TLBs before the host reuses them
 *                         and ages them (the young callbacks: did the
 *                         guest use the page since the last aging?)
 *   svmx_mmu_zap_gfn_range()  a memslot was deleted or moved
 *
 * No page stays pinned: a fault takes a reference only while it installs
 * the mapping, and the notifier's sequence count tells it whether the host
 * changed the page meanwhile (then it retries). A later shadow-paging MMU
 * plugs in at svmx_tdp_fault()'s caller: it resolves guest-physical frames
 * through the same svmx_gfn_to_host_page().
 *
 * The table format is data (struct svmx_tdp_format): EPT and AMD's nested
 * tables are both 4-level x86-64-shaped trees and differ only in the bits
 * of a leaf. Intel SDM Vol. 3C, 29.3.2 "EPT Translation Mechanism"; AMD APM
 * Vol. 2, 15.25.5 "Nested Table Walk".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "svmx.h"
#include "vcpu.h"

#define SVMX_PTE_PRESENT	BIT_ULL(0)	/* EPT: read; NPT: present */
#define SVMX_PTE_WRITE		BIT_ULL(1)	/* both */
#define SVMX_PTE_LARGE		BIT_ULL(7)	/* both: maps a 2M/1G page */
#define SVMX_PTE_PFN_MASK	GENMASK_ULL(51, 12)

/* At most one new table per level below the root for one fault. */
#define SVMX_MMU_CACHE_PAGES	4

struct svmx_mmu_cache {
	unsigned int nr;
	struct page *pages[SVMX_MMU_CACHE_PAGES];
};

static unsigned int svmx_level_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static unsigned int svmx_pte_index(u64 gpa, int level)
{
	return (gpa >> svmx_level_shift(level)) & 511;
}

/* The guest-physical addresses the tables can map. */
static u64 svmx_tdp_reach(void)
{
	return 1ULL << svmx_level_shift(svmx_backend->tdp->levels + 1);
}

static int svmx_mmu_cache_fill(struct svmx_mmu_cache *c)
{
	while (c->nr < SVMX_MMU_CACHE_PAGES) {
		struct page *p = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

		if (!p)
			return -ENOMEM;
		c->pages[c->nr++] = p;
	}
	return 0;
}

static void svmx_mmu_cache_free(struct svmx_mmu_cache *c)
{
	while (c->nr)
		__free_page(c->pages[--c->nr]);
}

/* The leaf entry that maps @gpa, allocating tables from @c; under mmu.lock. */
static u64 *svmx_tdp_leaf(struct svmx_vm *vm, u64 gpa,
			  struct svmx_mmu_cache *c)
{
	const struct svmx_tdp_format *fmt = svmx_backend->tdp;
	u64 *table = vm->mmu.root;
	int level;

	for (level = fmt->levels; level > 1; level--) {
		u64 *e = &table[svmx_pte_index(gpa, level)];

		if (!(*e & SVMX_PTE_PRESENT)) {
			struct page *p;

			if (!c || !c->nr)
				return NULL;
			p = c->pages[--c->nr];
			list_add(&p->lru, &vm->mmu.pages);
			*e = page_to_phys(p) | fmt->table_bits;
		}
		table = phys_to_virt(*e & SVMX_PTE_PFN_MASK);
	}
	return &table[svmx_pte_index(gpa, 1)];
}

/*
 * Flush every vCPU's guest-physical TLB entries before returning: each
 * vCPU flushes at its next entry, and one in the guest now is kicked out
 * (and waited for) first.
 */
static void svmx_mmu_flush_all(struct svmx_vm *vm)
{
	svmx_vm_kick_all(vm, SVMX_REQ_TLB_FLUSH);
}

/*
 * Apply @fn to every leaf that is set in [gfn, gfn + npages); under
 * mmu.lock. Returns whether @fn counted any of them (@fn returns whether
 * the leaf counted: was zapped, was young).
 */
static bool svmx_apply_to_leaves(struct svmx_vm *vm, bool (*fn)(u64 *leaf),
			       u64 gfn, u64 npages)
{
	u64 gpa = gfn << PAGE_SHIFT, end = (gfn + npages) << PAGE_SHIFT;
	bool any = false;

	end = min(end, svmx_tdp_reach());

	while (gpa < end) {
		const struct svmx_tdp_format *fmt = svmx_backend->tdp;
		u64 *table = vm->mmu.root;
		int level;

		/* Walk down; skip a whole missing subtree at once. */
		for (level = fmt->levels; level > 1; level--) {
			u64 e = table[svmx_pte_index(gpa, level)];

			if (!(e & SVMX_PTE_PRESENT))
				break;
			table = phys_to_virt(e & SVMX_PTE_PFN_MASK);
		}
		if (level > 1) {
			u64 size = 1ULL << svmx_level_shift(level);

			gpa = (gpa & ~(size - 1)) + size;
			continue;
		}
		if (table[svmx_pte_index(gpa, 1)])
			any |= fn(&table[svmx_pte_index(gpa, 1)]);
		gpa += PAGE_SIZE;
	}
	return any;
}

static bool svmx_leaf_zap(u64 *leaf)
{
	*leaf = 0;
	return true;
}

/*
 * Page aging: has the guest used the page since the last aging? With an
 * accessed bit (NPT always; EPT when the CPU has EPT A/D bits, SDM Vol. 3C
 * 29.3.5) the CPU answers; without one, a mapping only exists while it is
 * in use, so aging drops it and the guest's next access faults it back in.
 */
static bool svmx_leaf_age(u64 *leaf)
{
	u64 accessed = svmx_backend->tdp->accessed;

	if (!(*leaf & SVMX_PTE_PRESENT))
		return false;
	if (!accessed)
		return svmx_leaf_zap(leaf);
	/* The CPU sets the bit with a locked update: clear it likewise. */
	return test_and_clear_bit(__ffs64(accessed), (unsigned long *)leaf);
}

static bool svmx_leaf_young(u64 *leaf)
{
	u64 accessed = svmx_backend->tdp->accessed;

	return (*leaf & SVMX_PTE_PRESENT) &&
	       (!accessed || (READ_ONCE(*leaf) & accessed));
}

/* Clear the leaves of [gfn, gfn + npages); returns whether any was set. */
static bool svmx_zap_locked(struct svmx_vm *vm, u64 gfn, u64 npages)
{
	return svmx_apply_to_leaves(vm, svmx_leaf_zap, gfn, npages);
}

/**
 * svmx_mmu_zap_gfn_range() - drop the guest mappings of a range of frames
 * @vm: the VM
 * @gfn: first guest frame
 * @npages: number of frames
 *
 * Returns once no vCPU can use the old mappings any more.
 */
void svmx_mmu_zap_gfn_range(struct svmx_vm *vm, u64 gfn, u64 npages)
{
	bool flush;

	spin_lock(&vm->mmu.lock);
	flush = svmx_zap_locked(vm, gfn, npages);
	spin_unlock(&vm->mmu.lock);
	if (flush)
		svmx_mmu_flush_all(vm);
}

/*
 * Apply @fn to the leaves of what a range of the VMM's addresses maps;
 * under the SRCU and mmu.lock.
 */
static bool svmx_hva_range_leaves(struct svmx_vm *vm, unsigned long start,
				  unsigned long end, bool (*fn)(u64 *leaf))
{
	struct svmx_memslots *slots;
	bool flush = false;
	unsigned int i;

	slots = srcu_dereference(vm->memslots, &vm->srcu);
	for (i = 0; i < slots->nr; i++) {
		const struct svmx_memslot *s = &slots->slot[i];
		unsigned long s_end = s->hva + (s->npages << PAGE_SHIFT);
		unsigned long lo = max(start, s->hva), hi = min(end, s_end);

		if (lo >= hi)
			continue;
		flush |= svmx_apply_to_leaves(vm, fn, s->base_gfn +
					    ((lo - s->hva) >> PAGE_SHIFT),
					    (PAGE_ALIGN(hi) - (lo & PAGE_MASK)) >>
					    PAGE_SHIFT);
	}
	return flush;
}

static struct svmx_vm *svmx_mn_to_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct svmx_vm, mmu.notifier);
}

static int svmx_mn_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct svmx_vm *vm = svmx_mn_to_vm(mn);
	bool flush;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	spin_lock(&vm->mmu.lock);
	vm->mmu.invalidate_busy++;
	flush = svmx_hva_range_leaves(vm, range->start, range->end,
				      svmx_leaf_zap);
	spin_unlock(&vm->mmu.lock);
	srcu_read_unlock(&vm->srcu, idx);
	if (flush)
		svmx_mmu_flush_all(vm);
	return 0;
}

static void svmx_mn_invalidate_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct svmx_vm *vm = svmx_mn_to_vm(mn);

	spin_lock(&vm->mmu.lock);
	vm->mmu.invalidate_seq++;
	vm->mmu.invalidate_busy--;
	spin_unlock(&vm->mmu.lock);
}

/* Age the guest mappings of [start, end); may run in atomic context. */
static bool svmx_mn_age(struct mmu_notifier *mn, unsigned long start,
			unsigned long end, bool (*fn)(u64 *leaf))
{
	struct svmx_vm *vm = svmx_mn_to_vm(mn);
	bool young;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	spin_lock(&vm->mmu.lock);
	young = svmx_hva_range_leaves(vm, start, end, fn);
	spin_unlock(&vm->mmu.lock);
	srcu_read_unlock(&vm->srcu, idx);
	return young;
}

static int svmx_mn_clear_flush_young(struct mmu_notifier *mn,
				     struct mm_struct *mm,
				     unsigned long start, unsigned long end)
{
	bool young = svmx_mn_age(mn, start, end, svmx_leaf_age);

	/* A cached translation would not set the accessed bit again. */
	if (young)
		svmx_mmu_flush_all(svmx_mn_to_vm(mn));
	return young;
}

/* Without the flush, as the host does for its own ptes (cheaper, inexact). */
static int svmx_mn_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
			       unsigned long start, unsigned long end)
{
	return svmx_mn_age(mn, start, end, svmx_leaf_age);
}

static int svmx_mn_test_young(struct mmu_notifier *mn, struct mm_struct *mm,
			      unsigned long address)
{
	return svmx_mn_age(mn, address, address + 1, svmx_leaf_young);
}

/* The process is exiting: nothing of its memory may stay mapped. */
static void svmx_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct svmx_vm *vm = svmx_mn_to_vm(mn);
	bool flush;

	spin_lock(&vm->mmu.lock);
	flush = svmx_zap_locked(vm, 0, 1ULL << (SVMX_GPA_BITS - PAGE_SHIFT));
	vm->mmu.invalidate_seq++;
	spin_unlock(&vm->mmu.lock);
	if (flush)
		svmx_mmu_flush_all(vm);
}

static const struct mmu_notifier_ops svmx_mmu_notifier_ops = {
	.invalidate_range_start	= svmx_mn_invalidate_start,
	.invalidate_range_end	= svmx_mn_invalidate_end,
	.clear_flush_young	= svmx_mn_clear_flush_young,
	.clear_young		= svmx_mn_clear_young,
	.test_young		= svmx_mn_test_young,
	.release		= svmx_mn_release,
};

/*
 * Look a guest frame's host page up for mapping it. Takes a page reference
 * that the caller drops. *writable says whether the page may be mapped
 * writable (it may be even for a read, when the host page already is).
 */
static int svmx_gfn_to_host_page(const struct svmx_memslot *s, u64 gfn,
				 bool write, struct page **page, bool *writable)
{
	unsigned long hva = s->hva + ((gfn - s->base_gfn) << PAGE_SHIFT);
	bool slot_writable = !(s->flags & KVM_MEM_READONLY);
	long n;

	/* A read of a writable slot: take the page writable if it is already. */
	if (!write && slot_writable &&
	    get_user_page_fast_only(hva, FOLL_WRITE, page)) {
		*writable = true;
		return 0;
	}
	n = get_user_pages_unlocked(hva, 1, page, write ? FOLL_WRITE : 0);
	if (n == 1) {
		*writable = write;
		return 0;
	}
	return n < 0 ? n : -EFAULT;
}

/**
 * svmx_tdp_fault() - resolve an EPT violation / nested page fault
 * @vcpu: the vCPU that faulted (in the VM's process, preemptible)
 * @gpa: the guest-physical address
 * @write: the access was a write
 * @fetch: the access was an instruction fetch
 *
 * Return: as an exit handler (vcpu.h): 1 to re-enter the guest (mapped, or
 * the host changed the page meanwhile and the guest faults again), 0 for an
 * MMIO exit to userspace, or a negative errno for KVM_RUN (-EFAULT when the
 * VMM's memory behind the slot is gone).
 */
int svmx_tdp_fault(struct svmx_vcpu *vcpu, u64 gpa, bool write, bool fetch)
{
	const struct svmx_tdp_format *fmt = svmx_backend->tdp;
	struct svmx_vm *vm = vcpu->vm;
	struct svmx_mmu_cache cache = {};
	const struct svmx_memslot *s;
	u64 gfn = gpa >> PAGE_SHIFT;
	struct page *page;
	unsigned long seq;
	bool writable;
	int idx, r;
	u64 *e;

	idx = srcu_read_lock(&vm->srcu);
	s = svmx_gfn_to_memslot(vm, gfn);
	if (!s || (write && (s->flags & KVM_MEM_READONLY)) ||
	    gpa >= svmx_tdp_reach()) {
		srcu_read_unlock(&vm->srcu, idx);
		if (fetch)
			/* Code cannot run from MMIO. */
			return svmx_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, gpa);
		return svmx_exit_mmio(vcpu, gpa);
	}

	r = svmx_mmu_cache_fill(&cache);
	if (r)
		goto out;

	seq = READ_ONCE(vm->mmu.invalidate_seq);
	/* Read the count before the host page tables (pairs with the lock). */
	smp_rmb();
	r = svmx_gfn_to_host_page(s, gfn, write, &page, &writable);
	if (r)
		goto out;

	spin_lock(&vm->mmu.lock);
	if (vm->mmu.invalidate_busy || vm->mmu.invalidate_seq != seq) {
		/* The host changed its page tables meanwhile: fault again. */
		spin_unlock(&vm->mmu.lock);
		put_page(page);
		r = 1;
		goto out;
	}
	e = svmx_tdp_leaf(vm, gpa, &cache);
	if (e)
		*e = page_to_phys(page) | fmt->leaf_bits | fmt->accessed |
		     (writable ? SVMX_PTE_WRITE : 0);
	spin_unlock(&vm->mmu.lock);

	if (writable)
		set_page_dirty_lock(page);
	put_page(page);
	r = e ? 1 : -ENOMEM;
out:
	svmx_mmu_cache_free(&cache);
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

int svmx_mmu_init(struct svmx_vm *vm)
{
	struct page *root;
	int r;

	spin_lock_init(&vm->mmu.lock);
	INIT_LIST_HEAD(&vm->mmu.pages);
	root = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!root)
		return -ENOMEM;
	list_add(&root->lru, &vm->mmu.pages);
	vm->mmu.root = page_address(root);
	vm->mmu.root_pa = page_to_phys(root);

	vm->mmu.notifier.ops = &svmx_mmu_notifier_ops;
	r = mmu_notifier_register(&vm->mmu.notifier, vm->mm);
	if (r) {
		list_del(&root->lru);
		__free_page(root);
		vm->mmu.root = NULL;
	}
	return r;
}

/* After the last vCPU is gone: nothing uses the tables any more. */
void svmx_mmu_destroy(struct svmx_vm *vm)
{
	struct page *p, *tmp;

	if (!vm->mmu.root)
		return;
	mmu_notifier_unregister(&vm->mmu.notifier, vm->mm);
	list_for_each_entry_safe(p, tmp, &vm->mmu.pages, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
	vm->mmu.root = NULL;
}
