// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU state ioctls: KVM_GET/SET_REGS, KVM_GET/SET_SREGS, KVM_GET/SET_FPU,
 * KVM_GET/SET_XSAVE, KVM_GET/SET_XCRS, KVM_GET/SET_MP_STATE.
 *
 * KVM_SET_SREGS checks the state as KVM does (kvm_is_valid_sregs() in its
 * x86.c, observable as -EINVAL with nothing changed): long mode needs PAE
 * and LMA, CS.L needs LMA, and CR4 may only hold bits the vCPU's CPUID and
 * the host both back (SDM Vol. 3A, 2.5 "Control Registers").
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>

#include "svmx.h"
#include "vcpu.h"

/* Given its CPUID and the host. */
/** svmx_valid_cr4() - the CR4 bits a guest may set */
u64 svmx_valid_cr4(struct svmx_vcpu *vcpu)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (svmx_guest_has(vcpu, 1, 2, 17) && boot_cpu_has(X86_FEATURE_PCID))
		ok |= X86_CR4_PCIDE;
	if (svmx_guest_has(vcpu, 1, 2, 26) && boot_cpu_has(X86_FEATURE_XSAVE))
		ok |= X86_CR4_OSXSAVE;
	if (svmx_guest_has(vcpu, 7, 1, 0) && boot_cpu_has(X86_FEATURE_FSGSBASE))
		ok |= X86_CR4_FSGSBASE;
	if (svmx_guest_has(vcpu, 7, 1, 7) && boot_cpu_has(X86_FEATURE_SMEP))
		ok |= X86_CR4_SMEP;
	if (svmx_guest_has(vcpu, 7, 1, 20) && boot_cpu_has(X86_FEATURE_SMAP))
		ok |= X86_CR4_SMAP;
	return ok;
}

static bool svmx_sregs_valid(struct svmx_vcpu *vcpu, const struct kvm_sregs *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
		/* CR3 within the guest's physical-address width. */
		if (s->cr3 >> svmx_guest_maxphyaddr(vcpu))
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	if ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE))
		return false;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return false;
	if (s->cr0 >> 32)
		return false;
	return !(s->cr4 & ~svmx_valid_cr4(vcpu));
}

/* The XSAVE components a guest may have: x87 and SSE at least. */
static u64 svmx_fpu_features(void)
{
	return svmx_supported_xcr0() | XFEATURE_MASK_FPSSE;
}

static void svmx_get_regs(struct svmx_vcpu *vcpu, struct kvm_regs *r)
{
	r->rax = vcpu->regs[SVMX_RAX];
	r->rbx = vcpu->regs[SVMX_RBX];
	r->rcx = vcpu->regs[SVMX_RCX];
	r->rdx = vcpu->regs[SVMX_RDX];
	r->rsi = vcpu->regs[SVMX_RSI];
	r->rdi = vcpu->regs[SVMX_RDI];
	r->rsp = vcpu->regs[SVMX_RSP];
	r->rbp = vcpu->regs[SVMX_RBP];
	r->r8 = vcpu->regs[SVMX_R8];
	r->r9 = vcpu->regs[SVMX_R9];
	r->r10 = vcpu->regs[SVMX_R10];
	r->r11 = vcpu->regs[SVMX_R11];
	r->r12 = vcpu->regs[SVMX_R12];
	r->r13 = vcpu->regs[SVMX_R13];
	r->r14 = vcpu->regs[SVMX_R14];
	r->r15 = vcpu->regs[SVMX_R15];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

static void svmx_set_regs(struct svmx_vcpu *vcpu, const struct kvm_regs *r)
{
	vcpu->regs[SVMX_RAX] = r->rax;
	vcpu->regs[SVMX_RBX] = r->rbx;
	vcpu->regs[SVMX_RCX] = r->rcx;
	vcpu->regs[SVMX_RDX] = r->rdx;
	vcpu->regs[SVMX_RSI] = r->rsi;
	vcpu->regs[SVMX_RDI] = r->rdi;
	vcpu->regs[SVMX_RSP] = r->rsp;
	vcpu->regs[SVMX_RBP] = r->rbp;
	vcpu->regs[SVMX_R8] = r->r8;
	vcpu->regs[SVMX_R9] = r->r9;
	vcpu->regs[SVMX_R10] = r->r10;
	vcpu->regs[SVMX_R11] = r->r11;
	vcpu->regs[SVMX_R12] = r->r12;
	vcpu->regs[SVMX_R13] = r->r13;
	vcpu->regs[SVMX_R14] = r->r14;
	vcpu->regs[SVMX_R15] = r->r15;
	vcpu->rip = r->rip;
	/* Bit 1 is always set (SDM Vol. 1, 3.4.3). */
	vcpu->rflags = r->rflags | X86_EFLAGS_FIXED;
	/* Userspace moved the vCPU: a pending IN/OUT completion is void. */
	vcpu->pio.pending = false;
}

/* The legacy FXSAVE region at the start of a struct kvm_xsave. */
struct svmx_fxregs {
	u16 fcw, fsw;
	u8 ftw, reserved;
	u16 fop;
	u64 rip, rdp;
	u32 mxcsr, mxcsr_mask;
	u8 st[8][16];
	u8 xmm[16][16];
} __packed;

static long svmx_get_fpu(struct svmx_vcpu *vcpu, struct kvm_fpu __user *ufpu)
{
	struct kvm_xsave *x = kzalloc(sizeof(*x), GFP_KERNEL);
	struct svmx_fxregs *fx = (void *)x->region;
	struct kvm_fpu f = {};
	int i;

	if (!x)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, x, sizeof(*x),
				       svmx_fpu_features(), 0);
	f.fcw = fx->fcw;
	f.fsw = fx->fsw;
	f.ftwx = fx->ftw;
	f.last_opcode = fx->fop;
	f.last_ip = fx->rip;
	f.last_dp = fx->rdp;
	f.mxcsr = fx->mxcsr;
	for (i = 0; i < 8; i++)
		memcpy(f.fpr[i], fx->st[i], 16);
	for (i = 0; i < 16; i++)
		memcpy(f.xmm[i], fx->xmm[i], 16);
	kfree(x);
	return copy_to_user(ufpu, &f, sizeof(f)) ? -EFAULT : 0;
}

static long svmx_set_fpu(struct svmx_vcpu *vcpu, struct kvm_fpu __user *ufpu)
{
	struct kvm_xsave *x;
	struct svmx_fxregs *fx;
	struct kvm_fpu f;
	u32 pkru = 0;
	long r;
	int i;

	if (copy_from_user(&f, ufpu, sizeof(f)))
		return -EFAULT;
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	/* Start from the current state so the XSAVE header stays consistent. */
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, x, sizeof(*x),
				       svmx_fpu_features(), 0);
	fx = (void *)x->region;
	fx->fcw = f.fcw;
	fx->fsw = f.fsw;
	fx->ftw = f.ftwx;
	fx->fop = f.last_opcode;
	fx->rip = f.last_ip;
	fx->rdp = f.last_dp;
	fx->mxcsr = f.mxcsr;
	for (i = 0; i < 8; i++)
		memcpy(fx->st[i], f.fpr[i], 16);
	for (i = 0; i < 16; i++)
		memcpy(fx->xmm[i], f.xmm[i], 16);
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, x,
					   svmx_fpu_features(), &pkru);
	kfree(x);
	return r;
}

static long svmx_get_xsave(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *x = kzalloc(sizeof(*x), GFP_KERNEL);
	long r = 0;

	if (!x)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, x, sizeof(*x),
				       svmx_fpu_features(), 0);
	if (copy_to_user(argp, x, sizeof(*x)))
		r = -EFAULT;
	kfree(x);
	return r;
}

static long svmx_set_xsave(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *x = memdup_user(argp, sizeof(*x));
	u32 pkru = 0;
	long r;

	if (IS_ERR(x))
		return PTR_ERR(x);
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, x,
					   svmx_fpu_features(), &pkru);
	kfree(x);
	return r;
}

static long svmx_get_xcrs(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs x = {};

	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		x.nr_xcrs = 1;
		x.xcrs[0].xcr = 0;
		x.xcrs[0].value = vcpu->xcr0;
	}
	return copy_to_user(argp, &x, sizeof(x)) ? -EFAULT : 0;
}

static long svmx_set_xcrs(struct svmx_vcpu *vcpu, void __user *argp)
{
	u64 allowed = svmx_supported_xcr0();
	struct kvm_xcrs x;
	u32 i;

	if (copy_from_user(&x, argp, sizeof(x)))
		return -EFAULT;
	if (x.nr_xcrs > KVM_MAX_XCRS || x.flags)
		return -EINVAL;
	for (i = 0; i < x.nr_xcrs; i++) {
		u64 v = x.xcrs[i].value;

		if (x.xcrs[i].xcr != 0 || (v & ~allowed) ||
		    !(v & XFEATURE_MASK_FP) ||
		    ((v & XFEATURE_MASK_YMM) && !(v & XFEATURE_MASK_SSE)))
			return -EINVAL;
		vcpu->xcr0 = v;
	}
	return 0;
}

static long svmx_set_mp_state(struct svmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp;

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	/* Without an in-kernel APIC only these two make sense (as KVM). */
	if (mp.mp_state != KVM_MP_STATE_RUNNABLE &&
	    mp.mp_state != KVM_MP_STATE_HALTED)
		return -EINVAL;
	vcpu->mp_state = mp.mp_state;
	return 0;
}

/**
 * svmx_vcpu_regs_ioctl() - the vCPU state ioctls (see the top of the file)
 * @vcpu: the vCPU, its lock held
 * @ioctl: the ioctl
 * @argp: its argument
 *
 * Return: 0 or a negative errno; -ENOTTY for an ioctl svmx does not know.
 */
long svmx_vcpu_regs_ioctl(struct svmx_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp)
{
	const struct svmx_vcpu_ops *ops = svmx_backend->vcpu;
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_mp_state mp;
	} *u;
	long r;

	switch (ioctl) {
	case KVM_GET_FPU:
		return svmx_get_fpu(vcpu, argp);
	case KVM_SET_FPU:
		return svmx_set_fpu(vcpu, argp);
	case KVM_GET_XSAVE:
		return svmx_get_xsave(vcpu, argp);
	case KVM_SET_XSAVE:
		return svmx_set_xsave(vcpu, argp);
	case KVM_GET_XCRS:
		return svmx_get_xcrs(vcpu, argp);
	case KVM_SET_XCRS:
		return svmx_set_xcrs(vcpu, argp);
	case KVM_SET_MP_STATE:
		return svmx_set_mp_state(vcpu, argp);
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
	case KVM_GET_MP_STATE:
		break;
	default:
		return -ENOTTY;
	}

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	r = 0;
	switch (ioctl) {
	case KVM_GET_REGS:
		svmx_get_regs(vcpu, &u->regs);
		if (copy_to_user(argp, &u->regs, sizeof(u->regs)))
			r = -EFAULT;
		break;
	case KVM_SET_REGS:
		if (copy_from_user(&u->regs, argp, sizeof(u->regs)))
			r = -EFAULT;
		else
			svmx_set_regs(vcpu, &u->regs);
		break;
	case KVM_GET_SREGS:
		ops->get_sregs(vcpu, &u->sregs);
		if (copy_to_user(argp, &u->sregs, sizeof(u->sregs)))
			r = -EFAULT;
		break;
	case KVM_SET_SREGS:
		if (copy_from_user(&u->sregs, argp, sizeof(u->sregs)))
			r = -EFAULT;
		else if (!svmx_sregs_valid(vcpu, &u->sregs))
			r = -EINVAL;
		else
			ops->set_sregs(vcpu, &u->sregs);
		break;
	case KVM_GET_MP_STATE:
		u->mp.mp_state = vcpu->mp_state;
		if (copy_to_user(argp, &u->mp, sizeof(u->mp)))
			r = -EFAULT;
		break;
	}
	kfree(u);
	return r;
}
