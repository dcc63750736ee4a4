/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM and its guest memory, as the vendor-neutral core sees them.
 *
 *   struct svmx_vm        one KVM_CREATE_VM: its vCPUs, its memslots and the
 *                         guest-physical page tables (EPT or NPT) of mmu.c
 *   struct svmx_memslots  the table of KVM_SET_USER_MEMORY_REGION slots; it is
 *                         replaced as a whole on every change and read under
 *                         the VM's SRCU, so a fault can sleep while it looks
 *                         a guest frame up
 *   struct svmx_coalesced the coalesced MMIO/PIO zones and their ring page
 */
#ifndef SVMX_VM_H
#define SVMX_VM_H

#include <linux/kref.h>
#include <linux/kvm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/types.h>

struct svmx_vcpu;
struct svmx_irqchip;

/* KVM_CAP_NR_MEMSLOTS: the slots userspace may use (ids 0..N-1). */
#define SVMX_NR_MEMSLOTS	509
/* KVM_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPU_ID. */
#define SVMX_MAX_VCPUS		64
#define SVMX_MAX_VCPU_ID	SVMX_MAX_VCPUS

/* Guest-physical addresses the paging structures can express (52 bits). */
#define SVMX_GPA_BITS		52

struct svmx_memslot {
	u32 id;
	u32 flags;		/* KVM_MEM_READONLY */
	u64 base_gfn;
	u64 npages;
	unsigned long hva;	/* userspace_addr */
};

/* Sorted by base_gfn; never changed once published. */
struct svmx_memslots {
	unsigned int nr;
	struct svmx_memslot slot[];
};

/*
 * struct svmx_mmu - the guest-physical page tables of one VM (mmu.c)
 * @lock:		protects the tables and the two invalidation fields
 * @root:		the top-level table (PML4 of the EPT or nested page
 *			tables), one page
 * @root_pa:		its physical address
 * @pages:		every table page, for freeing
 * @invalidate_seq:	bumped when a host-side invalidation ends; a fault
 *			that saw another value before it looked the page up
 *			retries
 * @invalidate_busy:	invalidations in progress; faults retry meanwhile
 * @notifier:		the MMU notifier on the VM's mm
 */
struct svmx_mmu {
	spinlock_t lock;
	u64 *root;
	phys_addr_t root_pa;
	struct list_head pages;
	unsigned long invalidate_seq;
	unsigned int invalidate_busy;
	struct mmu_notifier notifier;
};

/*
 * struct svmx_coalesced - coalesced MMIO and PIO (coalesced.c)
 * @lock:	protects @zones, @nr_zones and svmx's side of the ring (last)
 * @ring:	the ring, shared with userspace through every vCPU's mmap
 * @ring_page:	its page
 * @zones:	the registered zones, in registration order
 * @nr_zones:	how many there are: [0] MMIO, [1] PIO
 */
struct svmx_coalesced {
	spinlock_t lock;
	struct kvm_coalesced_mmio_ring *ring;
	struct page *ring_page;
	struct list_head zones;
	unsigned int nr_zones[2];
};

struct svmx_vm {
	/* The VM fd and each vCPU fd hold one. */
	struct kref refs;
	/* The process that created the VM; only it may use the VM fd. */
	struct mm_struct *mm;
	/* Serializes vCPU creation and memslot changes. */
	struct mutex lock;

	struct srcu_struct srcu;
	struct svmx_memslots __rcu *memslots;

	struct svmx_mmu mmu;
	struct svmx_coalesced coalesced;

	/* vcpus[0..nr_vcpus) are set; nr_vcpus is published with release. */
	unsigned int nr_vcpus;
	struct svmx_vcpu *vcpus[SVMX_MAX_VCPUS];

	u64 tss_addr;
	u64 identity_map_addr;
	/*
	 * KVM_CREATE_IRQCHIP's PICs and IOAPIC (irqchip.c); with them every
	 * vCPU has an in-kernel local APIC (apic.c).
	 */
	struct svmx_irqchip *irqchip;
};

/* memslot.c */
int svmx_memslots_init(struct svmx_vm *vm);
void svmx_memslots_destroy(struct svmx_vm *vm);
int svmx_set_user_memory_region(struct svmx_vm *vm,
				const struct kvm_userspace_memory_region *mem);
const struct svmx_memslot *svmx_gfn_to_memslot(struct svmx_vm *vm, u64 gfn);
int svmx_read_guest(struct svmx_vm *vm, u64 gpa, void *data, unsigned int len);
int svmx_write_guest(struct svmx_vm *vm, u64 gpa, const void *data,
		     unsigned int len);

/* mmu.c */
int svmx_mmu_init(struct svmx_vm *vm);
void svmx_mmu_destroy(struct svmx_vm *vm);
void svmx_mmu_zap_gfn_range(struct svmx_vm *vm, u64 gfn, u64 npages);

/* coalesced.c */
int svmx_coalesced_init(struct svmx_vm *vm);
void svmx_coalesced_destroy(struct svmx_vm *vm);
long svmx_coalesced_ioctl(struct svmx_vm *vm, unsigned int ioctl,
			  void __user *argp);
unsigned int svmx_coalesced_write(struct svmx_vm *vm, bool pio, u64 addr,
				  unsigned int len, const void *data,
				  unsigned int count);

/* vm.c */
void svmx_vm_put(struct svmx_vm *vm);
void svmx_vm_kick_all(struct svmx_vm *vm, unsigned int request);

#endif /* SVMX_VM_H */
