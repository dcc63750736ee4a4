// SPDX-License-Identifier: GPL-2.0
/*
 * VMX/SVM is on on every online CPU exactly while at least one VM exists,
 * as KVM does it on Linux 6.1 (before kvm.enable_virt_at_load). The state is
 * read from the hardware: EFER.SVME through the msr driver, CR4.VMXE through
 * svmx's debugfs (read on each CPU).
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

/* Assert every online CPU is in state @on; SKIP if it cannot be read. */
#define ASSERT_ALL_CPUS(on) do {						\
	int _c, _n = 0;								\
	for (_c = 0; _c < 64; _c++) {						\
		const char *_why;						\
		int _s;								\
		if (!test_cpu_online(_c))					\
			continue;						\
		_s = test_cpu_virt_on(_c, &_why);				\
		if (_s < 0)							\
			SKIP(return, "%s", _why);				\
		EXPECT_EQ(on, _s) TH_LOG("CPU %d", _c);				\
		_n++;								\
	}									\
	ASSERT_EQ(test_online_cpus(), _n);					\
} while (0)

TEST(on_exactly_while_vms_exist)
{
	int fd, vm1, vm2;

	fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %m", test_dev_path());
	ASSERT_ALL_CPUS(0);

	vm1 = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm1);
	ASSERT_ALL_CPUS(1);

	vm2 = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm2);
	close(vm1);
	ASSERT_ALL_CPUS(1);	/* vm2 still exists */

	close(vm2);
	ASSERT_ALL_CPUS(0);	/* the last VM is gone */

	/* And again: the cycle repeats. */
	vm1 = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm1);
	ASSERT_ALL_CPUS(1);
	close(vm1);
	ASSERT_ALL_CPUS(0);
	close(fd);
}

/* Closing the device fd alone changes nothing while a VM exists. */
TEST(device_close_keeps_state)
{
	int fd, vm;

	fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	close(fd);
	ASSERT_ALL_CPUS(1);
	close(vm);
	ASSERT_ALL_CPUS(0);
}

TEST_HARNESS_MAIN
