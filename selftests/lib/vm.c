// SPDX-License-Identifier: GPL-2.0
/*
 * VMs of the guest library (see guest.h): in order,
 *   - creation and memory slots;
 *   - slot 0's page allocator;
 *   - loading the test binary's own image;
 *   - the guest's 4-level page tables (identity map);
 *   - the GDT, TSS and IDT every vCPU shares.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define PAGE_MASK	(~(GUEST_PAGE_SIZE - 1))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define SZ_2M		(2ULL << 20)

/* Free space in slot 0 above the image, for tests' own allocations. */
#define SLOT0_EXTRA	SZ_2M

/* GDT layout (selectors in processor.h); the TSS follows in the same page. */
#define GDT_ENTRIES	6
#define TSS_OFFSET	0x800
#define TSS_SIZE	0x68	/* 64-bit TSS, SDM Vol. 3A 8.7 */

/* --- Creation and memory slots --- */

static struct vm *vm_new(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int size;

	TEST_ASSERT(vm, "calloc");
	vm->dev_fd = test_open_dev(O_RDWR);
	TEST_ASSERT(vm->dev_fd >= 0, "open %s", test_dev_path());
	vm->fd = ioctl(vm->dev_fd, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "KVM_CREATE_VM");
	size = ioctl(vm->dev_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	TEST_ASSERT(size >= (int)sizeof(struct kvm_run),
		    "KVM_GET_VCPU_MMAP_SIZE returned %d", size);
	vm->run_size = size;
	return vm;
}

struct vm *vm_create_bare(void)
{
	return vm_new();
}

void vm_free(struct vm *vm)
{
	int i;

	for (i = 0; i < VM_MAX_VCPUS; i++) {
		struct vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		munmap(vcpu->run, vm->run_size);
		close(vcpu->fd);
		free(vcpu);
	}
	close(vm->fd);
	close(vm->dev_fd);
	for (i = 0; i < VM_MAX_SLOTS; i++)
		if (vm->slots[i].used)
			munmap(vm->slots[i].hva, vm->slots[i].size);
	free(vm->page_used);
	free(vm);
}

int vm_check_cap(struct vm *vm, long cap)
{
	return ioctl(vm->fd, KVM_CHECK_EXTENSION, cap);
}

int _vm_set_memory_region(struct vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
}

void vm_set_memory_region(struct vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva)
{
	int r = _vm_set_memory_region(vm, slot, flags, gpa, size, hva);

	TEST_ASSERT(r == 0, "KVM_SET_USER_MEMORY_REGION slot %u flags %#x gpa %#lx size %#lx",
		    slot, flags, gpa, size);
}

static struct vm_slot *slot_find(struct vm *vm, uint32_t slot)
{
	for (int i = 0; i < VM_MAX_SLOTS; i++)
		if (vm->slots[i].used && vm->slots[i].slot == slot)
			return &vm->slots[i];
	return NULL;
}

void *vm_add_slot(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size)
{
	struct vm_slot *s = NULL;
	void *hva;

	TEST_ASSERT(!slot_find(vm, slot), "slot %u exists", slot);
	for (int i = 0; i < VM_MAX_SLOTS && !s; i++)
		if (!vm->slots[i].used)
			s = &vm->slots[i];
	TEST_ASSERT(s, "more than %d slots", VM_MAX_SLOTS);
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(hva != MAP_FAILED, "mmap %#lx bytes", size);
	vm_set_memory_region(vm, slot, flags, gpa, size, hva);
	*s = (struct vm_slot){ .used = true, .slot = slot, .flags = flags,
			       .gpa = gpa, .size = size, .hva = hva };
	return hva;
}

void vm_move_slot(struct vm *vm, uint32_t slot, uint64_t gpa)
{
	struct vm_slot *s = slot_find(vm, slot);

	TEST_ASSERT(s, "slot %u unknown", slot);
	vm_set_memory_region(vm, slot, s->flags, gpa, s->size, s->hva);
	s->gpa = gpa;
}

void vm_delete_slot(struct vm *vm, uint32_t slot)
{
	struct vm_slot *s = slot_find(vm, slot);

	TEST_ASSERT(s, "slot %u unknown", slot);
	vm_set_memory_region(vm, slot, s->flags, s->gpa, 0, s->hva);
	munmap(s->hva, s->size);
	s->used = false;
}

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa)
{
	for (int i = 0; i < VM_MAX_SLOTS; i++) {
		struct vm_slot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size)
			return (char *)s->hva + (gpa - s->gpa);
	}
	test_assert_fail(__FILE__, __LINE__, "gpa in a slot",
			 "no memory slot holds guest-physical %#lx", gpa);
}

/* --- Slot 0's page allocator: first fit, one byte per page --- */

uint64_t vm_alloc_pages(struct vm *vm, uint64_t n)
{
	uint64_t start, i;

	TEST_ASSERT(vm->page_used, "the VM has no slot 0 allocator");
	for (start = 0; start + n <= vm->npages; start++) {
		for (i = 0; i < n && !vm->page_used[start + i]; i++)
			;
		if (i == n)
			break;
		start += i;
	}
	TEST_ASSERT(start + n <= vm->npages, "slot 0 has no %lu free pages", n);
	memset(vm->page_used + start, 1, n);
	memset(vm_gpa_to_hva(vm, start * GUEST_PAGE_SIZE), 0, n * GUEST_PAGE_SIZE);
	return start * GUEST_PAGE_SIZE;
}

/* --- The test binary's own image --- */

/*
 * The PT_LOAD segments of the running binary, from its program headers
 * (AT_PHDR). A position-independent binary would be loaded at an address
 * other than its p_vaddr: refuse it (the Makefile links with -no-pie).
 */
static void image_bounds(uint64_t *lo, uint64_t *hi)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uint64_t self = (uintptr_t)&image_bounds;
	bool found_self = false;

	TEST_ASSERT(ph && n, "no AT_PHDR/AT_PHNUM in the auxiliary vector");
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned long i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_vaddr < *lo)
			*lo = ph[i].p_vaddr & PAGE_MASK;
		if (ph[i].p_vaddr + ph[i].p_memsz > *hi)
			*hi = ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, GUEST_PAGE_SIZE);
		if (self >= ph[i].p_vaddr && self < ph[i].p_vaddr + ph[i].p_memsz)
			found_self = true;
	}
	TEST_ASSERT(found_self && *lo >= GUEST_PAGE_SIZE,
		    "the test binary is not linked at its run address (built as PIE?)");
}

/* Copy each segment from the process into slot 0 at the same address. */
static void image_load(struct vm *vm)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);

	for (unsigned long i = 0; i < n; i++) {
		uint64_t start, end;

		if (ph[i].p_type != PT_LOAD)
			continue;
		start = ph[i].p_vaddr & PAGE_MASK;
		end = ALIGN_UP(ph[i].p_vaddr + ph[i].p_memsz, GUEST_PAGE_SIZE);
		memcpy(vm_gpa_to_hva(vm, start), (void *)(uintptr_t)start, end - start);
		memset(vm->page_used + start / GUEST_PAGE_SIZE, 1,
		       (end - start) / GUEST_PAGE_SIZE);
	}
}

/* --- Page tables (SDM Vol. 3A 4.5: 4-level paging) --- */

static uint64_t *pte_table(struct vm *vm, uint64_t table_gpa)
{
	return vm_gpa_to_hva(vm, table_gpa);
}

/* The level-1 entry for @gva; creates the tables on the way if @create. */
static uint64_t *pte_lookup(struct vm *vm, uint64_t gva, bool create)
{
	uint64_t table = vm->pml4;

	TEST_ASSERT(gva < (1ULL << 47), "gva %#lx is not in the lower half", gva);
	for (int level = 4; level > 1; level--) {
		uint64_t *e = &pte_table(vm, table)[(gva >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & PTE_PRESENT)) {
			if (!create)
				return NULL;
			*e = vm_alloc_pages(vm, 1) | PTE_PRESENT | PTE_WRITABLE;
		}
		TEST_ASSERT(!(*e & PTE_LARGE), "gva %#lx is in a large page", gva);
		table = *e & PTE_ADDR_MASK;
	}
	return &pte_table(vm, table)[(gva >> 12) & 511];
}

void vm_map(struct vm *vm, uint64_t gva, uint64_t gpa, uint64_t size)
{
	TEST_ASSERT(!((gva | gpa | size) & ~PAGE_MASK),
		    "unaligned mapping %#lx -> %#lx, %#lx bytes", gva, gpa, size);
	if (!vm->pml4)
		vm->pml4 = vm_alloc_pages(vm, 1);
	for (uint64_t off = 0; off < size; off += GUEST_PAGE_SIZE)
		*pte_lookup(vm, gva + off, true) =
			(gpa + off) | PTE_PRESENT | PTE_WRITABLE;
}

void vm_identity_map(struct vm *vm, uint64_t gpa, uint64_t size)
{
	vm_map(vm, gpa, gpa, size);
}

void vm_unmap(struct vm *vm, uint64_t gva, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += GUEST_PAGE_SIZE) {
		uint64_t *e = pte_lookup(vm, gva + off, false);

		if (e)
			*e = 0;
	}
}

uint64_t vm_gva_to_gpa(struct vm *vm, uint64_t gva)
{
	uint64_t *e = vm->pml4 && gva < (1ULL << 47) ? pte_lookup(vm, gva, false) : NULL;

	if (!e || !(*e & PTE_PRESENT))
		test_assert_fail(__FILE__, __LINE__, "gva mapped",
				 "guest-virtual %#lx is not mapped", gva);
	return (*e & PTE_ADDR_MASK) | (gva & ~PAGE_MASK);
}

void *vm_gva_to_hva(struct vm *vm, uint64_t gva)
{
	return vm_gpa_to_hva(vm, vm_gva_to_gpa(vm, gva));
}

void vm_read_gva(struct vm *vm, uint64_t gva, void *buf, size_t len)
{
	while (len) {
		size_t n = GUEST_PAGE_SIZE - (gva & ~PAGE_MASK);

		if (n > len)
			n = len;
		memcpy(buf, vm_gva_to_hva(vm, gva), n);
		buf = (char *)buf + n;
		gva += n;
		len -= n;
	}
}

void vm_write_gva(struct vm *vm, uint64_t gva, const void *buf, size_t len)
{
	while (len) {
		size_t n = GUEST_PAGE_SIZE - (gva & ~PAGE_MASK);

		if (n > len)
			n = len;
		memcpy(vm_gva_to_hva(vm, gva), buf, n);
		buf = (const char *)buf + n;
		gva += n;
		len -= n;
	}
}

/* --- GDT, TSS and IDT --- */

void vm_guest_segment(struct vm *vm, uint16_t sel, struct kvm_segment *seg)
{
	*seg = (struct kvm_segment){
		.selector = sel,
		.limit = 0xffffffff,
		.present = 1,
		.s = 1,
		.g = 1,
	};
	switch (sel) {
	case GUEST_SEL_CODE64:
		seg->type = 0xb;	/* execute/read, accessed */
		seg->l = 1;
		break;
	case GUEST_SEL_CODE32:
		seg->type = 0xb;
		seg->db = 1;
		break;
	case GUEST_SEL_DATA:
		seg->type = 0x3;	/* read/write, accessed */
		seg->db = 1;
		break;
	case GUEST_SEL_TSS:
		seg->base = vm->tss;
		seg->limit = TSS_SIZE - 1;
		seg->type = 0xb;	/* busy 64-bit TSS */
		seg->s = 0;
		seg->g = 0;
		break;
	default:
		test_assert_fail(__FILE__, __LINE__, "known selector",
				 "no GDT entry %#x", sel);
	}
}

/* A segment descriptor (SDM Vol. 3A 3.4.5) from the KVM form of it. */
static uint64_t seg_descriptor(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | ((uint64_t)(s->base & 0xffffff) << 16) |
	       ((uint64_t)s->type << 40) | ((uint64_t)s->s << 44) |
	       ((uint64_t)s->dpl << 45) | ((uint64_t)s->present << 47) |
	       (((limit >> 16) & 0xf) << 48) | ((uint64_t)s->avl << 52) |
	       ((uint64_t)s->l << 53) | ((uint64_t)s->db << 54) |
	       ((uint64_t)s->g << 55) | (((s->base >> 24) & 0xff) << 56);
}

static void vm_setup_tables(struct vm *vm)
{
	static const uint16_t sels[] = {
		GUEST_SEL_CODE64, GUEST_SEL_DATA, GUEST_SEL_TSS, GUEST_SEL_CODE32,
	};
	struct kvm_segment seg;
	uint64_t *gdt, *idt;

	vm->gdt = vm_alloc_pages(vm, 1);
	vm->tss = vm->gdt + TSS_OFFSET;
	gdt = vm_gpa_to_hva(vm, vm->gdt);
	for (size_t i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		vm_guest_segment(vm, sels[i], &seg);
		gdt[sels[i] / 8] = seg_descriptor(&seg);
		if (sels[i] == GUEST_SEL_TSS)	/* base 63:32 */
			gdt[sels[i] / 8 + 1] = seg.base >> 32;
	}

	/* 64-bit interrupt gates (SDM Vol. 3A 6.14.1) to guest_entry.S. */
	vm->idt = vm_alloc_pages(vm, 1);
	idt = vm_gpa_to_hva(vm, vm->idt);
	for (int v = 0; v < 256; v++) {
		uint64_t off = (uintptr_t)guest_idt_stubs + v * GUEST_IDT_STUB_SIZE;

		idt[2 * v] = (off & 0xffff) | ((uint64_t)GUEST_SEL_CODE64 << 16) |
			     (0xeULL << 40) | (1ULL << 47) |
			     ((off >> 16) & 0xffff) << 48;
		idt[2 * v + 1] = off >> 32;
	}
}

uint64_t vm_gdt_limit(void)
{
	return GDT_ENTRIES * 8 - 1;
}

/* --- The VM every guest-code test starts from --- */

struct vm *vm_create(void)
{
	struct vm *vm = vm_new();
	uint64_t lo, hi, size;

	image_bounds(&lo, &hi);
	size = ALIGN_UP(hi, SZ_2M) + SLOT0_EXTRA;
	vm_add_slot(vm, 0, 0, 0, size);
	vm->npages = size / GUEST_PAGE_SIZE;
	vm->page_used = calloc(vm->npages, 1);
	TEST_ASSERT(vm->page_used, "calloc");
	vm->page_used[0] = 1;	/* page 0 stays unmapped: NULL faults */
	image_load(vm);

	vm_identity_map(vm, GUEST_PAGE_SIZE, size - GUEST_PAGE_SIZE);
	vm_setup_tables(vm);
	return vm;
}

struct vm *vm_create_with_vcpu(struct vcpu **vcpu, void *guest_code)
{
	struct vm *vm = vm_create();

	*vcpu = vm_add_vcpu(vm, 0, guest_code);
	return vm;
}

void vm_install_exception_handler(struct vm *vm, int vector,
				  guest_exception_handler_t handler)
{
	TEST_ASSERT(vector >= 0 && vector < 256, "vector %d", vector);
	vm_write_gva(vm, (uintptr_t)&guest_exception_handlers[vector],
		     &handler, sizeof(handler));
}

void vm_load_blob(struct vm *vm, uint64_t gpa, const void *start,
		  const void *end)
{
	memcpy(vm_gpa_to_hva(vm, gpa), start, (const char *)end - (const char *)start);
}
