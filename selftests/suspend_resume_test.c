// SPDX-License-Identifier: GPL-2.0
/*
 * Suspend and resume with a VM: VMX/SVM is on again on every CPU afterwards,
 * and stays off when no VM exists. Uses the kernel's suspend test mode
 * (/sys/power/pm_test = core, CONFIG_PM_DEBUG): the whole suspend sequence
 * runs, non-boot CPUs go offline and the syscore suspend hooks run, then the
 * kernel resumes without sleeping.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "harness.h"

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val));
	close(fd);
	return r == (ssize_t)strlen(val) ? 0 : -1;
}

/* One suspend/resume cycle in pm_test "core" mode; 0 on success. */
static int suspend_resume(void)
{
	int r;

	/* The test mode waits pm_test_delay seconds (default 5) while down. */
	write_file("/sys/module/suspend/parameters/pm_test_delay", "1");
	if (write_file("/sys/power/pm_test", "core"))
		return -1;
	r = write_file("/sys/power/state", "mem");
	if (r)
		r = write_file("/sys/power/state", "freeze");
	write_file("/sys/power/pm_test", "none");
	return r;
}

/* Every online CPU is in state @on; returns -1 if it cannot be read. */
static int all_cpus(struct __test_metadata *_metadata, int on)
{
	int cpu;

	for (cpu = 0; cpu < 64; cpu++) {
		const char *why;
		int s;

		if (!test_cpu_online(cpu))
			continue;
		s = test_cpu_virt_on(cpu, &why);
		if (s < 0) {
			TH_LOG("CPU %d: %s", cpu, why);
			return -1;
		}
		EXPECT_EQ(on, s) TH_LOG("CPU %d", cpu);
	}
	return 0;
}

TEST(suspend_resume_with_vm)
{
	int fd, vm, ncpus;

	if (access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/pm_test (CONFIG_PM_DEBUG) here");
	fd = test_open_dev(O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %m", test_dev_path());
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %m");
	if (all_cpus(_metadata, 1) < 0)
		SKIP(goto out, "VMX/SVM state cannot be read for this device");

	ncpus = test_online_cpus();
	ASSERT_EQ(0, suspend_resume()) TH_LOG("suspend test cycle: %m");
	ASSERT_EQ(ncpus, test_online_cpus());
	all_cpus(_metadata, 1);
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));
	close(vm);
	all_cpus(_metadata, 0);
	vm = -1;
out:
	if (vm >= 0)
		close(vm);
	close(fd);
}

TEST(suspend_resume_without_vm)
{
	if (access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/pm_test (CONFIG_PM_DEBUG) here");
	if (all_cpus(_metadata, 0) < 0)
		SKIP(return, "VMX/SVM state cannot be read for this device");
	ASSERT_EQ(0, suspend_resume()) TH_LOG("suspend test cycle: %m");
	all_cpus(_metadata, 0);
}

TEST_HARNESS_MAIN
