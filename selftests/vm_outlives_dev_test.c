// SPDX-License-Identifier: GPL-2.0
/*
 * A VM fd stays usable after the device fd that created it is closed, and
 * only from the process that created it (others get EIO, as on KVM).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/kvm.h>

#include "harness.h"

TEST(vm_survives_device_close)
{
	int fd, vm;

	fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %m", test_dev_path());
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));
	EXPECT_EQ(0, close(vm));
}

TEST(vm_belongs_to_its_process)
{
	int fd, vm, status;
	pid_t pid;

	fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, fd);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	close(fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM);

		_exit(r == -1 && errno == EIO ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("a child process could use its parent's VM");
	/* The parent still can. */
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));
	close(vm);
}

TEST_HARNESS_MAIN
