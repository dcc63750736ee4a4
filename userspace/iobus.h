/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: the io-bus. A device model claims a range of ports or of
 * guest-physical addresses with one call and one callback; the vCPU loop
 * hands every port or MMIO exit to iobus_access(). An access no device
 * claims is ignored (reads see all-ones) and logged once per address.
 *
 * Ranges are registered before any vCPU runs and only read afterwards; the
 * once-only log is the bus's only state that changes while guests run
 * (it will need a lock when there are several vCPU threads).
 */
#ifndef SVMX_IOBUS_H
#define SVMX_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A device's handler: @len bytes at @offset into its range, read into or
 * written from @data (little-endian, as the guest sees them).
 */
typedef void (*io_fn)(void *opaque, uint64_t offset, uint8_t *data,
		      unsigned int len, bool is_write);

#define IOBUS_MAX_RANGES	32
#define IOBUS_MAX_LOGGED	32

struct io_range {
	uint64_t base, len;
	io_fn fn;
	void *opaque;
};

struct iobus {
	const char *space;	/* "port" or "MMIO address", for messages */
	struct io_range ranges[IOBUS_MAX_RANGES];
	int nranges;
	uint64_t logged[IOBUS_MAX_LOGGED];
	int nlogged;
	bool log_full;
};

void iobus_init(struct iobus *bus, const char *space);
/* Claim [base, base + len). 0, or -1 if it overlaps a claimed range. */
int iobus_register(struct iobus *bus, uint64_t base, uint64_t len,
		   io_fn fn, void *opaque);
/* Give back the range that starts at @base. */
void iobus_unregister(struct iobus *bus, uint64_t base);
/* One guest access, to the device that claims all of it or to no one. */
void iobus_access(struct iobus *bus, uint64_t addr, uint8_t *data,
		  unsigned int len, bool is_write);

#endif
