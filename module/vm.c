// SPDX-License-Identifier: GPL-2.0
/*
 * A VM: the object behind the anonymous fd that KVM_CREATE_VM returns.
 *
 * Creating the first VM enables VMX/SVM on every online CPU (cpu_virt.c);
 * the release of the last VM fd turns it off again. The fd's file operations
 * name this module as their owner, so the module cannot be unloaded while a
 * VM fd is open, even after the /dev/svmx fd that created it is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "svmx.h"

struct svmx_vm {
	/* The process that created the VM; only it may use the VM fd. */
	struct mm_struct *mm;
};

static int svmx_vm_release(struct inode *inode, struct file *filp)
{
	struct svmx_vm *vm = filp->private_data;

	mmdrop(vm->mm);
	kfree(vm);
	svmx_virt_put();
	return 0;
}

static long svmx_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct svmx_vm *vm = filp->private_data;

	/* As KVM: a VM belongs to the address space that created it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return svmx_check_extension((long)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations svmx_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= svmx_vm_release,
	.unlocked_ioctl	= svmx_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/**
 * svmx_vm_create() - KVM_CREATE_VM
 * @type: the machine type; x86 KVM knows only 0 (the default VM)
 *
 * Return: a new VM fd, -EINVAL for an unknown type, -EBUSY when another
 * hypervisor owns VMX/SVM, -ENOMEM.
 */
int svmx_vm_create(unsigned long type)
{
	struct svmx_vm *vm;
	int r;

	if (type)
		return -EINVAL;

	r = svmx_virt_get();
	if (r)
		return r;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		r = -ENOMEM;
		goto err_put;
	}
	vm->mm = current->mm;
	mmgrab(vm->mm);

	r = anon_inode_getfd("svmx-vm", &svmx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_free;
	return r;

err_free:
	mmdrop(vm->mm);
	kfree(vm);
err_put:
	svmx_virt_put();
	return r;
}
