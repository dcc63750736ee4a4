// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_API_VERSION and KVM_GET_VCPU_MMAP_SIZE (api.rst 4.1 and 4.5):
 * both take no argument and reject a nonzero one with EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

DEV_FIXTURE();

TEST_F(dev, api_version_is_12)
{
	EXPECT_EQ(12, ioctl(self->fd, KVM_GET_API_VERSION, 0));
}

TEST_F(dev, api_version_rejects_argument)
{
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
}

/* x86: struct kvm_run, the PIO data page and the coalesced-MMIO page. */
TEST_F(dev, vcpu_mmap_size_is_three_pages)
{
	EXPECT_EQ(3 * getpagesize(), ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 0));
}

TEST_F(dev, vcpu_mmap_size_rejects_argument)
{
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
