// SPDX-License-Identifier: GPL-2.0
/* svmx run: the guest's RAM, its memory map and boot-data placement. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"

int guest_mem_init(struct guest_mem *m, uint64_t size)
{
	void *p;

	memset(m, 0, sizeof(*m));
	if (size < GUEST_MEM_MIN || size > GUEST_MEM_MAX || size % (4 * KiB)) {
		pr_err("guest memory must be a multiple of 4 KiB from 1 MiB to 64 GiB");
		return -1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		pr_err("cannot map %llu MiB of guest memory: %s",
		       (unsigned long long)(size / MiB), strerror(errno));
		return -1;
	}
	m->host = p;
	m->size = size;
	m->low_size = size < GUEST_LOW_MAX ? size : GUEST_LOW_MAX;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	m->host = NULL;
}

void *guest_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t high = m->size - m->low_size;

	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= m->low_size)
		return m->host + gpa;
	if (gpa >= GUEST_HIGH_BASE && gpa + len <= GUEST_HIGH_BASE + high)
		return m->host + m->low_size + (gpa - GUEST_HIGH_BASE);
	return NULL;
}

uint64_t guest_mem_end(const struct guest_mem *m)
{
	if (m->size > m->low_size)
		return GUEST_HIGH_BASE + m->size - m->low_size;
	return m->low_size;
}

const char *guest_mem_describe(const struct guest_mem *m)
{
	static char buf[96];

	if (m->size > m->low_size)
		snprintf(buf, sizeof(buf), "0x0-%#llx and %#llx-%#llx",
			 (unsigned long long)m->low_size,
			 (unsigned long long)GUEST_HIGH_BASE,
			 (unsigned long long)guest_mem_end(m));
	else
		snprintf(buf, sizeof(buf), "0x0-%#llx",
			 (unsigned long long)m->low_size);
	return buf;
}

static int map_add(struct guest_map_entry *map, int n, uint64_t start,
		   uint64_t end, uint32_t type)
{
	if (end <= start)
		return n;
	map[n].addr = start;
	map[n].len = end - start;
	map[n].type = type;
	return n + 1;
}

int guest_mem_map(const struct guest_mem *m, struct guest_map_entry *map)
{
	int n = 0;

	/* guest_mem_init() guarantees low_size >= 1 MiB. */
	n = map_add(map, n, 0, GUEST_LEGACY_HOLE, GUEST_MAP_RAM);
	n = map_add(map, n, GUEST_LEGACY_HOLE, GUEST_LEGACY_END,
		    GUEST_MAP_RESERVED);
	n = map_add(map, n, GUEST_LEGACY_END, m->low_size, GUEST_MAP_RAM);
	n = map_add(map, n, GUEST_HIGH_BASE, guest_mem_end(m), GUEST_MAP_RAM);
	return n;
}

/* The first recorded range overlapping [start, end), or NULL. */
static const struct guest_range *used_overlap(const struct guest_mem *m,
					      uint64_t start, uint64_t end)
{
	int i;

	for (i = 0; i < m->nused; i++)
		if (start < m->used[i].end && m->used[i].start < end)
			return &m->used[i];
	return NULL;
}

static int used_add(struct guest_mem *m, uint64_t start, uint64_t end,
		    const char *what)
{
	if (m->nused == GUEST_MAX_USED) {
		pr_err("%s: too many separate pieces of guest memory in use", what);
		return -1;
	}
	m->used[m->nused].start = start;
	m->used[m->nused].end = end;
	m->nused++;
	return 0;
}

int guest_mem_reserve(struct guest_mem *m, uint64_t gpa, uint64_t len,
		      const char *what)
{
	const struct guest_range *r;

	if (!len)
		return 0;
	if (!guest_ptr(m, gpa, len)) {
		pr_err("%s at %#llx-%#llx does not fit in guest RAM (%s); give more memory with --mem",
		       what, (unsigned long long)gpa,
		       (unsigned long long)(gpa + len), guest_mem_describe(m));
		return -1;
	}
	r = used_overlap(m, gpa, gpa + len);
	if (r) {
		pr_err("%s at %#llx-%#llx overlaps %#llx-%#llx, already in use",
		       what, (unsigned long long)gpa,
		       (unsigned long long)(gpa + len),
		       (unsigned long long)r->start,
		       (unsigned long long)r->end);
		return -1;
	}
	return used_add(m, gpa, gpa + len, what);
}

int guest_mem_alloc(struct guest_mem *m, uint64_t len, uint64_t align,
		    uint64_t limit, const char *what, uint64_t *gpa)
{
	struct guest_map_entry map[GUEST_MAX_MAP];
	const struct guest_range *r;
	uint64_t start, end;
	int i, n;

	n = guest_mem_map(m, map);
	for (i = 0; i < n; i++) {
		if (map[i].type != GUEST_MAP_RAM)
			continue;
		end = map[i].addr + map[i].len;
		if (end > limit)
			end = limit;
		start = ALIGN_UP(map[i].addr ? map[i].addr : 4 * KiB, align);
		while (start + len <= end) {
			r = used_overlap(m, start, start + len);
			if (!r) {
				if (used_add(m, start, start + len, what))
					return -1;
				memset(guest_ptr(m, start, len), 0, len);
				*gpa = start;
				return 0;
			}
			start = ALIGN_UP(r->end, align);
		}
	}
	pr_err("no room for the %s (%llu bytes) in guest RAM (%s); give more memory with --mem",
	       what, (unsigned long long)len, guest_mem_describe(m));
	return -1;
}
