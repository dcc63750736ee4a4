// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET/SET_REGS and KVM_GET/SET_SREGS (api.rst 4.11-4.14): values set
 * read back unchanged, the guest runs with the registers the host set, the
 * host reads the registers the guest left; KVM_SET_SREGS refuses (EINVAL,
 * state unchanged) a CR4 bit the vCPU's CPUID does not back, a reserved CR4
 * bit and inconsistent long-mode state, as Linux 6.1's kvm_is_valid_sregs()
 * and kvm_is_valid_cr4() do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "guest.h"

/* The fields of struct kvm_regs, in order, with RSP and RIP left out. */
#define GPRS(X) X(rax) X(rbx) X(rcx) X(rdx) X(rsi) X(rdi) X(rbp) \
	X(r8) X(r9) X(r10) X(r11) X(r12) X(r13) X(r14) X(r15)

static void pattern_regs(struct kvm_regs *r, uint64_t seed)
{
	uint64_t v = seed;

#define SET(reg) r->reg = v; v = v * 0x9e3779b97f4a7c15ULL + 0x1234567;
	GPRS(SET)
#undef SET
}

TEST(regs_round_trip)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);
	struct kvm_regs set, got;

	memset(&set, 0, sizeof(set));
	pattern_regs(&set, 0x0102030405060708ULL);
	set.rsp = 0x7ff8;
	set.rip = 0x401234;
	set.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_CF | X86_RFLAGS_ZF | (1 << 2) |
		     (1 << 7) | (1 << 11);	/* PF, SF, OF */
	vcpu_set_regs(vcpu, &set);
	vcpu_get_regs(vcpu, &got);
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(set)));
	vm_free(vm);
}

/*
 * The guest stores its registers into guest_seen[], laid out as struct
 * kvm_regs (RIP left zero), and halts.
 */
uint64_t guest_seen[18];

asm(".pushsection .text\n"
    "guest_store_regs:\n"
    "	movq %rax, guest_seen + 0*8\n"
    "	movq %rbx, guest_seen + 1*8\n"
    "	movq %rcx, guest_seen + 2*8\n"
    "	movq %rdx, guest_seen + 3*8\n"
    "	movq %rsi, guest_seen + 4*8\n"
    "	movq %rdi, guest_seen + 5*8\n"
    "	movq %rsp, guest_seen + 6*8\n"
    "	movq %rbp, guest_seen + 7*8\n"
    "	movq %r8, guest_seen + 8*8\n"
    "	movq %r9, guest_seen + 9*8\n"
    "	movq %r10, guest_seen + 10*8\n"
    "	movq %r11, guest_seen + 11*8\n"
    "	movq %r12, guest_seen + 12*8\n"
    "	movq %r13, guest_seen + 13*8\n"
    "	movq %r14, guest_seen + 14*8\n"
    "	movq %r15, guest_seen + 15*8\n"
    "	pushfq\n"
    "	popq guest_seen + 17*8\n"
    "	hlt\n"
    ".popsection");
extern char guest_store_regs[];

TEST(guest_runs_with_the_regs_set)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_store_regs);
	struct kvm_regs set, seen;

	vcpu_get_regs(vcpu, &set);
	pattern_regs(&set, 0xfedcba9876543210ULL);
	set.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_CF;
	vcpu_set_regs(vcpu, &set);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	vm_sync_from_guest(vm, guest_seen);
	_Static_assert(sizeof(seen) == sizeof(guest_seen), "kvm_regs layout");
	memcpy(&seen, guest_seen, sizeof(seen));
#define CHECK(reg) EXPECT_EQ(set.reg, seen.reg) TH_LOG(#reg);
	GPRS(CHECK)
	CHECK(rsp)
	CHECK(rflags)
#undef CHECK
	vm_free(vm);
}

/* The guest loads values into every register and halts. */
asm(".pushsection .text\n"
    "guest_load_regs:\n"
    "	movabsq $0x1111111111111111, %rax\n"
    "	movabsq $0x2222222222222222, %rbx\n"
    "	movabsq $0x3333333333333333, %rcx\n"
    "	movabsq $0x4444444444444444, %rdx\n"
    "	movabsq $0x5555555555555555, %rsi\n"
    "	movabsq $0x6666666666666666, %rdi\n"
    "	movabsq $0x7777777777777777, %rbp\n"
    "	movabsq $0x8888888888888888, %r8\n"
    "	movabsq $0x9999999999999999, %r9\n"
    "	movabsq $0xaaaaaaaaaaaaaaaa, %r10\n"
    "	movabsq $0xbbbbbbbbbbbbbbbb, %r11\n"
    "	movabsq $0xcccccccccccccccc, %r12\n"
    "	movabsq $0xdddddddddddddddd, %r13\n"
    "	movabsq $0xeeeeeeeeeeeeeeee, %r14\n"
    "	movabsq $0xffffffffffffffff, %r15\n"
    "	leaq -0x100(%rsp), %rsp\n"
    "	stc\n"
    "	hlt\n"
    "guest_load_regs_end:\n"
    ".popsection");
extern char guest_load_regs[], guest_load_regs_end[];

TEST(host_reads_the_guest_regs)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_load_regs);
	struct kvm_regs before, r;
	uint64_t v = 0x1111111111111111ULL;

	vcpu_get_regs(vcpu, &before);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &r);
#define CHECK(reg) EXPECT_EQ(v, r.reg) TH_LOG(#reg); v += 0x1111111111111111ULL;
	GPRS(CHECK)
#undef CHECK
	EXPECT_EQ(before.rsp - 0x100, r.rsp);
	EXPECT_EQ((uintptr_t)guest_load_regs_end, r.rip);
	EXPECT_EQ(X86_RFLAGS_FIXED | X86_RFLAGS_CF, r.rflags);
	vm_free(vm);
}

TEST(sregs_round_trip)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);
	struct kvm_sregs a, b;

	vcpu_get_sregs(vcpu, &a);
	vcpu_set_sregs(vcpu, &a);
	vcpu_get_sregs(vcpu, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));

	/* A changed field reads back changed. */
	a.cr0 &= ~X86_CR0_WP;
	a.gdt.limit = 0x2f;
	vcpu_set_sregs(vcpu, &a);
	vcpu_get_sregs(vcpu, &b);
	EXPECT_EQ(a.cr0, b.cr0);
	EXPECT_EQ(0x2f, b.gdt.limit);
	vm_free(vm);
}

/* SET_SREGS of @s must fail with EINVAL and leave the state as it was. */
static void expect_rejected(struct __test_metadata *_metadata,
			    struct vcpu *vcpu, const struct kvm_sregs *s,
			    const char *what)
{
	struct kvm_sregs before, after;

	vcpu_get_sregs(vcpu, &before);
	EXPECT_EQ(-1, _vcpu_set_sregs(vcpu, s)) TH_LOG("%s accepted", what);
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %m", what);
	vcpu_get_sregs(vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)))
		TH_LOG("%s: state changed by a failed KVM_SET_SREGS", what);
}

/* CR4 bits that KVM allows only when the guest's CPUID has the feature. */
static const struct {
	uint64_t cr4;
	uint32_t leaf;
	char reg;
	int bit;
	const char *name;
} cr4_features[] = {
	{ X86_CR4_UMIP, 7, 'c', 2, "UMIP" },
	{ X86_CR4_LA57, 7, 'c', 16, "LA57" },
	{ X86_CR4_FSGSBASE, 7, 'b', 0, "FSGSBASE" },
	{ X86_CR4_PCIDE, 1, 'c', 17, "PCIDE" },
	{ X86_CR4_OSXSAVE, 1, 'c', 26, "OSXSAVE" },
	{ X86_CR4_SMEP, 7, 'b', 7, "SMEP" },
	{ X86_CR4_SMAP, 7, 'b', 20, "SMAP" },
	{ X86_CR4_PKE, 7, 'c', 3, "PKE" },
};

TEST(cr4_bit_without_cpuid_is_rejected)
{
	for (size_t i = 0; i < sizeof(cr4_features) / sizeof(cr4_features[0]); i++) {
		struct kvm_cpuid2 *c = dev_supported_cpuid();
		struct kvm_cpuid_entry2 *e = cpuid_find(c, cr4_features[i].leaf, 0);
		struct vcpu *vcpu;
		struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);
		struct kvm_sregs s;

		/* The feature off in the vCPU's CPUID. */
		if (e) {
			*cpuid_reg(e, cr4_features[i].reg) &= ~(1U << cr4_features[i].bit);
			vcpu_set_cpuid(vcpu, c);
		}
		vcpu_get_sregs(vcpu, &s);
		s.cr4 |= cr4_features[i].cr4;
		expect_rejected(_metadata, vcpu, &s, cr4_features[i].name);
		free(c);
		vm_free(vm);
	}
}

/* The same bits are accepted where the CPUID has them. */
TEST(cr4_bit_with_cpuid_is_accepted)
{
	int tried = 0;

	for (size_t i = 0; i < sizeof(cr4_features) / sizeof(cr4_features[0]); i++) {
		struct vcpu *vcpu;
		struct vm *vm;
		struct kvm_sregs s;

		if (!dev_has_cpuid_bit(cr4_features[i].leaf, 0, cr4_features[i].reg,
				       cr4_features[i].bit))
			continue;
		/* LA57 cannot be turned on in 4-level long mode; PCIDE, see below. */
		if (cr4_features[i].cr4 == X86_CR4_LA57 ||
		    cr4_features[i].cr4 == X86_CR4_PCIDE)
			continue;
		vm = vm_create_with_vcpu(&vcpu, NULL);
		vcpu_get_sregs(vcpu, &s);
		s.cr4 |= cr4_features[i].cr4;
		EXPECT_EQ(0, _vcpu_set_sregs(vcpu, &s))
			TH_LOG("CR4.%s with CPUID backing: %m", cr4_features[i].name);
		vcpu_get_sregs(vcpu, &s);
		EXPECT_NE(0ULL, s.cr4 & cr4_features[i].cr4) TH_LOG("%s", cr4_features[i].name);
		tried++;
		vm_free(vm);
	}
	if (!tried)
		SKIP(return, "the supported CPUID has none of the CR4-gating features");
}

TEST(reserved_cr4_bits_are_rejected)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);
	struct kvm_sregs s;

	vcpu_get_sregs(vcpu, &s);
	s.cr4 |= 1ULL << 15;
	expect_rejected(_metadata, vcpu, &s, "CR4 bit 15");
	vcpu_get_sregs(vcpu, &s);
	s.cr4 |= 1ULL << 63;
	expect_rejected(_metadata, vcpu, &s, "CR4 bit 63");
	vm_free(vm);
}

TEST(inconsistent_long_mode_is_rejected)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);
	struct kvm_sregs good, s;

	vcpu_get_sregs(vcpu, &good);

	/* Paging in long mode needs PAE. */
	s = good;
	s.cr4 &= ~X86_CR4_PAE;
	expect_rejected(_metadata, vcpu, &s, "EFER.LME, CR0.PG without CR4.PAE");

	/* EFER.LMA with paging off. */
	s = good;
	s.cr0 &= ~X86_CR0_PG;
	expect_rejected(_metadata, vcpu, &s, "EFER.LMA without CR0.PG");

	/* A 64-bit code segment outside long mode. */
	s = good;
	s.cr0 &= ~X86_CR0_PG;
	s.efer &= ~(EFER_LME | EFER_LMA);
	expect_rejected(_metadata, vcpu, &s, "CS.L outside long mode");

	/* CR3 beyond the physical address width. */
	s = good;
	s.cr3 |= 1ULL << 62;
	expect_rejected(_metadata, vcpu, &s, "CR3 beyond MAXPHYADDR");

	/* And the good state is still accepted. */
	EXPECT_EQ(0, _vcpu_set_sregs(vcpu, &good)) TH_LOG("%m");
	vm_free(vm);
}

TEST_HARNESS_MAIN
