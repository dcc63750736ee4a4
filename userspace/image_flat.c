// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: a flat binary, copied as it is to --load and entered at
 * --entry in the mode --bits says: 16 (real mode, CS:IP made from the
 * entry address), 32 (flat protected mode) or 64 (long mode).
 */
#include <string.h>

#include "image.h"

int flat_load(const struct image *img, const struct image_opts *o,
	      struct guest_mem *m, struct boot *b)
{
	uint64_t entry = o->entry_set ? o->entry : o->load;

	if (guest_mem_reserve(m, o->load, img->size, "flat image"))
		return -1;
	memcpy(guest_ptr(m, o->load, img->size), img->data, img->size);
	switch (o->bits) {
	case 16:
		if (entry >= 1 * MiB) {
			pr_err("entry %#llx is beyond real mode's 1 MiB",
			       (unsigned long long)entry);
			return -1;
		}
		b->mode = BOOT_REAL16;
		break;
	case 32:
		if (entry >= 4 * GiB) {
			pr_err("entry %#llx is beyond 32-bit addresses",
			       (unsigned long long)entry);
			return -1;
		}
		b->mode = BOOT_PROT32;
		break;
	default:
		b->mode = BOOT_LONG64;
		break;
	}
	b->entry = entry;
	return 0;
}
