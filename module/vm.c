// SPDX-License-Identifier: GPL-2.0
/*
 * A VM: the object behind the anonymous fd that KVM_CREATE_VM returns.
 *
 * Creating the first VM enables VMX/SVM on every online CPU (cpu_virt.c);
 * the destruction of the last VM turns it off again. A VM lives while its
 * fd or any of its vCPU fds is open (each holds a reference), as on KVM.
 * The fds' file operations name this module as their owner, so the module
 * cannot be unloaded while a VM exists, even after the /dev/svmx fd that
 * created it is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "svmx.h"
#include "vcpu.h"

/* KVM's lowest accepted KVM_SET_NR_MMU_PAGES value. */
#define SVMX_MIN_MMU_PAGES	64

static void svmx_vm_destroy(struct kref *kref)
{
	struct svmx_vm *vm = container_of(kref, struct svmx_vm, refs);
	unsigned int i;

	/* First the MMU notifier, which kicks the vCPUs, then the vCPUs. */
	svmx_mmu_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		svmx_vcpu_destroy(vm->vcpus[i]);
	svmx_irqchip_destroy(vm);
	svmx_memslots_destroy(vm);
	svmx_coalesced_destroy(vm);
	cleanup_srcu_struct(&vm->srcu);
	mmdrop(vm->mm);
	kfree(vm);
	svmx_virt_put();
}

void svmx_vm_put(struct svmx_vm *vm)
{
	kref_put(&vm->refs, svmx_vm_destroy);
}

static int svmx_vm_release(struct inode *inode, struct file *filp)
{
	svmx_vm_put(filp->private_data);
	return 0;
}

static void svmx_kick_nop(void *unused)
{
}

/**
 * svmx_vm_kick_all() - make every vCPU handle a request before it runs on
 * @vm: the VM
 * @request: an SVMX_REQ_* bit
 *
 * A vCPU inside the guest is forced out with an IPI, and this waits until
 * the IPI has been taken, i.e. until the vCPU has left the guest. Process
 * context, interrupts on.
 */
void svmx_vm_kick_all(struct svmx_vm *vm, unsigned int request)
{
	/* Pairs with the release in svmx_vcpu_create(). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct svmx_vcpu *vcpu = vm->vcpus[i];

		set_bit(request, &vcpu->requests);
		/* Pairs with the barrier in svmx_vcpu_enter_prepare(). */
		smp_mb__after_atomic();
		if (READ_ONCE(vcpu->mode) == SVMX_IN_GUEST)
			smp_call_function_single(READ_ONCE(vcpu->cpu),
						 svmx_kick_nop, NULL, 1);
	}
}

static long svmx_vm_ioctl_memory_region(struct svmx_vm *vm, void __user *argp)
{
	struct kvm_userspace_memory_region mem;

	if (copy_from_user(&mem, argp, sizeof(mem)))
		return -EFAULT;
	return svmx_set_user_memory_region(vm, &mem);
}

static long svmx_vm_ioctl_identity_map(struct svmx_vm *vm, void __user *argp)
{
	u64 addr;
	long r;

	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->nr_vcpus)
		goto out;
	r = -EFAULT;
	if (copy_from_user(&addr, argp, sizeof(addr)))
		goto out;
	/* Only for VMX without unrestricted guest, which svmx does not use. */
	vm->identity_map_addr = addr;
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM_CREATE_IRQCHIP: the PICs, the IOAPIC and, with each vCPU, a local APIC. */
static long svmx_vm_ioctl_create_irqchip(struct svmx_vm *vm)
{
	long r;

	mutex_lock(&vm->lock);
	if (vm->irqchip)
		r = -EEXIST;
	else if (vm->nr_vcpus)
		r = -EINVAL;
	else
		r = svmx_irqchip_create(vm);
	mutex_unlock(&vm->lock);
	return r;
}

static long svmx_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct svmx_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* As KVM: a VM belongs to the address space that created it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return svmx_check_extension((long)arg);
	case KVM_CREATE_VCPU:
		return svmx_vcpu_create(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return svmx_vm_ioctl_memory_region(vm, argp);
	case KVM_SET_TSS_ADDR:
		/* The 3 pages must fit below 4 GiB (KVM's check). */
		if (arg > (unsigned int)(-3 * PAGE_SIZE))
			return -EINVAL;
		/* Only real-mode emulation without unrestricted guest uses it. */
		vm->tss_addr = arg;
		return 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		return svmx_vm_ioctl_identity_map(vm, argp);
	case KVM_REGISTER_COALESCED_MMIO:
	case KVM_UNREGISTER_COALESCED_MMIO:
		return svmx_coalesced_ioctl(vm, ioctl, argp);
	case KVM_SET_NR_MMU_PAGES:
		/* Accepted: the EPT/NPT tables are sized by the guest's use. */
		return arg < SVMX_MIN_MMU_PAGES ? -EINVAL : 0;
	case KVM_CREATE_IRQCHIP:
		return svmx_vm_ioctl_create_irqchip(vm);
	default:
		return svmx_irqchip_ioctl(vm, ioctl, argp);
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
	kref_init(&vm->refs);
	mutex_init(&vm->lock);
	vm->mm = current->mm;
	mmgrab(vm->mm);

	r = init_srcu_struct(&vm->srcu);
	if (r)
		goto err_free;
	r = svmx_memslots_init(vm);
	if (r)
		goto err_srcu;
	r = svmx_coalesced_init(vm);
	if (r)
		goto err_slots;
	r = svmx_mmu_init(vm);
	if (r)
		goto err_coalesced;

	r = anon_inode_getfd("svmx-vm", &svmx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_mmu;
	return r;

err_mmu:
	svmx_mmu_destroy(vm);
err_coalesced:
	svmx_coalesced_destroy(vm);
err_slots:
	svmx_memslots_destroy(vm);
err_srcu:
	cleanup_srcu_struct(&vm->srcu);
err_free:
	mmdrop(vm->mm);
	kfree(vm);
err_put:
	svmx_virt_put();
	return r;
}
