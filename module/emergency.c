// SPDX-License-Identifier: GPL-2.0
/*
 * Leaving VMX/SVM off when the host reboots, suspends or crashes.
 *
 *   orderly reboot, halt, power-off, kexec   reboot notifier, then syscore
 *                                            shutdown on the last CPU
 *   suspend / resume                         syscore suspend and resume
 *   crash (kdump), emergency reboot, NMI     the kernel's emergency virt
 *   shoot-down                               callback
 *
 * A CPU left in VMX root operation blocks INIT, so a kdump kernel started on
 * it would hang (Intel SDM Vol. 3C, 24.8 "Restrictions on VMX Operation").
 * The kernel turns SVM off by itself on its emergency paths
 * (cpu_emergency_disable_virtualization()), but VMX only through the one
 * callback a hypervisor registers, and it holds exactly one: registering a
 * second warns. kvm-intel registers its own at load, and its callback does
 * VMXOFF whoever owns VMX. So svmx keeps the callback only while kvm_intel is
 * not loaded: it gives it up when kvm_intel comes and takes it back once
 * kvm_intel has gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <linux/syscore_ops.h>
#include <asm/reboot.h>

#include "svmx.h"

static int svmx_reboot_notify(struct notifier_block *nb, unsigned long code,
			      void *unused)
{
	svmx_virt_disable_all_for_reboot();
	return NOTIFY_OK;
}

static struct notifier_block svmx_reboot_nb = {
	.notifier_call = svmx_reboot_notify,
	/* After everything that might still run guests has stopped. */
	.priority = 0,
};

static int svmx_syscore_suspend(void)
{
	svmx_virt_suspend_this_cpu();
	return 0;
}

static void svmx_syscore_resume(void)
{
	svmx_virt_resume_this_cpu();
}

static void svmx_syscore_shutdown(void)
{
	svmx_virt_suspend_this_cpu();
}

static struct syscore_ops svmx_syscore_ops = {
	.suspend	= svmx_syscore_suspend,
	.resume		= svmx_syscore_resume,
	.shutdown	= svmx_syscore_shutdown,
};

/* The emergency callback slot, VMX only (see the top of this file). */
static DEFINE_MUTEX(svmx_emergency_lock);
static bool svmx_emergency_registered;

static void svmx_emergency_callback(void)
{
	svmx_backend->emergency_disable();
}

static void svmx_emergency_claim(void)
{
	mutex_lock(&svmx_emergency_lock);
	if (!svmx_emergency_registered) {
		cpu_emergency_register_virt_callback(svmx_emergency_callback);
		svmx_emergency_registered = true;
	}
	mutex_unlock(&svmx_emergency_lock);
}

static void svmx_emergency_release(void)
{
	mutex_lock(&svmx_emergency_lock);
	if (svmx_emergency_registered) {
		cpu_emergency_unregister_virt_callback(svmx_emergency_callback);
		svmx_emergency_registered = false;
	}
	mutex_unlock(&svmx_emergency_lock);
}

static bool svmx_is_kvm_intel(const struct module *mod)
{
	return !strcmp(mod->name, "kvm_intel");
}

static int svmx_module_notify(struct notifier_block *nb, unsigned long state,
			      void *data)
{
	struct module *mod = data;

	if (!svmx_is_kvm_intel(mod))
		return NOTIFY_DONE;
	/* COMING runs before kvm_intel's init; GOING after its exit. */
	if (state == MODULE_STATE_COMING) {
		svmx_emergency_release();
		pr_info("kvm_intel is loading: its emergency callback will turn VMX off on crash\n");
	} else if (state == MODULE_STATE_GOING) {
		svmx_emergency_claim();
	}
	return NOTIFY_OK;
}

static struct notifier_block svmx_module_nb = {
	.notifier_call = svmx_module_notify,
};

/*
 * kvm.ko exports kvm_rebooting; if it is loaded, kvm_intel may be too and
 * then owns the callback slot. Leave it alone in that case; the module
 * notifier hands the slot to svmx when kvm_intel goes away.
 */
static bool svmx_kvm_loaded(void)
{
	void *sym = __symbol_get("kvm_rebooting");

	if (!sym)
		return false;
	__symbol_put("kvm_rebooting");
	return true;
}

int svmx_emergency_init(void)
{
	int r;

	r = register_reboot_notifier(&svmx_reboot_nb);
	if (r)
		return r;
	register_syscore_ops(&svmx_syscore_ops);

	if (svmx_backend->emergency_disable) {
		r = register_module_notifier(&svmx_module_nb);
		if (r)
			goto err_notifier;
		if (svmx_kvm_loaded())
			pr_info("kvm is loaded: leaving the emergency VMXOFF callback to kvm_intel\n");
		else
			svmx_emergency_claim();
	}
	return 0;

err_notifier:
	unregister_syscore_ops(&svmx_syscore_ops);
	unregister_reboot_notifier(&svmx_reboot_nb);
	return r;
}

void svmx_emergency_exit(void)
{
	if (svmx_backend->emergency_disable) {
		unregister_module_notifier(&svmx_module_nb);
		svmx_emergency_release();
	}
	unregister_syscore_ops(&svmx_syscore_ops);
	unregister_reboot_notifier(&svmx_reboot_nb);
}
