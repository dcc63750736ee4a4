// SPDX-License-Identifier: GPL-2.0
/*
 * Turning VMX/SVM on and off on each CPU.
 *
 * svmx owns the hardware extension only while at least one VM exists, so
 * that it and other hypervisors (the kernel's own kvm-intel/kvm-amd) can take
 * turns on the same host:
 *
 *   svmx_virt_get()  first VM: enable the extension on every online CPU;
 *                    if any CPU refuses (another owner), undo the CPUs that
 *                    were turned on and fail with -EBUSY.
 *   svmx_virt_put()  last VM gone: turn it off everywhere.
 *   CPU hotplug      a CPU that comes online while VMs exist is turned on;
 *                    one going offline is turned off first.
 *   reboot/suspend   emergency.c calls in here.
 *
 * Lock order: the CPU hotplug lock, then svmx_virt_lock. Per-CPU state is
 * only changed on the CPU itself, with interrupts off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/smp.h>

#include "svmx.h"

static DEFINE_MUTEX(svmx_virt_lock);
/* Number of VMs; the extension is enabled on every online CPU while nonzero. */
static unsigned int svmx_virt_count;
/* Set once the host is rebooting: never turn anything on again. */
static bool svmx_virt_rebooting;
static enum cpuhp_state svmx_cpuhp_state;

/* Did svmx enable the extension on this CPU? */
static DEFINE_PER_CPU(bool, svmx_cpu_on);
/* The first error of an on_each_cpu(svmx_enable_ipi) round, or 0. */
static atomic_t svmx_enable_error;

static int svmx_enable_this_cpu(void)
{
	int r;

	lockdep_assert_irqs_disabled();
	if (__this_cpu_read(svmx_cpu_on))
		return 0;
	r = svmx_backend->cpu_enable();
	if (!r)
		__this_cpu_write(svmx_cpu_on, true);
	return r;
}

static void svmx_disable_this_cpu(void)
{
	lockdep_assert_irqs_disabled();
	if (!__this_cpu_read(svmx_cpu_on))
		return;
	if (svmx_backend->cpu_going_down)
		svmx_backend->cpu_going_down();
	svmx_backend->cpu_disable();
	__this_cpu_write(svmx_cpu_on, false);
}

static void svmx_enable_ipi(void *unused)
{
	int r = svmx_enable_this_cpu();

	if (r) {
		atomic_cmpxchg(&svmx_enable_error, 0, r);
		pr_err("cannot enable %s on CPU %d (%d)\n", svmx_backend->name,
		       smp_processor_id(), r);
	}
}

static void svmx_disable_ipi(void *unused)
{
	svmx_disable_this_cpu();
}

/**
 * svmx_virt_get() - take a reference for a new VM
 *
 * Return: 0, or the error of a CPU that could not be enabled: -EBUSY when
 * another hypervisor owns VMX/SVM there, -EIO when the CPU refused. The
 * extension is then left off everywhere, as before the call.
 */
int svmx_virt_get(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&svmx_virt_lock);
	if (svmx_virt_rebooting) {
		r = -EBUSY;
		goto out;
	}
	if (svmx_virt_count == 0) {
		atomic_set(&svmx_enable_error, 0);
		on_each_cpu(svmx_enable_ipi, NULL, 1);
		r = atomic_read(&svmx_enable_error);
		if (r) {
			on_each_cpu(svmx_disable_ipi, NULL, 1);
			if (r == -EBUSY)
				pr_err("another hypervisor owns %s: unload it (modprobe -r kvm_intel kvm_amd), or on Linux 6.12 and later boot with kvm.enable_virt_at_load=0\n",
				       svmx_backend->name);
			goto out;
		}
	}
	svmx_virt_count++;
out:
	mutex_unlock(&svmx_virt_lock);
	cpus_read_unlock();
	return r;
}

/** svmx_virt_put() - drop a VM's reference; the last one turns VMX/SVM off */
void svmx_virt_put(void)
{
	cpus_read_lock();
	mutex_lock(&svmx_virt_lock);
	if (!WARN_ON_ONCE(svmx_virt_count == 0) && --svmx_virt_count == 0)
		on_each_cpu(svmx_disable_ipi, NULL, 1);
	mutex_unlock(&svmx_virt_lock);
	cpus_read_unlock();
}

unsigned int svmx_virt_users(void)
{
	return READ_ONCE(svmx_virt_count);
}

bool svmx_virt_this_cpu_on(void)
{
	return __this_cpu_read(svmx_cpu_on);
}

/* CPU hotplug: runs on the CPU coming online, in its hotplug thread. */
static int svmx_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int r = 0;

	mutex_lock(&svmx_virt_lock);
	if (svmx_virt_count && !svmx_virt_rebooting) {
		local_irq_save(flags);
		r = svmx_enable_this_cpu();
		local_irq_restore(flags);
		if (r)
			pr_err("cannot enable %s on CPU %u coming online (%d)\n",
			       svmx_backend->name, cpu, r);
	}
	mutex_unlock(&svmx_virt_lock);
	return r;
}

/* CPU hotplug: runs on the CPU going offline, before it goes. */
static int svmx_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	mutex_lock(&svmx_virt_lock);
	local_irq_save(flags);
	svmx_disable_this_cpu();
	local_irq_restore(flags);
	mutex_unlock(&svmx_virt_lock);
	return 0;
}

/* Reboot notifier: turn everything off and keep it off. */
void svmx_virt_disable_all_for_reboot(void)
{
	mutex_lock(&svmx_virt_lock);
	svmx_virt_rebooting = true;
	mutex_unlock(&svmx_virt_lock);
	on_each_cpu(svmx_disable_ipi, NULL, 1);
}

/*
 * Suspend and resume: the syscore hooks run on the last online CPU with
 * interrupts off; the other CPUs went through svmx_cpu_offline() and come
 * back through svmx_cpu_online().
 */
void svmx_virt_suspend_this_cpu(void)
{
	svmx_disable_this_cpu();
}

void svmx_virt_resume_this_cpu(void)
{
	/* No lock can be taken here; nothing else runs while resuming. */
	if (svmx_virt_count && !svmx_virt_rebooting &&
	    svmx_enable_this_cpu())
		pr_err("cannot turn %s back on after resume on CPU %d\n",
		       svmx_backend->name, smp_processor_id());
}

/**
 * svmx_free_cpu_pages() - free what svmx_alloc_cpu_pages() allocated
 * @pages: a per-CPU page pointer
 */
void svmx_free_cpu_pages(struct page *__percpu *pages)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page **page = per_cpu_ptr(pages, cpu);

		if (*page)
			__free_page(*page);
		*page = NULL;
	}
}

/**
 * svmx_alloc_cpu_pages() - one zeroed page per possible CPU, on its node
 * @pages: a per-CPU page pointer to fill
 * @first_word: written at the start of each page (a VMCS revision id)
 *
 * Return: 0 or -ENOMEM (then nothing stays allocated).
 */
int svmx_alloc_cpu_pages(struct page *__percpu *pages, u32 first_word)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			svmx_free_cpu_pages(pages);
			return -ENOMEM;
		}
		*(u32 *)page_address(page) = first_word;
		*per_cpu_ptr(pages, cpu) = page;
	}
	return 0;
}

int svmx_cpu_virt_init(void)
{
	int r;

	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "svmx:online",
			      svmx_cpu_online, svmx_cpu_offline);
	if (r < 0) {
		pr_err("cannot register CPU hotplug callbacks: %d\n", r);
		return r;
	}
	svmx_cpuhp_state = r;
	return 0;
}

void svmx_cpu_virt_exit(void)
{
	cpuhp_remove_state(svmx_cpuhp_state);
}
