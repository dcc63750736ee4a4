// SPDX-License-Identifier: GPL-2.0
/* The device can be opened and closed, read-only too, many times over. */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

TEST(open_close_many)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = test_open_dev(O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("open %s: %m", test_dev_path());
		ASSERT_EQ(0, close(fd));
	}
}

/* KVM clients (the KVM selftests) issue system ioctls on an O_RDONLY fd. */
TEST(readonly_fd_answers)
{
	int fd = test_open_dev(O_RDONLY);

	ASSERT_LE(0, fd) TH_LOG("open %s read-only: %m", test_dev_path());
	EXPECT_EQ(KVM_API_VERSION, ioctl(fd, KVM_GET_API_VERSION, 0));
	close(fd);
}

TEST(many_open_at_once)
{
	int fds[64], i;

	for (i = 0; i < 64; i++) {
		fds[i] = test_open_dev(O_RDWR);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 64; i++)
		EXPECT_EQ(KVM_API_VERSION, ioctl(fds[i], KVM_GET_API_VERSION, 0));
	for (i = 0; i < 64; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
