/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols of the guest runtime (guest_rt.c, guest_entry.S) that the host
 * side needs: their addresses are the same in the guest, whose image is the
 * test binary's own.
 */
#ifndef SVMX_GUEST_RT_H
#define SVMX_GUEST_RT_H

#include "processor.h"

/*
 * An exception handler in guest code: it may change @regs (e.g. advance
 * regs->rip past the faulting instruction); returning resumes the guest.
 */
typedef void (*guest_exception_handler_t)(struct guest_regs *regs);

extern guest_exception_handler_t guest_exception_handlers[256];

/* guest_entry.S: 256 entry points, GUEST_IDT_STUB_SIZE bytes apart. */
#define GUEST_IDT_STUB_SIZE 16
extern const char guest_idt_stubs[];
/* Where the guest function returns to. */
extern const char guest_return_trampoline[];

#endif
