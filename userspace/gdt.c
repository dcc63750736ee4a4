// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: the boot GDT. Its entries are written as the segment register
 * state they give (struct kvm_segment) and encoded from that, so the
 * descriptors in guest memory and the hidden parts the vCPU starts with
 * cannot disagree. Layout of a descriptor: Intel SDM Vol. 3A 3.4.5
 * "Segment Descriptors"; AMD APM Vol. 2 4.7 / 4.8.
 */
#include <string.h>

#include "boot.h"

/* Code: execute/read, accessed. Data: read/write, accessed. */
#define SEG_TYPE_CODE	0xb
#define SEG_TYPE_DATA	0x3

static const struct kvm_segment gdt[] = {
	[GDT_CODE64 / 8] = {
		.base = 0, .limit = 0xffffffff, .selector = GDT_CODE64,
		.type = SEG_TYPE_CODE, .present = 1, .s = 1, .l = 1, .g = 1,
	},
	[GDT_DATA / 8] = {
		.base = 0, .limit = 0xffffffff, .selector = GDT_DATA,
		.type = SEG_TYPE_DATA, .present = 1, .s = 1, .db = 1, .g = 1,
	},
	[GDT_CODE32 / 8] = {
		.base = 0, .limit = 0xffffffff, .selector = GDT_CODE32,
		.type = SEG_TYPE_CODE, .present = 1, .s = 1, .db = 1, .g = 1,
	},
};

static uint64_t gdt_encode(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;
	uint64_t d;

	if (!s->present)
		return 0;
	d = (limit & 0xffff) | (s->base & 0xffffff) << 16;
	d |= (uint64_t)(s->type | s->s << 4 | s->dpl << 5 | s->present << 7) << 40;
	d |= ((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(s->avl | s->l << 1 | s->db << 2 | s->g << 3) << 52;
	d |= (s->base >> 24 & 0xff) << 56;
	return d;
}

int gdt_build(struct guest_mem *m, uint64_t *base, uint16_t *limit)
{
	uint8_t *p;
	size_t i;

	if (guest_mem_alloc(m, ARRAY_SIZE(gdt) * 8, 16, 4 * GiB,
			    "boot GDT", base))
		return -1;
	p = guest_ptr(m, *base, ARRAY_SIZE(gdt) * 8);
	for (i = 0; i < ARRAY_SIZE(gdt); i++)
		put_le64(p + i * 8, gdt_encode(&gdt[i]));
	*limit = ARRAY_SIZE(gdt) * 8 - 1;
	return 0;
}

void gdt_segment(uint16_t selector, struct kvm_segment *seg)
{
	*seg = gdt[selector / 8];
}
