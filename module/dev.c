// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/svmx: the misc device and the KVM API's system ioctls.
 *
 * The answers mirror KVM's /dev/kvm (Documentation/virt/kvm/api.rst, section
 * 4): the same numbers, the same errors for the same bad input. An ioctl the
 * system fd does not know returns -EINVAL, as on x86 KVM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/svmx.h>

#include "svmx.h"
#include "vcpu.h"

static long svmx_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return KVM_API_VERSION;
	case KVM_CREATE_VM:
		return svmx_vm_create(arg);
	case KVM_CHECK_EXTENSION:
		return svmx_check_extension((long)arg);
	case KVM_GET_SUPPORTED_CPUID:
		return svmx_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
		return svmx_get_msr_index_list((void __user *)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return SVMX_VCPU_MMAP_PAGES * PAGE_SIZE;
	default:
		return -EINVAL;
	}
}

static const struct file_operations svmx_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= svmx_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * Root-only by default; udev rules may hand it to a group, as distributions
 * do for /dev/kvm (see Documentation/usage.md).
 */
static struct miscdevice svmx_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= SVMX_DEVICE_NAME,
	.fops	= &svmx_dev_fops,
	.mode	= 0600,
};

int svmx_dev_register(void)
{
	int r = misc_register(&svmx_miscdev);

	if (r)
		pr_err("cannot register /dev/svmx: %d\n", r);
	return r;
}

void svmx_dev_unregister(void)
{
	misc_deregister(&svmx_miscdev);
}
