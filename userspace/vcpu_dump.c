// SPDX-License-Identifier: GPL-2.0
/* svmx run: a vCPU's registers, for the report of a guest that failed. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vcpu.h"

static void dump_seg(FILE *out, const char *name, const struct kvm_segment *s)
{
	fprintf(out, "  %-4s sel=%04x base=%016llx limit=%08x type=%x s=%u dpl=%u p=%u l=%u db=%u g=%u\n",
		name, s->selector, (unsigned long long)s->base, s->limit,
		s->type, s->s, s->dpl, s->present, s->l, s->db, s->g);
}

void vcpu_dump(struct vcpu *vcpu, FILE *out)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) == 0) {
		fprintf(out, "  rip=%016llx rflags=%016llx\n"
			"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
			"  rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\n",
			r.rip, r.rflags, r.rax, r.rbx, r.rcx, r.rdx,
			r.rsi, r.rdi, r.rsp, r.rbp);
	}
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s) == 0) {
		fprintf(out, "  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%llx\n",
			s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
		dump_seg(out, "cs", &s.cs);
		dump_seg(out, "ss", &s.ss);
		dump_seg(out, "ds", &s.ds);
		fprintf(out, "  gdt=%016llx/%x idt=%016llx/%x\n",
			s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
	}
}
