// SPDX-License-Identifier: GPL-2.0
/*
 * The time-stamp counter: RDTSC and RDTSCP run in the guest without an exit
 * to userspace and never go backwards; the guest's TSC is the vCPU's
 * IA32_TSC (0x10). KVM_SET_MSRS of IA32_TSC sets that vCPU's counter (the
 * guest's RDTSC goes on from about that value; other vCPUs keep theirs),
 * and so does the guest's own WRMSR. IA32_TSC_AUX (0xc0000103) is what
 * RDTSCP returns in ECX and RDPID returns, when the guest's CPUID has them.
 */
#include <string.h>

#include "harness.h"
#include "guest.h"

#define MSR_IA32_TSC		0x10
#define MSR_TSC_AUX		0xc0000103

/*
 * "About that value": the time the emulated machines take from the write
 * to the guest's read is well below 2^40 cycles (over a quarter of an hour
 * at 1 GHz).
 */
#define SLACK			(1ULL << 40)

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

static inline uint64_t rdtscp(uint32_t *aux)
{
	uint32_t lo, hi;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(*aux));
	return lo | ((uint64_t)hi << 32);
}

static inline uint64_t rdpid(void)
{
	uint64_t v;

	asm volatile("rdpid %0" : "=r"(v));
	return v;
}

static bool has_rdtscp(void)
{
	return dev_has_cpuid_bit(0x80000001, 0, 'd', 27);
}

static bool has_rdpid(void)
{
	return dev_has_cpuid_bit(7, 0, 'c', 22);
}

static void guest_monotonic(uint64_t n, uint64_t use_rdtscp)
{
	uint64_t prev = rdtsc();

	for (uint64_t i = 0; i < n; i++) {
		uint32_t aux;
		uint64_t t = rdtsc();

		GUEST_ASSERT(t >= prev, "RDTSC went back: %#lx after %#lx", t, prev);
		prev = t;
		if (use_rdtscp) {
			t = rdtscp(&aux);
			GUEST_ASSERT(t >= prev, "RDTSCP went back: %#lx after %#lx",
				     t, prev);
			prev = t;
		}
	}
	GUEST_SYNC(prev);
}

TEST(rdtsc_is_monotonic)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_monotonic);

	vcpu_args_set(vcpu, 2, (uint64_t)test_scaled(2000), (uint64_t)has_rdtscp());
	vcpu_run_sync(vcpu);
	vm_free(vm);
}

/* Two runs: the TSC keeps counting across an exit to userspace. */
static void guest_sync_tsc(void)
{
	for (;;)
		GUEST_SYNC(rdtsc());
}

TEST(monotonic_across_exits)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_sync_tsc);
	uint64_t prev = vcpu_run_sync(vcpu);

	for (int i = 0; i < 20; i++) {
		uint64_t t = vcpu_run_sync(vcpu);

		EXPECT_LT(prev, t);
		prev = t;
	}
	/* The host's read of IA32_TSC is the same counter. */
	EXPECT_LE(prev, vcpu_get_msr(vcpu, MSR_IA32_TSC));
	vm_free(vm);
}

TEST(host_write_sets_the_guest_tsc)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_sync_tsc);
	const uint64_t values[] = { 1ULL << 50, 1ULL << 45, 1ULL << 52 };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint64_t v = values[i], t, h;

		vcpu_set_msr(vcpu, MSR_IA32_TSC, v);
		t = vcpu_run_sync(vcpu);
		EXPECT_LE(v, t);
		EXPECT_GT(v + SLACK, t) TH_LOG("set %#lx, guest read %#lx", v, t);
		h = vcpu_get_msr(vcpu, MSR_IA32_TSC);
		EXPECT_LE(t, h);
		EXPECT_GT(v + SLACK, h);
	}
	vm_free(vm);
}

/* The offset is the vCPU's: setting vCPU 0's TSC leaves vCPU 1's alone. */
TEST(host_write_is_per_vcpu)
{
	struct vm *vm = vm_create();
	struct vcpu *v0 = vm_add_vcpu(vm, 0, guest_sync_tsc);
	struct vcpu *v1 = vm_add_vcpu(vm, 1, guest_sync_tsc);
	uint64_t t0, t1;

	vcpu_set_msr(v0, MSR_IA32_TSC, 1ULL << 50);
	t0 = vcpu_run_sync(v0);
	t1 = vcpu_run_sync(v1);
	EXPECT_LE(1ULL << 50, t0);
	EXPECT_GT(1ULL << 49, t1) TH_LOG("vCPU 1's TSC %#lx", t1);
	EXPECT_GT(1ULL << 49, vcpu_get_msr(v1, MSR_IA32_TSC));
	vm_free(vm);
}

static void guest_wrmsr_tsc(uint64_t v)
{
	uint64_t t;

	wrmsr(MSR_IA32_TSC, v);
	t = rdtsc();
	GUEST_ASSERT(t >= v && t - v < SLACK, "wrote %#lx, read %#lx", v, t);
	t = rdmsr(MSR_IA32_TSC);
	GUEST_ASSERT(t >= v && t - v < SLACK, "wrote %#lx, RDMSR %#lx", v, t);
	GUEST_SYNC(t);
}

TEST(guest_wrmsr_sets_its_tsc)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_wrmsr_tsc);
	uint64_t t, h;

	vcpu_args_set(vcpu, 1, 1ULL << 48);
	t = vcpu_run_sync(vcpu);
	h = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	EXPECT_LE(t, h);
	EXPECT_GT((1ULL << 48) + SLACK, h);
	vm_free(vm);
}

/* RDTSCP's ECX and RDPID: IA32_TSC_AUX, as the host and the guest set it. */
static void guest_tsc_aux(uint64_t use_rdpid)
{
	uint32_t aux;

	rdtscp(&aux);
	GUEST_SYNC(aux);
	GUEST_SYNC(rdmsr(MSR_TSC_AUX));
	wrmsr(MSR_TSC_AUX, 0x5a5a);
	rdtscp(&aux);
	GUEST_SYNC(aux);
	if (use_rdpid)
		GUEST_SYNC(rdpid());
	GUEST_DONE();
}

TEST(tsc_aux_is_rdtscp_ecx)
{
	struct vcpu *vcpu;
	struct vm *vm;

	if (!has_rdtscp())
		SKIP(return, "the supported CPUID has no RDTSCP");
	vm = vm_create_with_vcpu(&vcpu, guest_tsc_aux);
	vcpu_args_set(vcpu, 1, (uint64_t)has_rdpid());
	vcpu_set_msr(vcpu, MSR_TSC_AUX, 0x1234);
	EXPECT_EQ(0x1234ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0x1234ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0x5a5aULL, vcpu_run_sync(vcpu));
	if (has_rdpid())
		EXPECT_EQ(0x5a5aULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	EXPECT_EQ(0x5a5aULL, vcpu_get_msr(vcpu, MSR_TSC_AUX));
	vm_free(vm);
}

/*
 * Bits 63:32 of IA32_TSC_AUX: reserved on Intel (the write fails); AMD CPUs
 * ignore them, and KVM drops them for a guest whose CPUID is not Intel's.
 */
TEST(tsc_aux_high_bits)
{
	struct vcpu *vcpu;
	struct vm *vm;
	bool amd = !strcmp(test_cpu_extension(), "svm");

	if (!has_rdtscp())
		SKIP(return, "the supported CPUID has no RDTSCP");
	vm = vm_create_with_vcpu(&vcpu, NULL);
	vcpu_set_msr(vcpu, MSR_TSC_AUX, 7);
	if (amd) {
		EXPECT_EQ(1, _vcpu_set_msr(vcpu, MSR_TSC_AUX, 0x100000009ULL));
		EXPECT_EQ(9ULL, vcpu_get_msr(vcpu, MSR_TSC_AUX));
	} else {
		EXPECT_EQ(0, _vcpu_set_msr(vcpu, MSR_TSC_AUX, 0x100000009ULL));
		EXPECT_EQ(7ULL, vcpu_get_msr(vcpu, MSR_TSC_AUX));
	}
	vm_free(vm);
}

TEST_HARNESS_MAIN
