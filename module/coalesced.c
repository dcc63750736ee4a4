// SPDX-License-Identifier: GPL-2.0
/*
 * Coalesced MMIO and PIO: KVM_REGISTER_COALESCED_MMIO and
 * KVM_UNREGISTER_COALESCED_MMIO.
 *
 * A guest write that lies wholly inside a registered zone (MMIO, or port
 * I/O for a zone with pio = 1) does not exit: it is appended to a ring that
 * userspace drains when it likes, typically at its next exit. The ring is
 * one page per VM (struct kvm_coalesced_mmio_ring), mapped by every vCPU fd
 * at KVM_COALESCED_MMIO_PAGE_OFFSET, so all vCPUs share it, as on KVM.
 *
 *   ring->first   the oldest entry; only userspace moves it
 *   ring->last    the next free entry; only svmx moves it
 *
 * One entry always stays free, so first == last means empty. When the ring
 * is full, the write exits as it would without the zone (KVM_EXIT_MMIO or
 * KVM_EXIT_IO). Reads never coalesce.
 *
 * The page is writable by userspace at any time: first and last are read
 * once each and checked, and a value out of range counts as a full ring (the
 * write exits normally); nothing is indexed with an unchecked value. The
 * zones and the kernel's side of the ring are protected by one spinlock,
 * which also orders the vCPUs' appends.
 */
#include <linux/kvm.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "svmx.h"
#include "vm.h"

/*
 * KVM keeps each zone as a device on its MMIO or PIO bus, and a bus takes
 * NR_IOBUS_DEVS (1000) devices; the next registration fails with ENOSPC.
 */
#define SVMX_COALESCED_ZONES_MAX	1000

#define SVMX_RING_MAX	KVM_COALESCED_MMIO_MAX

struct svmx_coalesced_zone {
	struct list_head list;
	u64 addr;
	u32 size;
	u32 pio;		/* 0: MMIO, 1: port I/O */
};

/*
 * Whether [addr, addr + len) lies inside @z. As on KVM, an access that
 * wraps around, or a zone that ends beyond 2^64, contains nothing.
 */
static bool svmx_zone_contains(const struct svmx_coalesced_zone *z, u64 addr,
			       u64 len)
{
	return addr >= z->addr && addr + len >= addr &&
	       addr + len <= z->addr + z->size;
}

/**
 * svmx_coalesced_write() - append guest writes to the ring if they coalesce
 * @vm: the VM
 * @pio: port I/O (else MMIO)
 * @addr: the guest-physical address or the port
 * @len: the size of each write, at most 8 bytes
 * @data: @count items of @len bytes
 * @count: how many writes (a string OUTS may bring several)
 *
 * Return: how many of the writes, from the first on, are now in the ring:
 * 0 when @addr is in no zone of its kind or the ring is full; the caller
 * hands the rest to userspace as an exit.
 */
unsigned int svmx_coalesced_write(struct svmx_vm *vm, bool pio, u64 addr,
				  unsigned int len, const void *data,
				  unsigned int count)
{
	struct svmx_coalesced *co = &vm->coalesced;
	struct kvm_coalesced_mmio_ring *ring = co->ring;
	const struct svmx_coalesced_zone *z;
	unsigned int i, n = 0;
	u32 first, last;
	bool found = false;

	if (!len || len > sizeof(ring->coalesced_mmio[0].data))
		return 0;

	spin_lock(&co->lock);
	list_for_each_entry(z, &co->zones, list) {
		if (z->pio == pio && svmx_zone_contains(z, addr, len)) {
			found = true;
			break;
		}
	}
	if (!found)
		goto out;

	first = READ_ONCE(ring->first);
	last = READ_ONCE(ring->last);
	if (first >= SVMX_RING_MAX || last >= SVMX_RING_MAX)
		goto out;
	/* The free entries, keeping one unused. */
	n = min_t(unsigned int, count,
		  (first + SVMX_RING_MAX - last - 1) % SVMX_RING_MAX);
	for (i = 0; i < n; i++) {
		struct kvm_coalesced_mmio *e =
			&ring->coalesced_mmio[(last + i) % SVMX_RING_MAX];

		e->phys_addr = addr;
		e->len = len;
		e->pio = pio;
		memset(e->data, 0, sizeof(e->data));
		memcpy(e->data, data + i * len, len);
	}
	/* Userspace reads an entry after it has seen last move past it. */
	smp_wmb();
	WRITE_ONCE(ring->last, (last + n) % SVMX_RING_MAX);
out:
	spin_unlock(&co->lock);
	return n;
}

static long svmx_coalesced_register(struct svmx_vm *vm,
				    const struct kvm_coalesced_mmio_zone *zone)
{
	struct svmx_coalesced *co = &vm->coalesced;
	struct svmx_coalesced_zone *z;
	long r = 0;

	if (zone->pio > 1)
		return -EINVAL;
	z = kzalloc(sizeof(*z), GFP_KERNEL_ACCOUNT);
	if (!z)
		return -ENOMEM;
	z->addr = zone->addr;
	z->size = zone->size;
	z->pio = zone->pio;

	/* As on KVM: any address and size, overlaps and duplicates too. */
	spin_lock(&co->lock);
	if (co->nr_zones[z->pio] >= SVMX_COALESCED_ZONES_MAX) {
		r = -ENOSPC;
	} else {
		list_add_tail(&z->list, &co->zones);
		co->nr_zones[z->pio]++;
	}
	spin_unlock(&co->lock);
	if (r)
		kfree(z);
	return r;
}

/*
 * KVM 6.1 removes every zone of the same kind that contains the range
 * given (not the zones the range contains), and succeeds when there is
 * none. Its check takes the size as an int: from 2 GiB on, no zone matches.
 */
static long svmx_coalesced_unregister(struct svmx_vm *vm,
				      const struct kvm_coalesced_mmio_zone *zone)
{
	struct svmx_coalesced *co = &vm->coalesced;
	struct svmx_coalesced_zone *z, *tmp;
	LIST_HEAD(gone);

	if (zone->pio > 1)
		return -EINVAL;
	if (zone->size > INT_MAX)
		return 0;

	spin_lock(&co->lock);
	list_for_each_entry_safe(z, tmp, &co->zones, list) {
		if (z->pio == zone->pio &&
		    svmx_zone_contains(z, zone->addr, zone->size)) {
			list_move(&z->list, &gone);
			co->nr_zones[z->pio]--;
		}
	}
	spin_unlock(&co->lock);

	list_for_each_entry_safe(z, tmp, &gone, list)
		kfree(z);
	return 0;
}

/* KVM_REGISTER_COALESCED_MMIO, KVM_UNREGISTER_COALESCED_MMIO */
long svmx_coalesced_ioctl(struct svmx_vm *vm, unsigned int ioctl,
			  void __user *argp)
{
	struct kvm_coalesced_mmio_zone zone;

	if (copy_from_user(&zone, argp, sizeof(zone)))
		return -EFAULT;
	if (ioctl == KVM_REGISTER_COALESCED_MMIO)
		return svmx_coalesced_register(vm, &zone);
	return svmx_coalesced_unregister(vm, &zone);
}

int svmx_coalesced_init(struct svmx_vm *vm)
{
	struct svmx_coalesced *co = &vm->coalesced;

	BUILD_BUG_ON(SVMX_COALESCED_MMIO_PAGE_OFFSET !=
		     KVM_COALESCED_MMIO_PAGE_OFFSET);
	co->ring_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!co->ring_page)
		return -ENOMEM;
	co->ring = page_address(co->ring_page);
	spin_lock_init(&co->lock);
	INIT_LIST_HEAD(&co->zones);
	return 0;
}

/* With the VM: no vCPU runs, no ioctl is in progress. */
void svmx_coalesced_destroy(struct svmx_vm *vm)
{
	struct svmx_coalesced *co = &vm->coalesced;
	struct svmx_coalesced_zone *z, *tmp;

	list_for_each_entry_safe(z, tmp, &co->zones, list)
		kfree(z);
	/* A vCPU mapping that outlives the VM holds its own reference. */
	__free_page(co->ring_page);
}
