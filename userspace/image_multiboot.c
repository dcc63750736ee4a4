// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: multiboot v1 kernels (The Multiboot Specification 0.6.96).
 *
 * The kernel carries a header (magic 0x1BADB002, flags, checksum) 4-byte
 * aligned in its first 8 KiB. It is loaded from its ELF32 program headers,
 * or from the header's own addresses when flag 16 (the "a.out kludge") is
 * set, and entered in flat 32-bit protected mode with paging off, EAX =
 * 0x2BADB002 and EBX = the physical address of the multiboot information:
 * memory sizes and map, command line, modules, boot loader name. All of it
 * lies below 4 GiB, in low memory when it fits.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define MB_HEADER_MAGIC		0x1badb002u
#define MB_BOOT_MAGIC		0x2badb002u
#define MB_SEARCH		8192

/* Header flags (bits 0-15 are requirements: an unknown one must fail). */
#define MB_HF_PAGE_ALIGN	(1u << 0)
#define MB_HF_MEMINFO		(1u << 1)
#define MB_HF_VIDEO		(1u << 2)
#define MB_HF_ADDRESSES		(1u << 16)
#define MB_HF_SUPPORTED		(MB_HF_PAGE_ALIGN | MB_HF_MEMINFO)

/* Header fields, from the magic. */
#define MB_H_FLAGS		4
#define MB_H_CHECKSUM		8
#define MB_H_HEADER_ADDR	12
#define MB_H_LOAD_ADDR		16
#define MB_H_LOAD_END_ADDR	20
#define MB_H_BSS_END_ADDR	24
#define MB_H_ENTRY_ADDR		28
#define MB_H_ADDRESSES_END	32

/* Information flags and fields. */
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)
#define MB_I_FLAGS		0
#define MB_I_MEM_LOWER		4
#define MB_I_MEM_UPPER		8
#define MB_I_CMDLINE		16
#define MB_I_MODS_COUNT		20
#define MB_I_MODS_ADDR		24
#define MB_I_MMAP_LENGTH	44
#define MB_I_MMAP_ADDR		48
#define MB_I_LOADER_NAME	64
#define MB_INFO_SIZE		116

#define MB_MOD_SIZE		16	/* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_SIZE	24	/* size (= 20), base, length, type */

#define PAGE_SIZE		4096u

/* The offset of a valid header in the first 8 KiB, or -1. */
static long mb_find(const struct image *img)
{
	size_t off, end = img->size < MB_SEARCH ? img->size : MB_SEARCH;
	const uint8_t *p;

	for (off = 0; off + 12 <= end; off += 4) {
		p = img->data + off;
		if (get_le32(p) == MB_HEADER_MAGIC &&
		    (uint32_t)(get_le32(p) + get_le32(p + MB_H_FLAGS) +
			       get_le32(p + MB_H_CHECKSUM)) == 0)
			return (long)off;
	}
	return -1;
}

bool multiboot_probe(const struct image *img)
{
	return mb_find(img) >= 0;
}

/* Flag 16: the header says where the file goes and where to enter it. */
static int load_by_header(const struct image *img, size_t hoff,
			  struct guest_mem *m, struct boot *b)
{
	const uint8_t *h = img->data + hoff;
	uint32_t header_addr, load_addr, load_end, bss_end;
	uint64_t start, size;

	if (hoff + MB_H_ADDRESSES_END > img->size) {
		pr_err("image %s: truncated multiboot header", img->path);
		return -1;
	}
	header_addr = get_le32(h + MB_H_HEADER_ADDR);
	load_addr = get_le32(h + MB_H_LOAD_ADDR);
	load_end = get_le32(h + MB_H_LOAD_END_ADDR);
	bss_end = get_le32(h + MB_H_BSS_END_ADDR);
	b->entry = get_le32(h + MB_H_ENTRY_ADDR);
	/* The file offset that goes to load_addr. */
	if (header_addr < load_addr || header_addr - load_addr > hoff) {
		pr_err("image %s: multiboot header_addr/load_addr do not match the file",
		       img->path);
		return -1;
	}
	start = hoff - (header_addr - load_addr);
	size = load_end ? (uint64_t)load_end - load_addr : img->size - start;
	if (load_end && (load_end < load_addr || size > img->size - start)) {
		pr_err("image %s: multiboot load_end_addr is past the end of the file",
		       img->path);
		return -1;
	}
	if (bss_end && bss_end < load_addr + size) {
		pr_err("image %s: multiboot bss_end_addr is below the loaded part",
		       img->path);
		return -1;
	}
	if (guest_mem_reserve(m, load_addr, size, "multiboot kernel") ||
	    (bss_end && guest_mem_reserve(m, load_addr + size,
					  bss_end - (load_addr + size),
					  "multiboot kernel bss")))
		return -1;
	memcpy(guest_ptr(m, load_addr, size), img->data + start, size);
	if (bss_end)
		memset(guest_ptr(m, load_addr + size, bss_end - (load_addr + size)),
		       0, bss_end - (load_addr + size));
	if (b->entry < load_addr || b->entry >= load_addr + size) {
		pr_err("image %s: multiboot entry_addr %#llx is outside the loaded kernel",
		       img->path, (unsigned long long)b->entry);
		return -1;
	}
	return 0;
}

static int load_elf32(const struct image *img, struct guest_mem *m,
		      struct boot *b)
{
	struct elf_file elf;

	if (elf_class(img) != ELFCLASS32) {
		pr_err("image %s: a multiboot kernel must be an ELF32 file or set header flag 16 (load addresses)",
		       img->path);
		return -1;
	}
	if (elf_parse(img, &elf))
		return -1;
	if (elf.machine != EM_386) {
		pr_err("image %s: a multiboot ELF32 file for machine %u, not i386",
		       img->path, elf.machine);
		return -1;
	}
	return elf_load(img, &elf, m, &b->entry);
}

/* A NUL-terminated string in guest memory below 4 GiB; its address or 0. */
static uint32_t put_string(struct guest_mem *m, const char *s, const char *what)
{
	size_t len = strlen(s) + 1;
	uint64_t gpa;

	if (guest_mem_alloc(m, len, 1, 4 * GiB, what, &gpa))
		return 0;
	memcpy(guest_ptr(m, gpa, len), s, len);
	return (uint32_t)gpa;
}

/* Module @spec is "PATH [ARGS]"; the whole of it is the module's string. */
static int load_module(struct guest_mem *m, const char *spec, uint8_t *entry)
{
	char path[4096];
	size_t n = strcspn(spec, " ");
	uint64_t gpa;
	uint8_t *data;
	size_t len;
	uint32_t str;

	if (!n || n >= sizeof(path)) {
		pr_err("--module '%s': no file name", spec);
		return -1;
	}
	memcpy(path, spec, n);
	path[n] = '\0';
	if (read_file(path, "module", &data, &len))
		return -1;
	if (guest_mem_alloc(m, len ? len : 1, PAGE_SIZE, 4 * GiB, "module", &gpa)) {
		free(data);
		return -1;
	}
	memcpy(guest_ptr(m, gpa, len), data, len);
	free(data);
	str = put_string(m, spec, "module string");
	if (!str)
		return -1;
	put_le32(entry, (uint32_t)gpa);
	put_le32(entry + 4, (uint32_t)(gpa + len));
	put_le32(entry + 8, str);
	put_le32(entry + 12, 0);
	return 0;
}

static int put_info(const struct image_opts *o, struct guest_mem *m,
		    struct boot *b)
{
	struct guest_map_entry map[GUEST_MAX_MAP];
	uint32_t flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MMAP |
			 MB_INFO_LOADER_NAME;
	uint64_t info, mods = 0, mmap;
	uint32_t cmdline, name;
	uint8_t *p;
	char *text;
	int i, n;

	if (o->nmodules) {
		if (guest_mem_alloc(m, (uint64_t)o->nmodules * MB_MOD_SIZE, 4,
				    4 * GiB, "multiboot module list", &mods))
			return -1;
		for (i = 0; i < o->nmodules; i++)
			if (load_module(m, o->modules[i],
					guest_ptr(m, mods + i * MB_MOD_SIZE,
						  MB_MOD_SIZE)))
				return -1;
		flags |= MB_INFO_MODS;
	}

	/* As GRUB and QEMU do: the kernel's own path, then its arguments. */
	text = malloc(strlen(o->path) + (o->cmdline ? strlen(o->cmdline) : 0) + 2);
	if (!text) {
		pr_err("out of memory");
		return -1;
	}
	strcpy(text, o->path);
	if (o->cmdline) {
		strcat(text, " ");
		strcat(text, o->cmdline);
	}
	cmdline = put_string(m, text, "command line");
	free(text);
	name = put_string(m, "svmx", "boot loader name");
	if (!cmdline || !name)
		return -1;

	n = guest_mem_map(m, map);
	if (guest_mem_alloc(m, (uint64_t)n * MB_MMAP_ENTRY_SIZE, 8, 4 * GiB,
			    "multiboot memory map", &mmap))
		return -1;
	p = guest_ptr(m, mmap, (uint64_t)n * MB_MMAP_ENTRY_SIZE);
	for (i = 0; i < n; i++, p += MB_MMAP_ENTRY_SIZE) {
		put_le32(p, MB_MMAP_ENTRY_SIZE - 4);
		put_le64(p + 4, map[i].addr);
		put_le64(p + 12, map[i].len);
		put_le32(p + 20, map[i].type);
	}

	if (guest_mem_alloc(m, MB_INFO_SIZE, 8, 4 * GiB,
			    "multiboot information", &info))
		return -1;
	p = guest_ptr(m, info, MB_INFO_SIZE);
	put_le32(p + MB_I_FLAGS, flags);
	put_le32(p + MB_I_MEM_LOWER, (uint32_t)(GUEST_LEGACY_HOLE / KiB));
	put_le32(p + MB_I_MEM_UPPER,
		 (uint32_t)((m->low_size - GUEST_LEGACY_END) / KiB));
	put_le32(p + MB_I_CMDLINE, cmdline);
	put_le32(p + MB_I_MODS_COUNT, (uint32_t)o->nmodules);
	put_le32(p + MB_I_MODS_ADDR, (uint32_t)mods);
	put_le32(p + MB_I_MMAP_LENGTH, (uint32_t)(n * MB_MMAP_ENTRY_SIZE));
	put_le32(p + MB_I_MMAP_ADDR, (uint32_t)mmap);
	put_le32(p + MB_I_LOADER_NAME, name);
	b->rbx = info;
	return 0;
}

int multiboot_load(const struct image *img, const struct image_opts *o,
		   struct guest_mem *m, struct boot *b)
{
	long hoff = mb_find(img);
	uint32_t flags = get_le32(img->data + hoff + MB_H_FLAGS);
	uint32_t unknown = flags & 0xffff & ~MB_HF_SUPPORTED;
	int r;

	if (unknown & MB_HF_VIDEO) {
		pr_err("image %s: the multiboot kernel asks for a video mode (header flag 2); svmx has no display",
		       img->path);
		return -1;
	}
	if (unknown) {
		pr_err("image %s: the multiboot kernel requires features svmx does not know (header flags %#x)",
		       img->path, unknown);
		return -1;
	}
	if (flags & MB_HF_ADDRESSES)
		r = load_by_header(img, (size_t)hoff, m, b);
	else
		r = load_elf32(img, m, b);
	if (r || put_info(o, m, b))
		return -1;
	if (b->entry >= 4 * GiB) {
		pr_err("image %s: entry point %#llx is beyond 32-bit addresses",
		       img->path, (unsigned long long)b->entry);
		return -1;
	}
	b->mode = BOOT_PROT32;
	b->rax = MB_BOOT_MAGIC;
	return 0;
}
