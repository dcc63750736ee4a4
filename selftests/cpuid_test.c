// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID (api.rst 4.46 KVM_GET_SUPPORTED_CPUID, 4.73 KVM_SET_CPUID2, 4.111
 * KVM_GET_CPUID2): the guest's CPUID instruction returns the table the
 * host set, entry by entry, including values the host made up; the table
 * reads back as it was set except for the bits KVM keeps in step with the
 * vCPU's state; once the vCPU has run, the same table may be set again but
 * a different one is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

/*
 * Guest: run CPUID for every entry of @c (a copy in guest memory) and
 * compare the four registers.
 */
static void guest_check_cpuid(const struct kvm_cpuid2 *c)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		uint32_t a, b, cx, d;

		cpuid_count(e->function, e->index, &a, &b, &cx, &d);
		GUEST_ASSERT(a == e->eax && b == e->ebx && cx == e->ecx && d == e->edx,
			     "leaf %#x.%u: %08x %08x %08x %08x, table %08x %08x %08x %08x",
			     e->function, e->index, a, b, cx, d,
			     e->eax, e->ebx, e->ecx, e->edx);
	}
	GUEST_SYNC(c->nent);
}

/* Copy @c into fresh guest pages; returns its guest address. */
static uint64_t cpuid_to_guest(struct vm *vm, const struct kvm_cpuid2 *c)
{
	size_t size = sizeof(*c) + c->nent * sizeof(c->entries[0]);
	uint64_t gva = vm_alloc_pages(vm, (size + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE);

	vm_write_gva(vm, gva, c, size);
	return gva;
}

TEST(guest_sees_the_table)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_check_cpuid);
	struct kvm_cpuid2 *c = vcpu_get_cpuid(vcpu);

	ASSERT_LT(0U, c->nent);
	vcpu_args_set(vcpu, 1, cpuid_to_guest(vm, c));
	EXPECT_EQ((uint64_t)c->nent, vcpu_run_sync(vcpu));
	free(c);
	vm_free(vm);
}

/* Leaves 0x80000002-4: the 48-byte processor brand string. */
static void set_brand(struct kvm_cpuid2 *c, const char *brand)
{
	char buf[48] = {};

	strncpy(buf, brand, sizeof(buf) - 1);
	for (uint32_t leaf = 0; leaf < 3; leaf++) {
		struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000002 + leaf, 0);

		memcpy(&e->eax, buf + 16 * leaf, 4);
		memcpy(&e->ebx, buf + 16 * leaf + 4, 4);
		memcpy(&e->ecx, buf + 16 * leaf + 8, 4);
		memcpy(&e->edx, buf + 16 * leaf + 12, 4);
	}
}

static void guest_brand(char *out)
{
	uint32_t *p = (uint32_t *)out;

	for (uint32_t leaf = 0; leaf < 3; leaf++, p += 4)
		cpuid_count(0x80000002 + leaf, 0, &p[0], &p[1], &p[2], &p[3]);
	GUEST_DONE();
}

TEST(guest_sees_values_the_host_made_up)
{
	static const char brand[] = "svmx cpuid_test: a brand of our own";
	struct kvm_cpuid2 *c = dev_supported_cpuid();
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t out;
	char got[49] = {};

	if (!cpuid_find(c, 0x80000004, 0))
		SKIP(return, "the supported CPUID has no brand-string leaves");
	vm = vm_create_with_vcpu(&vcpu, guest_brand);
	set_brand(c, brand);
	vcpu_set_cpuid(vcpu, c);
	out = vm_alloc_pages(vm, 1);
	vcpu_args_set(vcpu, 1, out);
	vcpu_run_done(vcpu);
	vm_read_gva(vm, out, got, 48);
	EXPECT_STREQ(brand, got);
	free(c);
	vm_free(vm);
}

/*
 * The bits KVM updates from the vCPU's state when the table is set
 * (kvm_update_cpuid_runtime() in Linux 6.1): CPUID.1:ECX.OSXSAVE[27] from
 * CR4, CPUID.1:EDX.APIC[9] from IA32_APIC_BASE, CPUID.7.0:ECX.OSPKE[4]
 * from CR4, and CPUID.0xD.0/1:EBX (XSAVE area size for XCR0 / XSS).
 */
static void mask_runtime_bits(struct kvm_cpuid_entry2 *e)
{
	if (e->function == 1) {
		e->ecx &= ~(1U << 27);
		e->edx &= ~(1U << 9);
	} else if (e->function == 7 && e->index == 0) {
		e->ecx &= ~(1U << 4);
	} else if (e->function == 0xd && e->index <= 1) {
		e->ebx = 0;
	}
}

TEST(get_returns_what_was_set)
{
	struct kvm_cpuid2 *set = dev_supported_cpuid();
	struct kvm_cpuid2 *got;
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);

	got = vcpu_get_cpuid(vcpu);
	ASSERT_EQ(set->nent, got->nent);
	for (uint32_t i = 0; i < set->nent; i++) {
		struct kvm_cpuid_entry2 *a = &set->entries[i], *b = &got->entries[i];

		mask_runtime_bits(a);
		mask_runtime_bits(b);
		EXPECT_TRUE(a->function == b->function && a->index == b->index &&
			    a->flags == b->flags && a->eax == b->eax &&
			    a->ebx == b->ebx && a->ecx == b->ecx && a->edx == b->edx)
			TH_LOG("entry %u: set %#x.%u flags %#x %08x %08x %08x %08x, got %#x.%u flags %#x %08x %08x %08x %08x",
			       i, a->function, a->index, a->flags, a->eax, a->ebx, a->ecx, a->edx,
			       b->function, b->index, b->flags, b->eax, b->ebx, b->ecx, b->edx);
	}
	free(set);
	free(got);
	vm_free(vm);
}

static void guest_cpuid_once(void)
{
	uint32_t a, b, c, d;

	cpuid_count(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(a);
}

TEST(set_after_run_only_unchanged)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_cpuid_once);
	struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *e;

	vcpu_run_sync(vcpu);
	c = vcpu_get_cpuid(vcpu);
	EXPECT_EQ(0, _vcpu_set_cpuid(vcpu, c)) TH_LOG("the same table: %m");

	/* One feature word changed. */
	e = cpuid_find(c, 1, 0);
	ASSERT_NE(NULL, e);
	e->ecx ^= 1U << 0;	/* SSE3 */
	EXPECT_EQ(-1, _vcpu_set_cpuid(vcpu, c));
	EXPECT_EQ(EINVAL, errno);
	e->ecx ^= 1U << 0;

	/* One entry fewer. */
	c->nent--;
	EXPECT_EQ(-1, _vcpu_set_cpuid(vcpu, c));
	EXPECT_EQ(EINVAL, errno);
	c->nent++;

	/* The table in force is still the original one. */
	EXPECT_EQ(0, _vcpu_set_cpuid(vcpu, c)) TH_LOG("the same table again: %m");
	free(c);
	vm_free(vm);
}

/* The E2BIG protocol of both getters. */
TEST(too_small_arrays_are_e2big)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + sizeof(c->entries[0]));
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, NULL);

	ASSERT_NE(NULL, c);
	c->nent = 1;
	EXPECT_EQ(-1, ioctl(vm->dev_fd, KVM_GET_SUPPORTED_CPUID, c));
	EXPECT_EQ(E2BIG, errno);
	c->nent = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KVM_GET_CPUID2, c));
	EXPECT_EQ(E2BIG, errno);
	free(c);
	vm_free(vm);
}

TEST_HARNESS_MAIN
