/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small printf-style formatter that guest code can call (it uses no libc
 * and no global state). Conversions: %d %i %u %x %X %o %c %s %p %%, flags
 * '-' '0' '#' ' ' '+', a width and a precision (digits or '*'), length
 * modifiers hh h l ll z t j. No floating point.
 *
 * Like vsnprintf(): writes at most @size bytes including the terminating NUL
 * (when @size > 0) and returns the length the full output would have.
 */
#ifndef SVMX_GUEST_FMT_H
#define SVMX_GUEST_FMT_H

#include <stdarg.h>
#include <stddef.h>

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
