/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: loading a guest image. image_load() reads the file, picks its
 * loader by magic (or the flat loader when --load is given), and the loader
 * puts it into guest memory and says how to enter it (struct boot).
 */
#ifndef SVMX_IMAGE_H
#define SVMX_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "guest_mem.h"

#define IMAGE_MAX_MODULES	16

struct image_opts {
	const char *path;
	bool flat;		/* --load given: a flat binary */
	uint64_t load;		/* flat: where it goes */
	uint64_t entry;		/* flat: where it starts (default: load) */
	bool entry_set;
	int bits;		/* flat: 16, 32 or 64 */
	const char *cmdline;	/* multiboot: the command line */
	const char *modules[IMAGE_MAX_MODULES];	/* multiboot: "PATH [ARGS]" */
	int nmodules;
};

struct image {
	const char *path;
	const uint8_t *data;
	size_t size;
};

/* 0, or -1 after pr_err() saying what is wrong with the image. */
int image_load(const struct image_opts *o, struct guest_mem *m,
	       struct boot *b);

/* The loaders. probe: is it this format? load: 0 or -1 after pr_err(). */
int flat_load(const struct image *img, const struct image_opts *o,
	      struct guest_mem *m, struct boot *b);
bool elf64_probe(const struct image *img);
int elf64_load(const struct image *img, const struct image_opts *o,
	       struct guest_mem *m, struct boot *b);
bool multiboot_probe(const struct image *img);
int multiboot_load(const struct image *img, const struct image_opts *o,
		   struct guest_mem *m, struct boot *b);

/* elf.c: the parts of an ELF file (32- or 64-bit) a loader needs. */
#define ELF_MAX_SEGMENTS	32

struct elf_segment {
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct elf_file {
	int class;		/* ELFCLASS32 or ELFCLASS64 */
	uint16_t machine;
	uint64_t entry;
	struct elf_segment seg[ELF_MAX_SEGMENTS];	/* the PT_LOADs */
	int nseg;
};

/* Does it start with the ELF magic? Its class, or 0. */
int elf_class(const struct image *img);
/* Parse and check the headers of a little-endian executable. 0 or -1. */
int elf_parse(const struct image *img, struct elf_file *elf);
/*
 * Copy every PT_LOAD to its physical address (p_paddr) and translate the
 * entry point into the physical address it is loaded at. 0 or -1.
 */
int elf_load(const struct image *img, const struct elf_file *elf,
	     struct guest_mem *m, uint64_t *entry);

#endif
