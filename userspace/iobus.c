// SPDX-License-Identifier: GPL-2.0
/* svmx run: the io-bus; see iobus.h. */
#include <stdio.h>
#include <string.h>

#include "iobus.h"
#include "util.h"

void iobus_init(struct iobus *bus, const char *space)
{
	memset(bus, 0, sizeof(*bus));
	bus->space = space;
}

int iobus_register(struct iobus *bus, uint64_t base, uint64_t len,
		   io_fn fn, void *opaque)
{
	int i;

	if (!len || base + len < base || bus->nranges == IOBUS_MAX_RANGES)
		return -1;
	for (i = 0; i < bus->nranges; i++)
		if (base < bus->ranges[i].base + bus->ranges[i].len &&
		    bus->ranges[i].base < base + len)
			return -1;
	bus->ranges[bus->nranges++] = (struct io_range){
		.base = base, .len = len, .fn = fn, .opaque = opaque,
	};
	return 0;
}

void iobus_unregister(struct iobus *bus, uint64_t base)
{
	int i;

	for (i = 0; i < bus->nranges; i++) {
		if (bus->ranges[i].base != base)
			continue;
		bus->ranges[i] = bus->ranges[--bus->nranges];
		return;
	}
}

static void log_unclaimed(struct iobus *bus, uint64_t addr, unsigned int len,
			  bool is_write)
{
	int i;

	for (i = 0; i < bus->nlogged; i++)
		if (bus->logged[i] == addr)
			return;
	if (bus->nlogged == IOBUS_MAX_LOGGED) {
		if (!bus->log_full)
			pr_err("more unknown %ss accessed: no longer logged",
			       bus->space);
		bus->log_full = true;
		return;
	}
	bus->logged[bus->nlogged++] = addr;
	pr_err("guest %s unknown %s %#llx (%u byte%s), ignored%s; not logged again",
	       is_write ? "wrote" : "read", bus->space,
	       (unsigned long long)addr, len, len == 1 ? "" : "s",
	       is_write ? "" : ", read as all-ones");
}

void iobus_access(struct iobus *bus, uint64_t addr, uint8_t *data,
		  unsigned int len, bool is_write)
{
	const struct io_range *r;
	int i;

	for (i = 0; i < bus->nranges; i++) {
		r = &bus->ranges[i];
		if (addr >= r->base && addr - r->base < r->len &&
		    len <= r->len - (addr - r->base)) {
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			return;
		}
	}
	if (!is_write)
		memset(data, 0xff, len);
	log_unclaimed(bus, addr, len, is_write);
}
