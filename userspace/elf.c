// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: reading ELF executables, 32- or 64-bit (System V ABI, "ELF
 * Header" and "Program Header"). Segments are loaded at their physical
 * addresses: the guest starts with paging off or identity-mapped.
 */
#include <elf.h>
#include <string.h>

#include "image.h"

int elf_class(const struct image *img)
{
	if (img->size < EI_NIDENT || memcmp(img->data, ELFMAG, SELFMAG))
		return 0;
	return img->data[EI_CLASS];
}

static int elf_bad(const struct image *img, const char *why)
{
	pr_err("image %s: bad ELF file: %s", img->path, why);
	return -1;
}

/* Program header @i, normalised; 1 if it is a PT_LOAD, 0 if not. */
static int elf_phdr(const struct image *img, int class, uint64_t phoff, int i,
		    struct elf_segment *s)
{
	Elf64_Phdr ph64;
	Elf32_Phdr ph32;

	if (class == ELFCLASS64) {
		memcpy(&ph64, img->data + phoff + (uint64_t)i * sizeof(ph64),
		       sizeof(ph64));
		*s = (struct elf_segment){ ph64.p_offset, ph64.p_vaddr,
					   ph64.p_paddr, ph64.p_filesz,
					   ph64.p_memsz };
		return ph64.p_type == PT_LOAD;
	}
	memcpy(&ph32, img->data + phoff + (uint64_t)i * sizeof(ph32),
	       sizeof(ph32));
	*s = (struct elf_segment){ ph32.p_offset, ph32.p_vaddr, ph32.p_paddr,
				   ph32.p_filesz, ph32.p_memsz };
	return ph32.p_type == PT_LOAD;
}

int elf_parse(const struct image *img, struct elf_file *elf)
{
	uint64_t phoff, phentsize, phnum, want;
	uint16_t type;
	int i;

	memset(elf, 0, sizeof(*elf));
	elf->class = elf_class(img);
	if (elf->class != ELFCLASS32 && elf->class != ELFCLASS64)
		return elf_bad(img, "unknown class");
	if (img->data[EI_DATA] != ELFDATA2LSB)
		return elf_bad(img, "not little-endian");
	if (elf->class == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (img->size < sizeof(eh))
			return elf_bad(img, "truncated header");
		memcpy(&eh, img->data, sizeof(eh));
		type = eh.e_type;
		elf->machine = eh.e_machine;
		elf->entry = eh.e_entry;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		want = sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr eh;

		if (img->size < sizeof(eh))
			return elf_bad(img, "truncated header");
		memcpy(&eh, img->data, sizeof(eh));
		type = eh.e_type;
		elf->machine = eh.e_machine;
		elf->entry = eh.e_entry;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		want = sizeof(Elf32_Phdr);
	}
	if (type != ET_EXEC && type != ET_DYN)
		return elf_bad(img, "not an executable");
	if (!phnum)
		return elf_bad(img, "no program headers");
	if (phentsize != want)
		return elf_bad(img, "unexpected program header size");
	if (phoff > img->size || phnum * want > img->size - phoff)
		return elf_bad(img, "program headers past the end of the file");
	for (i = 0; i < (int)phnum; i++) {
		struct elf_segment s;

		if (!elf_phdr(img, elf->class, phoff, i, &s) || !s.memsz)
			continue;
		if (s.filesz > s.memsz)
			return elf_bad(img, "a segment's file size exceeds its memory size");
		if (s.offset > img->size || s.filesz > img->size - s.offset)
			return elf_bad(img, "a segment lies past the end of the file (truncated?)");
		if (elf->nseg == ELF_MAX_SEGMENTS)
			return elf_bad(img, "too many loadable segments");
		elf->seg[elf->nseg++] = s;
	}
	if (!elf->nseg)
		return elf_bad(img, "nothing to load");
	return 0;
}

int elf_load(const struct image *img, const struct elf_file *elf,
	     struct guest_mem *m, uint64_t *entry)
{
	const struct elf_segment *s;
	bool found = false;
	uint8_t *p;
	int i;

	for (i = 0; i < elf->nseg; i++) {
		s = &elf->seg[i];
		if (guest_mem_reserve(m, s->paddr, s->memsz, "image segment"))
			return -1;
		p = guest_ptr(m, s->paddr, s->memsz);
		memcpy(p, img->data + s->offset, s->filesz);
		memset(p + s->filesz, 0, s->memsz - s->filesz);
		if (!found && elf->entry >= s->vaddr &&
		    elf->entry - s->vaddr < s->memsz) {
			*entry = elf->entry - s->vaddr + s->paddr;
			found = true;
		}
	}
	if (!found) {
		pr_err("image %s: its entry point %#llx is in no loadable segment",
		       img->path, (unsigned long long)elf->entry);
		return -1;
	}
	return 0;
}
