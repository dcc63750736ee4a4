// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: an x86-64 ELF64 executable, loaded at its segments' physical
 * addresses and entered in 64-bit mode with every address identity-mapped.
 */
#include <elf.h>
#include <string.h>

#include "image.h"

bool elf64_probe(const struct image *img)
{
	Elf64_Ehdr eh;

	if (elf_class(img) != ELFCLASS64)
		return false;
	if (img->size < sizeof(eh))
		return true;	/* elf_parse() says it is truncated */
	memcpy(&eh, img->data, sizeof(eh));
	return eh.e_machine == EM_X86_64;
}

int elf64_load(const struct image *img, const struct image_opts *o,
	       struct guest_mem *m, struct boot *b)
{
	struct elf_file elf;

	(void)o;
	if (elf_parse(img, &elf) || elf_load(img, &elf, m, &b->entry))
		return -1;
	b->mode = BOOT_LONG64;
	return 0;
}
