/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest library: VMs whose guest code is a C function of the test binary.
 *
 * vm_create() makes a VM on the device under test (test_open_dev()) with
 * one memory slot, slot 0, of anonymous memory at guest-physical 0. Into it
 * go the binary's own PT_LOAD segments, at guest-physical addresses equal to
 * their link addresses (the binary is static and not position-independent),
 * copied from the running process: the guest starts with the test's code
 * and a snapshot of its globals. 4-level page tables identity-map slot 0
 * (guest-virtual == guest-physical), so a pointer to code, a global or a
 * string means the same in the guest as on the host. Pages the library
 * allocates (page tables, GDT, IDT, TSS, stacks) come from the free part of
 * slot 0 below the image.
 *
 * vm_add_vcpu() gives a vCPU KVM_GET_SUPPORTED_CPUID's table (KVM_SET_CPUID2)
 * and 64-bit long mode: flat segments from the library's GDT, an IDT whose
 * handlers report unexpected exceptions as a ucall (vector, error code, RIP,
 * CR2), its own stack, and RIP at the guest function, which gets its
 * arguments in RDI, RSI, RDX, RCX (vcpu_args_set()).
 *
 * Host helpers assert (TEST_ASSERT, svmx_test.h): on failure they print
 * where, why and errno, then end the test. The helpers named with a leading
 * underscore return the ioctl's result instead.
 */
#ifndef SVMX_GUEST_H
#define SVMX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "guest_rt.h"
#include "svmx_test.h"
#include "processor.h"
#include "ucall.h"

#define GUEST_PAGE_SIZE		4096ULL
#define VM_MAX_SLOTS		64
#define VM_MAX_VCPUS		8
#define GUEST_STACK_PAGES	8

/* A slot the library knows about (vm_add_slot() or vm_create()). */
struct vm_slot {
	bool used;
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

struct vm {
	int dev_fd;			/* the device under test */
	int fd;
	size_t run_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	struct vm_slot slots[VM_MAX_SLOTS];
	/* Page allocator over slot 0: one byte per page, 1 = in use. */
	uint8_t *page_used;
	uint64_t npages;
	uint64_t pml4;			/* 0 until the first mapping */
	uint64_t gdt, idt, tss;		/* guest addresses (identity) */
	struct vcpu *vcpus[VM_MAX_VCPUS];
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	uint64_t stack_top;		/* guest address */
};

/* --- VMs and memory --- */

/* A VM with slot 0 and the test's image, no vCPU. */
struct vm *vm_create(void);
/* The same and one vCPU (id 0) that will run @guest_code. */
struct vm *vm_create_with_vcpu(struct vcpu **vcpu, void *guest_code);
/* A VM with no memory at all (for tests of memory slots themselves). */
struct vm *vm_create_bare(void);
void vm_free(struct vm *vm);

/* KVM_SET_USER_MEMORY_REGION, raw: 0 or -1 with errno. */
int _vm_set_memory_region(struct vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva);
void vm_set_memory_region(struct vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva);
/*
 * A new slot of @size bytes of zeroed anonymous memory at @gpa, recorded so
 * that vm_gpa_to_hva() finds it; returns its host address. Not mapped in
 * the guest's page tables: see vm_identity_map().
 */
void *vm_add_slot(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size);
/* Move a recorded slot to @gpa / delete it (KVM_SET_USER_MEMORY_REGION). */
void vm_move_slot(struct vm *vm, uint32_t slot, uint64_t gpa);
void vm_delete_slot(struct vm *vm, uint32_t slot);

/* Host address of guest-physical @gpa; fails the test if no slot has it. */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa);
/* Walk the guest's page tables; fails the test if @gva is not mapped. */
uint64_t vm_gva_to_gpa(struct vm *vm, uint64_t gva);
void *vm_gva_to_hva(struct vm *vm, uint64_t gva);

/* Allocate @n zeroed, contiguous pages of slot 0; returns their address. */
uint64_t vm_alloc_pages(struct vm *vm, uint64_t n);
/* Map guest-virtual @gva to guest-physical @gpa, @size bytes (4 KiB pages). */
void vm_map(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t size);
/* vm_map() with gva == gpa: how the library maps everything. */
void vm_identity_map(struct vm *vm, uint64_t gpa, uint64_t size);
void vm_unmap(struct vm *vm, uint64_t gva, uint64_t size);
/* Copy to / from guest-virtual memory (through the page tables). */
void vm_read_gva(struct vm *vm, uint64_t gva, void *buf, size_t len);
void vm_write_gva(struct vm *vm, uint64_t gva, const void *buf, size_t len);

/* Copy a global of the test between host and guest (same address). */
#define vm_sync_to_guest(vm, var)					\
	memcpy(vm_gva_to_hva(vm, (uint64_t)&(var)), &(var), sizeof(var))
#define vm_sync_from_guest(vm, var)					\
	memcpy(&(var), vm_gva_to_hva(vm, (uint64_t)&(var)), sizeof(var))

/* Install @handler (guest code) for exceptions with vector @vector. */
void vm_install_exception_handler(struct vm *vm, int vector,
				  guest_exception_handler_t handler);

/* The KVM form of the library's GDT entry @sel (GUEST_SEL_*). */
void vm_guest_segment(struct vm *vm, uint16_t sel, struct kvm_segment *seg);
uint64_t vm_gdt_limit(void);

/* KVM_CHECK_EXTENSION on the VM fd. */
int vm_check_cap(struct vm *vm, long cap);

/* --- vCPUs --- */

/* KVM_CREATE_VCPU, CPUID, long mode, stack, RIP = @guest_code. */
struct vcpu *vm_add_vcpu(struct vm *vm, int id, void *guest_code);
/* KVM_CREATE_VCPU and the run mapping only: the vCPU's reset state. */
struct vcpu *vm_add_vcpu_bare(struct vm *vm, int id);

/*
 * Set the guest function's first @n (<= 4) integer arguments; pass each as
 * a 64-bit value (uint64_t, a cast pointer, 1ULL).
 */
void vcpu_args_set(struct vcpu *vcpu, int n, ...);

/* KVM_RUN once: the ioctl's result (0 or -1 with errno). */
int _vcpu_run(struct vcpu *vcpu);
/* KVM_RUN once; fails the test if the ioctl fails. */
void vcpu_run(struct vcpu *vcpu);

/* The ucall the vCPU's current exit is (UCALL_NONE: not a ucall). */
int get_ucall(struct vcpu *vcpu, struct ucall *uc);
/*
 * Run to the guest's next GUEST_SYNC or GUEST_DONE and return its command:
 * printed GUEST_PRINTF lines are passed over; any other exit, a
 * GUEST_ASSERT failure or an unexpected exception fails the test.
 */
int vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc);
/*
 * The current exit as vcpu_run_ucall() sees it: returns UCALL_SYNC,
 * UCALL_DONE or UCALL_PRINT (the line printed); fails the test otherwise.
 */
int vcpu_check_ucall(struct vcpu *vcpu, struct ucall *uc);
/* vcpu_run_ucall() expecting GUEST_SYNC: returns its value. */
uint64_t vcpu_run_sync(struct vcpu *vcpu);
/* vcpu_run_ucall() expecting GUEST_DONE. */
void vcpu_run_done(struct vcpu *vcpu);
/* Fail the test with what @uc says (a guest assertion or exception). */
void ucall_report(const struct ucall *uc) __attribute__((noreturn));

/* Fails the test unless the last exit is @reason. */
void vcpu_assert_exit(struct vcpu *vcpu, uint32_t reason);
const char *exit_reason_name(uint32_t reason);
/*
 * Fails the test unless the last exit is KVM_EXIT_IO with these fields
 * (@count 0: any) and its data lies inside the vCPU's mapping; returns the
 * data (io.data_offset into struct kvm_run).
 */
void *vcpu_assert_io(struct vcpu *vcpu, uint8_t direction, uint16_t port,
		     uint8_t size, uint32_t count);

void vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
void vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
void vcpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs);
int _vcpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs);
void vcpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs);

/* KVM_GET_MSRS / KVM_SET_MSRS of one MSR; raw forms return the count. */
int _vcpu_get_msr(struct vcpu *vcpu, uint32_t index, uint64_t *val);
int _vcpu_set_msr(struct vcpu *vcpu, uint32_t index, uint64_t val);
uint64_t vcpu_get_msr(struct vcpu *vcpu, uint32_t index);
void vcpu_set_msr(struct vcpu *vcpu, uint32_t index, uint64_t val);

/* --- CPUID --- */

/* KVM_GET_SUPPORTED_CPUID of the device under test (malloc'd, a copy). */
struct kvm_cpuid2 *dev_supported_cpuid(void);
/* KVM_GET_CPUID2 of the vCPU (malloc'd). */
struct kvm_cpuid2 *vcpu_get_cpuid(struct vcpu *vcpu);
int _vcpu_set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid);
void vcpu_set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid);
/* The entry for @function/@index, or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid,
				    uint32_t function, uint32_t index);
/* The register @reg ('a'..'d') of @e. */
uint32_t *cpuid_reg(struct kvm_cpuid_entry2 *e, char reg);
/* Does the supported CPUID have bit @bit of register @reg ('a'..'d')? */
bool dev_has_cpuid_bit(uint32_t function, uint32_t index, char reg, int bit);

/* --- Other processor modes, for guest code written in assembly --- */

/*
 * Real mode: CS = @cs (base cs << 4), IP = @ip, the other data segments
 * like CS, SS:SP = 0:@sp, paging and protection off.
 */
void vcpu_set_real_mode(struct vcpu *vcpu, uint16_t cs, uint16_t ip,
			uint16_t sp);
/*
 * 32-bit protected mode without paging: flat 4 GiB segments from the
 * library's GDT, EIP = @eip, ESP = @esp.
 */
void vcpu_set_protected_mode(struct vcpu *vcpu, uint32_t eip, uint32_t esp);
/* Copy the bytes [@start, @end) to guest-physical @gpa. */
void vm_load_blob(struct vm *vm, uint64_t gpa, const void *start,
		  const void *end);

#endif
