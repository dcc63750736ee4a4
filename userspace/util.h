/* SPDX-License-Identifier: GPL-2.0 */
/* svmx tool: small helpers the commands share (messages, numbers, files). */
#ifndef SVMX_UTIL_H
#define SVMX_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define KiB	(1ULL << 10)
#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))

/* The prefix of every message pr_err() prints, e.g. "svmx run". */
extern const char *pr_prefix;

/* "PREFIX: message\n" on stderr. */
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A number in C syntax (decimal, 0x hex, 0 octal); 0, or -1 if malformed. */
int parse_u64(const char *s, uint64_t *out);
/* A size: a number with an optional K, M, G or T suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *out);

/*
 * The whole of a file, in a buffer to free(). 0, or -1 after pr_err()
 * naming @what (e.g. "image") and the reason.
 */
int read_file(const char *path, const char *what, uint8_t **buf, size_t *len);

/* Little-endian loads from a byte buffer the caller has bounds-checked. */
static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
