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

#include <fcntl.h>
#include <unistd.h>

#include "svmx_test.h"

/*
 * DEV_FIXTURE() declares FIXTURE(dev): each TEST_F(dev, ...) starts with
 * self->fd, an O_RDWR fd of the device under test, closed after the test.
 */
#define DEV_FIXTURE()							\
	FIXTURE(dev) { int fd; };					\
	FIXTURE_SETUP(dev)						\
	{								\
		self->fd = test_open_dev(O_RDWR);			\
		ASSERT_LE(0, self->fd)					\
			TH_LOG("open %s: %m", test_dev_path());		\
	}								\
	FIXTURE_TEARDOWN(dev) { close(self->fd); }

#endif
