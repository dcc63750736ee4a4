// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: a 16550A UART at 0x3F8 (COM1) on the terminal. Registers as in
 * the National Semiconductor PC16550D data sheet, "Register Description":
 *
 *   +0  RBR (read) / THR (write)    DLL when LCR.DLAB
 *   +1  IER                         DLM when LCR.DLAB
 *   +2  IIR (read) / FCR (write)
 *   +3  LCR   +4 MCR   +5 LSR   +6 MSR   +7 SCR
 *
 * The line never has to wait: what the guest sends goes out at once, and
 * the transmitter always reads empty. Received bytes come from the terminal
 * when the guest looks for them (LSR or RBR). There are no interrupts yet:
 * IER is kept but never raises one, and IIR always says none is pending.
 * MCR's loopback mode sends the guest's bytes back to it.
 */
#include <stdlib.h>

#include "devices.h"
#include "term.h"

#define UART_BASE	0x3f8
#define UART_PORTS	8

#define UART_RBR	0
#define UART_IER	1
#define UART_IIR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define LCR_DLAB	0x80
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define IIR_NONE	0x01
#define IIR_FIFO	0xc0
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

#define UART_FIFO	16

struct uart {
	struct term term;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	unsigned char rx[UART_FIFO];
	unsigned int rx_head, rx_count;
};

static void rx_push(struct uart *u, unsigned char c)
{
	if (u->rx_count < UART_FIFO)
		u->rx[(u->rx_head + u->rx_count++) % UART_FIFO] = c;
}

/* Top up the receive FIFO from the terminal (not in loopback mode). */
static void rx_fill(struct uart *u)
{
	unsigned char buf[UART_FIFO];
	size_t i, n;

	if (u->mcr & MCR_LOOP || u->rx_count)
		return;
	n = term_read(&u->term, buf, UART_FIFO);
	for (i = 0; i < n; i++)
		rx_push(u, buf[i]);
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	rx_fill(u);
	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO;
	u->rx_count--;
	return c;
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return IIR_NONE | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		rx_fill(u);
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case UART_MSR:
		if (!(u->mcr & MCR_LOOP))
			return MSR_DCD | MSR_DSR | MSR_CTS;
		/* Loopback wires the modem outputs to the inputs. */
		return (u->mcr & MCR_DTR ? MSR_DSR : 0) |
		       (u->mcr & MCR_RTS ? MSR_CTS : 0) |
		       (u->mcr & MCR_OUT1 ? MSR_RI : 0) |
		       (u->mcr & MCR_OUT2 ? MSR_DCD : 0);
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			u->dll = v;
		else if (u->mcr & MCR_LOOP)
			rx_push(u, v);
		else
			term_write(&u->term, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case UART_IIR:
		u->fcr = v;
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:	/* LSR and MSR: factory test, ignored */
		break;
	}
}

static void uart_io(void *opaque, uint64_t offset, uint8_t *data,
		    unsigned int len, bool is_write)
{
	unsigned int i;

	/* A wider access covers consecutive registers. */
	for (i = 0; i < len; i++) {
		if (is_write)
			uart_write(opaque, (unsigned int)(offset + i), data[i]);
		else
			data[i] = uart_read(opaque, (unsigned int)(offset + i));
	}
}

static int uart_init(struct vm *vm, void **state)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return -1;
	/* 115200 8N1, as firmware leaves it. */
	u->dll = 1;
	u->lcr = 0x03;
	u->mcr = MCR_DTR | MCR_RTS | MCR_OUT2;
	if (iobus_register(&vm->pio, UART_BASE, UART_PORTS, uart_io, u)) {
		free(u);
		return -1;
	}
	term_open(&u->term, vm->console_in, vm->console_out);
	*state = u;
	return 0;
}

static void uart_exit(struct vm *vm, void *state)
{
	struct uart *u = state;

	iobus_unregister(&vm->pio, UART_BASE);
	term_close(&u->term);
	free(u);
}

const struct device uart_device = {
	.name = "16550 UART",
	.init = uart_init,
	.exit = uart_exit,
};
