// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers: the guest's RDMSR/WRMSR exits and
 * KVM_GET_MSRS / KVM_SET_MSRS / KVM_GET_MSR_INDEX_LIST, and XSETBV.
 *
 * The backend keeps the MSRs that live in its VMCS/VMCB (EFER, the SYSCALL
 * and SYSENTER MSRs, FS/GS/KERNEL_GS base); this file keeps the others. An
 * MSR nobody knows, or a value the MSR does not accept, is a #GP for the
 * guest and ends KVM_GET/SET_MSRS at that entry (they return the number of
 * entries done).
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>
#include <asm/msr.h>

#include "svmx.h"
#include "vcpu.h"

/* MTRR: 8 variable ranges, fixed ranges, WC (SDM Vol. 3A, 12.11.1). */
#define SVMX_MTRRCAP		(8 | BIT(8) | BIT(10))
#define SVMX_NR_VAR_MTRR	8
/* IA32_MTRR_PHYSBASE0 .. IA32_MTRR_PHYSMASK7 */
#define SVMX_MTRR_VAR_FIRST	0x200
#define SVMX_MTRR_VAR_LAST	(0x200 + 2 * SVMX_NR_VAR_MTRR - 1)

/* What KVM_GET_MSR_INDEX_LIST offers to save and restore. */
static const u32 svmx_msrs_to_save[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
	MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_TSC, MSR_TSC_AUX, MSR_IA32_CR_PAT,
	MSR_EFER, MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE,
	MSR_MTRRdefType,
};

static bool svmx_pat_valid(u64 pat)
{
	int i;

	/* Each byte a memory type: 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A, 12.12.2). */
	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static int svmx_mtrr_index(u32 msr)
{
	switch (msr) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return 1 + msr - MSR_MTRRfix16K_80000;
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return 3 + msr - MSR_MTRRfix4K_C0000;
	}
	return -1;
}

/** svmx_canonical() - a 48-bit canonical address (SDM Vol. 1, 3.3.7.1) */
bool svmx_canonical(u64 v)
{
	return (u64)((s64)(v << 16) >> 16) == v;
}

/**
 * svmx_sysenter_canonical() - KVM_SET_MSRS of a non-canonical SYSENTER_ESP/EIP
 * @msr: the index
 * @data: the value; made canonical
 * @host: userspace writes it
 *
 * KVM does not refuse these from userspace: it makes them canonical (bits
 * 47:0 sign-extended), as AMD CPUs, which keep bits 31:0 only, never
 * refuse them either.
 *
 * Return: true if @data was made canonical, false if the write is refused.
 */
bool svmx_sysenter_canonical(u32 msr, u64 *data, bool host)
{
	if (!host || (msr != MSR_IA32_SYSENTER_ESP &&
		      msr != MSR_IA32_SYSENTER_EIP))
		return false;
	*data = (u64)((s64)(*data << 16) >> 16);
	return true;
}

/* An MTRR memory type: UC, WC, WT, WP or WB (SDM Vol. 3A, 12.11.2). */
static bool svmx_mtrr_type_valid(u8 t)
{
	return t < 8 && (BIT(t) & 0x73);
}

/* KVM's checks of a value written to an MTRR (SDM Vol. 3A, 12.11). */
static bool svmx_mtrr_valid(struct svmx_vcpu *vcpu, u32 msr, u64 data)
{
	u64 rsvd = ~0ULL << svmx_guest_maxphyaddr(vcpu);
	int i;

	if (msr == MSR_MTRRdefType)
		return !(data & ~0xcffULL) && svmx_mtrr_type_valid(data);
	if (svmx_mtrr_index(msr) >= 0) {
		for (i = 0; i < 8; i++)
			if (!svmx_mtrr_type_valid(data >> (8 * i)))
				return false;
		return true;
	}
	/* PHYSBASEn (even): type, bits 11:8 reserved; PHYSMASKn: 10:0. */
	if (!(msr & 1))
		return svmx_mtrr_type_valid(data) && !(data & (rsvd | 0xf00));
	return !(data & (rsvd | 0x7ff));
}

/**
 * svmx_efer_new() - the EFER value a write leaves, or false if it #GPs
 * @vcpu: the vCPU
 * @data: the value written; updated to the value to store
 * @cur: the current EFER
 * @host: userspace writes it (KVM_SET_MSRS) and may set LMA
 *
 * SCE, LME, LMA and (with it in CPUID) NX only; for the guest, LMA stays
 * the CPU's and LME cannot change while paging is on (SDM Vol. 3A, 2.2.1;
 * AMD APM Vol. 2, 3.1.7).
 */
bool svmx_efer_new(struct svmx_vcpu *vcpu, u64 *data, u64 cur, bool host)
{
	u64 ok = EFER_SCE | EFER_LME | EFER_LMA;

	if (svmx_guest_has(vcpu, 0x80000001, 3, 20))
		ok |= EFER_NX;
	if (*data & ~ok)
		return false;
	if (host)
		return true;
	*data = (*data & ~EFER_LMA) | (cur & EFER_LMA);
	return !((svmx_backend->vcpu->get_cr(vcpu, 0) & X86_CR0_PG) &&
		 ((*data ^ cur) & EFER_LME));
}

static u64 svmx_guest_tsc(struct svmx_vcpu *vcpu)
{
	return rdtsc() + vcpu->tsc_offset;
}

/**
 * svmx_get_msr() - read an MSR of the vCPU
 * @vcpu: the vCPU
 * @msr: the index
 * @data: the value
 * @host: the read is userspace's (KVM_GET_MSRS), not the guest's
 *
 * Return: 0, or 1 if the MSR does not exist for the guest.
 */
int svmx_get_msr(struct svmx_vcpu *vcpu, u32 msr, u64 *data, bool host)
{
	int r = svmx_backend->vcpu->read_msr(vcpu, msr, data);
	int i;

	if (r <= 0)
		return r ? 1 : 0;
	r = svmx_apic_get_msr(vcpu, msr, data);
	if (r >= 0)
		return r;

	switch (msr) {
	case MSR_IA32_TSC:
		*data = svmx_guest_tsc(vcpu);
		return 0;
	case MSR_TSC_AUX:
		*data = vcpu->tsc_aux;
		return 0;
	case MSR_IA32_CR_PAT:
		*data = vcpu->pat;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_MTRRcap:
		*data = SVMX_MTRRCAP;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		return 0;
	case SVMX_MTRR_VAR_FIRST ... SVMX_MTRR_VAR_LAST:
		*data = vcpu->mtrr_var[msr - SVMX_MTRR_VAR_FIRST];
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = 0x100000000ULL;
		return 0;
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_PERF_STATUS:
		*data = 0;
		return 0;
	}
	i = svmx_mtrr_index(msr);
	if (i >= 0) {
		*data = vcpu->mtrr_fixed[i];
		return 0;
	}
	return 1;
}

/**
 * svmx_set_msr() - write an MSR of the vCPU
 * @vcpu: the vCPU
 * @msr: the index
 * @data: the value
 * @host: the write is userspace's (KVM_SET_MSRS), not the guest's
 *
 * Return: 0, or 1 if the MSR does not exist or refuses @data.
 */
int svmx_set_msr(struct svmx_vcpu *vcpu, u32 msr, u64 data, bool host)
{
	int r = svmx_backend->vcpu->write_msr(vcpu, msr, data, host);
	int i;

	if (r <= 0)
		return r ? 1 : 0;
	r = svmx_apic_set_msr(vcpu, msr, data);
	if (r >= 0)
		return r;

	switch (msr) {
	case MSR_IA32_TSC:
		/* The backend programs the offset at the next entry. */
		vcpu->tsc_offset = data - rdtsc();
		return 0;
	case MSR_TSC_AUX:
		if (data >> 32)
			return 1;
		vcpu->tsc_aux = data;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!svmx_pat_valid(data))
			return 1;
		vcpu->pat = data;
		return 0;
	case MSR_IA32_APICBASE:
		if (vcpu->apic)
			return svmx_apic_set_base(vcpu, data, host);
		/*
		 * The APIC is userspace's: keep the value. As on KVM, for the
		 * VMM too: bits 7:0 and 9, those above MAXPHYADDR and x2APIC
		 * mode without x2APIC in CPUID are reserved; x2APIC mode needs
		 * the enable bit.
		 */
		if (data & ((~0ULL << svmx_guest_maxphyaddr(vcpu)) | 0x2ffULL |
			    (svmx_guest_has(vcpu, 1, 2, 21) ? 0 : X2APIC_ENABLE)))
			return 1;
		if ((data & X2APIC_ENABLE) && !(data & MSR_IA32_APICBASE_ENABLE))
			return 1;
		vcpu->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		if (!host) {
			/* BTS/PEBS unavailable: read-only; EMON: writes ignored. */
			if ((data ^ vcpu->misc_enable) &
			    (MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |
			     MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL))
				return 1;
			data = (data & ~MSR_IA32_MISC_ENABLE_EMON) |
			       (vcpu->misc_enable & MSR_IA32_MISC_ENABLE_EMON);
		}
		vcpu->misc_enable = data;
		return 0;
	case MSR_MTRRdefType:
		if (!svmx_mtrr_valid(vcpu, msr, data))
			return 1;
		vcpu->mtrr_def_type = data;
		return 0;
	case SVMX_MTRR_VAR_FIRST ... SVMX_MTRR_VAR_LAST:
		if (!svmx_mtrr_valid(vcpu, msr, data))
			return 1;
		vcpu->mtrr_var[msr - SVMX_MTRR_VAR_FIRST] = data;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MCG_STATUS:
		return host ? 0 : 1;
	}
	i = svmx_mtrr_index(msr);
	if (i >= 0) {
		if (!svmx_mtrr_valid(vcpu, msr, data))
			return 1;
		vcpu->mtrr_fixed[i] = data;
		return 0;
	}
	return 1;
}

/** svmx_exit_rdmsr() - RDMSR: ECX names the MSR, EDX:EAX gets the value */
int svmx_exit_rdmsr(struct svmx_vcpu *vcpu, unsigned int insn_len)
{
	u64 data;

	if (svmx_get_msr(vcpu, vcpu->regs[SVMX_RCX], &data, false)) {
		svmx_inject_gp(vcpu);
		return 1;
	}
	vcpu->regs[SVMX_RAX] = (u32)data;
	vcpu->regs[SVMX_RDX] = data >> 32;
	vcpu->rip += insn_len;
	return 1;
}

/** svmx_exit_wrmsr() - WRMSR: ECX names the MSR, EDX:EAX is the value */
int svmx_exit_wrmsr(struct svmx_vcpu *vcpu, unsigned int insn_len)
{
	u64 data = (u32)vcpu->regs[SVMX_RAX] |
		   (vcpu->regs[SVMX_RDX] << 32);

	if (svmx_set_msr(vcpu, vcpu->regs[SVMX_RCX], data, false)) {
		svmx_inject_gp(vcpu);
		return 1;
	}
	vcpu->rip += insn_len;
	return 1;
}

/**
 * svmx_exit_xsetbv() - XSETBV: validate the new XCR0 (SDM Vol. 2C, XSETBV)
 * @vcpu: the vCPU
 * @insn_len: the instruction's length
 */
int svmx_exit_xsetbv(struct svmx_vcpu *vcpu, unsigned int insn_len)
{
	u64 xcr0 = (u32)vcpu->regs[SVMX_RAX] | (vcpu->regs[SVMX_RDX] << 32);
	u64 allowed = svmx_supported_xcr0();

	/* Only XCR0, from CPL 0; x87 always on; AVX needs SSE; AVX-512 all or none. */
	if ((u32)vcpu->regs[SVMX_RCX] != 0 ||
	    svmx_backend->vcpu->get_cpl(vcpu) != 0 ||
	    (xcr0 & ~allowed) || !(xcr0 & XFEATURE_MASK_FP) ||
	    ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE)) ||
	    ((xcr0 & XFEATURE_MASK_AVX512) &&
	     (xcr0 & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512) ||
	    ((xcr0 & XFEATURE_MASK_AVX512) && !(xcr0 & XFEATURE_MASK_YMM))) {
		svmx_inject_gp(vcpu);
		return 1;
	}
	vcpu->xcr0 = xcr0;
	vcpu->rip += insn_len;
	return 1;
}

/**
 * svmx_get_msr_index_list() - KVM_GET_MSR_INDEX_LIST
 * @ulist: userspace's list
 *
 * Return: 0; -E2BIG with nmsrs set to the size needed.
 */
int svmx_get_msr_index_list(struct kvm_msr_list __user *ulist)
{
	u32 n;

	if (get_user(n, &ulist->nmsrs))
		return -EFAULT;
	if (put_user((u32)ARRAY_SIZE(svmx_msrs_to_save), &ulist->nmsrs))
		return -EFAULT;
	if (n < ARRAY_SIZE(svmx_msrs_to_save))
		return -E2BIG;
	if (copy_to_user(ulist->indices, svmx_msrs_to_save,
			 sizeof(svmx_msrs_to_save)))
		return -EFAULT;
	return 0;
}

/* KVM's limit on one KVM_GET/SET_MSRS call. */
#define SVMX_MAX_MSR_ENTRIES	255

/**
 * svmx_msrs_ioctl() - KVM_GET_MSRS / KVM_SET_MSRS
 * @vcpu: the vCPU
 * @umsrs: userspace's struct kvm_msrs
 * @set: write (else read)
 *
 * Return: the number of entries processed (stops at the first MSR that
 * fails), -E2BIG for more than 255, -EFAULT.
 */
int svmx_msrs_ioctl(struct svmx_vcpu *vcpu, struct kvm_msrs __user *umsrs,
		    bool set)
{
	struct kvm_msr_entry *e;
	struct kvm_msrs m;
	u32 i;
	int r;

	if (copy_from_user(&m, umsrs, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= SVMX_MAX_MSR_ENTRIES)
		return -E2BIG;
	e = memdup_user(umsrs->entries, m.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < m.nmsrs; i++) {
		if (set ? svmx_set_msr(vcpu, e[i].index, e[i].data, true) :
			  svmx_get_msr(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	r = i;
	if (!set && copy_to_user(umsrs->entries, e, i * sizeof(*e)))
		r = -EFAULT;
	kfree(e);
	return r;
}
