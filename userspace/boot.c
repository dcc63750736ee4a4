// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: the state a vCPU starts in, for each entry mode; long mode's
 * part is in longmode.c. No IDT is given (limit 0): an exception before the
 * guest loads its own shuts the VM down, which the vCPU loop reports.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "boot.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define RFLAGS_FIXED	(1ULL << 1)

int boot_prepare(struct guest_mem *m, struct boot *b)
{
	/* A real-mode stack must be reachable from a 16-bit SS. */
	uint64_t limit = b->mode == BOOT_REAL16 ? 1 * MiB : 4 * GiB;
	uint64_t stack;

	/* Aligned to its size, it never straddles a 64 KiB real-mode segment. */
	if (guest_mem_alloc(m, BOOT_STACK_SIZE, BOOT_STACK_SIZE, limit,
			    "boot stack", &stack))
		return -1;
	b->stack_top = stack + BOOT_STACK_SIZE;
	if (b->mode == BOOT_REAL16)
		return 0;
	if (gdt_build(m, &b->gdt_base, &b->gdt_limit))
		return -1;
	if (b->mode == BOOT_LONG64)
		return longmode_page_tables(m, &b->cr3);
	return 0;
}

/* Real mode: every segment's base is its selector times 16. */
static void real_segment(struct kvm_segment *seg, uint64_t base, uint8_t type)
{
	memset(seg, 0, sizeof(*seg));
	seg->base = base;
	seg->selector = (uint16_t)(base >> 4);
	seg->limit = 0xffff;
	seg->type = type;
	seg->s = 1;
	seg->present = 1;
}

static void realmode_sregs(struct kvm_sregs *s, const struct boot *b)
{
	/* CS:IP = (entry & ~0xffff) / 16 : entry & 0xffff; data likewise. */
	uint64_t cs = b->entry & 0xf0000;
	uint64_t ss = (b->stack_top - 1) & 0xf0000;

	s->cr0 = CR0_ET | CR0_NE;
	s->cr4 = 0;
	s->efer = 0;
	real_segment(&s->cs, cs, 0xb);
	real_segment(&s->ds, cs, 0x3);
	s->es = s->fs = s->gs = s->ds;
	real_segment(&s->ss, ss, 0x3);
}

static void protmode_sregs(struct kvm_sregs *s, const struct boot *b)
{
	s->cr0 = CR0_PE | CR0_ET | CR0_NE;
	s->cr4 = 0;
	s->efer = 0;
	gdt_segment(GDT_CODE32, &s->cs);
	gdt_segment(GDT_DATA, &s->ds);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = b->gdt_base;
	s->gdt.limit = b->gdt_limit;
}

int boot_set_vcpu(struct vcpu *vcpu, const struct boot *b)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	/* Start from the reset state; TR and LDTR stay as they are. */
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		pr_err("vCPU %d: KVM_GET_SREGS: %s", vcpu->id, strerror(errno));
		return -1;
	}
	switch (b->mode) {
	case BOOT_REAL16:
		realmode_sregs(&s, b);
		break;
	case BOOT_PROT32:
		protmode_sregs(&s, b);
		break;
	case BOOT_LONG64:
		longmode_sregs(&s, b);
		break;
	}
	s.idt.base = 0;
	s.idt.limit = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &s) < 0) {
		pr_err("vCPU %d: KVM_SET_SREGS: %s", vcpu->id, strerror(errno));
		return -1;
	}

	memset(&r, 0, sizeof(r));
	r.rflags = RFLAGS_FIXED;
	r.rax = b->rax;
	r.rbx = b->rbx;
	if (b->mode == BOOT_REAL16) {
		r.rip = b->entry & 0xffff;
		r.rsp = b->stack_top - ((b->stack_top - 1) & 0xf0000);
	} else {
		r.rip = b->entry;
		r.rsp = b->stack_top;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, &r) < 0) {
		pr_err("vCPU %d: KVM_SET_REGS: %s", vcpu->id, strerror(errno));
		return -1;
	}
	return 0;
}
