// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs a guest OS touches that KVM handles in the kernel, with the
 * values KVM accepts, refuses (#GP in the guest, KVM_SET_MSRS stopping at
 * the entry) or adjusts: PAT, the MTRRs, MISC_ENABLE, SYSENTER, SYSCALL,
 * FS/GS/KERNEL_GS base, APIC_BASE, EFER. And PAUSE and INVLPG, which run
 * without an exit to userspace.
 *
 * The KVM paravirtual MSRs are not tested: svmx offers no paravirtual
 * feature (CPUID 0x40000001 is all zeroes).
 */
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

#define MSR_MTRRcap		0x000000fe
#define MSR_MTRRdefType		0x000002ff
#define MSR_MTRRfix64K_00000	0x00000250
#define MSR_MTRRfix16K_80000	0x00000258
#define MSR_MTRRfix4K_C0000	0x00000268
#define MSR_MTRRfix4K_F8000	0x0000026f
#define MSR_MTRR_PHYSBASE0	0x00000200
#define MSR_MTRR_PHYSMASK0	0x00000201
#define MSR_MTRR_PHYSBASE7	0x0000020e
#define MSR_MTRR_PHYSMASK7	0x0000020f
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084

#define PAT_DEFAULT		0x0007040600070406ULL
#define MISC_FAST_STRING	(1ULL << 0)
#define MISC_EMON		(1ULL << 7)
#define MISC_BTS_UNAVAIL	(1ULL << 11)
#define MISC_PEBS_UNAVAIL	(1ULL << 12)

#define NON_CANONICAL		0x8000000000001000ULL

/* --- Guest side: WRMSR that reports #GP instead of failing --- */

static volatile uint64_t gp_count;

static void gp_handler(struct guest_regs *regs)
{
	GUEST_ASSERT_EQ(regs->error_code, 0);
	gp_count++;
	regs->rip += 2;		/* RDMSR 0f 32, WRMSR 0f 30 */
}

/* 1 if WRMSR took #GP, else 0. */
static uint64_t wrmsr_gp(uint32_t msr, uint64_t v)
{
	uint64_t before = gp_count;

	wrmsr(msr, v);
	return gp_count - before;
}

/* A write the guest expects to succeed and read back as @expect. */
#define GUEST_WRMSR_OK(msr, v, expect)					\
	do {								\
		GUEST_ASSERT(!wrmsr_gp(msr, v), "WRMSR %#x <- %#lx: #GP",	\
			     (uint32_t)(msr), (uint64_t)(v));		\
		GUEST_ASSERT(rdmsr(msr) == (expect),			\
			     "MSR %#x <- %#lx reads %#lx", (uint32_t)(msr), \
			     (uint64_t)(v), rdmsr(msr));		\
	} while (0)
#define GUEST_WRMSR_GP(msr, v)						\
	GUEST_ASSERT(wrmsr_gp(msr, v), "WRMSR %#x <- %#lx: no #GP",	\
		     (uint32_t)(msr), (uint64_t)(v))

static struct vm *create(struct vcpu **vcpu, void *code)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, code);

	vm_install_exception_handler(vm, GP_VECTOR, gp_handler);
	return vm;
}

/* --- PAT --- */

static void guest_pat(void)
{
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_CR_PAT), PAT_DEFAULT);
	/* Memory types 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB), 7 (UC-). */
	GUEST_WRMSR_OK(MSR_IA32_CR_PAT, 0x0001040506070100ULL,
		       0x0001040506070100ULL);
	for (int byte = 0; byte < 8; byte++) {
		uint64_t others = PAT_DEFAULT & ~(0xffULL << (8 * byte));

		GUEST_WRMSR_GP(MSR_IA32_CR_PAT, others | (2ULL << (8 * byte)));
		GUEST_WRMSR_GP(MSR_IA32_CR_PAT, others | (3ULL << (8 * byte)));
		GUEST_WRMSR_GP(MSR_IA32_CR_PAT, others | (8ULL << (8 * byte)));
	}
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_CR_PAT), 0x0001040506070100ULL);
	GUEST_DONE();
}

TEST(pat)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_pat);

	EXPECT_EQ(PAT_DEFAULT, vcpu_get_msr(vcpu, MSR_IA32_CR_PAT));
	vcpu_run_done(vcpu);
	EXPECT_EQ(0x0001040506070100ULL, vcpu_get_msr(vcpu, MSR_IA32_CR_PAT));
	vm_free(vm);
}

/* KVM_SET_MSRS stops at the invalid value: returns the entries done. */
TEST(pat_host_write_stops_at_invalid)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} m = {
		.hdr.nmsrs = 3,
		.e = {
			{ .index = MSR_IA32_CR_PAT, .data = 0x0606060606060606ULL },
			{ .index = MSR_IA32_CR_PAT, .data = 0x0606060606060602ULL },
			{ .index = MSR_LSTAR, .data = 0xffffffff81000000ULL },
		},
	};
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);

	EXPECT_EQ(1, ioctl(vcpu->fd, KVM_SET_MSRS, &m));
	EXPECT_EQ(0x0606060606060606ULL, vcpu_get_msr(vcpu, MSR_IA32_CR_PAT));
	EXPECT_EQ(0ULL, vcpu_get_msr(vcpu, MSR_LSTAR));
	vm_free(vm);
}

/* --- MTRRs --- */

static void guest_mtrr(void)
{
	uint64_t cap = rdmsr(MSR_MTRRcap);

	/* 8 variable ranges, fixed ranges, WC; no SMRR. */
	GUEST_ASSERT_EQ(cap, 0x508ULL);
	GUEST_WRMSR_GP(MSR_MTRRcap, cap);

	/* Default type: E, FE, type in 7:0. */
	GUEST_WRMSR_OK(MSR_MTRRdefType, 0xc06, 0xc06);
	GUEST_WRMSR_OK(MSR_MTRRdefType, 0x800, 0x800);
	GUEST_WRMSR_GP(MSR_MTRRdefType, 0xc02);	/* type 2: reserved */
	GUEST_WRMSR_GP(MSR_MTRRdefType, 0xc07);	/* 7 (UC-) is PAT-only */
	GUEST_WRMSR_GP(MSR_MTRRdefType, 0x1c06);	/* reserved bit 12 */
	GUEST_ASSERT_EQ(rdmsr(MSR_MTRRdefType), 0x800ULL);

	/* Fixed ranges: eight types each. */
	GUEST_WRMSR_OK(MSR_MTRRfix64K_00000, 0x0606060606060606ULL,
		       0x0606060606060606ULL);
	GUEST_WRMSR_OK(MSR_MTRRfix16K_80000, 0x0001040506000104ULL,
		       0x0001040506000104ULL);
	GUEST_WRMSR_OK(MSR_MTRRfix4K_C0000, 0x0505050505050505ULL,
		       0x0505050505050505ULL);
	GUEST_WRMSR_OK(MSR_MTRRfix4K_F8000, 0x0404040404040404ULL,
		       0x0404040404040404ULL);
	GUEST_WRMSR_GP(MSR_MTRRfix64K_00000, 0x0606060606060602ULL);
	GUEST_WRMSR_GP(MSR_MTRRfix4K_F8000, 0x0704040404040404ULL);
	GUEST_ASSERT_EQ(rdmsr(MSR_MTRRfix64K_00000), 0x0606060606060606ULL);

	/* Variable ranges: base (type in 7:0), mask (valid bit 11). */
	GUEST_WRMSR_OK(MSR_MTRR_PHYSBASE0, 0x80000006ULL, 0x80000006ULL);
	GUEST_WRMSR_OK(MSR_MTRR_PHYSMASK0, 0xf80000800ULL, 0xf80000800ULL);
	GUEST_WRMSR_OK(MSR_MTRR_PHYSBASE7, 0xc0000000ULL, 0xc0000000ULL);
	GUEST_WRMSR_OK(MSR_MTRR_PHYSMASK7, 0xfc0000800ULL, 0xfc0000800ULL);
	GUEST_WRMSR_GP(MSR_MTRR_PHYSBASE0, 0x80000002ULL);	/* type 2 */
	GUEST_WRMSR_GP(MSR_MTRR_PHYSBASE0, 0x80000106ULL);	/* bit 8 */
	GUEST_WRMSR_GP(MSR_MTRR_PHYSMASK0, 0xf80000801ULL);	/* bit 0 */
	GUEST_WRMSR_GP(MSR_MTRR_PHYSBASE0, (1ULL << 63) | 6);	/* > MAXPHYADDR */
	GUEST_ASSERT_EQ(rdmsr(MSR_MTRR_PHYSBASE0), 0x80000006ULL);
	GUEST_DONE();
}

TEST(mtrr)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_mtrr);

	EXPECT_EQ(0x508ULL, vcpu_get_msr(vcpu, MSR_MTRRcap));
	vcpu_run_done(vcpu);
	EXPECT_EQ(0x800ULL, vcpu_get_msr(vcpu, MSR_MTRRdefType));
	EXPECT_EQ(0x0606060606060606ULL, vcpu_get_msr(vcpu, MSR_MTRRfix64K_00000));
	EXPECT_EQ(0x80000006ULL, vcpu_get_msr(vcpu, MSR_MTRR_PHYSBASE0));
	EXPECT_EQ(0xfc0000800ULL, vcpu_get_msr(vcpu, MSR_MTRR_PHYSMASK7));
	/* The host is held to the same rules. */
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_MTRRdefType, 0xc02));
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_MTRR_PHYSBASE0, 0x80000106ULL));
	vcpu_set_msr(vcpu, MSR_MTRRdefType, 0xc06);
	EXPECT_EQ(0xc06ULL, vcpu_get_msr(vcpu, MSR_MTRRdefType));
	vm_free(vm);
}

/* --- MISC_ENABLE --- */

static void guest_misc_enable(void)
{
	uint64_t v = rdmsr(MSR_IA32_MISC_ENABLE);

	GUEST_ASSERT_EQ(v, MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL);
	GUEST_WRMSR_OK(MSR_IA32_MISC_ENABLE, v | MISC_FAST_STRING,
		       v | MISC_FAST_STRING);
	v |= MISC_FAST_STRING;
	/* BTS/PEBS unavailable are read-only for the guest... */
	GUEST_WRMSR_GP(MSR_IA32_MISC_ENABLE, v & ~MISC_BTS_UNAVAIL);
	GUEST_WRMSR_GP(MSR_IA32_MISC_ENABLE, v & ~MISC_PEBS_UNAVAIL);
	/* ...and its writes to EMON are ignored. */
	GUEST_WRMSR_OK(MSR_IA32_MISC_ENABLE, v | MISC_EMON, v);
	GUEST_DONE();
}

TEST(misc_enable)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_misc_enable);
	uint64_t reset = MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL;

	EXPECT_EQ(reset, vcpu_get_msr(vcpu, MSR_IA32_MISC_ENABLE));
	vcpu_run_done(vcpu);
	EXPECT_EQ(reset | MISC_FAST_STRING, vcpu_get_msr(vcpu, MSR_IA32_MISC_ENABLE));
	/* The host may set any of them. */
	vcpu_set_msr(vcpu, MSR_IA32_MISC_ENABLE, MISC_EMON | MISC_FAST_STRING);
	EXPECT_EQ(MISC_EMON | MISC_FAST_STRING, vcpu_get_msr(vcpu, MSR_IA32_MISC_ENABLE));
	vm_free(vm);
}

/* --- SYSENTER, SYSCALL, segment bases --- */

static void guest_syscall_msrs(void)
{
	GUEST_WRMSR_OK(MSR_IA32_SYSENTER_CS, 0x10, 0x10);
	GUEST_WRMSR_OK(MSR_IA32_SYSENTER_ESP, 0x7ff000, 0x7ff000);
	GUEST_WRMSR_OK(MSR_IA32_SYSENTER_EIP, 0x81000000, 0x81000000);
	GUEST_WRMSR_OK(MSR_STAR, 0x0023001000000000ULL, 0x0023001000000000ULL);
	GUEST_WRMSR_OK(MSR_LSTAR, 0xffffffff81800000ULL, 0xffffffff81800000ULL);
	GUEST_WRMSR_OK(MSR_CSTAR, 0xffffffff81800100ULL, 0xffffffff81800100ULL);
	GUEST_WRMSR_OK(MSR_SYSCALL_MASK, 0x47700, 0x47700);
	GUEST_WRMSR_OK(MSR_KERNEL_GS_BASE, 0xffff888000001000ULL,
		       0xffff888000001000ULL);
	GUEST_WRMSR_OK(MSR_FS_BASE, 0x00007f0000002000ULL, 0x00007f0000002000ULL);
	GUEST_WRMSR_OK(MSR_GS_BASE, 0xffff888000003000ULL, 0xffff888000003000ULL);

	GUEST_DONE();
}

TEST(syscall_sysenter_and_bases)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_syscall_msrs);

	vcpu_run_done(vcpu);
	EXPECT_EQ(0xffffffff81800100ULL, vcpu_get_msr(vcpu, MSR_CSTAR));
	EXPECT_EQ(0x47700ULL, vcpu_get_msr(vcpu, MSR_SYSCALL_MASK));
	EXPECT_EQ(0xffff888000001000ULL, vcpu_get_msr(vcpu, MSR_KERNEL_GS_BASE));
	EXPECT_EQ(0x00007f0000002000ULL, vcpu_get_msr(vcpu, MSR_FS_BASE));
	EXPECT_EQ(0xffff888000003000ULL, vcpu_get_msr(vcpu, MSR_GS_BASE));
	/* KVM_SET_MSRS refuses non-canonical bases too. */
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_LSTAR, NON_CANONICAL));
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_CSTAR, NON_CANONICAL));
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_KERNEL_GS_BASE, NON_CANONICAL));
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_FS_BASE, NON_CANONICAL));
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_GS_BASE, NON_CANONICAL));
	EXPECT_EQ(0xffff888000003000ULL, vcpu_get_msr(vcpu, MSR_GS_BASE));
	/*
	 * SYSENTER_ESP/EIP: KVM_SET_MSRS makes the value canonical instead
	 * of refusing it (AMD CPUs keep bits 31:0 only: the values here read
	 * back the same both ways). The guest's own WRMSR is the CPU's: KVM
	 * does not intercept it.
	 */
	vcpu_set_msr(vcpu, MSR_IA32_SYSENTER_EIP, 0x8000000012345678ULL);
	EXPECT_EQ(0x12345678ULL, vcpu_get_msr(vcpu, MSR_IA32_SYSENTER_EIP));
	vcpu_set_msr(vcpu, MSR_IA32_SYSENTER_ESP, 0x8000000012345000ULL);
	EXPECT_EQ(0x12345000ULL, vcpu_get_msr(vcpu, MSR_IA32_SYSENTER_ESP));
	vm_free(vm);
}

static void guest_noncanonical(void)
{
	GUEST_WRMSR_OK(MSR_LSTAR, 0xffffffff81800000ULL, 0xffffffff81800000ULL);
	GUEST_WRMSR_OK(MSR_FS_BASE, 0x00007f0000002000ULL, 0x00007f0000002000ULL);
	GUEST_WRMSR_OK(MSR_GS_BASE, 0xffff888000003000ULL, 0xffff888000003000ULL);
	GUEST_WRMSR_GP(MSR_LSTAR, NON_CANONICAL);
	GUEST_WRMSR_GP(MSR_CSTAR, NON_CANONICAL);
	GUEST_WRMSR_GP(MSR_KERNEL_GS_BASE, NON_CANONICAL);
	GUEST_WRMSR_GP(MSR_FS_BASE, 0x0000800000000000ULL);
	GUEST_WRMSR_GP(MSR_GS_BASE, 0xffff7fffffffffffULL);
	GUEST_ASSERT_EQ(rdmsr(MSR_LSTAR), 0xffffffff81800000ULL);
	GUEST_ASSERT_EQ(rdmsr(MSR_FS_BASE), 0x00007f0000002000ULL);
	GUEST_ASSERT_EQ(rdmsr(MSR_GS_BASE), 0xffff888000003000ULL);
	GUEST_DONE();
}

/* The guest's WRMSR of a non-canonical address to a base MSR is #GP. */
TEST(guest_noncanonical_base_is_gp)
{
	const char *limit = test_emu_limit("wrmsr-noncanonical");
	struct vcpu *vcpu;
	struct vm *vm;

	if (limit)
		SKIP(return, "%s", limit);
	vm = create(&vcpu, guest_noncanonical);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* --- APIC_BASE --- */

static void guest_apic_base(void)
{
	for (;;)
		GUEST_SYNC(rdmsr(MSR_IA32_APICBASE));
}

TEST(apic_base)
{
	struct vm *vm = vm_create();
	struct vcpu *v0 = vm_add_vcpu(vm, 0, guest_apic_base);
	struct vcpu *v1 = vm_add_vcpu(vm, 1, guest_apic_base);

	/* 0xfee00000, enabled; BSP only for vCPU 0. */
	EXPECT_EQ(0xfee00900ULL, vcpu_get_msr(v0, MSR_IA32_APICBASE));
	EXPECT_EQ(0xfee00800ULL, vcpu_get_msr(v1, MSR_IA32_APICBASE));
	EXPECT_EQ(0xfee00900ULL, vcpu_run_sync(v0));
	EXPECT_EQ(0xfee00800ULL, vcpu_run_sync(v1));
	/* Reserved bits (7:0, 9, above MAXPHYADDR) are refused. */
	EXPECT_EQ(0, _vcpu_set_msr(v1, MSR_IA32_APICBASE, 0xfee00801ULL));
	EXPECT_EQ(0, _vcpu_set_msr(v1, MSR_IA32_APICBASE, 0xfee00a00ULL));
	EXPECT_EQ(0, _vcpu_set_msr(v1, MSR_IA32_APICBASE, (1ULL << 63) | 0xfee00800ULL));
	vcpu_set_msr(v1, MSR_IA32_APICBASE, 0xfec00800ULL);
	EXPECT_EQ(0xfec00800ULL, vcpu_get_msr(v1, MSR_IA32_APICBASE));
	EXPECT_EQ(0xfec00800ULL, vcpu_run_sync(v1));
	vm_free(vm);
}

/* --- EFER --- */

static void guest_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER);

	GUEST_ASSERT(efer & EFER_LMA, "EFER %#lx", efer);
	GUEST_WRMSR_OK(MSR_EFER, efer | EFER_SCE, efer | EFER_SCE);
	GUEST_WRMSR_OK(MSR_EFER, efer & ~EFER_SCE, efer & ~EFER_SCE);
	GUEST_WRMSR_GP(MSR_EFER, efer | (1ULL << 2));	/* reserved */
	GUEST_WRMSR_GP(MSR_EFER, efer | (1ULL << 63));	/* reserved */
	/* LME cannot change while paging is on. */
	GUEST_WRMSR_GP(MSR_EFER, efer & ~EFER_LME);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), efer & ~EFER_SCE);
	GUEST_DONE();
}

TEST(efer)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_efer);
	uint64_t efer;

	vcpu_run_done(vcpu);
	efer = vcpu_get_msr(vcpu, MSR_EFER);
	EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_EFER, efer | (1ULL << 2)));
	EXPECT_EQ(efer, vcpu_get_msr(vcpu, MSR_EFER));
	vm_free(vm);
}

/* --- PAUSE and INVLPG --- */

static void guest_pause(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		asm volatile("pause" ::: "memory");
	GUEST_SYNC(n);
}

TEST(pause_stays_in_guest)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_pause);
	uint64_t n = test_scaled(20000);

	vcpu_args_set(vcpu, 1, n);
	EXPECT_EQ(n, vcpu_run_sync(vcpu));
	vm_free(vm);
}

#define INVLPG_GVA	0x50000000ULL
#define PAGE_A_GPA	0x10000000ULL
#define PAGE_B_GPA	(PAGE_A_GPA + GUEST_PAGE_SIZE)

/* Guest-physical address of @gva's 4 KiB PTE (the library's 4-level tables). */
static uint64_t pte_gpa(struct vm *vm, uint64_t gva)
{
	uint64_t table = vm->pml4;

	for (int level = 3; level > 0; level--) {
		uint64_t *e = vm_gpa_to_hva(vm, table + 8 * ((gva >> (12 + 9 * level)) & 511));

		table = *e & PTE_ADDR_MASK;
	}
	return table + 8 * ((gva >> 12) & 511);
}

static void guest_invlpg(volatile uint64_t *pte, uint64_t new_pte)
{
	volatile uint64_t *p = (volatile uint64_t *)INVLPG_GVA;

	GUEST_SYNC(*p);		/* page A, now in the TLB */
	*pte = new_pte;
	asm volatile("invlpg (%0)" : : "r"(p) : "memory");
	GUEST_SYNC(*p);		/* page B */
	GUEST_DONE();
}

TEST(invlpg_shows_the_new_mapping)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_invlpg);
	uint64_t *pages = vm_add_slot(vm, 1, 0, PAGE_A_GPA, 2 * GUEST_PAGE_SIZE);
	uint64_t pte;

	pages[0] = 0xaaaa;
	pages[GUEST_PAGE_SIZE / 8] = 0xbbbb;
	vm_map(vm, INVLPG_GVA, PAGE_A_GPA, GUEST_PAGE_SIZE);
	pte = pte_gpa(vm, INVLPG_GVA);
	TEST_ASSERT_EQ(*(uint64_t *)vm_gpa_to_hva(vm, pte) & PTE_ADDR_MASK, PAGE_A_GPA);
	vcpu_args_set(vcpu, 2, pte,
		      (*(uint64_t *)vm_gpa_to_hva(vm, pte) & ~PTE_ADDR_MASK) | PAGE_B_GPA);
	EXPECT_EQ(0xaaaaULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0xbbbbULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST_HARNESS_MAIN
