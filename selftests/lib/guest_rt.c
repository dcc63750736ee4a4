// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's runtime: the ucall sender, GUEST_ASSERT's failure path and the
 * C half of exception handling. Everything here runs in the guest, in 64-bit
 * mode, on the stack the host set up: no libc, no thread-local storage.
 * The Makefile checks that this file and guest_fmt.c call nothing outside
 * the guest code.
 */
#include <stdarg.h>
#include <stdint.h>

#include "guest_fmt.h"
#include "guest_rt.h"
#include "processor.h"
#include "ucall.h"

/* Set by the host (vm_install_exception_handler()); in the guest's image. */
guest_exception_handler_t guest_exception_handlers[256];

/*
 * OUT to UCALL_PORT with RDI = the struct; EAX carries its low 32 bits so
 * the host can check it read the right register.
 */
static void ucall_send(struct ucall *uc)
{
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)uc), "d"(UCALL_PORT), "D"(uc)
		     : "memory");
}

void ucall_fill(struct ucall *uc, uint64_t cmd, uint64_t arg0, uint64_t arg1)
{
	uc->cmd = cmd;
	uc->args[0] = arg0;
	uc->args[1] = arg1;
	uc->args[2] = 0;
	uc->args[3] = 0;
	uc->file = 0;
	uc->line = 0;
	uc->msg[0] = '\0';
}

void ucall(uint64_t cmd, uint64_t arg0, uint64_t arg1)
{
	struct ucall uc;

	ucall_fill(&uc, cmd, arg0, arg1);
	ucall_send(&uc);
}

void ucall_exception(uint64_t vector, uint64_t error_code, uint64_t rip,
		     uint64_t cr2)
{
	struct ucall uc;

	uc.cmd = UCALL_EXCEPTION;
	uc.args[0] = vector;
	uc.args[1] = error_code;
	uc.args[2] = rip;
	uc.args[3] = cr2;
	uc.file = 0;
	uc.line = 0;
	uc.msg[0] = '\0';
	ucall_send(&uc);
}

void guest_assert_fail(const char *file, unsigned int line, const char *expr,
		       const char *fmt, ...)
{
	struct ucall uc;
	int n;
	va_list ap;

	uc.cmd = UCALL_ASSERT;
	uc.args[0] = 0;
	uc.args[1] = 0;
	uc.args[2] = 0;
	uc.args[3] = 0;
	uc.file = file;
	uc.line = line;
	n = guest_snprintf(uc.msg, sizeof(uc.msg), "%s", expr);
	/* GUEST_ASSERT pastes a space before the caller's format. */
	if (*fmt == ' ')
		fmt++;
	if (*fmt && n < (int)sizeof(uc.msg)) {
		n += guest_snprintf(uc.msg + n, sizeof(uc.msg) - n, ": ");
		if (n < (int)sizeof(uc.msg)) {
			va_start(ap, fmt);
			guest_vsnprintf(uc.msg + n, sizeof(uc.msg) - n, fmt, ap);
			va_end(ap);
		}
	}
	/* The host fails the test; should it resume us, say it again. */
	for (;;)
		ucall_send(&uc);
}

void guest_printf(const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;

	uc.cmd = UCALL_PRINT;
	uc.args[0] = 0;
	uc.args[1] = 0;
	uc.args[2] = 0;
	uc.args[3] = 0;
	uc.file = 0;
	uc.line = 0;
	va_start(ap, fmt);
	guest_vsnprintf(uc.msg, sizeof(uc.msg), fmt, ap);
	va_end(ap);
	ucall_send(&uc);
}

/* Called by guest_entry.S for every exception and interrupt. */
void guest_exception_dispatch(struct guest_regs *regs)
{
	guest_exception_handler_t handler = guest_exception_handlers[regs->vector & 0xff];

	if (handler) {
		handler(regs);
		return;
	}
	for (;;)
		ucall_exception(regs->vector, regs->error_code, regs->rip,
				read_cr2());
}

/* The guest function returned (guest_entry.S): that is GUEST_DONE(). */
void guest_code_returned(void)
{
	for (;;)
		GUEST_DONE();
}
