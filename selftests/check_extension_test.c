// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CHECK_EXTENSION (api.rst 4.4): unknown capabilities answer 0; a VM fd
 * answers as the system fd does; and every capability the device reports
 * has the ioctl behind it. A hypervisor that advertised a capability it did
 * not implement would make QEMU switch it on and fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

DEV_FIXTURE();

TEST_F(dev, unknown_caps_answer_zero)
{
	static const long caps[] = { 100000, 0x7fffffff, -1, -100 };
	unsigned int i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		EXPECT_EQ(0, ioctl(self->fd, KVM_CHECK_EXTENSION, caps[i]))
			TH_LOG("capability %ld", caps[i]);
}

TEST_F(dev, vm_fd_answers_as_system_fd)
{
	int vm, cap;

	ASSERT_LT(0, ioctl(self->fd, KVM_CHECK_EXTENSION,
			   KVM_CAP_CHECK_EXTENSION_VM));
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	for (cap = 0; cap < 300; cap++) {
		int sys = ioctl(self->fd, KVM_CHECK_EXTENSION, cap);
		int per_vm = ioctl(vm, KVM_CHECK_EXTENSION, cap);

		/*
		 * KVM answers some per VM differently (e.g. the number of
		 * vCPUs); only "supported or not" must agree.
		 */
		EXPECT_EQ(sys > 0, per_vm > 0) TH_LOG("capability %d: %d vs %d",
						      cap, sys, per_vm);
	}
	close(vm);
}

/* A capability and an ioctl that must exist when it is reported. */
struct cap_probe {
	const char *name;
	long cap;
	int (*probe)(int vm); /* returns the ioctl's -1/errno or >= 0 */
};

static int probe_user_memory(int vm)
{
	struct kvm_userspace_memory_region r = { .slot = 0 };

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

static int probe_create_vcpu(int vm)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static int probe_irqchip(int vm)
{
	return ioctl(vm, KVM_CREATE_IRQCHIP, 0);
}

static int probe_tss_addr(int vm)
{
	return ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);
}

static int probe_identity_map(int vm)
{
	__u64 addr = 0xfffbc000;

	return ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &addr);
}

static int probe_pit2(int vm)
{
	struct kvm_pit_config c = { .flags = 0 };

	return ioctl(vm, KVM_CREATE_PIT2, &c);
}

static int probe_coalesced_mmio(int vm)
{
	struct kvm_coalesced_mmio_zone z = { .addr = 0xfe000000, .size = 8 };

	return ioctl(vm, KVM_REGISTER_COALESCED_MMIO, &z);
}

static int probe_irq_routing(int vm)
{
	struct kvm_irq_routing r = { .nr = 0 };

	return ioctl(vm, KVM_SET_GSI_ROUTING, &r);
}

static const struct cap_probe probes[] = {
	{ "USER_MEMORY", KVM_CAP_USER_MEMORY, probe_user_memory },
	{ "MAX_VCPUS", KVM_CAP_MAX_VCPUS, probe_create_vcpu },
	{ "NR_VCPUS", KVM_CAP_NR_VCPUS, probe_create_vcpu },
	{ "IRQCHIP", KVM_CAP_IRQCHIP, probe_irqchip },
	{ "SET_TSS_ADDR", KVM_CAP_SET_TSS_ADDR, probe_tss_addr },
	{ "SET_IDENTITY_MAP_ADDR", KVM_CAP_SET_IDENTITY_MAP_ADDR,
	  probe_identity_map },
	{ "PIT2", KVM_CAP_PIT2, probe_pit2 },
	{ "COALESCED_MMIO", KVM_CAP_COALESCED_MMIO, probe_coalesced_mmio },
	{ "IRQ_ROUTING", KVM_CAP_IRQ_ROUTING, probe_irq_routing },
};

TEST_F(dev, reported_caps_have_their_ioctls)
{
	unsigned int i;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		int vm, r;

		if (ioctl(self->fd, KVM_CHECK_EXTENSION, probes[i].cap) <= 0)
			continue;
		vm = ioctl(self->fd, KVM_CREATE_VM, 0);
		ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
		errno = 0;
		r = probes[i].probe(vm);
		EXPECT_FALSE(r < 0 && errno == ENOTTY)
			TH_LOG("KVM_CAP_%s is reported but its ioctl is missing",
			       probes[i].name);
		close(vm);
	}
}

TEST_HARNESS_MAIN
