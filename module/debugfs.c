// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/svmx/: state for tests and the curious.
 *
 *   cpu_state   one line per online CPU: "cpuN svmx=B hw=B", where svmx is
 *               whether svmx turned VMX/SVM on there and hw is what the
 *               hardware says right now (CR4.VMXE or EFER.SVME, read on that
 *               CPU), whoever turned it on.
 *   vms         the number of VMs.
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/smp.h>

#include "svmx.h"

static struct dentry *svmx_debugfs_dir;

struct svmx_cpu_report {
	bool svmx_on;
	bool hw_on;
};

static void svmx_read_cpu_state(void *data)
{
	struct svmx_cpu_report *rep = data;

	rep->svmx_on = svmx_virt_this_cpu_on();
	rep->hw_on = svmx_backend->cpu_hw_enabled();
}

static int svmx_cpu_state_show(struct seq_file *m, void *unused)
{
	struct svmx_cpu_report rep;
	unsigned int cpu;
	int r;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		r = smp_call_function_single(cpu, svmx_read_cpu_state, &rep, 1);
		if (r)
			seq_printf(m, "cpu%u error=%d\n", cpu, r);
		else
			seq_printf(m, "cpu%u svmx=%d hw=%d\n", cpu,
				   rep.svmx_on, rep.hw_on);
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svmx_cpu_state);

static int svmx_vms_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%u\n", svmx_virt_users());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svmx_vms);

void svmx_debugfs_init(void)
{
	/* debugfs failures are not fatal and need no checks. */
	svmx_debugfs_dir = debugfs_create_dir("svmx", NULL);
	debugfs_create_file("cpu_state", 0400, svmx_debugfs_dir, NULL,
			    &svmx_cpu_state_fops);
	debugfs_create_file("vms", 0400, svmx_debugfs_dir, NULL,
			    &svmx_vms_fops);
}

void svmx_debugfs_exit(void)
{
	debugfs_remove_recursive(svmx_debugfs_dir);
}
