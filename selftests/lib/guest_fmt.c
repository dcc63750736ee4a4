// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-safe formatter (see guest_fmt.h). It runs in guest code, so it
 * calls nothing outside this file and keeps its state on the stack.
 */
#include <stdint.h>

#include "guest_fmt.h"

struct out {
	char *buf;
	size_t size;
	size_t len;	/* what the whole output needs, without the NUL */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	int left, zero, alt, space, plus;
	int width, prec;	/* -1: not given */
};

static void put_str(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	if (!s->left)
		pad(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, ' ', s->width - n);
}

/* One integer conversion; @neg: the value is negative (magnitude in @v). */
static void put_num(struct out *o, const struct spec *s, uint64_t v, int neg,
		    unsigned int base, int upper, int is_ptr)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], prefix[3] = "";
	int n = 0, np = 0, zeros, total;

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	/* "%.0d" of 0 prints no digits; "%#o" always prints a leading 0. */
	if (n == 0 && s->prec != 0)
		tmp[n++] = '0';

	if (neg)
		prefix[np++] = '-';
	else if (s->plus)
		prefix[np++] = '+';
	else if (s->space)
		prefix[np++] = ' ';
	if ((s->alt || is_ptr) && base == 16 && (n > 1 || tmp[0] != '0' || is_ptr)) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	} else if (s->alt && base == 8 && tmp[n - 1] != '0') {
		tmp[n++] = '0';
	}

	zeros = s->prec > n ? s->prec - n : 0;
	total = np + zeros + n;
	if (s->zero && !s->left && s->prec < 0 && s->width > total) {
		zeros += s->width - total;
		total = s->width;
	}
	if (!s->left)
		pad(o, ' ', s->width - total);
	for (int i = 0; i < np; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		pad(o, ' ', s->width - total);
}

static int parse_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	const char *p = fmt;

	while (*p) {
		struct spec s = { .width = -1, .prec = -1 };
		int lng = 0;	/* -2 hh, -1 h, 0 int, 1 long */
		uint64_t u;
		int64_t i;

		if (*p != '%') {
			put(&o, *p++);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				s.left = 1;
			else if (*p == '0')
				s.zero = 1;
			else if (*p == '#')
				s.alt = 1;
			else if (*p == ' ')
				s.space = 1;
			else if (*p == '+')
				s.plus = 1;
			else
				break;
		}
		if (*p == '*') {
			s.width = va_arg(ap, int);
			if (s.width < 0) {
				s.left = 1;
				s.width = -s.width;
			}
			p++;
		} else {
			s.width = parse_int(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				s.prec = va_arg(ap, int);
				p++;
			} else {
				s.prec = parse_int(&p);
			}
		}
		for (;; p++) {
			if (*p == 'h')
				lng--;
			else if (*p == 'l' || *p == 'z' || *p == 't' || *p == 'j')
				lng = 1;
			else
				break;
		}

		switch (*p) {
		case 'd':
		case 'i':
			if (lng > 0)
				i = va_arg(ap, long);
			else
				i = va_arg(ap, int);
			if (lng == -1)
				i = (short)i;
			else if (lng == -2)
				i = (signed char)i;
			u = i < 0 ? -(uint64_t)i : (uint64_t)i;
			put_num(&o, &s, u, i < 0, 10, 0, 0);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng > 0)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng == -2)
				u = (unsigned char)u;
			put_num(&o, &s, u, 0,
				*p == 'u' ? 10 : *p == 'o' ? 8 : 16,
				*p == 'X', 0);
			break;
		case 'p':
			put_num(&o, &s, (uintptr_t)va_arg(ap, void *), 0, 16, 0, 1);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			s.prec = 1;
			put_str(&o, &s, c);
			break;
		}
		case 's':
			put_str(&o, &s, va_arg(ap, const char *));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it. */
			put(&o, '%');
			continue;
		default:
			/* Unknown conversion: print it as it is. */
			put(&o, '%');
			put(&o, *p);
			break;
		}
		p++;
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
