/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the svmx selftests.
 *
 * Every test runs against the device named by $SVMX_DEV (default /dev/svmx)
 * whose hypervisor module is $SVMX_MODULE (default svmx): the test machines
 * run each test once on svmx and once on the stock kvm-amd / kvm-intel, so a
 * test proves it asserts true KVM behaviour.
 */
#ifndef SVMX_TEST_H
#define SVMX_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The KVM-API device under test and its module. */
const char *test_dev_path(void);
const char *test_module_name(void);
/* Is the device under test svmx itself (not the stock KVM)? */
bool test_is_svmx(void);
/* "vmx" or "svm", from the CPU flags. */
const char *test_cpu_extension(void);

/*
 * A loop count for guest code: @n on the svm test machine (QEMU TCG), a
 * tenth of it (at least 1) on the vmx one, Bochs, which runs guests about
 * a hundred times slower. An Intel CPU ("vmx") is what tells them apart.
 */
unsigned long test_scaled(unsigned long n);

/* open() the device under test; returns the fd or -1 (errno set). */
int test_open_dev(int flags);

/*
 * A known limit of the emulated machine for this device, or NULL. The test
 * machine's /init names them in SVMX_EMU_LIMITS ("name=reason;...");
 * a test that depends on one SKIPs with the reason.
 */
const char *test_emu_limit(const char *name);

/*
 * Is VMX/SVM on on @cpu, as the hardware says? 1 or 0; -1 if this cannot be
 * read here (errno set), with the reason in *why.
 *   SVM: EFER.SVME, read through /dev/cpu/N/msr (any hypervisor).
 *   VMX: CR4.VMXE cannot be read from userspace; svmx reports it, read on
 *        that CPU, in /sys/kernel/debug/svmx/cpu_state.
 */
int test_cpu_virt_on(int cpu, const char **why);
/* What svmx's debugfs says svmx itself turned on on @cpu: 1, 0 or -1. */
int test_svmx_cpu_owned(int cpu);

/* Number of online CPUs / is @cpu online? */
int test_online_cpus(void);
bool test_cpu_online(int cpu);
/* Write 0 or 1 to /sys/devices/system/cpu/cpuN/online; 0 or -1. */
int test_set_cpu_online(int cpu, bool online);

/* /sys/module/NAME/refcnt, or -1. */
int test_module_refcnt(const char *name);

/*
 * TEST_ASSERT(cond[, fmt, ...]): for helpers outside a TEST() body (the
 * harness's ASSERT_* need its _metadata). On failure: print the file, line,
 * expression, message and errno on stderr as TAP comments, then exit(1),
 * which the harness reports as a failed test.
 */
void test_assert_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

/*
 * The message is optional and must start with a string literal; the space
 * pasted before it keeps the format from being empty (test_assert_fail()
 * drops it).
 */
#define TEST_ASSERT(cond, ...)						\
	do {								\
		if (!(cond))						\
			test_assert_fail(__FILE__, __LINE__, #cond,	\
					 " " __VA_ARGS__);		\
	} while (0)

/* TEST_ASSERT(a == b) printing both values. */
#define TEST_ASSERT_EQ(a, b)						\
	do {								\
		unsigned long long __a = (a), __b = (b);		\
									\
		if (__a != __b)						\
			test_assert_fail(__FILE__, __LINE__,		\
					 #a " == " #b,			\
					 "%#llx vs %#llx", __a, __b);	\
	} while (0)

/*
 * The host side of guest memory (swap_test, page_migration_test,
 * aging_test): /proc/self/pagemap's entry for the page at @addr
 * (Documentation/admin-guide/mm/pagemap.rst), or 0 if it cannot be read.
 * The PFN is only there for CAP_SYS_ADMIN (it reads 0 otherwise).
 */
#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_SWAPPED		(1ULL << 62)
#define PAGEMAP_PFN_MASK	((1ULL << 55) - 1)
uint64_t test_pagemap(const void *addr);
/*
 * Is there an active swap device (/proc/swaps)? If not, false with the
 * reason in @why (@len bytes).
 */
bool test_have_swap(char *why, size_t len);
/* Keep the calling thread on @cpu (sched_setaffinity); 0 or -1. */
int test_pin_to_cpu(int cpu);

/* Run a shell command; returns its exit status, or -1. */
int test_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What a program run by test_run_cmd() did. */
struct test_cmd {
	int status;		/* exit status, or 128 + the killing signal */
	bool timed_out;		/* killed after the time limit */
	char *out, *err;	/* all it wrote to stdout and stderr */
};

/*
 * Run argv[0] (a path) with @input (may be NULL: empty) on its stdin, for
 * at most @timeout_s seconds. 0, or -1 if it could not be run or waited
 * for. test_cmd_free() frees the output.
 */
int test_run_cmd(char *const argv[], const char *input, int timeout_s,
		 struct test_cmd *r);
void test_cmd_free(struct test_cmd *r);

#endif
