// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug while a VM exists: a CPU that goes offline and comes back has
 * VMX/SVM on again; one that comes online after the VM was created is
 * turned on too; after the last VM all CPUs are off.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

#define HOTCPU 1

FIXTURE(hotplug) {
	int fd;
	const char *skip;	/* why the test cannot run, or NULL */
};

/*
 * Linux 6.1's harness runs the test body even when the setup skips, so the
 * setup records why and each body skips first thing.
 */
#define SKIP_IF_NEEDED() do {					\
	if (self->skip)						\
		SKIP(return, "%s", self->skip);			\
} while (0)
FIXTURE_SETUP(hotplug)
{
	self->fd = -1;
	if (test_online_cpus() < 2 || !test_cpu_online(HOTCPU)) {
		self->skip = "needs a second online CPU to take offline";
		return;
	}
	if (test_set_cpu_online(HOTCPU, true)) {
		self->skip = "CPU 1 cannot be hot-plugged here";
		return;
	}
	self->fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %m", test_dev_path());
}
FIXTURE_TEARDOWN(hotplug)
{
	test_set_cpu_online(HOTCPU, true);
	if (self->fd >= 0)
		close(self->fd);
}

static int cpu_state(struct __test_metadata *_metadata, int cpu)
{
	const char *why;
	int s = test_cpu_virt_on(cpu, &why);

	if (s < 0)
		TH_LOG("CPU %d: %s", cpu, why);
	return s;
}

TEST_F(hotplug, offline_online_with_vm)
{
	int vm, s;

	SKIP_IF_NEEDED();
	s = cpu_state(_metadata, HOTCPU);
	if (s < 0)
		SKIP(return, "VMX/SVM state cannot be read for this device");
	ASSERT_EQ(0, s);

	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	EXPECT_EQ(1, cpu_state(_metadata, HOTCPU));

	ASSERT_EQ(0, test_set_cpu_online(HOTCPU, false)) TH_LOG("offline: %m");
	EXPECT_FALSE(test_cpu_online(HOTCPU));
	EXPECT_EQ(1, cpu_state(_metadata, 0));
	ASSERT_EQ(0, test_set_cpu_online(HOTCPU, true)) TH_LOG("online: %m");
	EXPECT_EQ(1, cpu_state(_metadata, HOTCPU));
	/* The VM still works. */
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));

	close(vm);
	EXPECT_EQ(0, cpu_state(_metadata, HOTCPU));
	EXPECT_EQ(0, cpu_state(_metadata, 0));
}

TEST_F(hotplug, vm_created_while_cpu_offline)
{
	int vm;

	SKIP_IF_NEEDED();
	if (cpu_state(_metadata, 0) < 0)
		SKIP(return, "VMX/SVM state cannot be read for this device");
	ASSERT_EQ(0, test_set_cpu_online(HOTCPU, false)) TH_LOG("offline: %m");
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	EXPECT_EQ(1, cpu_state(_metadata, 0));
	ASSERT_EQ(0, test_set_cpu_online(HOTCPU, true)) TH_LOG("online: %m");
	EXPECT_EQ(1, cpu_state(_metadata, HOTCPU));
	close(vm);
	EXPECT_EQ(0, cpu_state(_metadata, HOTCPU));
}

/* Offline and online with no VM: nothing is turned on. */
TEST_F(hotplug, no_vm_stays_off)
{
	SKIP_IF_NEEDED();
	if (cpu_state(_metadata, 0) < 0)
		SKIP(return, "VMX/SVM state cannot be read for this device");
	ASSERT_EQ(0, test_set_cpu_online(HOTCPU, false));
	ASSERT_EQ(0, test_set_cpu_online(HOTCPU, true));
	EXPECT_EQ(0, cpu_state(_metadata, HOTCPU));
}

TEST_HARNESS_MAIN
