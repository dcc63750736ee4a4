/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: the terminal behind the UART. Input is taken as it comes,
 * without echo or line editing, when it is a terminal (Ctrl-C still stops
 * svmx); output is written as the guest sends it.
 */
#ifndef SVMX_TERM_H
#define SVMX_TERM_H

#include <stdbool.h>
#include <stddef.h>

struct term {
	int in, out;
	bool raw;		/* in was switched to raw mode */
	bool in_eof;		/* no more input will come */
	bool out_broken;	/* output failed: stop writing */
};

void term_open(struct term *t, int in, int out);
void term_close(struct term *t);
/* Up to @len bytes of input if some is ready now; never blocks. */
size_t term_read(struct term *t, unsigned char *buf, size_t len);
void term_write(struct term *t, unsigned char c);

#endif
