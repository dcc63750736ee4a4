// SPDX-License-Identifier: GPL-2.0
/* svmx run: creating a VM on a KVM-API device and stopping it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vm.h"

/*
 * Where KVM on Intel without unrestricted guest keeps the real-mode TSS
 * (three pages): just below the 4 GiB BIOS area, clear of RAM and of our
 * MMIO.
 */
#define VM_TSS_ADDR	0xfffbd000ULL

static int set_slot(struct vm *vm, unsigned int slot, uint64_t gpa,
		    uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		pr_err("%s: KVM_SET_USER_MEMORY_REGION (%#llx, %llu MiB): %s",
		       vm->dev, (unsigned long long)gpa,
		       (unsigned long long)(size / MiB), strerror(errno));
		return -1;
	}
	return 0;
}

int vm_open(struct vm *vm, const char *dev, struct guest_mem *mem)
{
	struct guest_mem *m = mem;
	int v;

	vm->dev = dev;
	vm->mem = mem;
	vm->vm_fd = -1;
	vm->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		pr_err("cannot open %s: %s%s", dev, strerror(errno),
		       errno == ENOENT ?
		       " (is the svmx module loaded? --dev /dev/kvm uses KVM)" : "");
		return -1;
	}
	v = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		pr_err("%s does not speak the KVM API (KVM_GET_API_VERSION: %d)",
		       dev, v);
		goto fail;
	}
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0) {
		pr_err("%s lacks KVM_CAP_USER_MEMORY", dev);
		goto fail;
	}
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		pr_err("%s: KVM_GET_VCPU_MMAP_SIZE: %s", dev,
		       vm->run_size < 0 ? strerror(errno) : "too small");
		goto fail;
	}
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		pr_err("%s: cannot create a VM: %s%s", dev, strerror(errno),
		       errno == EBUSY ?
		       " (another hypervisor owns VMX/SVM; see the kernel log)" : "");
		goto fail;
	}
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0) {
		pr_err("%s: KVM_SET_TSS_ADDR: %s", dev, strerror(errno));
		goto fail;
	}
	if (set_slot(vm, 0, 0, m->low_size, m->host))
		goto fail;
	if (m->size > m->low_size &&
	    set_slot(vm, 1, GUEST_HIGH_BASE, m->size - m->low_size,
		     m->host + m->low_size))
		goto fail;
	iobus_init(&vm->pio, "port");
	iobus_init(&vm->mmio, "MMIO address");
	atomic_init(&vm->stop, false);
	atomic_init(&vm->exit_status, 0);
	return 0;
fail:
	vm_close(vm);
	return -1;
}

void vm_close(struct vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->vm_fd = vm->sys_fd = -1;
}

void vm_request_exit(struct vm *vm, int status)
{
	bool was = false;

	if (atomic_compare_exchange_strong(&vm->stop, &was, true))
		atomic_store(&vm->exit_status, status);
}

static struct vm *signal_vm;
static volatile sig_atomic_t signal_seen;

bool vm_stopping(struct vm *vm)
{
	return atomic_load(&vm->stop) || signal_seen;
}

static void on_signal(int sig)
{
	int i;

	signal_seen = sig;
	/* KVM_RUN returns at once (EINTR) if it was about to enter. */
	for (i = 0; signal_vm && i < VM_MAX_VCPUS; i++)
		if (signal_vm->runs[i])
			signal_vm->runs[i]->immediate_exit = 1;
}

void vm_watch_signals(struct vm *vm)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: KVM_RUN gets EINTR */
	sigemptyset(&sa.sa_mask);
	signal_vm = vm;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int vm_signalled(void)
{
	return signal_seen;
}
