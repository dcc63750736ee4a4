// SPDX-License-Identifier: GPL-2.0
/*
 * svmx and the stock KVM take turns on VMX/SVM: while a KVM VM exists,
 * svmx's KVM_CREATE_VM fails with EBUSY and leaves nothing half-enabled;
 * once the KVM VM is gone svmx works; and the other way round.
 *
 * This test is about svmx meeting another owner, so it runs only on svmx;
 * it loads kvm-amd or kvm-intel itself (with modprobe) and unloads it after.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

FIXTURE(owners) {
	int svmx;
	int kvm;
	const char *kvm_module;
	const char *skip;	/* why the test cannot run, or NULL */
};

FIXTURE_SETUP(owners)
{
	self->svmx = self->kvm = -1;
	if (!test_is_svmx()) {
		self->skip = "svmx meeting another hypervisor: runs on /dev/svmx only";
		return;
	}
	self->kvm_module = strcmp(test_cpu_extension(), "vmx") ? "kvm_amd" :
								   "kvm_intel";
	if (test_system("modprobe %s", self->kvm_module)) {
		self->skip = "cannot load the stock KVM module";
		return;
	}
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kvm) TH_LOG("open /dev/kvm: %m");
	self->svmx = test_open_dev(O_RDWR);
	ASSERT_LE(0, self->svmx) TH_LOG("open %s: %m", test_dev_path());
}

FIXTURE_TEARDOWN(owners)
{
	if (self->svmx >= 0)
		close(self->svmx);
	if (self->kvm >= 0) {
		close(self->kvm);
		test_system("modprobe -r %s", self->kvm_module);
	}
}

/* svmx turned nothing on: on no CPU does svmx claim ownership. */
static void expect_svmx_owns_nothing(struct __test_metadata *_metadata)
{
	int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if (test_cpu_online(cpu))
			EXPECT_EQ(0, test_svmx_cpu_owned(cpu)) TH_LOG("CPU %d", cpu);
}

TEST_F(owners, kvm_first_then_svmx)
{
	int kvm_vm, vm;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	kvm_vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, kvm_vm) TH_LOG("KVM's KVM_CREATE_VM: %m");

	EXPECT_EQ(-1, ioctl(self->svmx, KVM_CREATE_VM, 0))
		TH_LOG("svmx created a VM while KVM owns the CPUs");
	EXPECT_EQ(EBUSY, errno);
	expect_svmx_owns_nothing(_metadata);

	/* KVM's VM is unharmed... */
	EXPECT_EQ(1, ioctl(kvm_vm, KVM_CHECK_EXTENSION,
			   KVM_CAP_CHECK_EXTENSION_VM));
	close(kvm_vm);

	/* ...and once it is gone, svmx works. */
	vm = ioctl(self->svmx, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("svmx after KVM's VM closed: %m");
	close(vm);
}

TEST_F(owners, svmx_first_then_kvm)
{
	int kvm_vm, vm;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	vm = ioctl(self->svmx, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("svmx KVM_CREATE_VM: %m");

	kvm_vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	EXPECT_EQ(-1, kvm_vm) TH_LOG("KVM created a VM while svmx owns the CPUs");
	if (kvm_vm >= 0)
		close(kvm_vm);
	close(vm);

	kvm_vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, kvm_vm) TH_LOG("KVM after svmx's VM closed: %m");
	close(kvm_vm);
}

TEST_HARNESS_MAIN
