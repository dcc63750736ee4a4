// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU: KVM_CREATE_VCPU, the vCPU fd, its mmap and its ioctls.
 *
 * The fd maps three pages (KVM_GET_VCPU_MMAP_SIZE): struct kvm_run, the
 * port I/O data page (run->io.data_offset points into it) and the VM's
 * coalesced-MMIO ring (coalesced.c), the same page for every vCPU. A vCPU
 * is freed with its VM, when the last fd of the VM is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include "svmx.h"
#include "vcpu.h"

static int svmx_vcpu_release(struct inode *inode, struct file *filp)
{
	struct svmx_vcpu *vcpu = filp->private_data;

	svmx_vm_put(vcpu->vm);
	return 0;
}

static vm_fault_t svmx_vcpu_fault(struct vm_fault *vmf)
{
	struct svmx_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	switch (vmf->pgoff) {
	case 0:
		page = vcpu->run_page;
		break;
	case SVMX_PIO_PAGE_OFFSET:
		page = vcpu->pio_page;
		break;
	case SVMX_COALESCED_MMIO_PAGE_OFFSET:
		page = vcpu->vm->coalesced.ring_page;
		break;
	default:
		return VM_FAULT_SIGBUS;
	}
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct svmx_vcpu_vm_ops = {
	.fault = svmx_vcpu_fault,
};

static int svmx_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &svmx_vcpu_vm_ops;
	return 0;
}

static long svmx_vcpu_set_signal_mask(struct svmx_vcpu *vcpu,
				      struct kvm_signal_mask __user *usm)
{
	struct kvm_signal_mask sm;
	sigset_t set;

	if (!usm) {
		vcpu->sigmask_active = false;
		return 0;
	}
	if (copy_from_user(&sm, usm, sizeof(sm)))
		return -EFAULT;
	/* As KVM: the kernel's sigset size, 8 bytes on x86-64. */
	if (sm.len != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&set, usm->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigmask = set;
	vcpu->sigmask_active = true;
	return 0;
}

static long svmx_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct svmx_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	/* KVM lets KVM_INTERRUPT in without the lock; svmx serializes all. */
	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		r = -EINVAL;
		if (arg)
			break;
		r = svmx_vcpu_run(vcpu);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = svmx_vcpu_set_signal_mask(vcpu, argp);
		break;
	case KVM_SET_CPUID2:
		r = svmx_set_cpuid2(vcpu, argp);
		break;
	case KVM_GET_CPUID2:
		r = svmx_get_cpuid2(vcpu, argp);
		break;
	case KVM_GET_MSRS:
		r = svmx_msrs_ioctl(vcpu, argp, false);
		break;
	case KVM_SET_MSRS:
		r = svmx_msrs_ioctl(vcpu, argp, true);
		break;
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
		r = svmx_apic_ioctl(vcpu, ioctl, argp);
		break;
	default:
		r = svmx_vcpu_regs_ioctl(vcpu, ioctl, argp);
		if (r == -ENOTTY)
			r = svmx_vcpu_events_ioctl(vcpu, ioctl, argp);
		break;
	}
	mutex_unlock(&vcpu->lock);
	return r;
}

static const struct file_operations svmx_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= svmx_vcpu_release,
	.unlocked_ioctl	= svmx_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= svmx_vcpu_mmap,
	.llseek		= noop_llseek,
};

static void svmx_vcpu_free(struct svmx_vcpu *vcpu)
{
	svmx_apic_destroy(vcpu);
	if (vcpu->pio_page)
		__free_page(vcpu->pio_page);
	if (vcpu->run_page)
		__free_page(vcpu->run_page);
	kvfree(vcpu->cpuid);
	kfree(vcpu);
}

/* With the VM: the vCPU is not running and its fd is closed. */
void svmx_vcpu_destroy(struct svmx_vcpu *vcpu)
{
	svmx_backend->vcpu->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	svmx_vcpu_free(vcpu);
}

static int svmx_vcpu_alloc_pages(struct svmx_vcpu *vcpu)
{
	vcpu->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	vcpu->pio_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_page || !vcpu->pio_page)
		return -ENOMEM;
	vcpu->run = page_address(vcpu->run_page);
	return 0;
}

/* The architectural state after RESET (SDM Vol. 3A, 9.1.1, Table 9-1). */
static void svmx_vcpu_reset_core(struct svmx_vcpu *vcpu)
{
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	/* EDX: the processor signature; KVM puts 0x600 (family 6). */
	vcpu->regs[SVMX_RDX] = 0x600;
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->pat = 0x0007040600070406ULL;
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
			    MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	vcpu->apic_base = 0xfee00000ULL | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
	vcpu->cpu = -1;
	vcpu->dr6 = 0xffff0ff0;
}

/**
 * svmx_vcpu_create() - KVM_CREATE_VCPU
 * @vm: the VM
 * @id: the vCPU id (its APIC id)
 *
 * Return: the vCPU fd, -EINVAL for an id out of range or too many vCPUs,
 * -EEXIST for an id in use, -ENOMEM.
 */
int svmx_vcpu_create(struct svmx_vm *vm, unsigned long id)
{
	struct svmx_vcpu *vcpu;
	unsigned int i;
	int r;

	if (id >= SVMX_MAX_VCPU_ID)
		return -EINVAL;

	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->nr_vcpus >= SVMX_MAX_VCPUS)
		goto out;
	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto out;

	r = -ENOMEM;
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		goto out;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->lock);
	if (svmx_vcpu_alloc_pages(vcpu))
		goto err_free;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		goto err_free;
	svmx_vcpu_reset_core(vcpu);
	rcuwait_init(&vcpu->wait);
	if (vm->irqchip) {
		if (svmx_apic_create(vcpu))
			goto err_fpu;
		/* An AP waits for INIT and SIPI from the BSP (vCPU 0). */
		if (id)
			vcpu->mp_state = KVM_MP_STATE_UNINITIALIZED;
	}
	r = svmx_backend->vcpu->vcpu_create(vcpu);
	if (r)
		goto err_fpu;

	/* The fd holds a reference to the VM. */
	kref_get(&vm->refs);
	r = anon_inode_getfd("svmx-vcpu", &svmx_vcpu_fops, vcpu,
			     O_RDWR | O_CLOEXEC);
	if (r < 0) {
		refcount_dec(&vm->refs.refcount);
		goto err_backend;
	}
	vm->vcpus[vm->nr_vcpus] = vcpu;
	/* Lockless readers see the pointer before the count. */
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	goto out;

err_backend:
	svmx_backend->vcpu->vcpu_free(vcpu);
err_fpu:
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
err_free:
	svmx_vcpu_free(vcpu);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * svmx_hypercall() - a KVM hypercall (Documentation/virt/kvm/x86/hypercalls.rst)
 * @vcpu: the vCPU, its number in RAX
 * @cpl: the guest's privilege level
 *
 * The result goes to RAX: -KVM_EPERM outside ring 0, 0 for
 * KVM_HC_VAPIC_POLL_IRQ (which KVM answers without any paravirtual
 * feature), -KVM_ENOSYS for everything else (svmx offers no paravirtual
 * feature in CPUID 0x40000001).
 */
void svmx_hypercall(struct svmx_vcpu *vcpu, int cpl)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	struct kvm_segment cs;
	u64 nr = vcpu->regs[SVMX_RAX], ret;
	bool mode64;

	ops->get_segment(vcpu, SVMX_SEG_CS, &cs);
	mode64 = (ops->get_efer(vcpu) & EFER_LMA) && cs.l;
	/* Outside 64-bit mode the number and the result are 32 bits. */
	if (!mode64)
		nr = (u32)nr;
	if (cpl)
		ret = (u64)-KVM_EPERM;
	else if (nr == KVM_HC_VAPIC_POLL_IRQ)
		ret = 0;
	else
		ret = (u64)-KVM_ENOSYS;
	vcpu->regs[SVMX_RAX] = mode64 ? ret : (u32)ret;
}

/**
 * svmx_exit_ud() - a #UD the backend intercepted
 * @vcpu: the vCPU
 *
 * The other vendor's hypercall instruction (VMCALL on AMD, VMMCALL on
 * Intel: 0F 01 C1 / 0F 01 D9) raises #UD. As on KVM, whose default
 * KVM_X86_QUIRK_FIX_HYPERCALL_INSN makes it work, it acts as a hypercall,
 * so a guest that picked the instruction on one vendor keeps working on
 * the other; svmx carries it out without rewriting the guest's code. Any
 * other #UD goes to the guest.
 *
 * Return: 1.
 */
int svmx_exit_ud(struct svmx_vcpu *vcpu)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	int cpl = ops->get_cpl(vcpu);
	u32 access = SVMX_ACCESS_FETCH | (cpl == 3 ? SVMX_ACCESS_USER : 0);
	struct kvm_segment cs;
	u8 insn[3];
	u64 linear, gpa;
	u32 pf_error;
	int i;

	ops->get_segment(vcpu, SVMX_SEG_CS, &cs);
	for (i = 0; i < 3; i++) {
		linear = cs.base + vcpu->rip + i;
		if (!((ops->get_efer(vcpu) & EFER_LMA) && cs.l))
			linear = (u32)linear;
		if (svmx_gva_to_gpa(vcpu, linear, access, &gpa, &pf_error) ||
		    svmx_read_guest(vcpu->vm, gpa, &insn[i], 1))
			break;
	}
	if (i == 3 && insn[0] == 0x0f && insn[1] == 0x01 &&
	    (insn[2] == 0xc1 || insn[2] == 0xd9)) {
		svmx_hypercall(vcpu, cpl);
		vcpu->rip += 3;
		return 1;
	}
	svmx_inject_ud(vcpu);
	return 1;
}
