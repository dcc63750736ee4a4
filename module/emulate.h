/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 instruction emulator for MMIO (emulate.c).
 *
 * When a guest access leaves every memslot (or writes a read-only one), the
 * vCPU code fetches the faulting instruction and hands it to svmx_emulate(),
 * which decodes and executes exactly one instruction -- or one iteration of a
 * REP string instruction -- through two callbacks that access guest memory by
 * linear address. The emulator knows nothing else of svmx: it includes only
 * <linux/types.h>, so the same source is unit-tested in userspace
 * (selftests/unit/).
 *
 * The contract between the emulator and its caller
 * -------------------------------------------------
 * The caller fills struct svmx_emul: the CPU mode, the segment bases, the
 * instruction bytes it fetched at RIP (up to 15; fewer at the end of a
 * readable range), the registers, the callbacks. svmx_emulate() returns:
 *
 *   SVMX_EMUL_OK            the instruction (or one REP iteration) is done;
 *                           @regs hold the new state. An unfinished REP
 *                           instruction leaves RIP unchanged: RCX counts the
 *                           iterations left, as after an interrupted
 *                           iteration on hardware (SDM Vol. 2B, REP).
 *   SVMX_EMUL_MMIO_EXIT     ops->read returned it: the data must come from
 *                           userspace. Nothing was changed. Once the data is
 *                           there, call svmx_emulate() again with the same
 *                           state; it makes the same accesses in the same
 *                           order, and ops->read must then return the data.
 *   SVMX_EMUL_FAULT         an op returned it (e.g. the page walk for a
 *                           linear address faulted; the op's owner has
 *                           recorded the fault to inject). Nothing changed.
 *   SVMX_EMUL_EXCEPTION     the instruction raises an exception that the
 *                           emulator itself detects (#GP/#SS for a
 *                           non-canonical address, #UD for a misplaced LOCK,
 *                           #GP for more than 15 bytes): @exception says
 *                           which. Nothing changed.
 *   SVMX_EMUL_UNHANDLEABLE  not an instruction this emulator implements, or
 *                           the bytes ran out: the caller reports
 *                           KVM_EXIT_INTERNAL_ERROR with suberror
 *                           KVM_INTERNAL_ERROR_EMULATION. Nothing changed.
 *
 * Every call makes at most one read and then at most one write, in that
 * order, and the write is the last step, after which nothing can fail: a
 * read that needs userspace is always the first access, and never leaves
 * half an instruction behind. A read-modify-write instruction reads and
 * writes the same address; MOVS reads one address and writes another.
 *
 * ops->write returns SVMX_EMUL_OK once it has taken the data, even when the
 * data still has to go to userspace (the caller then exits with the
 * instruction complete, as KVM does for MMIO writes), or SVMX_EMUL_FAULT.
 * Any other value returned by an op is passed through with nothing changed.
 *
 * What the emulator does not do: segment limit and access-rights checks and
 * alignment checks (hardware made them for the access that exited, though
 * not for the other operand of MOVS or for later REP iterations), and the
 * debug traps that follow an instruction (TF, data breakpoints), which are
 * the caller's. RFLAGS.RF is cleared when an instruction completes. LOCKed
 * instructions are executed as a plain read followed by a write.
 */
#ifndef SVMX_EMULATE_H
#define SVMX_EMULATE_H

#include <linux/types.h>

/* Return values of svmx_emulate(), svmx_emul_decode() and the ops. */
enum svmx_emul_status {
	SVMX_EMUL_OK,
	SVMX_EMUL_MMIO_EXIT,
	SVMX_EMUL_FAULT,
	SVMX_EMUL_EXCEPTION,
	SVMX_EMUL_UNHANDLEABLE,
};

/*
 * The CPU mode; the value is the default address size in bytes.
 * 16: real mode, virtual-8086 mode, or a code segment with CS.D = 0;
 * 32: protected or compatibility mode with CS.D = 1; 64: 64-bit mode
 * (EFER.LMA = 1 and CS.L = 1).
 */
enum svmx_emul_mode {
	SVMX_EMUL_MODE16 = 2,
	SVMX_EMUL_MODE32 = 4,
	SVMX_EMUL_MODE64 = 8,
};

/* Segment registers, in the SDM's Sreg encoding order. */
enum svmx_emul_seg {
	SVMX_EMUL_ES,
	SVMX_EMUL_CS,
	SVMX_EMUL_SS,
	SVMX_EMUL_DS,
	SVMX_EMUL_FS,
	SVMX_EMUL_GS,
	SVMX_EMUL_NR_SEGS,
};

#define SVMX_EMUL_MAX_INSN_LEN	15

/**
 * struct svmx_emul_regs - the guest state the emulator reads and changes
 * @gpr:	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15 (the SDM's
 *		register encoding order)
 * @rip:	address of the instruction (the offset in CS)
 * @rflags:	RFLAGS; only CF PF AF ZF SF OF and RF are ever changed
 */
struct svmx_emul_regs {
	u64 gpr[16];
	u64 rip;
	u64 rflags;
};

/**
 * struct svmx_emul_ops - guest memory, by linear address
 * @read:	read @len (1, 2, 4 or 8) bytes at @linear into @buf;
 *		SVMX_EMUL_OK, SVMX_EMUL_MMIO_EXIT or SVMX_EMUL_FAULT
 * @write:	write @len bytes from @buf at @linear;
 *		SVMX_EMUL_OK or SVMX_EMUL_FAULT
 *
 * Accesses never span more than 8 bytes; they may cross a page boundary.
 */
struct svmx_emul_ops {
	int (*read)(void *ctx, u64 linear, void *buf, unsigned int len);
	int (*write)(void *ctx, u64 linear, const void *buf, unsigned int len);
};

/**
 * struct svmx_emul_exception - what SVMX_EMUL_EXCEPTION raises
 * @vector:		6 (#UD), 12 (#SS) or 13 (#GP)
 * @has_error_code:	true for #SS and #GP
 * @error_code:		the error code (0 for the cases the emulator raises)
 */
struct svmx_emul_exception {
	u8 vector;
	bool has_error_code;
	u32 error_code;
};

/**
 * struct svmx_emul - one emulation request
 * @mode:	the CPU mode
 * @seg_base:	segment bases, by enum svmx_emul_seg; in 64-bit mode only FS
 *		and GS are used (the others count as 0)
 * @la57:	CR4.LA57: 57-bit linear addresses in 64-bit mode
 * @insn:	the instruction bytes at CS:RIP
 * @insn_len:	how many bytes of @insn are valid
 * @regs:	in: the state before the instruction; out: after it
 * @ops:	memory callbacks
 * @ctx:	passed to @ops
 * @exception:	out, for SVMX_EMUL_EXCEPTION
 */
struct svmx_emul {
	enum svmx_emul_mode mode;
	u64 seg_base[SVMX_EMUL_NR_SEGS];
	bool la57;
	u8 insn[SVMX_EMUL_MAX_INSN_LEN];
	unsigned int insn_len;
	struct svmx_emul_regs regs;
	const struct svmx_emul_ops *ops;
	void *ctx;
	struct svmx_emul_exception exception;
};

/* svmx_emul_insn.access: the memory accesses this execution makes. */
#define SVMX_EMUL_ACC_READ	0x1
#define SVMX_EMUL_ACC_WRITE	0x2

/**
 * struct svmx_emul_insn - what svmx_emul_decode() reports
 * @len:		instruction length in bytes
 * @opcode:		the opcode byte, or 0x0f00 | the second byte
 * @op_bytes:		operand size (2, 4 or 8)
 * @ad_bytes:		address size (2, 4 or 8)
 * @mem_bytes:		size of each memory access (1, 2, 4 or 8)
 * @access:		SVMX_EMUL_ACC_* of this execution: none for a REP
 *			instruction whose count is 0
 * @rep:		a REP string instruction
 * @lock:		a LOCK prefix is present
 * @read_linear:	linear address read, with SVMX_EMUL_ACC_READ
 * @write_linear:	linear address written, with SVMX_EMUL_ACC_WRITE
 */
struct svmx_emul_insn {
	u8 len;
	u16 opcode;
	u8 op_bytes;
	u8 ad_bytes;
	u8 mem_bytes;
	u8 access;
	bool rep;
	bool lock;
	u64 read_linear;
	u64 write_linear;
};

int svmx_emulate(struct svmx_emul *e);
int svmx_emul_decode(struct svmx_emul *e, struct svmx_emul_insn *insn);

#endif
