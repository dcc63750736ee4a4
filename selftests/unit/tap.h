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

static inline int tap_exit(void)
{
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       tap_pass, tap_fail, tap_skip);
	fflush(stdout);
	return tap_fail ? 1 : 0;
}

#endif
