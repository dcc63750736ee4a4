// SPDX-License-Identifier: GPL-2.0
/*
 * Memslots: KVM_SET_USER_MEMORY_REGION and guest-physical lookups.
 *
 * The slot table is copied, changed and published whole (RCU style, under
 * the VM's SRCU so readers may sleep). A slot that is deleted or moved has
 * its guest-physical mappings zapped once no reader can see it any more.
 * The checks and their errors follow KVM (api.rst 4.35 and
 * virt/kvm/kvm_main.c's observable behaviour):
 *   - flags other than KVM_MEM_READONLY (and KVM_MEM_LOG_DIRTY_PAGES, not yet
 *     supported): -EINVAL
 *   - guest address or size not page aligned, userspace address not page
 *     aligned or not accessible: -EINVAL
 *   - slot id (low 16 bits) >= KVM_CAP_NR_MEMSLOTS, address space != 0: -EINVAL
 *   - more than 2^31 - 1 pages, or a guest range that wraps: -EINVAL
 *   - a new or moved slot overlapping another: -EEXIST
 *   - changing an existing slot's size, userspace address or read-only
 *     flag other than by deleting it first: -EINVAL
 *   - deleting a slot that does not exist: -EINVAL
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "svmx.h"
#include "vm.h"

#define SVMX_MEMSLOT_MAX_PAGES	((1ULL << 31) - 1)

static struct svmx_memslots *svmx_memslots_alloc(unsigned int nr)
{
	return kvzalloc(struct_size_t(struct svmx_memslots, slot, nr),
			GFP_KERNEL_ACCOUNT);
}

int svmx_memslots_init(struct svmx_vm *vm)
{
	struct svmx_memslots *slots = svmx_memslots_alloc(0);

	if (!slots)
		return -ENOMEM;
	RCU_INIT_POINTER(vm->memslots, slots);
	return 0;
}

void svmx_memslots_destroy(struct svmx_vm *vm)
{
	kvfree(rcu_dereference_protected(vm->memslots, 1));
}

static struct svmx_memslots *svmx_memslots(struct svmx_vm *vm)
{
	return srcu_dereference_check(vm->memslots, &vm->srcu,
				      lockdep_is_held(&vm->lock));
}

static int svmx_cmp_slot(const void *a, const void *b)
{
	const struct svmx_memslot *x = a, *y = b;

	if (x->base_gfn < y->base_gfn)
		return -1;
	return x->base_gfn > y->base_gfn;
}

/**
 * svmx_gfn_to_memslot() - the slot that holds a guest frame
 * @vm: the VM
 * @gfn: guest frame number
 *
 * Call under srcu_read_lock(&vm->srcu) (or vm->lock); the slot stays valid
 * until then.
 *
 * Return: the slot, or NULL when @gfn is in no slot.
 */
const struct svmx_memslot *svmx_gfn_to_memslot(struct svmx_vm *vm, u64 gfn)
{
	struct svmx_memslots *slots = svmx_memslots(vm);
	unsigned int lo = 0, hi = slots->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct svmx_memslot *s = &slots->slot[mid];

		if (gfn < s->base_gfn)
			hi = mid;
		else if (gfn >= s->base_gfn + s->npages)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

static int svmx_find_slot_id(struct svmx_memslots *slots, u32 id)
{
	unsigned int i;

	for (i = 0; i < slots->nr; i++)
		if (slots->slot[i].id == id)
			return i;
	return -1;
}

static bool svmx_overlaps(struct svmx_memslots *slots, u32 id, u64 gfn,
			  u64 npages)
{
	unsigned int i;

	for (i = 0; i < slots->nr; i++) {
		const struct svmx_memslot *s = &slots->slot[i];

		if (s->id == id)
			continue;
		if (gfn < s->base_gfn + s->npages && s->base_gfn < gfn + npages)
			return true;
	}
	return false;
}

/**
 * svmx_set_user_memory_region() - KVM_SET_USER_MEMORY_REGION
 * @vm: the VM
 * @mem: the region, copied from userspace
 *
 * Return: 0 or a negative errno as KVM returns it (see the top of the file).
 */
int svmx_set_user_memory_region(struct svmx_vm *vm,
				const struct kvm_userspace_memory_region *mem)
{
	struct svmx_memslots *old, *new;
	struct svmx_memslot zap = {};
	u32 id = mem->slot & 0xffff;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	u64 gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	bool do_zap = false;
	int idx, r;

	if (mem->flags & ~KVM_MEM_READONLY)
		return -EINVAL;
	if ((mem->memory_size & ~PAGE_MASK) ||
	    (mem->guest_phys_addr & ~PAGE_MASK) ||
	    (mem->userspace_addr & ~PAGE_MASK))
		return -EINVAL;
	/* Only address space 0 exists on svmx (no SMM). */
	if ((mem->slot >> 16) || id >= SVMX_NR_MEMSLOTS)
		return -EINVAL;
	if (!access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr ||
	    npages > SVMX_MEMSLOT_MAX_PAGES)
		return -EINVAL;

	mutex_lock(&vm->lock);
	old = rcu_dereference_protected(vm->memslots,
					lockdep_is_held(&vm->lock));
	idx = svmx_find_slot_id(old, id);

	if (!npages) {
		r = -EINVAL;
		if (idx < 0)
			goto out;
		new = svmx_memslots_alloc(old->nr - 1);
		r = -ENOMEM;
		if (!new)
			goto out;
		zap = old->slot[idx];
		do_zap = true;
		memcpy(new->slot, old->slot, idx * sizeof(old->slot[0]));
		memcpy(&new->slot[idx], &old->slot[idx + 1],
		       (old->nr - idx - 1) * sizeof(old->slot[0]));
		new->nr = old->nr - 1;
		goto publish;
	}

	if (idx >= 0) {
		const struct svmx_memslot *s = &old->slot[idx];

		/* Resizing and remapping need a delete first. */
		r = -EINVAL;
		if (s->npages != npages || s->flags != mem->flags ||
		    s->hva != mem->userspace_addr)
			goto out;
		if (s->base_gfn == gfn) {
			r = 0;
			goto out;
		}
	}
	r = -EEXIST;
	if (svmx_overlaps(old, id, gfn, npages))
		goto out;

	new = svmx_memslots_alloc(old->nr + (idx < 0));
	r = -ENOMEM;
	if (!new)
		goto out;
	memcpy(new->slot, old->slot, old->nr * sizeof(old->slot[0]));
	new->nr = old->nr;
	if (idx < 0) {
		idx = new->nr++;
	} else {
		/* A move: the old place's mappings go. */
		zap = old->slot[idx];
		do_zap = true;
	}
	new->slot[idx] = (struct svmx_memslot) {
		.id = id,
		.flags = mem->flags,
		.base_gfn = gfn,
		.npages = npages,
		.hva = mem->userspace_addr,
	};
	sort(new->slot, new->nr, sizeof(new->slot[0]), svmx_cmp_slot, NULL);

publish:
	rcu_assign_pointer(vm->memslots, new);
	synchronize_srcu_expedited(&vm->srcu);
	if (do_zap)
		svmx_mmu_zap_gfn_range(vm, zap.base_gfn, zap.npages);
	kvfree(old);
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* Copy to or from guest memory through the slots; -EFAULT outside them. */
static int svmx_guest_copy(struct svmx_vm *vm, u64 gpa, void *data,
			   unsigned int len, bool write)
{
	int idx, r = 0;

	idx = srcu_read_lock(&vm->srcu);
	while (len) {
		u64 gfn = gpa >> PAGE_SHIFT;
		unsigned int off = offset_in_page(gpa);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		const struct svmx_memslot *s = svmx_gfn_to_memslot(vm, gfn);
		void __user *p;

		if (!s || (write && (s->flags & KVM_MEM_READONLY))) {
			r = -EFAULT;
			break;
		}
		p = (void __user *)(s->hva + ((gfn - s->base_gfn) << PAGE_SHIFT) +
				    off);
		if (write ? copy_to_user(p, data, n) : copy_from_user(data, p, n)) {
			r = -EFAULT;
			break;
		}
		gpa += n;
		data += n;
		len -= n;
	}
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

/**
 * svmx_read_guest() - copy from guest-physical memory
 * @vm: the VM; the caller runs in its process
 * @gpa: guest-physical address
 * @data: destination
 * @len: bytes
 *
 * Return: 0, or -EFAULT if a byte is outside every slot.
 */
int svmx_read_guest(struct svmx_vm *vm, u64 gpa, void *data, unsigned int len)
{
	return svmx_guest_copy(vm, gpa, data, len, false);
}

/**
 * svmx_write_guest() - copy to guest-physical memory
 * @vm: the VM; the caller runs in its process
 * @gpa: guest-physical address
 * @data: source
 * @len: bytes
 *
 * Return: 0, or -EFAULT if a byte is outside every writable slot.
 */
int svmx_write_guest(struct svmx_vm *vm, u64 gpa, const void *data,
		     unsigned int len)
{
	return svmx_guest_copy(vm, gpa, (void *)data, len, true);
}
