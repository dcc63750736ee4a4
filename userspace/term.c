// SPDX-License-Identifier: GPL-2.0
/* svmx run: the terminal behind the UART; see term.h. */
#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

static struct termios saved;

void term_open(struct term *t, int in, int out)
{
	struct termios raw;

	t->in = in;
	t->out = out;
	t->raw = false;
	t->in_eof = false;
	t->out_broken = false;
	if (!isatty(in) || tcgetattr(in, &saved))
		return;
	raw = saved;
	/* Keystrokes go to the guest as typed: Enter is CR, as on a serial line. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (!tcsetattr(in, TCSAFLUSH, &raw))
		t->raw = true;
}

void term_close(struct term *t)
{
	if (t->raw)
		tcsetattr(t->in, TCSAFLUSH, &saved);
	t->raw = false;
}

size_t term_read(struct term *t, unsigned char *buf, size_t len)
{
	struct pollfd p = { .fd = t->in, .events = POLLIN };
	ssize_t r;

	if (t->in_eof || !len || poll(&p, 1, 0) <= 0)
		return 0;
	r = read(t->in, buf, len);
	if (r > 0)
		return (size_t)r;
	if (r == 0 || (errno != EINTR && errno != EAGAIN))
		t->in_eof = true;
	return 0;
}

void term_write(struct term *t, unsigned char c)
{
	ssize_t r;

	while (!t->out_broken) {
		r = write(t->out, &c, 1);
		if (r == 1)
			return;
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			t->out_broken = true;
	}
}
