// SPDX-License-Identifier: GPL-2.0
/* Many VMs, one after another and many at once, each released cleanly. */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

/* KVM's VM creation is slow under emulation: keep the counts modest. */
#define IN_A_ROW 20
#define AT_ONCE 16

DEV_FIXTURE();

TEST_F(dev, create_close_in_a_row)
{
	int i, vm;

	for (i = 0; i < IN_A_ROW; i++) {
		vm = ioctl(self->fd, KVM_CREATE_VM, 0);
		ASSERT_LE(0, vm) TH_LOG("VM %d: %m", i);
		ASSERT_EQ(0, close(vm));
	}
}

TEST_F(dev, many_at_once)
{
	int vms[AT_ONCE], i;

	for (i = 0; i < AT_ONCE; i++) {
		vms[i] = ioctl(self->fd, KVM_CREATE_VM, 0);
		ASSERT_LE(0, vms[i]) TH_LOG("VM %d: %m", i);
	}
	/* Each is a live VM. */
	for (i = 0; i < AT_ONCE; i++)
		EXPECT_LE(0, ioctl(vms[i], KVM_CHECK_EXTENSION,
				   KVM_CAP_CHECK_EXTENSION_VM));
	/* Close in an order other than creation's. */
	for (i = 0; i < AT_ONCE; i += 2)
		close(vms[i]);
	for (i = 1; i < AT_ONCE; i += 2)
		close(vms[i]);
	i = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, i) TH_LOG("a VM after all were closed: %m");
	close(i);
}

/* The VM fd is close-on-exec, as KVM's. */
TEST_F(dev, vm_fd_is_cloexec)
{
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0);

	ASSERT_LE(0, vm);
	EXPECT_TRUE(fcntl(vm, F_GETFD) & FD_CLOEXEC);
	close(vm);
}

TEST_HARNESS_MAIN
