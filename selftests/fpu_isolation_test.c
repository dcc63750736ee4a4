// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's FPU/SSE/AVX state and the VMM thread's own are two separate
 * sets of registers: a hypervisor switches them around guest entry and
 * exit (and the kernel's lazy FPU restore must not mix them up).
 *
 * The guest loads its own values into XMM0-15 (all of YMM0-15 when it has
 * AVX), ST(0), the x87 control word and MXCSR, then exits; the host thread
 * loads different values into its own registers right before its KVM_RUN
 * system call, and finds them unchanged right after it; the guest finds
 * its values unchanged after each exit. This repeats many times, with the
 * host doing floating-point work of its own in between. At some exits
 * KVM_GET_FPU and KVM_GET_XSAVE (api.rst 4.22, 4.42) must show the guest's
 * values. Last, KVM_SET_FPU's values are the guest's registers.
 *
 * YMM is covered when the supported CPUID has XSAVE and AVX with YMM in
 * XCR0 (SDM Vol. 1 13.3): the host sets the guest's CR4.OSXSAVE
 * (KVM_SET_SREGS) and XCR0 (KVM_SET_XCRS). Not the guest itself with
 * XSETBV: QEMU 7.2's TCG does not intercept a nested guest's XSETBV for
 * the hypervisor, which then puts its own idea of XCR0 back at the next
 * entry (with stock KVM as with svmx). The usual test machines have no AVX
 * (QEMU's qemu64; the vmx machine's kernel boots with noxsave), and the
 * test says so when it checks XMM only; SVMX_QEMU_CPU=max gives the svm
 * machine AVX.
 */
#include <cpuid.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "harness.h"
#include "guest.h"

#define ROUNDS		1000
/* KVM_GET_FPU / KVM_GET_XSAVE at every this many rounds. */
#define STATE_EVERY	50

#define XCR0_FP		(1ULL << 0)
#define XCR0_SSE	(1ULL << 1)
#define XCR0_YMM	(1ULL << 2)

/* Offsets in the FXSAVE / legacy XSAVE area (SDM Vol. 1 10.5.1, 13.4.1). */
#define FX_FCW		0
#define FX_MXCSR	24
#define FX_ST0		32
#define FX_XMM0		160
#define XSAVE_XSTATE_BV	512

/* Guest and host values of the control registers: each its own. */
#define GUEST_FCW	0x027fU	/* 53-bit precision */
#define GUEST_MXCSR	0x3f80U	/* round down */
#define HOST_FCW	0x0f7fU	/* round toward zero */
#define HOST_MXCSR	0x5f80U	/* round up */

/*
 * The registers one side loads: 16 vector registers of 32 bytes (for XMM
 * only the low 16 count), the 80-bit ST(0) and the two control words.
 */
struct fpregs {
	uint8_t vec[16][32];
	uint8_t st0[16];
	uint32_t mxcsr;
	uint16_t fcw;
} __attribute__((aligned(32)));

/* The offsets the assembly below uses. */
_Static_assert(offsetof(struct fpregs, st0) == 512, "st0");
_Static_assert(offsetof(struct fpregs, mxcsr) == 528, "mxcsr");
_Static_assert(offsetof(struct fpregs, fcw) == 532, "fcw");

static void fpregs_fill(struct fpregs *r, uint64_t seed, bool guest)
{
	for (int i = 0; i < 16; i++)
		for (int b = 0; b < 32; b += 8) {
			uint64_t v = (seed << 24 ^ (uint64_t)i << 8 ^ b) *
				     0x9e3779b97f4a7c15ULL;

			__builtin_memcpy(&r->vec[i][b], &v, 8);
		}
	/* A normal 80-bit number: mantissa with the integer bit, exponent. */
	uint64_t mant = (seed * 0x2545f4914f6cdd1dULL) | (1ULL << 63);
	uint16_t exp = 0x3fff + (uint16_t)(seed & 0xff);

	__builtin_memcpy(r->st0, &mant, 8);
	__builtin_memcpy(r->st0 + 8, &exp, 2);
	r->mxcsr = guest ? GUEST_MXCSR : HOST_MXCSR;
	r->fcw = guest ? GUEST_FCW : HOST_FCW;
}

/* --- The guest --- */

/*
 * Assembly pieces for loading a struct fpregs from the register @base and
 * storing one to the register @base: the 16 vector registers with @insn
 * (movdqu for XMM, vmovdqu for YMM), then FCW, MXCSR and ST(0), pushed
 * before and popped after.
 */
#define LOADS(insn, reg, base)						\
	"fldcw 532(%%" base ")\n\tldmxcsr 528(%%" base ")\n\t"		\
	"fldt 512(%%" base ")\n\t"					\
	".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"		\
	insn " \\r*32(%%" base "), %%" reg "\\r\n\t"			\
	".endr\n\t"
#define STORES(insn, reg, base)						\
	".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"		\
	insn " %%" reg "\\r, \\r*32(%%" base ")\n\t"			\
	".endr\n\t"							\
	"fstpt 512(%%" base ")\n\tstmxcsr 528(%%" base ")\n\t"		\
	"fnstcw 532(%%" base ")\n\t"
#define VEC_CLOBBERS							\
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",	\
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/* Load @in, send @uc (the guest exits), store into @out. */
static void guest_exit_with(const struct fpregs *in, struct fpregs *out,
			    struct ucall *uc, bool ymm)
{
	if (ymm)
		asm volatile(LOADS("vmovdqu", "ymm", "rsi")
			     "outl %%eax, %%dx\n\t"
			     STORES("vmovdqu", "ymm", "rcx")
			     : : "a"((uint32_t)(uintptr_t)uc), "d"(UCALL_PORT),
			       "D"(uc), "S"(in), "c"(out)
			     : "memory", "st", VEC_CLOBBERS);
	else
		asm volatile(LOADS("movdqu", "xmm", "rsi")
			     "outl %%eax, %%dx\n\t"
			     STORES("movdqu", "xmm", "rcx")
			     : : "a"((uint32_t)(uintptr_t)uc), "d"(UCALL_PORT),
			       "D"(uc), "S"(in), "c"(out)
			     : "memory", "st", VEC_CLOBBERS);
}

static struct fpregs guest_in, guest_out;

/* Compare @n bytes; returns the first differing offset or -1. */
static int guest_cmp(const uint8_t *a, const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

static void guest_rounds(uint64_t rounds, uint64_t ymm)
{
	struct ucall uc;

	if (ymm) {
		uint32_t lo, hi;

		/* The host set XCR0 to x87, SSE and AVX (KVM_SET_XCRS). */
		asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		GUEST_ASSERT_EQ(lo, XCR0_FP | XCR0_SSE | XCR0_YMM);
	}
	for (uint64_t round = 1; round <= rounds; round++) {
		int vec_bytes = ymm ? 32 : 16, at;

		fpregs_fill(&guest_in, round, true);
		ucall_fill(&uc, UCALL_SYNC, round, 0);
		guest_exit_with(&guest_in, &guest_out, &uc, ymm);
		for (int i = 0; i < 16; i++) {
			at = guest_cmp(guest_in.vec[i], guest_out.vec[i], vec_bytes);
			GUEST_ASSERT(at < 0, "round %lu: %cmm%d byte %d changed across the exit",
				     round, ymm ? 'y' : 'x', i, at);
		}
		at = guest_cmp(guest_in.st0, guest_out.st0, 10);
		GUEST_ASSERT(at < 0, "round %lu: ST(0) byte %d changed", round, at);
		GUEST_ASSERT_EQ(guest_out.mxcsr, GUEST_MXCSR);
		GUEST_ASSERT_EQ(guest_out.fcw, GUEST_FCW);
	}
}

/* --- The host --- */

static bool host_has_avx(void)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return false;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & (XCR0_SSE | XCR0_YMM)) == (XCR0_SSE | XCR0_YMM);
}

/*
 * KVM_RUN as one system call between loading @in into this thread's own
 * registers and storing them into @out, so that no compiled code runs in
 * between (RCX and R11 are the SYSCALL instruction's). FCW and MXCSR are
 * put back as they were afterwards. Returns what the system call did.
 */
static long host_run_with(int fd, const struct fpregs *in, struct fpregs *out,
			  bool ymm)
{
	register const struct fpregs *r8 asm("r8") = out;
	register const struct fpregs *r9 asm("r9") = in;
	uint32_t saved_mxcsr;
	uint16_t saved_fcw;
	long r = SYS_ioctl;

	asm volatile("fnstcw %0\n\tstmxcsr %1" : "=m"(saved_fcw), "=m"(saved_mxcsr));
	if (ymm)
		asm volatile(LOADS("vmovdqu", "ymm", "r9")
			     "syscall\n\t"
			     STORES("vmovdqu", "ymm", "r8")
			     : "+a"(r)
			     : "D"((long)fd), "S"((long)KVM_RUN), "d"(0L),
			       "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory", "st", VEC_CLOBBERS);
	else
		asm volatile(LOADS("movdqu", "xmm", "r9")
			     "syscall\n\t"
			     STORES("movdqu", "xmm", "r8")
			     : "+a"(r)
			     : "D"((long)fd), "S"((long)KVM_RUN), "d"(0L),
			       "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory", "st", VEC_CLOBBERS);
	asm volatile("fldcw %0\n\tldmxcsr %1" : : "m"(saved_fcw), "m"(saved_mxcsr));
	return r;
}

/*
 * Can the guest have AVX: XSAVE, AVX and YMM in the supported XCR0, and
 * KVM_SET_XCRS to set XCR0 with?
 */
static bool guest_can_have_avx(struct __test_metadata *_metadata, struct vm *vm)
{
	if (!dev_has_cpuid_bit(1, 0, 'c', 26) || !dev_has_cpuid_bit(1, 0, 'c', 28) ||
	    !dev_has_cpuid_bit(0xd, 0, 'a', 2)) {
		TH_LOG("no XSAVE/AVX/YMM in the supported CPUID: XMM only, no YMM");
		return false;
	}
	if (vm_check_cap(vm, KVM_CAP_XCRS) <= 0) {
		TH_LOG("no KVM_CAP_XCRS to set XCR0 with: XMM only, no YMM");
		return false;
	}
	return true;
}

/* Does @what (@n bytes) hold @want? Logs the first difference. */
static bool same(struct __test_metadata *_metadata, const char *what,
		 const void *got, const void *want, size_t n)
{
	const uint8_t *g = got, *w = want;

	for (size_t i = 0; i < n; i++)
		if (g[i] != w[i]) {
			TH_LOG("%s: byte %zu is %#x, expected %#x", what, i, g[i], w[i]);
			return false;
		}
	return true;
}

/*
 * KVM_GET_FPU and KVM_GET_XSAVE show the guest's registers @g. (Linux's
 * KVM leaves struct kvm_fpu's mxcsr alone in both directions: MXCSR is
 * checked through KVM_GET_XSAVE only.) KVM_GET_XSAVE is checked also where
 * KVM_CAP_XSAVE is 0, if it works there, as it does in Linux 6.1: its
 * legacy region is all these machines can show.
 */
static void check_vcpu_state(struct __test_metadata *_metadata, struct vcpu *vcpu,
			     const struct fpregs *g, bool ymm, uint32_t ymm_offset)
{
	struct kvm_xsave *x;
	struct kvm_fpu fpu;
	char what[64];
	uint64_t bv;

	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_FPU, &fpu)) TH_LOG("KVM_GET_FPU: %m");
	for (int i = 0; i < 16; i++) {
		snprintf(what, sizeof(what), "KVM_GET_FPU xmm%d", i);
		EXPECT_TRUE(same(_metadata, what, fpu.xmm[i], g->vec[i], 16));
	}
	EXPECT_TRUE(same(_metadata, "KVM_GET_FPU st(0)", fpu.fpr[0], g->st0, 10));
	EXPECT_EQ(GUEST_FCW, fpu.fcw);

	x = calloc(1, sizeof(*x));
	ASSERT_NE(NULL, x);
	if (ioctl(vcpu->fd, KVM_GET_XSAVE, x)) {
		ASSERT_GE(0, vm_check_cap(vcpu->vm, KVM_CAP_XSAVE))
			TH_LOG("KVM_GET_XSAVE: %m");
		TH_LOG("no KVM_CAP_XSAVE and KVM_GET_XSAVE fails: %m");
		free(x);
		return;
	}
	for (int i = 0; i < 16; i++) {
		snprintf(what, sizeof(what), "KVM_GET_XSAVE xmm%d", i);
		EXPECT_TRUE(same(_metadata, what, (uint8_t *)x->region + FX_XMM0 + 16 * i,
				 g->vec[i], 16));
	}
	EXPECT_TRUE(same(_metadata, "KVM_GET_XSAVE st(0)", (uint8_t *)x->region + FX_ST0,
			 g->st0, 10));
	EXPECT_TRUE(same(_metadata, "KVM_GET_XSAVE mxcsr", (uint8_t *)x->region + FX_MXCSR,
			 &g->mxcsr, 4));
	EXPECT_TRUE(same(_metadata, "KVM_GET_XSAVE fcw", (uint8_t *)x->region + FX_FCW,
			 &g->fcw, 2));
	if (ymm) {
		memcpy(&bv, (uint8_t *)x->region + XSAVE_XSTATE_BV, 8);
		EXPECT_TRUE((bv & XCR0_YMM) != 0) TH_LOG("XSTATE_BV %#lx: no YMM state", bv);
		for (int i = 0; i < 16; i++) {
			snprintf(what, sizeof(what), "KVM_GET_XSAVE ymm%d[255:128]", i);
			EXPECT_TRUE(same(_metadata, what,
					 (uint8_t *)x->region + ymm_offset + 16 * i,
					 g->vec[i] + 16, 16));
		}
	}
	free(x);
}

/* Floating-point work of the host's own between two runs. */
static double host_fp_work(uint64_t round)
{
	static char a[8192], b[8192];
	volatile double d = 1.0;

	for (int i = 0; i < 64; i++)
		d = d * 1.0001 + (double)(round & 7) / 3.0;
	memset(a, (int)round, sizeof(a));
	memcpy(b, a, sizeof(b));
	return d + b[round % sizeof(b)];
}

TEST(guest_and_host_registers_stay_apart)
{
	uint64_t rounds = test_scaled(ROUNDS);
	struct fpregs hin, hout, gexp;
	bool host_ymm = host_has_avx();
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *cpuid;
	uint32_t ymm_offset = 0;
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_rounds);
	bool ymm = guest_can_have_avx(_metadata, vm);
	struct kvm_xcrs xcrs = {
		.nr_xcrs = 1,
		.xcrs[0] = { .xcr = 0, .value = XCR0_FP | XCR0_SSE | XCR0_YMM },
	};
	struct kvm_sregs sregs;
	struct ucall uc;
	double work = 0;

	if (ymm) {
		cpuid = dev_supported_cpuid();
		e = cpuid_find(cpuid, 0xd, 2);
		ASSERT_NE(NULL, e);
		ymm_offset = e->ebx;
		free(cpuid);
		vcpu_get_sregs(vcpu, &sregs);
		sregs.cr4 |= X86_CR4_OSXSAVE;
		vcpu_set_sregs(vcpu, &sregs);
		ASSERT_EQ(0, ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs)) TH_LOG("KVM_SET_XCRS: %m");
	}
	if (!host_ymm)
		TH_LOG("the host has no AVX: its own side is XMM only");
	vcpu_args_set(vcpu, 2, rounds, (uint64_t)ymm);

	for (uint64_t round = 1; round <= rounds; round++) {
		char what[64];
		long r;

		fpregs_fill(&hin, round ^ 0x5a5a5a, false);
		memset(&hout, 0, sizeof(hout));
		r = host_run_with(vcpu->fd, &hin, &hout, host_ymm);
		ASSERT_EQ(0, r) TH_LOG("KVM_RUN: %s", strerror(-r));
		snprintf(what, sizeof(what), "round %lu: the host's registers", round);
		ASSERT_TRUE(same(_metadata, what, &hout, &hin,
				 host_ymm ? sizeof(hin.vec) : 0));
		for (int i = 0; !host_ymm && i < 16; i++)
			ASSERT_TRUE(same(_metadata, what, hout.vec[i], hin.vec[i], 16));
		ASSERT_TRUE(same(_metadata, "the host's st(0)", hout.st0, hin.st0, 10));
		ASSERT_EQ(HOST_MXCSR, hout.mxcsr);
		ASSERT_EQ(HOST_FCW, hout.fcw);

		ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
		ASSERT_EQ(round, uc.args[0]);
		if (round == 1 || round % STATE_EVERY == 0) {
			fpregs_fill(&gexp, round, true);
			check_vcpu_state(_metadata, vcpu, &gexp, ymm, ymm_offset);
		}
		work += host_fp_work(round);
	}
	vcpu_run_done(vcpu);
	EXPECT_LT(0, (int)work);
	vm_free(vm);
}

/*
 * KVM_SET_FPU: the guest continues with the given XMM registers and FCW.
 * The guest stops (a ucall of its own) with its registers loaded, the host
 * replaces them, and the guest stores what it has after the exit.
 *
 * Linux's KVM writes kvm_fpu into the legacy region of the guest's XSAVE
 * buffer and leaves the XSAVE header alone: where the header says x87 or
 * SSE state is in its initial configuration (as before the guest first
 * used them), XRSTOR ignores what was written. The guest therefore has
 * non-initial x87 and SSE state when the host sets it. MXCSR stays what it
 * was: Linux's KVM ignores kvm_fpu's mxcsr both ways.
 */
static struct fpregs set_before, set_after;

static void guest_set_fpu(void)
{
	struct ucall uc;

	ucall_fill(&uc, UCALL_SYNC, 0, 0);
	asm volatile(LOADS("movdqu", "xmm", "rsi")
		     "outl %%eax, %%dx\n\t"
		     STORES("movdqu", "xmm", "rcx")
		     : : "a"((uint32_t)(uintptr_t)&uc), "d"(UCALL_PORT),
		       "D"(&uc), "S"(&set_before), "c"(&set_after)
		     : "memory", "st", VEC_CLOBBERS);
	GUEST_SYNC(1);
}

TEST(set_fpu_reaches_the_guest)
{
	struct vcpu *vcpu;
	struct vm *vm;
	struct fpregs want;
	struct kvm_fpu fpu;

	fpregs_fill(&set_before, 0x111, true);
	vm = vm_create_with_vcpu(&vcpu, guest_set_fpu);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));

	fpregs_fill(&want, 0x777, true);
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_FPU, &fpu)) TH_LOG("KVM_GET_FPU: %m");
	EXPECT_TRUE(same(_metadata, "xmm5 before", fpu.xmm[5], set_before.vec[5], 16));
	for (int i = 0; i < 16; i++)
		memcpy(fpu.xmm[i], want.vec[i], 16);
	fpu.fcw = HOST_FCW;
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_SET_FPU, &fpu)) TH_LOG("KVM_SET_FPU: %m");

	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, set_after);
	for (int i = 0; i < 16; i++) {
		EXPECT_TRUE(same(_metadata, "xmm", set_after.vec[i], want.vec[i], 16))
			TH_LOG("xmm%d", i);
	}
	EXPECT_EQ(HOST_FCW, set_after.fcw);
	EXPECT_EQ(GUEST_MXCSR, set_after.mxcsr);
	vm_free(vm);
}

TEST_HARNESS_MAIN
