// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs of the guest library (see guest.h): creation in 64-bit long mode,
 * KVM_RUN, registers, MSRs, CPUID, and the real-mode and 32-bit
 * protected-mode setups for guest code written in assembly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

/* --- CPUID --- */

/* More than any table KVM accepts (KVM_MAX_CPUID_ENTRIES is 256). */
#define KVM_MAX_CPUID_ENTRIES_HINT 1024

static struct kvm_cpuid2 *cpuid_alloc(int nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	TEST_ASSERT(c, "calloc");
	c->nent = nent;
	return c;
}

static size_t cpuid_size(const struct kvm_cpuid2 *c)
{
	return sizeof(*c) + c->nent * sizeof(c->entries[0]);
}

/*
 * KVM_GET_SUPPORTED_CPUID fails with E2BIG while the array is too small
 * (api.rst 4.46): grow it until the table fits.
 */
struct kvm_cpuid2 *dev_supported_cpuid(void)
{
	static struct kvm_cpuid2 *cached;
	struct kvm_cpuid2 *c;

	if (!cached) {
		int fd = test_open_dev(O_RDWR);

		TEST_ASSERT(fd >= 0, "open %s", test_dev_path());
		for (int nent = 64;; nent *= 2) {
			c = cpuid_alloc(nent);
			if (!ioctl(fd, KVM_GET_SUPPORTED_CPUID, c))
				break;
			TEST_ASSERT(errno == E2BIG && nent < 4096,
				    "KVM_GET_SUPPORTED_CPUID with %d entries", nent);
			free(c);
		}
		close(fd);
		cached = c;
		errno = 0;
	}
	c = malloc(cpuid_size(cached));
	TEST_ASSERT(c, "malloc");
	memcpy(c, cached, cpuid_size(cached));
	return c;
}

/*
 * KVM_GET_CPUID2 fails with E2BIG while the array is smaller than the
 * vCPU's table, but reports the table's size neither then nor on success
 * (Linux 6.1, kvm_vcpu_ioctl_get_cpuid2()): find the smallest size that
 * works.
 */
struct kvm_cpuid2 *vcpu_get_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *c = cpuid_alloc(KVM_MAX_CPUID_ENTRIES_HINT);
	int lo = 0, hi = KVM_MAX_CPUID_ENTRIES_HINT;

	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_CPUID2, c),
		    "KVM_GET_CPUID2 with %d entries", hi);
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		c->nent = mid;
		if (!ioctl(vcpu->fd, KVM_GET_CPUID2, c)) {
			hi = mid;
		} else {
			TEST_ASSERT(errno == E2BIG, "KVM_GET_CPUID2 with %d entries", mid);
			lo = mid + 1;
		}
	}
	c->nent = lo;
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_CPUID2, c),
		    "KVM_GET_CPUID2 with %d entries", lo);
	c->nent = lo;
	errno = 0;
	return c;
}

int _vcpu_set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	return ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
}

void vcpu_set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	TEST_ASSERT(!_vcpu_set_cpuid(vcpu, cpuid), "KVM_SET_CPUID2 (%u entries)",
		    cpuid->nent);
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid,
				    uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)
			return e;
	}
	return NULL;
}

uint32_t *cpuid_reg(struct kvm_cpuid_entry2 *e, char reg)
{
	switch (reg) {
	case 'a':
		return &e->eax;
	case 'b':
		return &e->ebx;
	case 'c':
		return &e->ecx;
	case 'd':
		return &e->edx;
	}
	test_assert_fail(__FILE__, __LINE__, "reg in a..d", "register '%c'", reg);
}

bool dev_has_cpuid_bit(uint32_t function, uint32_t index, char reg, int bit)
{
	struct kvm_cpuid2 *c = dev_supported_cpuid();
	struct kvm_cpuid_entry2 *e = cpuid_find(c, function, index);
	bool has = e && (*cpuid_reg(e, reg) >> bit & 1);

	free(c);
	return has;
}

/* --- Registers and MSRs --- */

void vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_REGS, regs), "KVM_GET_REGS");
}

void vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_SET_REGS, regs), "KVM_SET_REGS");
}

void vcpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_SREGS, sregs), "KVM_GET_SREGS");
}

int _vcpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs)
{
	return ioctl(vcpu->fd, KVM_SET_SREGS, sregs);
}

void vcpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs)
{
	TEST_ASSERT(!_vcpu_set_sregs(vcpu, sregs), "KVM_SET_SREGS");
}

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entry;
};

int _vcpu_get_msr(struct vcpu *vcpu, uint32_t index, uint64_t *val)
{
	struct one_msr m = { .hdr.nmsrs = 1, .entry.index = index };
	int r = ioctl(vcpu->fd, KVM_GET_MSRS, &m);

	*val = m.entry.data;
	return r;
}

int _vcpu_set_msr(struct vcpu *vcpu, uint32_t index, uint64_t val)
{
	struct one_msr m = {
		.hdr.nmsrs = 1,
		.entry.index = index,
		.entry.data = val,
	};

	return ioctl(vcpu->fd, KVM_SET_MSRS, &m);
}

uint64_t vcpu_get_msr(struct vcpu *vcpu, uint32_t index)
{
	uint64_t val;
	int r = _vcpu_get_msr(vcpu, index, &val);

	TEST_ASSERT(r == 1, "KVM_GET_MSRS of MSR %#x returned %d", index, r);
	return val;
}

void vcpu_set_msr(struct vcpu *vcpu, uint32_t index, uint64_t val)
{
	int r = _vcpu_set_msr(vcpu, index, val);

	TEST_ASSERT(r == 1, "KVM_SET_MSRS of MSR %#x = %#lx returned %d",
		    index, val, r);
}

/* --- Creation --- */

struct vcpu *vm_add_vcpu_bare(struct vm *vm, int id)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu, "calloc");
	TEST_ASSERT(id >= 0 && id < VM_MAX_VCPUS && !vm->vcpus[id], "vCPU id %d", id);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	TEST_ASSERT(vcpu->fd >= 0, "KVM_CREATE_VCPU %d", id);
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of the vCPU fd");
	vm->vcpus[id] = vcpu;
	return vcpu;
}

/* 64-bit long mode, as SDM Vol. 3A 10.8.5 leaves a processor entering it. */
static void vcpu_set_long_mode(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_sregs s;

	vcpu_get_sregs(vcpu, &s);
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		X86_CR0_WP | X86_CR0_PG;
	/* SSE on: compilers use it freely, also in guest code. */
	s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s.efer = EFER_LME | EFER_LMA;
	s.cr3 = vm->pml4;
	vm_guest_segment(vm, GUEST_SEL_CODE64, &s.cs);
	vm_guest_segment(vm, GUEST_SEL_DATA, &s.ds);
	s.es = s.fs = s.gs = s.ss = s.ds;
	vm_guest_segment(vm, GUEST_SEL_TSS, &s.tr);
	s.ldt = (struct kvm_segment){ .unusable = 1 };
	s.gdt.base = vm->gdt;
	s.gdt.limit = vm_gdt_limit();
	s.idt.base = vm->idt;
	s.idt.limit = 256 * 16 - 1;
	vcpu_set_sregs(vcpu, &s);
}

struct vcpu *vm_add_vcpu(struct vm *vm, int id, void *guest_code)
{
	struct vcpu *vcpu = vm_add_vcpu_bare(vm, id);
	struct kvm_cpuid2 *cpuid = dev_supported_cpuid();
	uint64_t ret = (uintptr_t)guest_return_trampoline;
	struct kvm_regs regs = {};

	vcpu_set_cpuid(vcpu, cpuid);
	free(cpuid);
	vcpu_set_long_mode(vcpu);

	/*
	 * The stack's top quadword is the guest function's return address,
	 * so that RSP + 8 is 16-byte aligned at its first instruction, as
	 * after a CALL (x86-64 psABI 3.2.2).
	 */
	vcpu->stack_top = vm_alloc_pages(vm, GUEST_STACK_PAGES) +
			  GUEST_STACK_PAGES * GUEST_PAGE_SIZE;
	vm_write_gva(vm, vcpu->stack_top - 8, &ret, sizeof(ret));
	regs.rsp = vcpu->stack_top - 8;
	regs.rip = (uintptr_t)guest_code;
	regs.rflags = X86_RFLAGS_FIXED;
	vcpu_set_regs(vcpu, &regs);
	return vcpu;
}

void vcpu_args_set(struct vcpu *vcpu, int n, ...)
{
	struct kvm_regs regs;
	va_list ap;

	TEST_ASSERT(n >= 0 && n <= 4, "%d arguments", n);
	vcpu_get_regs(vcpu, &regs);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		uint64_t v = va_arg(ap, uint64_t);

		switch (i) {
		case 0:
			regs.rdi = v;
			break;
		case 1:
			regs.rsi = v;
			break;
		case 2:
			regs.rdx = v;
			break;
		case 3:
			regs.rcx = v;
			break;
		}
	}
	va_end(ap);
	vcpu_set_regs(vcpu, &regs);
}

/* --- Other processor modes --- */

void vcpu_set_real_mode(struct vcpu *vcpu, uint16_t cs, uint16_t ip,
			uint16_t sp)
{
	struct kvm_sregs s;
	struct kvm_regs regs = {};
	struct kvm_segment seg = {
		.selector = cs,
		.base = (uint64_t)cs << 4,
		.limit = 0xffff,
		.type = 0x3,
		.present = 1,
		.s = 1,
	};

	vcpu_get_sregs(vcpu, &s);
	s.cr0 = X86_CR0_ET;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	s.ds = s.es = s.fs = s.gs = seg;
	s.ss = seg;
	s.ss.selector = 0;
	s.ss.base = 0;
	s.cs = seg;
	s.cs.type = 0xb;
	/* TR and LDTR as after RESET (SDM Vol. 3A table 10-1). */
	s.tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
	s.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 0x2, .present = 1 };
	s.gdt.base = 0;
	s.gdt.limit = 0xffff;
	s.idt.base = 0;
	s.idt.limit = 0x3ff;
	vcpu_set_sregs(vcpu, &s);

	regs.rip = ip;
	regs.rsp = sp;
	regs.rflags = X86_RFLAGS_FIXED;
	vcpu_set_regs(vcpu, &regs);
}

void vcpu_set_protected_mode(struct vcpu *vcpu, uint32_t eip, uint32_t esp)
{
	struct vm *vm = vcpu->vm;
	struct kvm_sregs s;
	struct kvm_regs regs = {};

	vcpu_get_sregs(vcpu, &s);
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	vm_guest_segment(vm, GUEST_SEL_CODE32, &s.cs);
	vm_guest_segment(vm, GUEST_SEL_DATA, &s.ds);
	s.es = s.fs = s.gs = s.ss = s.ds;
	vm_guest_segment(vm, GUEST_SEL_TSS, &s.tr);
	s.ldt = (struct kvm_segment){ .unusable = 1 };
	s.gdt.base = vm->gdt;
	s.gdt.limit = vm_gdt_limit();
	/* The library's IDT has 64-bit gates: no IDT, an exception shuts down. */
	s.idt.base = 0;
	s.idt.limit = 0;
	vcpu_set_sregs(vcpu, &s);

	regs.rip = eip;
	regs.rsp = esp;
	regs.rflags = X86_RFLAGS_FIXED;
	vcpu_set_regs(vcpu, &regs);
}
