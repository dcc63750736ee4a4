// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor module cannot be unloaded while a VM exists, even when no
 * fd of the device itself is open: each VM holds a module reference, which
 * goes away with the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#include "harness.h"

TEST(unload_refused_while_vm_exists)
{
	const char *mod = test_module_name();
	int fd, vm, base, held;

	base = test_module_refcnt(mod);
	ASSERT_LE(0, base) TH_LOG("cannot read /sys/module/%s/refcnt", mod);

	fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %m", test_dev_path());
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	close(fd);

	held = test_module_refcnt(mod);
	EXPECT_LT(base, held) TH_LOG("a VM does not hold a reference on %s", mod);

	/* delete_module(2) with O_NONBLOCK: EWOULDBLOCK while in use. */
	EXPECT_EQ(-1, syscall(SYS_delete_module, mod, O_NONBLOCK))
		TH_LOG("%s was unloaded under a live VM", mod);
	EXPECT_EQ(EWOULDBLOCK, errno);

	/* The VM is still alive and answers. */
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));
	close(vm);
	EXPECT_EQ(base, test_module_refcnt(mod));
}

TEST_HARNESS_MAIN
