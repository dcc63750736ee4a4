// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CHECK_EXTENSION: which KVM capabilities svmx really implements.
 *
 * A capability is listed here only once everything it promises works: KVM
 * clients switch features on because they are advertised and may abort when
 * they then fail. Anything not listed answers 0, as KVM does for unknown
 * capabilities. Documentation/abi.md has the table of what is and is not
 * there yet.
 */
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/kvm.h>
#include <asm/cpufeature.h>

#include "svmx.h"
#include "vm.h"

struct svmx_cap {
	long cap;
	long value;
};

static const struct svmx_cap svmx_caps[] = {
	/* KVM_CHECK_EXTENSION on a VM fd (vm.c). */
	{ KVM_CAP_CHECK_EXTENSION_VM, 1 },
	/* Memslots (memslot.c, mmu.c). */
	{ KVM_CAP_USER_MEMORY, 1 },
	{ KVM_CAP_NR_MEMSLOTS, SVMX_NR_MEMSLOTS },
	{ KVM_CAP_READONLY_MEM, 1 },
	{ KVM_CAP_SYNC_MMU, 1 },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1 },
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
	/* VM ioctls (vm.c). */
	{ KVM_CAP_SET_TSS_ADDR, 1 },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, 1 },
	{ KVM_CAP_MAX_VCPUS, SVMX_MAX_VCPUS },
	{ KVM_CAP_MAX_VCPU_ID, SVMX_MAX_VCPU_ID },
	/* vCPU ioctls (cpuid.c, regs.c, events.c, run.c). */
	{ KVM_CAP_EXT_CPUID, 1 },
	{ KVM_CAP_MP_STATE, 1 },
	{ KVM_CAP_IMMEDIATE_EXIT, 1 },
	{ KVM_CAP_VCPU_EVENTS, 1 },
	{ KVM_CAP_INTR_SHADOW, 1 },
	{ KVM_CAP_USER_NMI, 1 },
	{ KVM_CAP_DEBUGREGS, 1 },
	/* Coalesced MMIO and PIO (coalesced.c): the ring's page offset. */
	{ KVM_CAP_COALESCED_MMIO, SVMX_COALESCED_MMIO_PAGE_OFFSET },
	{ KVM_CAP_COALESCED_PIO, 1 },
	/*
	 * The in-kernel irqchip (irqchip.c, apic.c): KVM_CREATE_IRQCHIP,
	 * KVM_IRQ_LINE(_STATUS), KVM_GET/SET_IRQCHIP, KVM_GET/SET_LAPIC.
	 */
	{ KVM_CAP_IRQCHIP, 1 },
	{ KVM_CAP_IRQ_INJECT_STATUS, 1 },
};

long svmx_check_extension(long cap)
{
	size_t i;

	switch (cap) {
	case KVM_CAP_NR_VCPUS:
		/* The recommended maximum: one per online CPU, as KVM. */
		return min_t(long, num_online_cpus(), SVMX_MAX_VCPUS);
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	}
	for (i = 0; i < ARRAY_SIZE(svmx_caps); i++)
		if (svmx_caps[i].cap == cap)
			return svmx_caps[i].value;
	return 0;
}
