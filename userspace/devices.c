// SPDX-License-Identifier: GPL-2.0
/* svmx run: bringing the devices up in order and down in reverse. */
#include "devices.h"
#include "util.h"

static const struct device *const devices[] = {
	&uart_device,
	&exit_device,
	&fw_cfg_device,
};

_Static_assert(ARRAY_SIZE(devices) <= VM_MAX_DEVICES, "VM_MAX_DEVICES");

int devices_init(struct vm *vm)
{
	for (vm->ndevs = 0; vm->ndevs < (int)ARRAY_SIZE(devices); vm->ndevs++) {
		const struct device *d = devices[vm->ndevs];

		if (d->init(vm, &vm->dev_state[vm->ndevs])) {
			pr_err("cannot set up the %s device", d->name);
			devices_exit(vm);
			return -1;
		}
	}
	return 0;
}

void devices_exit(struct vm *vm)
{
	while (vm->ndevs > 0) {
		vm->ndevs--;
		devices[vm->ndevs]->exit(vm, vm->dev_state[vm->ndevs]);
		vm->dev_state[vm->ndevs] = NULL;
	}
}
