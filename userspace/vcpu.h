/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx run: a vCPU. vcpu_loop() is all a vCPU thread does; everything it
 * touches is in struct vcpu or behind the VM's io-buses, so that several
 * vCPUs can each run it in their own thread.
 */
#ifndef SVMX_VCPU_H
#define SVMX_VCPU_H

#include <stdio.h>

#include "vm.h"

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
};

/* Create vCPU @id with the device's supported CPUID. 0 or -1. */
int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id);
void vcpu_destroy(struct vcpu *vcpu);

/*
 * Run until the VM stops: 0 when it stopped because a device or a signal
 * asked, -1 when the guest cannot go on (reported with its registers).
 */
int vcpu_loop(struct vcpu *vcpu);

/* The registers, for reports of a guest that failed. */
void vcpu_dump(struct vcpu *vcpu, FILE *out);

#endif
