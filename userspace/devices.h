/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: the device models. Each is a struct device: init() claims its
 * ports or MMIO range on the VM's io-buses and returns its state; exit()
 * gives everything back. devices_init() brings them up in list order and,
 * if one fails, takes down the ones already up in reverse order.
 */
#ifndef SVMX_DEVICES_H
#define SVMX_DEVICES_H

#include "vm.h"

struct device {
	const char *name;
	/* 0 with *state set, or -1 after pr_err(). */
	int (*init)(struct vm *vm, void **state);
	void (*exit)(struct vm *vm, void *state);
};

extern const struct device uart_device;
extern const struct device exit_device;
extern const struct device fw_cfg_device;

int devices_init(struct vm *vm);
void devices_exit(struct vm *vm);

#endif
