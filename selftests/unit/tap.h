/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the host unit tests, in the format the test runners parse
 * (tools/testvm/suites.awk): "ok N name", "not ok N name",
 * "ok N name # SKIP reason", diagnostics as "# ...", and the kselftest
 * "# Totals:" line. Exit status: 0, or 1 if a case failed.
 */
#ifndef SVMX_UNIT_TAP_H
#define SVMX_UNIT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned int tap_n, tap_pass, tap_fail, tap_skip;

static inline void tap_plan(unsigned int n)
{
	printf("TAP version 13\n1..%u\n", n);
}

static inline __attribute__((format(printf, 1, 2))) void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline void tap_result(int ok, const char *name)
{
	printf("%sok %u %s\n", ok ? "" : "not ", ++tap_n, name);
	if (ok)
		tap_pass++;
	else
		tap_fail++;
}

static inline void tap_skip_case(const char *name, const char *why)
{
	printf("ok %u %s # SKIP %s\n", ++tap_n, name, why);
	tap_skip++;
}

/*
 * Model tests (lapic, ioapic, pic): cases are functions that CHECK()
 * conditions; a case passes when none failed. tap_run_cases() runs a
 * table of them and returns the exit status.
 */
static int tap_case_ok;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		tap_diag("%s:%d: %s", __FILE__, __LINE__, #cond);	\
		tap_case_ok = 0;					\
	}								\
} while (0)

struct tap_case {
	const char *name;
	void (*fn)(void);
};

#define TAP_RUN_CASES(cases) tap_run_cases(cases, sizeof(cases) / sizeof((cases)[0]))

static inline int tap_exit(void);

static inline int tap_run_cases(const struct tap_case *cases, unsigned int n)
{
	unsigned int i;

	tap_plan(n);
	for (i = 0; i < n; i++) {
		tap_case_ok = 1;
		cases[i].fn();
		tap_result(tap_case_ok, cases[i].name);
	}
	return tap_exit();
}

static inline int tap_exit(void)
{
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       tap_pass, tap_fail, tap_skip);
	fflush(stdout);
	return tap_fail ? 1 : 0;
}

#endif
