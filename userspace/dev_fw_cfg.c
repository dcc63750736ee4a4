// SPDX-License-Identifier: GPL-2.0
/*
 * svmx run: QEMU's fw_cfg, traditional I/O interface only (QEMU's
 * docs/specs/fw_cfg.rst): a 16-bit write to port 0x510 selects an item and
 * resets its read offset; each byte read from port 0x511 is the item's
 * next byte, 0 past its end or for an unknown item. Items: the signature
 * "QEMU", the interface ID (1: no DMA), the RAM size (64-bit) and the
 * number of CPUs (16-bit, also as the maximum), all little-endian.
 */
#include <stdlib.h>
#include <string.h>

#include "devices.h"

#define FW_CFG_PORT		0x510
#define FW_CFG_PORTS		2	/* selector at +0, data at +1 */

#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NB_CPUS		0x05
#define FW_CFG_MAX_CPUS		0x0f

#define FW_CFG_MAX_ITEM		8

struct fw_cfg_item {
	uint16_t key;
	uint8_t data[FW_CFG_MAX_ITEM];
	unsigned int len;
};

struct fw_cfg {
	struct fw_cfg_item items[5];
	const struct fw_cfg_item *cur;	/* NULL: an unknown key */
	unsigned int offset;
};

static void fw_cfg_select(struct fw_cfg *f, uint16_t key)
{
	size_t i;

	f->cur = NULL;
	f->offset = 0;
	for (i = 0; i < ARRAY_SIZE(f->items); i++)
		if (f->items[i].key == key)
			f->cur = &f->items[i];
}

static void fw_cfg_io(void *opaque, uint64_t offset, uint8_t *data,
		      unsigned int len, bool is_write)
{
	struct fw_cfg *f = opaque;
	unsigned int i;

	if (offset == 0) {
		if (is_write)
			fw_cfg_select(f, len >= 2 ? get_le16(data) : data[0]);
		else
			memset(data, 0xff, len);
		return;
	}
	if (is_write)	/* writes through the data port: ignored */
		return;
	for (i = 0; i < len; i++) {
		if (f->cur && f->offset < f->cur->len)
			data[i] = f->cur->data[f->offset++];
		else
			data[i] = 0;
	}
}

static int fw_cfg_init(struct vm *vm, void **state)
{
	struct fw_cfg *f = calloc(1, sizeof(*f));
	struct fw_cfg_item *it;

	if (!f)
		return -1;
	it = f->items;
	*it = (struct fw_cfg_item){ FW_CFG_SIGNATURE, "QEMU", 4 };
	it++;
	*it = (struct fw_cfg_item){ FW_CFG_ID, { 1 }, 4 };
	it++;
	*it = (struct fw_cfg_item){ .key = FW_CFG_RAM_SIZE, .len = 8 };
	put_le64(it->data, vm->mem->size);
	it++;
	*it = (struct fw_cfg_item){ .key = FW_CFG_NB_CPUS, .len = 2 };
	it->data[0] = (uint8_t)vm->ncpus;
	it->data[1] = (uint8_t)(vm->ncpus >> 8);
	it[1] = *it;
	it[1].key = FW_CFG_MAX_CPUS;
	if (iobus_register(&vm->pio, FW_CFG_PORT, FW_CFG_PORTS, fw_cfg_io, f)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static void fw_cfg_exit(struct vm *vm, void *state)
{
	iobus_unregister(&vm->pio, FW_CFG_PORT);
	free(state);
}

const struct device fw_cfg_device = {
	.name = "fw_cfg",
	.init = fw_cfg_init,
	.exit = fw_cfg_exit,
};
