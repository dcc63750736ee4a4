/* SPDX-License-Identifier: GPL-2.0 */
/* svmx tool: the command table and what commands share. */
#ifndef SVMX_CMD_H
#define SVMX_CMD_H

#include <linux/svmx.h>

#define SVMX_DEFAULT_DEV SVMX_DEVICE_PATH

struct svmx_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(void);
};

int cmd_info(int argc, char **argv);
void cmd_info_usage(void);
int cmd_run(int argc, char **argv);
void cmd_run_usage(void);

/* kvm_caps.c: the name of a KVM_CAP_* number, or NULL. */
const char *kvm_cap_name(int cap);
/* One past the highest capability number kvm_caps.c knows. */
int kvm_cap_limit(void);

#endif
