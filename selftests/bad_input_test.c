// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input gets KVM's errors. An ioctl unknown to the system fd fails with
 * EINVAL (x86 KVM's kvm_arch_dev_ioctl() default), one unknown to a VM fd
 * with ENOTTY; KVM_CREATE_VM takes only machine type 0 on x86.
 */
#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "harness.h"

/* An ioctl number in KVM's space that no kernel defines. */
#define KVM_UNDEFINED_IOCTL	_IO(KVMIO, 0xfe)

DEV_FIXTURE();

TEST_F(dev, unknown_system_ioctl)
{
	EXPECT_EQ(-1, ioctl(self->fd, KVM_UNDEFINED_IOCTL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TCGETS, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, unknown_vm_ioctl)
{
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0);

	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	EXPECT_EQ(-1, ioctl(vm, KVM_UNDEFINED_IOCTL, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(vm, TCGETS, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(vm);
}

TEST_F(dev, bad_vm_types)
{
	static const unsigned long types[] = { 1, 2, 0xff, 0x100, ~0UL };
	unsigned int i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, KVM_CREATE_VM, types[i]))
			TH_LOG("type %#lx accepted", types[i]);
		EXPECT_EQ(EINVAL, errno);
	}
}

/* Neither fd has read, write or mmap. */
TEST_F(dev, no_read_write_mmap)
{
	char buf[8];
	int vm;

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, vm, 0));
	EXPECT_EQ(ENODEV, errno);
	close(vm);
}

TEST_HARNESS_MAIN
