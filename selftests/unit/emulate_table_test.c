// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator (module/emulate.c), one instruction per case: in 16-, 32- and
 * 64-bit mode, with the memory accesses (linear address, size, data), the
 * registers, RFLAGS, RIP and the status each must produce. Reads return
 * the case's "device" value, as MMIO would. Expected values are derived by
 * hand from the SDM; the arithmetic itself is checked against the host CPU
 * by emulate_oracle_test.c.
 *
 * Besides its own expectations, every case also checks:
 *   - svmx_emul_decode(): the length, and the accesses it announces;
 *   - the re-run contract: if the instruction reads, a first run whose read
 *     needs userspace returns SVMX_EMUL_MMIO_EXIT and changes nothing; if it
 *     writes, a write that faults returns SVMX_EMUL_FAULT and changes nothing.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "emulate.h"
#include "tap.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { ES = SVMX_EMUL_ES, CS, SS, DS, FS, GS };

#define M16	SVMX_EMUL_MODE16
#define M32	SVMX_EMUL_MODE32
#define M64	SVMX_EMUL_MODE64

#define OK	SVMX_EMUL_OK
#define UNH	SVMX_EMUL_UNHANDLEABLE
#define EXC	SVMX_EMUL_EXCEPTION

/* RFLAGS */
#define F_CF	0x0001ULL
#define F_PF	0x0004ULL
#define F_AF	0x0010ULL
#define F_ZF	0x0040ULL
#define F_SF	0x0080ULL
#define F_DF	0x0400ULL
#define F_OF	0x0800ULL
#define F_RF	0x10000ULL
#define F_1	0x0002ULL	/* always set */

#define INSN(...)	.insn = { __VA_ARGS__ }, .insn_len = sizeof((u8[]){ __VA_ARGS__ })
/* An expected register value. */
#define R(r, v)		{ (r) + 1, (v) }
/* An expected access: 'r' or 'w', linear address, size, data. */
#define RD(a, n, v)	{ 'r', (a), (n), (v) }
#define WR(a, n, v)	{ 'w', (a), (n), (v) }

struct access {
	char kind;
	u64 addr;
	unsigned int len;
	u64 val;
};

struct case_def {
	const char *name;
	enum svmx_emul_mode mode;
	u8 insn[SVMX_EMUL_MAX_INSN_LEN];
	unsigned int insn_len;
	u64 rip;			/* default 0x100 */
	u64 gpr[16];			/* in; default 0 */
	u64 seg[SVMX_EMUL_NR_SEGS];
	bool la57;
	u64 flags;			/* in; default F_1 */
	u64 mmio;			/* what reads return */
	/* expected */
	int status;
	unsigned int len;		/* instruction length */
	bool rip_stays;			/* REP with iterations left */
	struct { unsigned int reg; u64 val; } out[4];	/* changed registers */
	u64 flags_out;			/* default: unchanged (RF cleared) */
	struct access acc[3];
	u8 vector;			/* for EXC */
};

static const struct case_def cases[] = {
	/* --- 64-bit mode: MOV, sizes, registers, addressing --- */
	{ "64: 89 03 mov [rbx],eax", M64, INSN(0x89, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x1122334455667788 },
	  .len = 2, .acc = { WR(0x1000, 4, 0x55667788) } },
	{ "64: 8b 03 mov eax,[rbx] zero-extends", M64, INSN(0x8b, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = ~0ULL }, .mmio = 0xaabbccdd,
	  .len = 2, .out = { R(RAX, 0xaabbccdd) }, .acc = { RD(0x1000, 4, 0) } },
	{ "64: 66 8b 03 mov ax,[rbx] keeps bits 63:16", M64, INSN(0x66, 0x8b, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x1111111111111111 }, .mmio = 0xaabbccdd,
	  .len = 3, .out = { R(RAX, 0x111111111111ccdd) }, .acc = { RD(0x1000, 2, 0) } },
	{ "64: 8a 23 mov ah,[rbx]", M64, INSN(0x8a, 0x23),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x1111111111111111 }, .mmio = 0xdd,
	  .len = 2, .out = { R(RAX, 0x111111111111dd11) }, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 40 8a 23 mov spl,[rbx]", M64, INSN(0x40, 0x8a, 0x23),
	  .gpr = { [RBX] = 0x1000, [RSP] = 0x2222222222222222 }, .mmio = 0xdd,
	  .len = 3, .out = { R(RSP, 0x22222222222222dd) }, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 44 8a 23 mov r12b,[rbx]", M64, INSN(0x44, 0x8a, 0x23),
	  .gpr = { [RBX] = 0x1000, [R12] = 0x2222222222222222 }, .mmio = 0xdd,
	  .len = 3, .out = { R(R12, 0x22222222222222dd) }, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 49 8b 45 00 mov rax,[r13+0]", M64, INSN(0x49, 0x8b, 0x45, 0x00),
	  .gpr = { [R13] = 0x3000 }, .mmio = 0x0102030405060708,
	  .len = 4, .out = { R(RAX, 0x0102030405060708) }, .acc = { RD(0x3000, 8, 0) } },
	{ "64: 48 89 44 cb 10 mov [rbx+rcx*8+0x10],rax", M64,
	  INSN(0x48, 0x89, 0x44, 0xcb, 0x10),
	  .gpr = { [RBX] = 0x1000, [RCX] = 2, [RAX] = 0xfedcba9876543210 },
	  .len = 5, .acc = { WR(0x1020, 8, 0xfedcba9876543210) } },
	{ "64: 8b 04 25 disp32 mov eax,[0x12345678] (SIB, no base)", M64,
	  INSN(0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12), .mmio = 5,
	  .len = 7, .out = { R(RAX, 5) }, .acc = { RD(0x12345678, 4, 0) } },
	{ "64: 42 8b 04 23 mov eax,[rbx+r12] (REX.X index 12)", M64,
	  INSN(0x42, 0x8b, 0x04, 0x23),
	  .gpr = { [RBX] = 0x1000, [R12] = 0x20 }, .mmio = 5,
	  .len = 4, .out = { R(RAX, 5) }, .acc = { RD(0x1020, 4, 0) } },
	{ "64: 8b 04 63 mov eax,[rbx] (SIB index 4: none)", M64, INSN(0x8b, 0x04, 0x63),
	  .gpr = { [RBX] = 0x1000, [RSP] = 0x5000 }, .mmio = 5,
	  .len = 3, .out = { R(RAX, 5) }, .acc = { RD(0x1000, 4, 0) } },
	{ "64: 41 8b 04 24 mov eax,[r12] (SIB base 12)", M64, INSN(0x41, 0x8b, 0x04, 0x24),
	  .gpr = { [R12] = 0x1000, [RSP] = 0x5000 }, .mmio = 5,
	  .len = 4, .out = { R(RAX, 5) }, .acc = { RD(0x1000, 4, 0) } },
	{ "64: 41 8b 04 25 disp32 mov eax,[disp32] (SIB base 5 + REX.B, mod 0)", M64,
	  INSN(0x41, 0x8b, 0x04, 0x25, 0x00, 0x20, 0x00, 0x00),
	  .gpr = { [R13] = 0x1000 }, .mmio = 5,
	  .len = 8, .out = { R(RAX, 5) }, .acc = { RD(0x2000, 4, 0) } },
	{ "64: 41 8b 05 disp32 mov eax,[rip+disp32] (rm 5 + REX.B, mod 0)", M64,
	  INSN(0x41, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00), .rip = 0x400000,
	  .gpr = { [R13] = 0x1000 }, .mmio = 5,
	  .len = 7, .out = { R(RAX, 5) }, .acc = { RD(0x400107, 4, 0) } },
	{ "64: 89 0d disp32 mov [rip+0x100],ecx", M64,
	  INSN(0x89, 0x0d, 0x00, 0x01, 0x00, 0x00), .rip = 0x400000,
	  .gpr = { [RCX] = 7 }, .len = 6, .acc = { WR(0x400106, 4, 7) } },
	{ "64: 67 89 0d disp32 mov [eip+0x10],ecx (wraps at 4 GiB)", M64,
	  INSN(0x67, 0x89, 0x0d, 0x10, 0x00, 0x00, 0x00), .rip = 0xfffffffc,
	  .gpr = { [RCX] = 7 }, .len = 7, .acc = { WR(0x13, 4, 7) } },
	{ "64: 67 8b 03 mov eax,[ebx] ignores bits 63:32", M64, INSN(0x67, 0x8b, 0x03),
	  .gpr = { [RBX] = 0xffff000000001000 }, .mmio = 5,
	  .len = 3, .out = { R(RAX, 5) }, .acc = { RD(0x1000, 4, 0) } },
	{ "64: 64 8b 03 mov eax,fs:[rbx]", M64, INSN(0x64, 0x8b, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .seg = { [FS] = 0x7f0000000000 }, .mmio = 5,
	  .len = 3, .out = { R(RAX, 5) }, .acc = { RD(0x7f0000001000, 4, 0) } },
	{ "64: 65 89 03 mov gs:[rbx],eax", M64, INSN(0x65, 0x89, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 9 }, .seg = { [GS] = 0xffff880000000000 },
	  .len = 3, .acc = { WR(0xffff880000001000, 4, 9) } },
	{ "64: 3e 8b 03 mov eax,ds:[rbx] (DS base ignored)", M64, INSN(0x3e, 0x8b, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .seg = { [DS] = 0x5000 }, .mmio = 5,
	  .len = 3, .out = { R(RAX, 5) }, .acc = { RD(0x1000, 4, 0) } },
	{ "64: a1 moffs64 mov eax,[moffs]", M64,
	  INSN(0xa1, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00), .mmio = 5,
	  .len = 9, .out = { R(RAX, 5) }, .acc = { RD(0x123456789abc, 4, 0) } },
	{ "64: 48 a3 moffs64 mov [moffs],rax", M64,
	  INSN(0x48, 0xa3, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
	  .gpr = { [RAX] = 0x8877665544332211 },
	  .len = 10, .acc = { WR(0x1000, 8, 0x8877665544332211) } },
	{ "64: 67 a0 moffs32 mov al,[moffs32]", M64,
	  INSN(0x67, 0xa0, 0x78, 0x56, 0x34, 0x12), .gpr = { [RAX] = 0x100 }, .mmio = 0xff,
	  .len = 6, .out = { R(RAX, 0x1ff) }, .acc = { RD(0x12345678, 1, 0) } },
	{ "64: 48 c7 03 imm32 mov qword [rbx],-2 (sign-extended)", M64,
	  INSN(0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff), .gpr = { [RBX] = 0x1000 },
	  .len = 7, .acc = { WR(0x1000, 8, 0xfffffffffffffffe) } },
	{ "64: c6 83 disp32 imm8 mov byte [rbx+0x100],0x5a", M64,
	  INSN(0xc6, 0x83, 0x00, 0x01, 0x00, 0x00, 0x5a), .gpr = { [RBX] = 0x1000 },
	  .len = 7, .acc = { WR(0x1100, 1, 0x5a) } },
	{ "64: 66 c7 03 imm16 mov word [rbx],0x1234", M64,
	  INSN(0x66, 0xc7, 0x03, 0x34, 0x12), .gpr = { [RBX] = 0x1000 },
	  .len = 5, .acc = { WR(0x1000, 2, 0x1234) } },
	{ "64: 48 66 89 03 mov [rbx],ax (REX before 66 is ignored)", M64,
	  INSN(0x48, 0x66, 0x89, 0x03), .gpr = { [RBX] = 0x1000, [RAX] = 0x1122334455667788 },
	  .len = 4, .acc = { WR(0x1000, 2, 0x7788) } },
	{ "64: 66 48 89 03 mov [rbx],rax (REX.W beats 66)", M64,
	  INSN(0x66, 0x48, 0x89, 0x03), .gpr = { [RBX] = 0x1000, [RAX] = 0x1122334455667788 },
	  .len = 4, .acc = { WR(0x1000, 8, 0x1122334455667788) } },
	{ "64: 8b 03 clears RFLAGS.RF", M64, INSN(0x8b, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .flags = F_1 | F_RF | F_CF, .mmio = 5,
	  .len = 2, .out = { R(RAX, 5) }, .flags_out = F_1 | F_CF, .acc = { RD(0x1000, 4, 0) } },

	/* --- 64-bit mode: MOVZX, MOVSX, MOVSXD --- */
	{ "64: 0f b6 03 movzx eax,byte [rbx]", M64, INSN(0x0f, 0xb6, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = ~0ULL }, .mmio = 0x80,
	  .len = 3, .out = { R(RAX, 0x80) }, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 66 0f b6 03 movzx ax,byte [rbx]", M64, INSN(0x66, 0x0f, 0xb6, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = ~0ULL }, .mmio = 0x80,
	  .len = 4, .out = { R(RAX, 0xffffffffffff0080) }, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 0f be 03 movsx eax,byte [rbx]", M64, INSN(0x0f, 0xbe, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = ~0ULL }, .mmio = 0x80,
	  .len = 3, .out = { R(RAX, 0xffffff80) }, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 48 0f bf 03 movsx rax,word [rbx]", M64, INSN(0x48, 0x0f, 0xbf, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 0x8000,
	  .len = 4, .out = { R(RAX, 0xffffffffffff8000) }, .acc = { RD(0x1000, 2, 0) } },
	{ "64: 48 63 03 movsxd rax,dword [rbx]", M64, INSN(0x48, 0x63, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 0x80000000,
	  .len = 3, .out = { R(RAX, 0xffffffff80000000) }, .acc = { RD(0x1000, 4, 0) } },
	{ "64: 63 03 movsxd without REX.W: unhandleable", M64, INSN(0x63, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .status = UNH },

	/* --- 64-bit mode: ALU, flags --- */
	{ "64: 48 01 03 add [rbx],rax: -1 + 1", M64, INSN(0x48, 0x01, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 1 }, .mmio = ~0ULL,
	  .len = 3, .flags_out = F_1 | F_CF | F_PF | F_AF | F_ZF,
	  .acc = { RD(0x1000, 8, 0), WR(0x1000, 8, 0) } },
	{ "64: 01 03 add [rbx],eax: 0x7fffffff + 1", M64, INSN(0x01, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 1 }, .mmio = 0x7fffffff,
	  .len = 2, .flags_out = F_1 | F_PF | F_AF | F_SF | F_OF,
	  .acc = { RD(0x1000, 4, 0), WR(0x1000, 4, 0x80000000) } },
	{ "64: 80 3b 80 cmp byte [rbx],0x80: 0x7f", M64, INSN(0x80, 0x3b, 0x80),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 0x7f,
	  .len = 3, .flags_out = F_1 | F_CF | F_PF | F_SF | F_OF,
	  .acc = { RD(0x1000, 1, 0) } },
	{ "64: 66 83 03 ff add word [rbx],-1: 1", M64, INSN(0x66, 0x83, 0x03, 0xff),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 1,
	  .len = 4, .flags_out = F_1 | F_CF | F_PF | F_AF | F_ZF,
	  .acc = { RD(0x1000, 2, 0), WR(0x1000, 2, 0) } },
	{ "64: 48 81 03 imm32 add qword [rbx],-0x80000000", M64,
	  INSN(0x48, 0x81, 0x03, 0x00, 0x00, 0x00, 0x80), .gpr = { [RBX] = 0x1000 },
	  .mmio = 0x80000000, .len = 7, .flags_out = F_1 | F_CF | F_PF | F_ZF,
	  .acc = { RD(0x1000, 8, 0), WR(0x1000, 8, 0) } },
	{ "64: 10 03 adc [rbx],al with CF: 0xff + 0 + 1", M64, INSN(0x10, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .flags = F_1 | F_CF, .mmio = 0xff,
	  .len = 2, .flags_out = F_1 | F_CF | F_PF | F_AF | F_ZF,
	  .acc = { RD(0x1000, 1, 0), WR(0x1000, 1, 0) } },
	{ "64: 18 03 sbb [rbx],al with CF: 0 - 0 - 1", M64, INSN(0x18, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .flags = F_1 | F_CF, .mmio = 0,
	  .len = 2, .flags_out = F_1 | F_CF | F_PF | F_AF | F_SF,
	  .acc = { RD(0x1000, 1, 0), WR(0x1000, 1, 0xff) } },
	{ "64: 28 03 sub [rbx],al: 0x80 - 1", M64, INSN(0x28, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 1 }, .mmio = 0x80,
	  .len = 2, .flags_out = F_1 | F_AF | F_OF,
	  .acc = { RD(0x1000, 1, 0), WR(0x1000, 1, 0x7f) } },
	{ "64: 21 03 and [rbx],eax clears CF OF AF", M64, INSN(0x21, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x0ff00ff0 },
	  .flags = F_1 | F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF, .mmio = 0xf0f0f0f0,
	  .len = 2, .flags_out = F_1 | F_PF,
	  .acc = { RD(0x1000, 4, 0), WR(0x1000, 4, 0x00f000f0) } },
	{ "64: 0b 03 or eax,[rbx]", M64, INSN(0x0b, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0xffffffff00000001 }, .mmio = 0x80000000,
	  .len = 2, .out = { R(RAX, 0x80000001) }, .flags_out = F_1 | F_SF,
	  .acc = { RD(0x1000, 4, 0) } },
	{ "64: 31 c0 xor eax,eax (register form)", M64, INSN(0x31, 0xc0),
	  .gpr = { [RAX] = ~0ULL }, .len = 2, .out = { R(RAX, 0) },
	  .flags_out = F_1 | F_PF | F_ZF },
	{ "64: 30 23 xor [rbx],ah", M64, INSN(0x30, 0x23),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x0300 }, .mmio = 0x01,
	  .len = 2, .flags_out = F_1,
	  .acc = { RD(0x1000, 1, 0), WR(0x1000, 1, 0x02) } },
	{ "64: f0 01 03 lock add [rbx],eax", M64, INSN(0xf0, 0x01, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 2 }, .mmio = 3,
	  .len = 3, .flags_out = F_1 | F_PF,
	  .acc = { RD(0x1000, 4, 0), WR(0x1000, 4, 5) } },
	{ "64: f2 f0 01 03 xacquire lock add [rbx],eax", M64, INSN(0xf2, 0xf0, 0x01, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 2 }, .mmio = 3,
	  .len = 4, .flags_out = F_1 | F_PF,
	  .acc = { RD(0x1000, 4, 0), WR(0x1000, 4, 5) } },
	{ "64: f3 89 03 xrelease mov [rbx],eax", M64, INSN(0xf3, 0x89, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 2 }, .len = 3, .acc = { WR(0x1000, 4, 2) } },

	/* --- 64-bit mode: TEST, XCHG, BT --- */
	{ "64: f6 03 81 test byte [rbx],0x81", M64, INSN(0xf6, 0x03, 0x81),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 0x80, .flags = F_1 | F_CF | F_OF,
	  .len = 3, .flags_out = F_1 | F_SF, .acc = { RD(0x1000, 1, 0) } },
	{ "64: 48 85 03 test [rbx],rax", M64, INSN(0x48, 0x85, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0xff00000000000000 }, .mmio = 0x00ffffffffffffff,
	  .len = 3, .flags_out = F_1 | F_PF | F_ZF, .acc = { RD(0x1000, 8, 0) } },
	{ "64: 87 03 xchg [rbx],eax", M64, INSN(0x87, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0xffffffffaaaaaaaa }, .mmio = 0x12345678,
	  .len = 2, .out = { R(RAX, 0x12345678) },
	  .acc = { RD(0x1000, 4, 0), WR(0x1000, 4, 0xaaaaaaaa) } },
	{ "64: 86 23 xchg [rbx],ah", M64, INSN(0x86, 0x23),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x1234 }, .mmio = 0x56,
	  .len = 2, .out = { R(RAX, 0x5634) },
	  .acc = { RD(0x1000, 1, 0), WR(0x1000, 1, 0x12) } },
	{ "64: 0f a3 03 bt [rbx],eax with eax = -1: bit 31 of [rbx-4]", M64,
	  INSN(0x0f, 0xa3, 0x03), .gpr = { [RBX] = 0x1000, [RAX] = 0xffffffff },
	  .mmio = 0x80000000, .len = 3, .flags_out = F_1 | F_CF,
	  .acc = { RD(0xffc, 4, 0) } },
	{ "64: 66 0f a3 03 bt [rbx],ax with ax = 17: bit 1 of [rbx+2]", M64,
	  INSN(0x66, 0x0f, 0xa3, 0x03), .gpr = { [RBX] = 0x1000, [RAX] = 17 },
	  .mmio = 0xfffd, .flags = F_1 | F_CF, .len = 4, .flags_out = F_1,
	  .acc = { RD(0x1002, 2, 0) } },
	{ "64: 0f ba 2b 03 bts dword [rbx],3", M64, INSN(0x0f, 0xba, 0x2b, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 0, .flags = F_1 | F_CF | F_ZF,
	  .len = 4, .flags_out = F_1 | F_ZF,
	  .acc = { RD(0x1000, 4, 0), WR(0x1000, 4, 8) } },
	{ "64: 48 0f bb 03 btc [rbx],rax with rax = 64: bit 0 of [rbx+8]", M64,
	  INSN(0x48, 0x0f, 0xbb, 0x03), .gpr = { [RBX] = 0x1000, [RAX] = 64 },
	  .mmio = 0xff, .len = 4, .flags_out = F_1 | F_CF,
	  .acc = { RD(0x1008, 8, 0), WR(0x1008, 8, 0xfe) } },

	/* --- 64-bit mode: string instructions --- */
	{ "64: f3 48 ab rep stosq, rcx 3: one iteration", M64, INSN(0xf3, 0x48, 0xab),
	  .gpr = { [RCX] = 3, [RDI] = 0x2000, [RAX] = 1 },
	  .len = 3, .rip_stays = true, .out = { R(RCX, 2), R(RDI, 0x2008) },
	  .acc = { WR(0x2000, 8, 1) } },
	{ "64: f3 48 ab rep stosq, rcx 1: the last iteration", M64, INSN(0xf3, 0x48, 0xab),
	  .gpr = { [RCX] = 1, [RDI] = 0x2000, [RAX] = 1 },
	  .len = 3, .out = { R(RCX, 0), R(RDI, 0x2008) }, .acc = { WR(0x2000, 8, 1) } },
	{ "64: f3 48 ab rep stosq, rcx 0: no access", M64, INSN(0xf3, 0x48, 0xab),
	  .gpr = { [RCX] = 0, [RDI] = 0x2000, [RAX] = 1 }, .flags = F_1 | F_RF,
	  .len = 3, .flags_out = F_1 },
	{ "64: f3 48 ab rep stosq, rcx 0, non-canonical rdi: no access, no fault", M64,
	  INSN(0xf3, 0x48, 0xab), .gpr = { [RDI] = 0x8000000000000000 }, .len = 3 },
	{ "64: aa stosb with DF", M64, INSN(0xaa),
	  .gpr = { [RDI] = 0x2000, [RAX] = 0x77 }, .flags = F_1 | F_DF,
	  .len = 1, .out = { R(RDI, 0x1fff) }, .acc = { WR(0x2000, 1, 0x77) } },
	{ "64: 64 a4 movsb from fs:[rsi]", M64, INSN(0x64, 0xa4),
	  .gpr = { [RSI] = 0x10, [RDI] = 0x2000 }, .seg = { [FS] = 0x7f0000000000 },
	  .mmio = 0x42, .len = 2, .out = { R(RSI, 0x11), R(RDI, 0x2001) },
	  .acc = { RD(0x7f0000000010, 1, 0), WR(0x2000, 1, 0x42) } },
	{ "64: 64 aa stosb: ES only, no override", M64, INSN(0x64, 0xaa),
	  .gpr = { [RDI] = 0x2000, [RAX] = 1 }, .seg = { [FS] = 0x7f0000000000 },
	  .len = 2, .out = { R(RDI, 0x2001) }, .acc = { WR(0x2000, 1, 1) } },
	{ "64: 67 f3 a4 addr32 rep movsb: ecx esi edi, zero-extended", M64,
	  INSN(0x67, 0xf3, 0xa4),
	  .gpr = { [RCX] = 0xffffffff00000002, [RSI] = 0xffffffff00001000,
		   [RDI] = 0x1234567800002000 },
	  .mmio = 0x42, .len = 3, .rip_stays = true,
	  .out = { R(RCX, 1), R(RSI, 0x1001), R(RDI, 0x2001) },
	  .acc = { RD(0x1000, 1, 0), WR(0x2000, 1, 0x42) } },
	{ "64: 48 ad lodsq", M64, INSN(0x48, 0xad),
	  .gpr = { [RSI] = 0x1000 }, .mmio = 0x1122334455667788,
	  .len = 2, .out = { R(RAX, 0x1122334455667788), R(RSI, 0x1008) },
	  .acc = { RD(0x1000, 8, 0) } },
	{ "64: f2 a4 repne movsb: unhandleable", M64, INSN(0xf2, 0xa4), .status = UNH },
	{ "64: f3 f2 a4 rep repne movsb: unhandleable", M64, INSN(0xf3, 0xf2, 0xa4),
	  .status = UNH },

	/* --- 32-bit mode --- */
	{ "32: 89 03 mov [ebx],eax", M32, INSN(0x89, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x12345678 }, .seg = { [DS] = 0x100000 },
	  .len = 2, .acc = { WR(0x101000, 4, 0x12345678) } },
	{ "32: 66 89 03 mov [ebx],ax", M32, INSN(0x66, 0x89, 0x03),
	  .gpr = { [RBX] = 0x1000, [RAX] = 0x12345678 },
	  .len = 3, .acc = { WR(0x1000, 2, 0x5678) } },
	{ "32: 67 89 07 mov [bx],eax (16-bit addressing)", M32, INSN(0x67, 0x89, 0x07),
	  .gpr = { [RBX] = 0x12341000, [RAX] = 1 }, .len = 3, .acc = { WR(0x1000, 4, 1) } },
	{ "32: 8b 03 linear address wraps at 4 GiB", M32, INSN(0x8b, 0x03),
	  .gpr = { [RBX] = 0x2000 }, .seg = { [DS] = 0xfffff000 }, .mmio = 5,
	  .len = 2, .out = { R(RAX, 5) }, .acc = { RD(0x1000, 4, 0) } },
	{ "32: 8b 04 24 mov eax,[esp]: SS", M32, INSN(0x8b, 0x04, 0x24),
	  .gpr = { [RSP] = 0x10 }, .seg = { [SS] = 0x5000, [DS] = 0x9000 }, .mmio = 5,
	  .len = 3, .out = { R(RAX, 5) }, .acc = { RD(0x5010, 4, 0) } },
	{ "32: 8b 45 08 mov eax,[ebp+8]: SS", M32, INSN(0x8b, 0x45, 0x08),
	  .gpr = { [RBP] = 0x10 }, .seg = { [SS] = 0x5000, [DS] = 0x9000 }, .mmio = 5,
	  .len = 3, .out = { R(RAX, 5) }, .acc = { RD(0x5018, 4, 0) } },
	{ "32: 3e 8b 45 08 mov eax,ds:[ebp+8]", M32, INSN(0x3e, 0x8b, 0x45, 0x08),
	  .gpr = { [RBP] = 0x10 }, .seg = { [SS] = 0x5000, [DS] = 0x9000 }, .mmio = 5,
	  .len = 4, .out = { R(RAX, 5) }, .acc = { RD(0x9018, 4, 0) } },
	{ "32: 8b 05 disp32 mov eax,[disp32] (absolute, not RIP-relative)", M32,
	  INSN(0x8b, 0x05, 0x00, 0x10, 0x00, 0x00), .seg = { [DS] = 0x9000 }, .mmio = 5,
	  .len = 6, .out = { R(RAX, 5) }, .acc = { RD(0xa000, 4, 0) } },
	{ "32: a3 moffs32 mov [moffs],eax", M32, INSN(0xa3, 0x00, 0x10, 0x00, 0x00),
	  .gpr = { [RAX] = 3 }, .seg = { [ES] = 0x10000, [DS] = 0x8000 },
	  .len = 5, .acc = { WR(0x9000, 4, 3) } },
	{ "32: 26 a3 moffs32 mov es:[moffs],eax", M32, INSN(0x26, 0xa3, 0x00, 0x10, 0x00, 0x00),
	  .gpr = { [RAX] = 3 }, .seg = { [ES] = 0x9000, [DS] = 0x8000 },
	  .len = 6, .acc = { WR(0xa000, 4, 3) } },
	{ "32: 82 03 01 add byte [ebx],1", M32, INSN(0x82, 0x03, 0x01),
	  .gpr = { [RBX] = 0x1000 }, .mmio = 1, .len = 3,
	  .acc = { RD(0x1000, 1, 0), WR(0x1000, 1, 2) } },
	{ "32: 3e aa stosb: ES, not the DS override", M32, INSN(0x3e, 0xaa),
	  .gpr = { [RDI] = 0x20, [RAX] = 1 }, .seg = { [ES] = 0x10000, [DS] = 0x20000 },
	  .len = 2, .out = { R(RDI, 0x21) }, .acc = { WR(0x10020, 1, 1) } },
	{ "32: a5 movsd ds:[esi] -> es:[edi]", M32, INSN(0xa5),
	  .gpr = { [RSI] = 0x10, [RDI] = 0x20 }, .seg = { [DS] = 0x1000, [ES] = 0x2000 },
	  .mmio = 0xcafef00d, .len = 1, .out = { R(RSI, 0x14), R(RDI, 0x24) },
	  .acc = { RD(0x1010, 4, 0), WR(0x2020, 4, 0xcafef00d) } },
	{ "32: 48 is DEC, not REX: unhandleable", M32, INSN(0x48, 0x89, 0x03), .status = UNH },
	{ "32: 63 03 is ARPL: unhandleable", M32, INSN(0x63, 0x03), .status = UNH },
	{ "32: next EIP wraps at 4 GiB", M32, INSN(0x89, 0x03), .rip = 0xffffffff,
	  .gpr = { [RBX] = 0x1000 }, .len = 2, .acc = { WR(0x1000, 4, 0) } },

	/* --- 16-bit mode --- */
	{ "16: 89 07 mov [bx],ax", M16, INSN(0x89, 0x07),
	  .gpr = { [RBX] = 0x100, [RAX] = 0x12345678 }, .seg = { [DS] = 0x10000 },
	  .len = 2, .acc = { WR(0x10100, 2, 0x5678) } },
	{ "16: 66 89 07 mov [bx],eax", M16, INSN(0x66, 0x89, 0x07),
	  .gpr = { [RBX] = 0x100, [RAX] = 0x12345678 }, .seg = { [DS] = 0x10000 },
	  .len = 3, .acc = { WR(0x10100, 4, 0x12345678) } },
	{ "16: 8b 00 mov ax,[bx+si] wraps at 64 KiB", M16, INSN(0x8b, 0x00),
	  .gpr = { [RBX] = 0xffff, [RSI] = 2, [RAX] = 0xaaaa5555 }, .seg = { [DS] = 0x10000 },
	  .mmio = 0x1234, .len = 2, .out = { R(RAX, 0xaaaa1234) }, .acc = { RD(0x10001, 2, 0) } },
	{ "16: 8b 01 mov ax,[bx+di]", M16, INSN(0x8b, 0x01),
	  .gpr = { [RBX] = 0x10, [RDI] = 0x20 }, .seg = { [DS] = 0x10000, [SS] = 0x30000 },
	  .mmio = 1, .len = 2, .out = { R(RAX, 1) }, .acc = { RD(0x10030, 2, 0) } },
	{ "16: 8b 02 mov ax,[bp+si]: SS", M16, INSN(0x8b, 0x02),
	  .gpr = { [RBP] = 0x10, [RSI] = 0x20 }, .seg = { [DS] = 0x10000, [SS] = 0x30000 },
	  .mmio = 1, .len = 2, .out = { R(RAX, 1) }, .acc = { RD(0x30030, 2, 0) } },
	{ "16: 8b 43 fe mov ax,[bp+di-2]: SS", M16, INSN(0x8b, 0x43, 0xfe),
	  .gpr = { [RBP] = 0x10, [RDI] = 0x20 }, .seg = { [DS] = 0x10000, [SS] = 0x30000 },
	  .mmio = 1, .len = 3, .out = { R(RAX, 1) }, .acc = { RD(0x3002e, 2, 0) } },
	{ "16: 8b 04 mov ax,[si]", M16, INSN(0x8b, 0x04),
	  .gpr = { [RSI] = 0x20 }, .seg = { [DS] = 0x10000 },
	  .mmio = 1, .len = 2, .out = { R(RAX, 1) }, .acc = { RD(0x10020, 2, 0) } },
	{ "16: 8b 85 disp16 mov ax,[di+0x1234]", M16, INSN(0x8b, 0x85, 0x34, 0x12),
	  .gpr = { [RDI] = 0x20 }, .seg = { [DS] = 0x10000 },
	  .mmio = 1, .len = 4, .out = { R(RAX, 1) }, .acc = { RD(0x11254, 2, 0) } },
	{ "16: 8b 46 02 mov ax,[bp+2]: SS", M16, INSN(0x8b, 0x46, 0x02),
	  .gpr = { [RBP] = 0x10 }, .seg = { [DS] = 0x10000, [SS] = 0x30000 },
	  .mmio = 1, .len = 3, .out = { R(RAX, 1) }, .acc = { RD(0x30012, 2, 0) } },
	{ "16: 3e 8b 46 00 mov ax,ds:[bp]", M16, INSN(0x3e, 0x8b, 0x46, 0x00),
	  .gpr = { [RBP] = 0x10 }, .seg = { [DS] = 0x10000, [SS] = 0x30000 },
	  .mmio = 1, .len = 4, .out = { R(RAX, 1) }, .acc = { RD(0x10010, 2, 0) } },
	{ "16: 8b 06 disp16 mov ax,[0x1234]", M16, INSN(0x8b, 0x06, 0x34, 0x12),
	  .seg = { [DS] = 0x10000, [SS] = 0x30000 },
	  .mmio = 1, .len = 4, .out = { R(RAX, 1) }, .acc = { RD(0x11234, 2, 0) } },
	{ "16: 8b 07 mov ax,[bx]", M16, INSN(0x8b, 0x07),
	  .gpr = { [RBX] = 0x10 }, .seg = { [DS] = 0x10000 },
	  .mmio = 1, .len = 2, .out = { R(RAX, 1) }, .acc = { RD(0x10010, 2, 0) } },
	{ "16: 26 8b 07 mov ax,es:[bx]", M16, INSN(0x26, 0x8b, 0x07),
	  .gpr = { [RBX] = 0x10 }, .seg = { [DS] = 0x10000, [ES] = 0xb8000 },
	  .mmio = 1, .len = 3, .out = { R(RAX, 1) }, .acc = { RD(0xb8010, 2, 0) } },
	{ "16: 67 8b 03 mov ax,[ebx] (32-bit addressing)", M16, INSN(0x67, 0x8b, 0x03),
	  .gpr = { [RBX] = 0x12345 }, .seg = { [DS] = 0x10000 },
	  .mmio = 1, .len = 3, .out = { R(RAX, 1) }, .acc = { RD(0x22345, 2, 0) } },
	{ "16: a1 moffs16 mov ax,[0x1234]", M16, INSN(0xa1, 0x34, 0x12),
	  .seg = { [DS] = 0x10000 }, .mmio = 1,
	  .len = 3, .out = { R(RAX, 1) }, .acc = { RD(0x11234, 2, 0) } },
	{ "16: c7 07 imm16 mov word [bx],0x1234", M16, INSN(0xc7, 0x07, 0x34, 0x12),
	  .gpr = { [RBX] = 0x10 }, .len = 4, .acc = { WR(0x10, 2, 0x1234) } },
	{ "16: 81 2f imm16 sub word [bx],0x8000", M16, INSN(0x81, 0x2f, 0x00, 0x80),
	  .gpr = { [RBX] = 0x10 }, .mmio = 0, .len = 4,
	  .flags_out = F_1 | F_CF | F_PF | F_SF | F_OF,
	  .acc = { RD(0x10, 2, 0), WR(0x10, 2, 0x8000) } },
	{ "16: f3 a5 rep movsw: SI wraps, upper ESI kept, CX 1", M16, INSN(0xf3, 0xa5),
	  .gpr = { [RCX] = 0xffff0001, [RSI] = 0x1234fffe, [RDI] = 0x10 },
	  .seg = { [DS] = 0x10000, [ES] = 0x20000 }, .mmio = 0xbeef,
	  .len = 2, .out = { R(RCX, 0xffff0000), R(RSI, 0x12340000), R(RDI, 0x12) },
	  .acc = { RD(0x1fffe, 2, 0), WR(0x20010, 2, 0xbeef) } },
	{ "16: 40 is INC, not REX: unhandleable", M16, INSN(0x40), .status = UNH },

	/* --- exceptions --- */
	{ "64: 8b 03 non-canonical rbx: #GP(0)", M64, INSN(0x8b, 0x03),
	  .gpr = { [RBX] = 0x0000800000000000 }, .status = EXC, .vector = 13 },
	{ "64: 8b 03 access crossing into non-canonical: #GP(0)", M64, INSN(0x8b, 0x03),
	  .gpr = { [RBX] = 0x00007ffffffffffe }, .status = EXC, .vector = 13 },
	{ "64: 8b 45 00 non-canonical rbp: #SS(0)", M64, INSN(0x8b, 0x45, 0x00),
	  .gpr = { [RBP] = 0x8000000000000000 }, .status = EXC, .vector = 12 },
	{ "64: 64 8b 03 non-canonical fs base + rbx: #GP(0)", M64, INSN(0x64, 0x8b, 0x03),
	  .gpr = { [RBX] = 0x1000 }, .seg = { [FS] = 0x00007ffffffff800 },
	  .status = EXC, .vector = 13 },
	{ "64: 8b 03 with LA57: 0x0000800000000000 is canonical", M64, INSN(0x8b, 0x03),
	  .la57 = true, .gpr = { [RBX] = 0x0000800000000000 }, .mmio = 5,
	  .len = 2, .out = { R(RAX, 5) }, .acc = { RD(0x0000800000000000, 4, 0) } },
	{ "64: 8b 03 with LA57: 0x0100000000000000 is not: #GP(0)", M64, INSN(0x8b, 0x03),
	  .la57 = true, .gpr = { [RBX] = 0x0100000000000000 }, .status = EXC, .vector = 13 },
	{ "64: f0 87 c0 lock xchg eax,eax (register): #UD", M64, INSN(0xf0, 0x87, 0xc0),
	  .status = EXC, .vector = 6 },
	{ "64: f0 a4 lock movsb: #UD", M64, INSN(0xf0, 0xa4), .status = EXC, .vector = 6 },
	{ "64: f0 89 03 lock mov: #UD", M64, INSN(0xf0, 0x89, 0x03), .status = EXC, .vector = 6 },
	{ "64: f0 39 03 lock cmp: #UD", M64, INSN(0xf0, 0x39, 0x03), .status = EXC, .vector = 6 },
	{ "64: f0 03 03 lock add to a register: #UD", M64, INSN(0xf0, 0x03, 0x03),
	  .status = EXC, .vector = 6 },
	{ "64: f0 0f a3 03 lock bt: #UD", M64, INSN(0xf0, 0x0f, 0xa3, 0x03),
	  .status = EXC, .vector = 6 },
	{ "64: 15 bytes of prefixes, then the opcode: #GP(0)", M64,
	  INSN(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	       0x66, 0x66, 0x66), .status = EXC, .vector = 13 },
	{ "64: 14 prefixes + 89 03 is 16 bytes: #GP(0)", M64,
	  INSN(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	       0x66, 0x66, 0x89), .status = EXC, .vector = 13 },
	{ "64: 13 prefixes + 89 03 is 15 bytes: fine", M64,
	  INSN(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	       0x66, 0x89, 0x03), .gpr = { [RBX] = 0x1000, [RAX] = 7 },
	  .len = 15, .acc = { WR(0x1000, 2, 7) } },

	/* --- unhandleable --- */
	{ "64: 89 truncated (no ModRM fetched)", M64, INSN(0x89), .status = UNH },
	{ "64: c7 03 truncated immediate", M64, INSN(0xc7, 0x03, 0x01, 0x02), .status = UNH },
	{ "64: f4 hlt", M64, INSN(0xf4), .status = UNH },
	{ "64: 0f 0b ud2", M64, INSN(0x0f, 0x0b), .status = UNH },
	{ "64: ff 03 inc dword [rbx]", M64, INSN(0xff, 0x03), .status = UNH },
	{ "64: d1 23 shl dword [rbx],1", M64, INSN(0xd1, 0x23), .status = UNH },
	{ "64: 0f b1 0b cmpxchg [rbx],ecx", M64, INSN(0x0f, 0xb1, 0x0b), .status = UNH },
	{ "64: a6 cmpsb", M64, INSN(0xa6), .status = UNH },
	{ "64: 6c insb", M64, INSN(0x6c), .status = UNH },
	{ "64: c6 0b 5a (c6 /1)", M64, INSN(0xc6, 0x0b, 0x5a), .status = UNH },
	{ "64: f7 0b imm32 (f7 /1, not TEST in the SDM)", M64,
	  INSN(0xf7, 0x0b, 0x01, 0x00, 0x00, 0x00), .status = UNH },
	{ "64: f6 13 not byte [rbx]", M64, INSN(0xf6, 0x13), .status = UNH },
	{ "64: 0f ba 03 01 (0f ba /0; /4-/7 are the BT group)", M64, INSN(0x0f, 0xba, 0x03, 0x01),
	  .status = UNH },
	{ "64: 82 03 01 is invalid in 64-bit mode", M64, INSN(0x82, 0x03, 0x01), .status = UNH },
	{ "64: f3 8b 03 rep mov eax,[rbx]", M64, INSN(0xf3, 0x8b, 0x03), .status = UNH },
	{ "64: f3 01 03 rep add (no LOCK: not XRELEASE)", M64, INSN(0xf3, 0x01, 0x03),
	  .status = UNH },
	{ "64: c4 e2 ... VEX", M64, INSN(0xc4, 0xe2, 0x79, 0x18, 0x03), .status = UNH },
	{ "64: 0f 38 f0 03 movbe", M64, INSN(0x0f, 0x38, 0xf0, 0x03), .status = UNH },
	{ "64: 0f 29 03 movaps [rbx],xmm0", M64, INSN(0x0f, 0x29, 0x03), .status = UNH },
};

/* --- running one case --- */

struct mem_log {
	struct access acc[4];
	unsigned int n;
	u64 mmio;
	int read_status;	/* the next read's answer, then OK */
	int write_status;	/* the next write's answer, then OK */
};

static int log_read(void *ctx, u64 la, void *buf, unsigned int len)
{
	struct mem_log *m = ctx;
	int ret = m->read_status;
	u8 *b = buf;
	unsigned int i;

	if (m->n < 4)
		m->acc[m->n] = (struct access){ 'r', la, len, 0 };
	m->n++;
	m->read_status = SVMX_EMUL_OK;
	for (i = 0; i < len; i++)
		b[i] = m->mmio >> (8 * i);
	return ret;
}

static int log_write(void *ctx, u64 la, const void *buf, unsigned int len)
{
	struct mem_log *m = ctx;
	int ret = m->write_status;
	const u8 *b = buf;
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v |= (u64)b[i] << (8 * i);
	if (m->n < 4)
		m->acc[m->n] = (struct access){ 'w', la, len, v };
	m->n++;
	m->write_status = SVMX_EMUL_OK;
	return ret;
}

static const struct svmx_emul_ops log_ops = { .read = log_read, .write = log_write };

static void setup(const struct case_def *c, struct svmx_emul *e, struct mem_log *m)
{
	*m = (struct mem_log){ .mmio = c->mmio };
	*e = (struct svmx_emul){
		.mode = c->mode,
		.la57 = c->la57,
		.insn_len = c->insn_len,
		.ops = &log_ops,
		.ctx = m,
	};
	memcpy(e->seg_base, c->seg, sizeof(e->seg_base));
	memcpy(e->insn, c->insn, sizeof(e->insn));
	memcpy(e->regs.gpr, c->gpr, sizeof(e->regs.gpr));
	e->regs.rip = c->rip ? c->rip : 0x100;
	e->regs.rflags = c->flags ? c->flags : F_1;
}

static unsigned int n_expected(const struct case_def *c)
{
	unsigned int n = 0;

	while (n < 3 && c->acc[n].kind)
		n++;
	return n;
}

static bool has_access(const struct case_def *c, char kind)
{
	unsigned int i;

	for (i = 0; i < n_expected(c); i++)
		if (c->acc[i].kind == kind)
			return true;
	return false;
}

/* The registers a case must end with. */
static struct svmx_emul_regs expected_regs(const struct case_def *c,
					   const struct svmx_emul *start)
{
	struct svmx_emul_regs r = start->regs;
	unsigned int i;

	for (i = 0; i < 4 && c->out[i].reg; i++)
		r.gpr[c->out[i].reg - 1] = c->out[i].val;
	if (!c->rip_stays) {
		r.rip += c->len;
		if (c->mode != M64)
			r.rip = (u32)r.rip;
		r.rflags &= ~F_RF;
	}
	if (c->flags_out)
		r.rflags = c->flags_out;
	return r;
}

static bool same_regs(const struct svmx_emul_regs *a, const struct svmx_emul_regs *b,
		      const char *when)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < 16; i++)
		if (a->gpr[i] != b->gpr[i]) {
			tap_diag("%s: gpr %u is %#" PRIx64 ", expected %#" PRIx64,
				 when, i, a->gpr[i], b->gpr[i]);
			ok = false;
		}
	if (a->rip != b->rip) {
		tap_diag("%s: rip is %#" PRIx64 ", expected %#" PRIx64, when, a->rip, b->rip);
		ok = false;
	}
	if (a->rflags != b->rflags) {
		tap_diag("%s: rflags is %#" PRIx64 ", expected %#" PRIx64,
			 when, a->rflags, b->rflags);
		ok = false;
	}
	return ok;
}

/* The decode-only helper agrees with the case. */
static bool check_decode(const struct case_def *c)
{
	struct svmx_emul_insn insn;
	struct svmx_emul e;
	struct mem_log m;
	u8 access = 0;
	unsigned int i;
	int ret;

	setup(c, &e, &m);
	ret = svmx_emul_decode(&e, &insn);
	if (ret != (c->status == OK ? OK : c->status)) {
		tap_diag("decode: status %d, expected %d", ret, c->status);
		return false;
	}
	if (m.n) {
		tap_diag("decode: made %u memory accesses", m.n);
		return false;
	}
	if (ret != OK)
		return true;
	if (insn.len != c->len) {
		tap_diag("decode: length %u, expected %u", insn.len, c->len);
		return false;
	}
	for (i = 0; i < n_expected(c); i++) {
		const struct access *a = &c->acc[i];
		u64 la = a->kind == 'r' ? insn.read_linear : insn.write_linear;

		access |= a->kind == 'r' ? SVMX_EMUL_ACC_READ : SVMX_EMUL_ACC_WRITE;
		if (la != a->addr || insn.mem_bytes != a->len) {
			tap_diag("decode: %c at %#" PRIx64 " size %u, expected %#" PRIx64 " size %u",
				 a->kind, la, insn.mem_bytes, a->addr, a->len);
			return false;
		}
	}
	if (insn.access != access) {
		tap_diag("decode: access %#x, expected %#x", insn.access, access);
		return false;
	}
	return true;
}

/*
 * The re-run contract: a read that needs userspace, or a write that faults,
 * leaves everything as it was.
 */
static bool check_nothing_changes(const struct case_def *c, int read_status,
				  int write_status, unsigned int accesses)
{
	struct svmx_emul e, start;
	struct mem_log m;
	int ret, expect = read_status ? read_status : write_status;

	setup(c, &e, &m);
	m.read_status = read_status;
	m.write_status = write_status;
	start = e;
	ret = svmx_emulate(&e);
	if (ret != expect) {
		tap_diag("with the %s answering %d: status %d", read_status ? "read" : "write",
			 expect, ret);
		return false;
	}
	if (m.n != accesses) {
		tap_diag("with the %s answering %d: %u accesses, expected %u",
			 read_status ? "read" : "write", expect, m.n, accesses);
		return false;
	}
	return same_regs(&e.regs, &start.regs, "after an unfinished run");
}

static bool run_case(const struct case_def *c)
{
	unsigned int i, n = n_expected(c);
	struct svmx_emul e, start;
	struct svmx_emul_regs want;
	struct mem_log m;
	bool ok = true;
	int ret;

	if (!check_decode(c))
		return false;
	if (c->status == OK && has_access(c, 'r') &&
	    !check_nothing_changes(c, SVMX_EMUL_MMIO_EXIT, OK, 1))
		return false;
	if (c->status == OK && has_access(c, 'w') &&
	    !check_nothing_changes(c, OK, SVMX_EMUL_FAULT, n))
		return false;

	setup(c, &e, &m);
	start = e;
	ret = svmx_emulate(&e);
	if (ret != c->status) {
		tap_diag("status %d, expected %d", ret, c->status);
		return false;
	}
	if (ret == EXC && (e.exception.vector != c->vector ||
			   e.exception.has_error_code != (c->vector != 6) ||
			   e.exception.error_code != 0)) {
		tap_diag("exception %u (error code: %d, %u), expected %u", e.exception.vector,
			 e.exception.has_error_code, e.exception.error_code, c->vector);
		ok = false;
	}
	if (m.n != n) {
		tap_diag("%u memory accesses, expected %u", m.n, n);
		ok = false;
	}
	for (i = 0; i < n && i < m.n; i++) {
		const struct access *a = &m.acc[i], *x = &c->acc[i];

		if (a->kind != x->kind || a->addr != x->addr || a->len != x->len ||
		    (a->kind == 'w' && a->val != x->val)) {
			tap_diag("access %u: %c %#" PRIx64 " size %u data %#" PRIx64
				 ", expected %c %#" PRIx64 " size %u data %#" PRIx64, i,
				 a->kind, a->addr, a->len, a->val, x->kind, x->addr, x->len, x->val);
			ok = false;
		}
	}
	want = ret == OK ? expected_regs(c, &start) : start.regs;
	return same_regs(&e.regs, &want, "after the run") && ok;
}

int main(void)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);

	tap_plan(n);
	for (i = 0; i < n; i++)
		tap_result(run_case(&cases[i]), cases[i].name);
	return tap_exit();
}
