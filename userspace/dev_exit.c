// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: the exit port. A write to port 0xF4 (1, 2 or 4 bytes) stops
 * the VM, and the value's low 8 bits become svmx's exit status. It sits
 * where kvm-unit-tests put QEMU's isa-debug-exit, but unlike QEMU (which
 * exits with value * 2 + 1) the value is the status as is. Reads see
 * all-ones.
 */
#include <string.h>

#include "devices.h"

#define EXIT_PORT	0xf4
#define EXIT_PORTS	4

static void exit_io(void *opaque, uint64_t offset, uint8_t *data,
		    unsigned int len, bool is_write)
{
	(void)offset;
	(void)len;
	if (is_write)
		vm_request_exit(opaque, data[0]);
	else
		memset(data, 0xff, len);
}

static int exit_init(struct vm *vm, void **state)
{
	*state = NULL;
	return iobus_register(&vm->pio, EXIT_PORT, EXIT_PORTS, exit_io, vm);
}

static void exit_exit(struct vm *vm, void *state)
{
	(void)state;
	iobus_unregister(&vm->pio, EXIT_PORT);
}

const struct device exit_device = {
	.name = "exit port",
	.init = exit_init,
	.exit = exit_exit,
};
