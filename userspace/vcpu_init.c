// SPDX-License-Identifier: GPL-2.0
/* svmx run: creating a vCPU, with the CPUID the device supports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vcpu.h"

/*
 * Give the vCPU every CPUID leaf the device supports (KVM checks CR4 and
 * EFER bits, e.g. PAE and LME, against the guest's CPUID), with its own
 * APIC ID. Skipped on a device without KVM_CAP_EXT_CPUID.
 */
static int vcpu_set_cpuid(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_cpuid2 *cpuid = NULL;
	unsigned int i, nent = 64;
	int r;

	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0)
		return 0;
	for (;;) {
		free(cpuid);
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid) {
			pr_err("out of memory");
			return -1;
		}
		cpuid->nent = nent;
		r = ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
		if (r == 0)
			break;
		if (errno != E2BIG || nent >= 4096) {
			pr_err("%s: KVM_GET_SUPPORTED_CPUID: %s", vm->dev,
			       strerror(errno));
			free(cpuid);
			return -1;
		}
		nent *= 2;
	}
	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		/* CPUID.1:EBX[31:24] and CPUID.0BH:EDX: the APIC ID. */
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (uint32_t)vcpu->id << 24;
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = (uint32_t)vcpu->id;
	}
	r = ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
	if (r < 0)
		pr_err("%s: KVM_SET_CPUID2: %s", vm->dev, strerror(errno));
	free(cpuid);
	return r < 0 ? -1 : 0;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id)
{
	void *run;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run = NULL;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		pr_err("%s: cannot create vCPU %d: %s", vm->dev, id,
		       strerror(errno));
		return -1;
	}
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		pr_err("%s: cannot map vCPU %d: %s", vm->dev, id,
		       strerror(errno));
		close(vcpu->fd);
		return -1;
	}
	vcpu->run = run;
	if (vcpu_set_cpuid(vcpu)) {
		vcpu_destroy(vcpu);
		return -1;
	}
	vm->runs[id] = vcpu->run;
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run) {
		vcpu->vm->runs[vcpu->id] = NULL;
		munmap(vcpu->run, vcpu->vm->run_size);
	}
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
