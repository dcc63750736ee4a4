/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx core: what the vendor-neutral parts of the module share.
 *
 * The module is split by concern:
 *   main.c       load/unload, backend choice, module parameters
 *   dev.c        the /dev/svmx misc device and its system ioctls
 *   vm.c         a VM: its anonymous fd and VM ioctls
 *   caps.c       KVM_CHECK_EXTENSION answers
 *   cpu_virt.c   turning VMX/SVM on and off per CPU while VMs exist
 *   emergency.c  reboot, suspend, crash paths
 *   debugfs.c    /sys/kernel/debug/svmx/
 *   memslot.c mmu.c gpt_walk.c   guest memory (vm.h)
 *   vcpu.c run.c regs.c events.c cpuid.c msr.c pio.c mmio.c   vCPUs (vcpu.h)
 *   emulate.c    the instruction emulator behind MMIO exits
 *   vmx*.c svm*.c  the two backends, behind struct svmx_backend and
 *                struct svmx_vcpu_ops
 *
 * The core never includes a vendor's definitions header; everything it
 * needs from a backend goes through struct svmx_backend.
 */
#ifndef SVMX_H
#define SVMX_H

#include <linux/types.h>
#include <linux/fs.h>

struct mm_struct;
struct page;
struct svmx_vcpu_ops;

/**
 * struct svmx_tdp_format - the guest-physical page-table format (EPT or NPT)
 * @levels:	 4, or 5 for NPT on a host with 5-level paging
 * @table_bits:	 the flags of an entry that points to a table
 * @leaf_bits:	 the flags of a read-only, executable 4 KiB leaf; the write
 *		 bit (bit 1 in both formats) is added for writable pages
 * @accessed:	 the bit the CPU sets in a leaf it used, 0 if it sets none
 */
struct svmx_tdp_format {
	int levels;
	u64 table_bits;
	u64 leaf_bits;
	u64 accessed;
};

/**
 * struct svmx_backend - one hardware virtualization extension (VMX or SVM)
 * @name:		"vmx" or "svm", as shown in the log and parameters
 * @probe:		check every hardware requirement on the boot CPU; print
 *			each missing one on its own line; return 0, -ENODEV
 *			(feature absent) or -EPERM (disabled by firmware)
 * @init:		allocate what each possible CPU needs (VMXON region,
 *			host save area); called once after a successful probe
 * @exit:		free what @init allocated
 * @cpu_enable:		turn the extension on for the calling CPU; runs with
 *			interrupts off; -EBUSY if another hypervisor owns it
 * @cpu_disable:	undo @cpu_enable on the calling CPU; interrupts off
 * @cpu_hw_enabled:	read the hardware (CR4.VMXE, EFER.SVME) on the
 *			calling CPU: is the extension on, whoever turned it on
 * @emergency_disable:	turn the extension off on the calling CPU from a
 *			crash or NMI context, whoever turned it on; NULL if the
 *			kernel already does this itself for this vendor
 * @cpu_going_down:	the calling CPU is about to turn the extension off
 *			(offline, suspend): forget vCPU state loaded there
 * @tdp:		the format of the guest-physical page tables
 * @vcpu:		the vCPU operations (vcpu.h)
 */
struct svmx_backend {
	const char *name;
	int (*probe)(void);
	int (*init)(void);
	void (*exit)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	bool (*cpu_hw_enabled)(void);
	void (*emergency_disable)(void);
	void (*cpu_going_down)(void);
	const struct svmx_tdp_format *tdp;
	const struct svmx_vcpu_ops *vcpu;
};

extern const struct svmx_backend svmx_vmx_backend;
extern const struct svmx_backend svmx_svm_backend;

/* The backend chosen at load; never NULL while the module is live. */
extern const struct svmx_backend *svmx_backend;

/* What the hardware offers, shown read-only in /sys/module/svmx/parameters. */
struct svmx_hw_features {
	bool ept;
	bool vpid;
	bool unrestricted_guest;
	bool npt;
	/* Not a parameter: guests get a working RDTSCP (cpuid.c offers it). */
	bool rdtscp;
};

extern struct svmx_hw_features svmx_hw;

/* dev.c */
int svmx_dev_register(void);
void svmx_dev_unregister(void);

/* vm.c */
int svmx_vm_create(unsigned long type);

/* dev.c: the size of the vCPU fd's mmap (run page, PIO page, MMIO ring) */
#define SVMX_VCPU_MMAP_PAGES	3
#define SVMX_PIO_PAGE_OFFSET	1
#define SVMX_COALESCED_MMIO_PAGE_OFFSET	2

/* caps.c */
long svmx_check_extension(long cap);

/* cpu_virt.c */
int svmx_cpu_virt_init(void);
void svmx_cpu_virt_exit(void);
int svmx_virt_get(void);
void svmx_virt_put(void);
void svmx_virt_disable_all_for_reboot(void);
void svmx_virt_suspend_this_cpu(void);
void svmx_virt_resume_this_cpu(void);
bool svmx_virt_this_cpu_on(void);
unsigned int svmx_virt_users(void);
int svmx_alloc_cpu_pages(struct page *__percpu *pages, u32 first_word);
void svmx_free_cpu_pages(struct page *__percpu *pages);

/* emergency.c */
int svmx_emergency_init(void);
void svmx_emergency_exit(void);

/* debugfs.c */
void svmx_debugfs_init(void);
void svmx_debugfs_exit(void);

#endif /* SVMX_H */
