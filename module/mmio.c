// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to a guest-physical address outside every memslot,
 * or a write to a read-only slot.
 *
 * Work in progress (issue 3): the faulting instruction must be decoded and
 * emulated (emulate.c) so that its access becomes a KVM_EXIT_MMIO. Until the
 * emulator is wired in, such an access stops the vCPU with
 * KVM_EXIT_INTERNAL_ERROR / KVM_INTERNAL_ERROR_EMULATION and the address in
 * data[0]; KVM_EXIT_MMIO is not claimed to work.
 */
#include <linux/kvm.h>

#include "svmx.h"
#include "vcpu.h"

int svmx_exit_mmio(struct svmx_vcpu *vcpu, u64 gpa)
{
	return svmx_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, gpa);
}

int svmx_mmio_complete(struct svmx_vcpu *vcpu)
{
	vcpu->mmio_read_pending = false;
	return 1;
}
