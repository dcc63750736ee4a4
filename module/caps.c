// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CHECK_EXTENSION: which KVM capabilities svmx really implements.
 *
 * A capability is listed here only once everything it promises works: KVM
 * clients switch features on because they are advertised and may abort when
 * they then fail. Anything not listed answers 0, as KVM does for unknown
 * capabilities.
 */
#include <linux/kernel.h>
#include <linux/kvm.h>

#include "svmx.h"

struct svmx_cap {
	long cap;
	long value;
};

static const struct svmx_cap svmx_caps[] = {
	/* KVM_CHECK_EXTENSION on a VM fd (vm.c). */
	{ KVM_CAP_CHECK_EXTENSION_VM, 1 },
};

long svmx_check_extension(long cap)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(svmx_caps); i++)
		if (svmx_caps[i].cap == cap)
			return svmx_caps[i].value;
	return 0;
}
