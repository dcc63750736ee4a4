// SPDX-License-Identifier: GPL-2.0
/*
 * svmx: module load and unload.
 *
 * At load the CPU vendor picks a backend (VMX on Intel-compatible CPUs, SVM
 * on AMD-compatible ones), the backend checks every hardware requirement and
 * prints each missing one, and only then is anything registered. VMX/SVM is
 * not turned on here: cpu_virt.c does that while at least one VM exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <asm/processor.h>

#include "svmx.h"

const struct svmx_backend *svmx_backend;
struct svmx_hw_features svmx_hw;

/*
 * The parameters report what the hardware offers and svmx uses. They cannot
 * be set: svmx has no fallback yet (shadow paging comes later), so asking
 * for ept=0 would only pretend to be honoured.
 */
static int svmx_param_set_readonly(const char *val,
				   const struct kernel_param *kp)
{
	pr_err("parameter '%s' is read-only: it reports what the hardware offers\n",
	       kp->name);
	return -EPERM;
}

static const struct kernel_param_ops svmx_report_bool_ops = {
	.set = svmx_param_set_readonly,
	.get = param_get_bool,
};

static const struct kernel_param_ops svmx_report_charp_ops = {
	.set = svmx_param_set_readonly,
	.get = param_get_charp,
};

static char *backend_name = "none";
module_param_cb(backend, &svmx_report_charp_ops, &backend_name, 0444);
MODULE_PARM_DESC(backend, "Hardware extension in use: vmx or svm (read-only)");

module_param_cb(ept, &svmx_report_bool_ops, &svmx_hw.ept, 0444);
MODULE_PARM_DESC(ept, "Intel EPT in use (read-only)");
module_param_cb(vpid, &svmx_report_bool_ops, &svmx_hw.vpid, 0444);
MODULE_PARM_DESC(vpid, "Intel VPID in use (read-only)");
module_param_cb(unrestricted_guest, &svmx_report_bool_ops,
		&svmx_hw.unrestricted_guest, 0444);
MODULE_PARM_DESC(unrestricted_guest,
		 "Intel unrestricted guest in use (read-only)");
module_param_cb(npt, &svmx_report_bool_ops, &svmx_hw.npt, 0444);
MODULE_PARM_DESC(npt, "AMD nested paging in use (read-only)");

static const struct svmx_backend *svmx_pick_backend(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_INTEL:
	case X86_VENDOR_CENTAUR:
	case X86_VENDOR_ZHAOXIN:
		return &svmx_vmx_backend;
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		return &svmx_svm_backend;
	default:
		return NULL;
	}
}

static int __init svmx_init(void)
{
	const struct svmx_backend *be;
	int r;

	be = svmx_pick_backend();
	if (!be) {
		pr_err("unsupported CPU vendor '%s': svmx needs Intel VMX or AMD SVM\n",
		       boot_cpu_data.x86_vendor_id);
		return -ENODEV;
	}

	r = be->probe();
	if (r)
		return r;

	r = be->init();
	if (r)
		return r;
	svmx_backend = be;
	backend_name = (char *)be->name;

	r = svmx_cpu_virt_init();
	if (r)
		goto err_backend;

	r = svmx_emergency_init();
	if (r)
		goto err_cpu_virt;

	svmx_debugfs_init();

	r = svmx_dev_register();
	if (r)
		goto err_debugfs;

	pr_info("loaded: %s backend, ept=%d vpid=%d unrestricted_guest=%d npt=%d\n",
		be->name, svmx_hw.ept, svmx_hw.vpid, svmx_hw.unrestricted_guest,
		svmx_hw.npt);
	return 0;

err_debugfs:
	svmx_debugfs_exit();
	svmx_emergency_exit();
err_cpu_virt:
	svmx_cpu_virt_exit();
err_backend:
	be->exit();
	svmx_backend = NULL;
	return r;
}

static void __exit svmx_exit(void)
{
	/* No VM can exist here: each VM fd holds a reference on the module. */
	svmx_dev_unregister();
	svmx_debugfs_exit();
	svmx_emergency_exit();
	svmx_cpu_virt_exit();
	svmx_backend->exit();
	pr_info("unloaded\n");
}

module_init(svmx_init);
module_exit(svmx_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svmx: a VMX/SVM hypervisor serving the KVM API on /dev/svmx");
MODULE_AUTHOR("The svmx developers");
MODULE_VERSION("0.1");
