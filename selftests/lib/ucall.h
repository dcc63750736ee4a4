/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall: how guest code reports to the host test.
 *
 * The guest fills a struct ucall on its own stack and executes
 * "outl %eax, (UCALL_PORT)" with RDI holding the struct's guest-virtual
 * address; KVM_RUN returns KVM_EXIT_IO for that port, and the host reads RDI
 * (KVM_GET_REGS) and copies the struct out of guest memory. Re-entering the
 * guest completes the OUT and the guest carries on.
 *
 * Guest side:
 *   GUEST_SYNC(v)                  report a value; the host checks it
 *   GUEST_ASSERT(cond[, fmt, ...])  on failure: file, line, the expression
 *                                  and a message formatted in the guest
 *   GUEST_ASSERT_EQ(a, b)          the same, printing both values
 *   GUEST_PRINTF(fmt, ...)         a line on the host's stderr
 *   GUEST_DONE()                   the guest has finished
 * Returning from the guest function is GUEST_DONE().
 *
 * Host side: vcpu_run_ucall() and friends (guest.h) run the vCPU to its next
 * ucall; get_ucall() decodes the current exit.
 */
#ifndef SVMX_UCALL_H
#define SVMX_UCALL_H

#include <stdint.h>

#define UCALL_PORT	0x1000
#define UCALL_MAX_ARGS	4
#define UCALL_MSG_SIZE	256

enum ucall_cmd {
	UCALL_NONE,		/* the exit is not a ucall */
	UCALL_SYNC,		/* args[0]: the value, args[1]: a second one */
	UCALL_DONE,
	UCALL_ASSERT,		/* file, line, msg */
	UCALL_PRINT,		/* msg */
	UCALL_EXCEPTION,	/* args: vector, error code, rip, cr2 */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
	/* UCALL_ASSERT: where; on the host, file points to host memory. */
	const char *file;
	uint64_t line;
	char msg[UCALL_MSG_SIZE];
};

/* Guest side (lib/guest_rt.c): no libc. */
void ucall(uint64_t cmd, uint64_t arg0, uint64_t arg1);
/*
 * Fill in @uc for a ucall that guest code sends itself, with
 * "outl %eax, %dx": EAX = low half of @uc, DX = UCALL_PORT, RDI = @uc
 * (e.g. to keep registers loaded across the exit).
 */
void ucall_fill(struct ucall *uc, uint64_t cmd, uint64_t arg0, uint64_t arg1);
void ucall_exception(uint64_t vector, uint64_t error_code, uint64_t rip,
		     uint64_t cr2);
void guest_assert_fail(const char *file, unsigned int line, const char *expr,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define GUEST_SYNC(v)		ucall(UCALL_SYNC, (uint64_t)(v), 0)
#define GUEST_SYNC2(v, w)	ucall(UCALL_SYNC, (uint64_t)(v), (uint64_t)(w))
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0)
#define GUEST_PRINTF(...)	guest_printf(__VA_ARGS__)

/*
 * The optional message must start with a string literal; the pasted space
 * keeps the format from being empty (guest_assert_fail() drops it).
 */
#define GUEST_ASSERT(cond, ...)						\
	do {								\
		if (!(cond))						\
			guest_assert_fail(__FILE__, __LINE__, #cond,	\
					  " " __VA_ARGS__);		\
	} while (0)

#define __GUEST_ASSERT_CMP(a, op, b)					\
	do {								\
		uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);	\
									\
		if (!(__a op __b))					\
			guest_assert_fail(__FILE__, __LINE__,		\
					  #a " " #op " " #b,		\
					  " %#lx vs %#lx", __a, __b);	\
	} while (0)
#define GUEST_ASSERT_EQ(a, b)	__GUEST_ASSERT_CMP(a, ==, b)
#define GUEST_ASSERT_NE(a, b)	__GUEST_ASSERT_CMP(a, !=, b)

#endif
