// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: what svmx can virtualize (KVM_GET_SUPPORTED_CPUID), each vCPU's
 * table (KVM_SET_CPUID2 / KVM_GET_CPUID2) and the guest's CPUID exits.
 *
 * The supported table starts from the host's CPUID as the kernel sees it
 * (boot_cpu_data, so features the host kernel disabled stay off) and keeps
 * only the features svmx virtualizes correctly: the masks below. A feature
 * joins a mask when the code that makes it safe for a guest exists.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "svmx.h"
#include "vcpu.h"

/* KVM's limit for KVM_SET_CPUID2 and KVM_GET_SUPPORTED_CPUID. */
#define SVMX_MAX_CPUID_ENTRIES	256

/* CPUID.1:ECX, EDX and 7.0:EBX bits svmx passes through (SDM Vol. 2A, CPUID). */
#define SVMX_CPUID_1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | \
				 BIT(17) | BIT(19) | BIT(20) | BIT(22) | \
				 BIT(23) | BIT(25) | BIT(26) | BIT(28) | \
				 BIT(29) | BIT(30))
#define SVMX_CPUID_1_ECX_OSXSAVE	BIT(27)
#define SVMX_CPUID_1_ECX_HYPERVISOR	BIT(31)
/* x2APIC: emulated by the in-kernel APIC whatever the host has (as KVM). */
#define SVMX_CPUID_1_ECX_X2APIC		BIT(21)
#define SVMX_CPUID_1_EDX	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | \
				 BIT(5) | BIT(6) | BIT(8) | BIT(9) | BIT(11) | \
				 BIT(12) | BIT(13) | BIT(15) | BIT(16) | \
				 BIT(17) | BIT(19) | BIT(23) | BIT(24) | \
				 BIT(25) | BIT(26))
#define SVMX_CPUID_7_EBX	(BIT(0) | BIT(3) | BIT(5) | BIT(7) | BIT(8) | \
				 BIT(9) | BIT(16) | BIT(17) | BIT(19) | \
				 BIT(20) | BIT(21) | BIT(23) | BIT(24) | \
				 BIT(28) | BIT(29) | BIT(30) | BIT(31))
#define SVMX_CPUID_7_ECX	(BIT(1) | BIT(6) | BIT(8) | BIT(9) | BIT(10) | \
				 BIT(11) | BIT(12) | BIT(14))
#define SVMX_CPUID_7_EDX	(BIT(4))
#define SVMX_CPUID_X1_ECX	(BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
#define SVMX_CPUID_X1_EDX	(BIT(11) | BIT(20) | BIT(22) | BIT(25) | \
				 BIT(26) | BIT(27) | BIT(29) | \
				 SVMX_CPUID_1_EDX)
/* XSAVE components a guest may enable: x87, SSE, AVX, AVX-512. */
#define SVMX_XCR0_SUPPORTED	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
				 XFEATURE_MASK_YMM | XFEATURE_MASK_OPMASK | \
				 XFEATURE_MASK_ZMM_Hi256 | XFEATURE_MASK_Hi16_ZMM)

/* The KVM paravirtual signature leaf (Documentation/virt/kvm/x86/cpuid.rst). */
#define SVMX_CPUID_KVM_SIGNATURE	0x40000000
#define SVMX_CPUID_KVM_FEATURES		0x40000001

/** svmx_supported_xcr0() - XCR0 bits a guest may set */
u64 svmx_supported_xcr0(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) & SVMX_XCR0_SUPPORTED;
}

struct svmx_cpuid_builder {
	struct kvm_cpuid_entry2 *e;
	unsigned int nr, max;
};

static struct kvm_cpuid_entry2 *svmx_add(struct svmx_cpuid_builder *b,
					 u32 function, u32 index, bool indexed)
{
	struct kvm_cpuid_entry2 *e;

	if (b->nr >= b->max)
		return NULL;
	e = &b->e[b->nr++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	if (indexed)
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	cpuid_count(function, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

/* Fill @b; returns -E2BIG when it does not fit. */
static int svmx_build_supported(struct svmx_cpuid_builder *b)
{
	struct kvm_cpuid_entry2 *e;
	u32 max_basic = min_t(u32, cpuid_eax(0), 0xd);
	u32 max_ext = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	u64 xcr0 = svmx_supported_xcr0();
	u32 f, i;

	e = svmx_add(b, 0, 0, false);
	if (!e)
		return -E2BIG;
	e->eax = max_basic;

	for (f = 1; f <= max_basic; f++) {
		switch (f) {
		case 1:
			e = svmx_add(b, 1, 0, false);
			if (!e)
				return -E2BIG;
			/* Userspace puts the APIC id and CPU count in EBX. */
			e->ebx &= 0xff00;
			e->ecx = (boot_cpu_data.x86_capability[CPUID_1_ECX] &
				  SVMX_CPUID_1_ECX) | SVMX_CPUID_1_ECX_HYPERVISOR |
				 SVMX_CPUID_1_ECX_X2APIC;
			e->edx = boot_cpu_data.x86_capability[CPUID_1_EDX] &
				 SVMX_CPUID_1_EDX;
			if (!xcr0)
				e->ecx &= ~(BIT(26) | BIT(28) | BIT(12) | BIT(29));
			break;
		case 7:
			e = svmx_add(b, 7, 0, true);
			if (!e)
				return -E2BIG;
			e->eax = 0;
			e->ebx = boot_cpu_data.x86_capability[CPUID_7_0_EBX] &
				 SVMX_CPUID_7_EBX;
			e->ecx = boot_cpu_data.x86_capability[CPUID_7_ECX] &
				 SVMX_CPUID_7_ECX;
			e->edx = boot_cpu_data.x86_capability[CPUID_7_EDX] &
				 SVMX_CPUID_7_EDX;
			if (!(xcr0 & XFEATURE_MASK_YMM))
				e->ebx &= ~BIT(5);
			if (!(xcr0 & XFEATURE_MASK_AVX512))
				e->ebx &= ~(BIT(16) | BIT(17) | BIT(21) |
					    BIT(28) | BIT(30) | BIT(31));
			break;
		case 0xd:
			if (!xcr0)
				break;
			e = svmx_add(b, 0xd, 0, true);
			if (!e)
				return -E2BIG;
			e->eax &= (u32)xcr0;
			e->edx &= (u32)(xcr0 >> 32);
			e = svmx_add(b, 0xd, 1, true);
			if (!e)
				return -E2BIG;
			/* XSAVEOPT, XSAVEC, XGETBV1; no XSAVES (no XSS state). */
			e->eax &= BIT(0) | BIT(1) | BIT(2);
			e->ebx = e->ecx = e->edx = 0;
			for (i = 2; i < 64; i++) {
				if (!(xcr0 & BIT_ULL(i)))
					continue;
				if (!svmx_add(b, 0xd, i, true))
					return -E2BIG;
			}
			break;
		default:
			/* Cache, power and topology leaves: userspace's own. */
			break;
		}
	}

	e = svmx_add(b, SVMX_CPUID_KVM_SIGNATURE, 0, false);
	if (!e)
		return -E2BIG;
	e->eax = SVMX_CPUID_KVM_FEATURES;
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	e = svmx_add(b, SVMX_CPUID_KVM_FEATURES, 0, false);
	if (!e)
		return -E2BIG;
	/* No paravirtual feature is offered yet. */
	e->eax = e->ebx = e->ecx = e->edx = 0;

	e = svmx_add(b, 0x80000000, 0, false);
	if (!e)
		return -E2BIG;
	e->eax = max_ext;
	for (f = 0x80000001; f <= max_ext; f++) {
		e = svmx_add(b, f, 0, false);
		if (!e)
			return -E2BIG;
		switch (f) {
		case 0x80000001:
			e->eax = e->ebx = 0;
			e->ecx = boot_cpu_data.x86_capability[CPUID_8000_0001_ECX] &
				 SVMX_CPUID_X1_ECX;
			e->edx = boot_cpu_data.x86_capability[CPUID_8000_0001_EDX] &
				 SVMX_CPUID_X1_EDX;
			if (!svmx_hw.rdtscp)
				e->edx &= ~BIT(27);
			break;
		case 0x80000008:
			/* 4-level EPT/NPT map 48 bits of guest-physical space. */
			e->eax = min_t(u32, e->eax & 0xff, 48) |
				 (e->eax & 0xff00);
			e->ebx = e->ecx = e->edx = 0;
			break;
		case 0x80000002 ... 0x80000006:
			/* Brand string and cache descriptions: as the host. */
			break;
		default:
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		}
	}
	return 0;
}

/**
 * svmx_get_supported_cpuid() - KVM_GET_SUPPORTED_CPUID
 * @ucpuid: userspace's struct kvm_cpuid2
 *
 * Return: 0 with nent set, -E2BIG if nent is too small (as KVM, nent is
 * then left alone), -EFAULT.
 */
int svmx_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid)
{
	struct svmx_cpuid_builder b = {};
	struct kvm_cpuid2 c;
	int r;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent < 1)
		return -E2BIG;
	b.max = min_t(u32, c.nent, SVMX_MAX_CPUID_ENTRIES);
	b.e = kvcalloc(b.max, sizeof(*b.e), GFP_KERNEL);
	if (!b.e)
		return -ENOMEM;
	r = svmx_build_supported(&b);
	if (r)
		goto out;
	r = -EFAULT;
	if (copy_to_user(ucpuid->entries, b.e, b.nr * sizeof(*b.e)) ||
	    put_user(b.nr, &ucpuid->nent))
		goto out;
	r = 0;
out:
	kvfree(b.e);
	return r;
}

static bool svmx_cpuid_equal(struct svmx_vcpu *vcpu,
			     const struct kvm_cpuid_entry2 *e, unsigned int nr)
{
	return nr == vcpu->nr_cpuid &&
	       !memcmp(e, vcpu->cpuid, nr * sizeof(*e));
}

/**
 * svmx_set_cpuid2() - KVM_SET_CPUID2
 * @vcpu: the vCPU
 * @ucpuid: userspace's table
 *
 * Return: 0; -E2BIG for more than 256 entries; -EINVAL for a change after
 * the vCPU has run (an identical table is accepted, as on KVM); -EFAULT.
 */
int svmx_set_cpuid2(struct svmx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 c;
	unsigned int i;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent > SVMX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (c.nent) {
		e = vmemdup_user(ucpuid->entries, c.nent * sizeof(*e));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	for (i = 0; i < c.nent; i++)
		memset(e[i].padding, 0, sizeof(e[i].padding));
	if (vcpu->ran) {
		bool same = svmx_cpuid_equal(vcpu, e, c.nent);

		kvfree(e);
		return same ? 0 : -EINVAL;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->nr_cpuid = c.nent;
	return 0;
}

/**
 * svmx_get_cpuid2() - KVM_GET_CPUID2
 * @vcpu: the vCPU
 * @ucpuid: userspace's buffer
 *
 * Return: 0 with nent set; -E2BIG with nent set to the size needed.
 */
int svmx_get_cpuid2(struct svmx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid2 c;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent < vcpu->nr_cpuid) {
		if (put_user(vcpu->nr_cpuid, &ucpuid->nent))
			return -EFAULT;
		return -E2BIG;
	}
	if (copy_to_user(ucpuid->entries, vcpu->cpuid,
			 vcpu->nr_cpuid * sizeof(*vcpu->cpuid)) ||
	    put_user(vcpu->nr_cpuid, &ucpuid->nent))
		return -EFAULT;
	return 0;
}

static const struct kvm_cpuid_entry2 *svmx_find_cpuid(struct svmx_vcpu *vcpu,
						      u32 function, u32 index)
{
	unsigned int i;

	for (i = 0; i < vcpu->nr_cpuid; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

/**
 * svmx_guest_maxphyaddr() - the guest's physical-address width
 * @vcpu: the vCPU
 *
 * CPUID.80000008H:EAX[7:0], or 36 when the table lacks the leaf (SDM
 * Vol. 3A, 4.1.4).
 */
unsigned int svmx_guest_maxphyaddr(struct svmx_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = svmx_find_cpuid(vcpu, 0x80000008, 0);

	return e && (e->eax & 0xff) ? e->eax & 0xff : 36;
}

/**
 * svmx_guest_has() - does the vCPU's CPUID table set a feature bit
 * @vcpu: the vCPU
 * @leaf: the function (index 0)
 * @reg: 0..3 for EAX, EBX, ECX, EDX
 * @bit: the bit
 */
bool svmx_guest_has(struct svmx_vcpu *vcpu, u32 leaf, int reg, u32 bit)
{
	const struct kvm_cpuid_entry2 *e = svmx_find_cpuid(vcpu, leaf, 0);
	u32 v;

	if (!e)
		return false;
	v = reg == 0 ? e->eax : reg == 1 ? e->ebx : reg == 2 ? e->ecx : e->edx;
	return v & BIT(bit);
}

/**
 * svmx_exit_cpuid() - the guest executed CPUID: answer from its table
 * @vcpu: the vCPU
 * @insn_len: the instruction's length
 *
 * A leaf missing from the table reads as zeros. OSXSAVE follows the
 * guest's CR4 (SDM Vol. 2A, CPUID.01H:ECX[27]).
 */
int svmx_exit_cpuid(struct svmx_vcpu *vcpu, unsigned int insn_len)
{
	u32 function = vcpu->regs[SVMX_RAX], index = vcpu->regs[SVMX_RCX];
	const struct kvm_cpuid_entry2 *e = svmx_find_cpuid(vcpu, function, index);
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
	}
	if (function == 1) {
		ecx &= ~SVMX_CPUID_1_ECX_OSXSAVE;
		if (svmx_backend->vcpu->get_cr(vcpu, 4) & X86_CR4_OSXSAVE)
			ecx |= SVMX_CPUID_1_ECX_OSXSAVE;
	}
	vcpu->regs[SVMX_RAX] = eax;
	vcpu->regs[SVMX_RBX] = ebx;
	vcpu->regs[SVMX_RCX] = ecx;
	vcpu->regs[SVMX_RDX] = edx;
	vcpu->rip += insn_len;
	return 1;
}
