// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the svmx selftests; see svmx_test.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svmx_test.h"

#define MSR_EFER	0xc0000080
#define EFER_SVME	(1ULL << 12)

const char *test_dev_path(void)
{
	const char *p = getenv("SVMX_DEV");

	return p && *p ? p : "/dev/svmx";
}

const char *test_module_name(void)
{
	const char *p = getenv("SVMX_MODULE");

	return p && *p ? p : "svmx";
}

bool test_is_svmx(void)
{
	return !strcmp(test_module_name(), "svmx");
}

const char *test_cpu_extension(void)
{
	static const char *ext;
	char line[4096];
	FILE *f;

	if (ext)
		return ext;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return "unknown";
	while (!ext && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		if (strstr(line, " vmx"))
			ext = "vmx";
		else if (strstr(line, " svm"))
			ext = "svm";
	}
	fclose(f);
	return ext ? ext : "none";
}

unsigned long test_scaled(unsigned long n)
{
	if (strcmp(test_cpu_extension(), "vmx"))
		return n;
	return n >= 10 ? n / 10 : 1;
}

int test_open_dev(int flags)
{
	return open(test_dev_path(), flags | O_CLOEXEC);
}

static int read_efer(int cpu, uint64_t *val)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = pread(fd, val, sizeof(*val), MSR_EFER);
	close(fd);
	return r == sizeof(*val) ? 0 : -1;
}

/* Field @key ("svmx" or "hw") of @cpu's line in svmx's cpu_state. */
static int svmx_cpu_state_field(int cpu, const char *key)
{
	char line[128], want[32];
	int val = -1;
	FILE *f;

	f = fopen("/sys/kernel/debug/svmx/cpu_state", "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, want, strlen(want)))
			continue;
		p = strstr(line, key);
		if (p && p[strlen(key)] == '=')
			val = atoi(p + strlen(key) + 1);
	}
	fclose(f);
	if (val < 0)
		errno = ENOENT;
	return val;
}

int test_cpu_virt_on(int cpu, const char **why)
{
	uint64_t efer;

	*why = "";
	if (!strcmp(test_cpu_extension(), "svm")) {
		if (read_efer(cpu, &efer)) {
			*why = "cannot read EFER through /dev/cpu/N/msr (msr.ko loaded?)";
			return -1;
		}
		return !!(efer & EFER_SVME);
	}
	if (!test_is_svmx()) {
		*why = "CR4.VMXE cannot be read from userspace and kvm-intel does not report it";
		return -1;
	}
	if (svmx_cpu_state_field(cpu, "hw") < 0) {
		*why = "cannot read /sys/kernel/debug/svmx/cpu_state (debugfs mounted?)";
		return -1;
	}
	return svmx_cpu_state_field(cpu, "hw");
}

int test_svmx_cpu_owned(int cpu)
{
	return svmx_cpu_state_field(cpu, "svmx");
}

int test_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

bool test_cpu_online(int cpu)
{
	char path[80];
	int c = '1';
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "r");
	if (!f)
		return cpu == 0; /* the boot CPU may have no 'online' file */
	c = fgetc(f);
	fclose(f);
	return c == '1';
}

int test_set_cpu_online(int cpu, bool online)
{
	char path[80];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, online ? "1" : "0", 1);
	close(fd);
	return r == 1 ? 0 : -1;
}

int test_module_refcnt(const char *name)
{
	char path[128];
	int val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

int test_system(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

void test_assert_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
{
	int err = errno;
	char msg[1024] = "";
	va_list ap;

	/* TEST_ASSERT pastes a space before the caller's format. */
	if (*fmt == ' ')
		fmt++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "# %s:%d: assertion '%s' failed%s%s (errno %d: %s)\n",
		file, line, expr, *msg ? ": " : "", msg, err, strerror(err));
	exit(1);
}

const char *test_emu_limit(const char *name)
{
	static char reason[256];
	const char *p = getenv("SVMX_EMU_LIMITS");
	size_t n = strlen(name);

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			snprintf(reason, sizeof(reason), "%.*s",
				 (int)(len - n - 1), p + n + 1);
			return reason;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

uint64_t test_pagemap(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / 4096 * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e;
}

bool test_have_swap(char *why, size_t len)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int devices = -1;	/* the first line is the header */

	if (!f) {
		snprintf(why, len, "no /proc/swaps: %s", strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f))
		devices++;
	fclose(f);
	if (devices > 0)
		return true;
	snprintf(why, len, "no swap device (/proc/swaps lists none)");
	return false;
}

int test_pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}
