/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every test file includes first: the kernel's kselftest harness (from
 * Debian's linux-source-6.1, extracted by tools/testvm/deps.sh) and the svmx
 * helpers.
 */
#ifndef SVMX_HARNESS_H
#define SVMX_HARNESS_H

/*
 * The harness is built with -Wall only in the kernel tree: its functions and
 * the ones its TEST() macros expand to in each test file leave parameters
 * unused, so -Wunused-parameter stays off for the test files.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

/* The emulated machines are slow; the harness's 30 s would be too short. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 600

#include "svmx_test.h"

#endif
