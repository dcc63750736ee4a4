// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: reading an image and picking its loader. Formats are told
 * apart by magic, most specific first: a multiboot header in the first
 * 8 KiB (whatever else the file is), then an x86-64 ELF64. A flat binary
 * has no magic: --load says it is one.
 */
#include <elf.h>
#include <stdlib.h>

#include "image.h"

static const struct loader {
	const char *name;
	bool (*probe)(const struct image *img);
	int (*load)(const struct image *img, const struct image_opts *o,
		    struct guest_mem *m, struct boot *b);
	bool takes_cmdline;	/* --cmdline and --module mean something */
} loaders[] = {
	{ "multiboot", multiboot_probe, multiboot_load, true },
	{ "ELF64", elf64_probe, elf64_load, false },
};

static const struct loader flat_loader = {
	"flat", NULL, flat_load, false,
};

/* Why no loader took it, as precisely as the magic allows. */
static void explain_unknown(const struct image *img)
{
	int class = elf_class(img);

	if (class == ELFCLASS32)
		pr_err("image %s: an ELF32 file without a multiboot header; svmx runs multiboot ELF32 kernels, x86-64 ELF64 files and flat binaries (--load)",
		       img->path);
	else if (class == ELFCLASS64)
		pr_err("image %s: an ELF64 file, but not an x86-64 one", img->path);
	else
		pr_err("image %s: unrecognised format (not multiboot, not x86-64 ELF64); for a flat binary give --load ADDR",
		       img->path);
}

int image_load(const struct image_opts *o, struct guest_mem *m,
	       struct boot *b)
{
	const struct loader *l = NULL;
	struct image img = { .path = o->path };
	uint8_t *data;
	size_t i;
	int r;

	if (read_file(o->path, "image", &data, &img.size))
		return -1;
	img.data = data;
	if (!img.size) {
		pr_err("image %s is empty", o->path);
		free(data);
		return -1;
	}
	if (o->flat) {
		l = &flat_loader;
	} else {
		for (i = 0; i < ARRAY_SIZE(loaders) && !l; i++)
			if (loaders[i].probe(&img))
				l = &loaders[i];
	}
	if (!l) {
		explain_unknown(&img);
		free(data);
		return -1;
	}
	if (!l->takes_cmdline && (o->cmdline || o->nmodules)) {
		pr_err("image %s is a %s image: --cmdline and --module are for multiboot images",
		       o->path, l->name);
		free(data);
		return -1;
	}
	r = l->load(&img, o, m, b);
	free(data);
	return r;
}
