/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: the guest's RAM.
 *
 * All of it is one anonymous mapping. The first GUEST_LOW_MAX bytes sit at
 * guest-physical 0; what is left sits at 4 GiB, so [3 GiB, 4 GiB) stays free
 * for MMIO (where a PC keeps its LAPIC, IOAPIC and PCI windows).
 *
 * Loaders record the ranges they fill (guest_mem_reserve); boot data goes
 * to the lowest free, usable place (guest_mem_alloc).
 */
#ifndef SVMX_GUEST_MEM_H
#define SVMX_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define GUEST_LOW_MAX	(3 * GiB)
#define GUEST_HIGH_BASE	(4 * GiB)
#define GUEST_MEM_MIN	(1 * MiB)
#define GUEST_MEM_MAX	(64 * GiB)

/* The legacy hole of a PC: VGA memory and option/BIOS ROMs. */
#define GUEST_LEGACY_HOLE	0xa0000ULL
#define GUEST_LEGACY_END	0x100000ULL

#define GUEST_MAX_USED	64
#define GUEST_MAX_MAP	5

/* Memory map types, as in the E820 and multiboot maps. */
#define GUEST_MAP_RAM		1
#define GUEST_MAP_RESERVED	2

struct guest_map_entry {
	uint64_t addr, len;
	uint32_t type;
};

struct guest_range {
	uint64_t start, end;	/* [start, end) */
};

struct guest_mem {
	uint8_t *host;		/* the mapping of all RAM */
	uint64_t size;		/* bytes of RAM */
	uint64_t low_size;	/* RAM at [0, low_size); the rest at 4 GiB */
	struct guest_range used[GUEST_MAX_USED];
	int nused;
};

/* Map @size bytes of RAM (GUEST_MEM_MIN..GUEST_MEM_MAX). 0 or -1. */
int guest_mem_init(struct guest_mem *m, uint64_t size);
void guest_mem_free(struct guest_mem *m);

/* The host address of [gpa, gpa + len), or NULL unless it is all RAM. */
void *guest_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* One past the highest RAM address. */
uint64_t guest_mem_end(const struct guest_mem *m);
/* Where RAM is, for messages: "0x0-0x4000000" or "0x0-0xc0000000 and ...". */
const char *guest_mem_describe(const struct guest_mem *m);

/*
 * The memory map a guest is told about, lowest address first: RAM below
 * the legacy hole, the hole as reserved, RAM from 1 MiB, RAM above 4 GiB.
 * Returns the number of entries (at most GUEST_MAX_MAP).
 */
int guest_mem_map(const struct guest_mem *m, struct guest_map_entry *map);

/*
 * Record that [gpa, gpa + len) is in use. -1 (after pr_err naming @what)
 * if it is not all RAM or overlaps a range already recorded.
 */
int guest_mem_reserve(struct guest_mem *m, uint64_t gpa, uint64_t len,
		      const char *what);

/*
 * Find @len bytes aligned to @align, ending at or below @limit, in usable
 * RAM not yet in use (never page 0), record them and zero them.
 * 0 with *gpa set, or -1 after pr_err naming @what.
 */
int guest_mem_alloc(struct guest_mem *m, uint64_t len, uint64_t align,
		    uint64_t limit, const char *what, uint64_t *gpa);

#endif
