// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 instruction emulator for MMIO: the instructions guests use on
 * device memory, decoded from their bytes and executed through the two
 * memory callbacks of struct svmx_emul_ops. emulate.h states the contract
 * with the caller.
 *
 * The file reads top to bottom:
 *   1. registers and flags: general registers by operand size, and the
 *      status flags of the arithmetic and logical instructions
 *      (SDM Vol. 1 3.4.3.1 and Appendix A, and each instruction's page);
 *   2. the decoder: prefixes, opcode, ModRM/SIB/displacement, immediate,
 *      then the linear addresses of the memory operands (SDM Vol. 2A
 *      chapter 2, Vol. 3A chapter 3);
 *   3. execution: the memory read (at most one), the operation, the new
 *      registers, the memory write (at most one, always last), and only
 *      then the registers are handed back.
 *
 * Instructions: MOV (88-8B, A0-A3, C6 /0, C7 /0), MOVZX (0F B6/B7), MOVSX
 * (0F BE/BF), MOVSXD (REX.W 63), ADD OR ADC SBB AND SUB XOR CMP (00-3D,
 * 80-83), TEST (84, 85, A8, A9, F6 /0, F7 /0), XCHG (86, 87), BT BTS BTR
 * BTC (0F A3/AB/B3/BB, 0F BA /4-7), MOVS STOS LODS (A4 A5 AA AB AC AD) with
 * or without REP. Anything else is SVMX_EMUL_UNHANDLEABLE.
 */
#include <linux/types.h>

#include "emulate.h"

/* RFLAGS bits (SDM Vol. 1 3.4.3). */
#define RFLAGS_CF	0x0001
#define RFLAGS_PF	0x0004
#define RFLAGS_AF	0x0010
#define RFLAGS_ZF	0x0040
#define RFLAGS_SF	0x0080
#define RFLAGS_DF	0x0400
#define RFLAGS_OF	0x0800
#define RFLAGS_RF	0x10000
#define RFLAGS_STATUS	(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | \
			 RFLAGS_SF | RFLAGS_OF)

/* General registers, in encoding order. */
#define GPR_RAX		0
#define GPR_RCX		1
#define GPR_RBX		3
#define GPR_RSP		4
#define GPR_RBP		5
#define GPR_RSI		6
#define GPR_RDI		7
#define GPR_NONE	0xff

#define REX_B		0x1
#define REX_X		0x2
#define REX_R		0x4
#define REX_W		0x8

#define REP_F2		0x1
#define REP_F3		0x2

#define VEC_UD		6
#define VEC_SS		12
#define VEC_GP		13

enum insn_kind {
	K_MOV,		/* dst = src */
	K_MOVZX,	/* dst = zero-extended src */
	K_MOVSX,	/* dst = sign-extended src */
	K_ALU,		/* dst = dst <sub> src, flags; CMP: flags only */
	K_TEST,		/* flags of dst & src */
	K_XCHG,		/* swap dst (r/m) and src (reg) */
	K_BT,		/* CF = bit src of dst; <sub> sets, resets, flips it */
	K_MOVS,		/* ES:rDI = DS:rSI */
	K_STOS,		/* ES:rDI = rAX */
	K_LODS,		/* rAX = DS:rSI */
};

/* ALU operations, in the order of their opcodes and ModRM.reg values. */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* Bit-test operations, in the order of 0F BA /4-/7. */
enum { BT_BT, BT_BTS, BT_BTR, BT_BTC };

/* Where an operand is. */
enum opnd {
	O_REG,		/* the register of ModRM.reg */
	O_RM,		/* ModRM.rm: a register (mod 3) or memory */
	O_ACC,		/* AL/AX/EAX/RAX */
	O_IMM,		/* immediate */
	O_MOFFS,	/* memory at a direct offset (A0-A3) */
	O_SRC_STR,	/* memory at seg:rSI, DS unless overridden */
	O_DST_STR,	/* memory at ES:rDI */
};

/* One decoded instruction: what svmx_emul_decode() reports, and the rest. */
struct decoded {
	struct svmx_emul_insn info;
	u8 kind;
	u8 sub;			/* ALU_* or BT_* */
	u8 dst, src;		/* enum opnd */
	u8 dst_bytes, src_bytes;
	u8 imm_bytes;
	u8 rex;
	u8 rep_prefix;		/* REP_F2 | REP_F3 */
	u8 mod;			/* ModRM.mod */
	u8 ext;			/* ModRM.reg as an opcode extension */
	u8 reg;			/* ModRM.reg with REX.R */
	u8 rm;			/* ModRM.rm with REX.B, for mod 3 */
	u8 seg;			/* segment of the r/m, moffs or rSI operand */
	bool seg_override;
	u8 base, index, scale;
	bool rip_rel;
	u64 disp;
	u64 imm;
	u64 ea;			/* effective address of the r/m or moffs */
};

/* --- 1. Registers and flags ------------------------------------------- */

static u64 size_mask(unsigned int bytes)
{
	return bytes == 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

static u64 sign_extend(u64 val, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (u64)((s64)(val << shift) >> shift);
}

/*
 * Byte registers 4-7 are AH CH DH BH without a REX prefix and SPL BPL SIL
 * DIL with one (SDM Vol. 2A 2.2.1.2).
 */
static bool is_high_byte(unsigned int reg, unsigned int bytes, u8 rex)
{
	return bytes == 1 && !rex && reg >= 4 && reg < 8;
}

static u64 reg_get(const u64 *gpr, unsigned int reg, unsigned int bytes, u8 rex)
{
	if (is_high_byte(reg, bytes, rex))
		return (gpr[reg - 4] >> 8) & 0xff;
	return gpr[reg] & size_mask(bytes);
}

/*
 * Writing 8 or 16 bits keeps the rest of the register; writing 32 bits
 * clears bits 63:32 (SDM Vol. 1 3.4.1.1).
 */
static void reg_set(u64 *gpr, unsigned int reg, unsigned int bytes, u8 rex,
		    u64 val)
{
	if (is_high_byte(reg, bytes, rex)) {
		reg -= 4;
		gpr[reg] = (gpr[reg] & ~0xff00ULL) | ((val & 0xff) << 8);
	} else if (bytes < 4) {
		gpr[reg] = (gpr[reg] & ~size_mask(bytes)) | (val & size_mask(bytes));
	} else {
		gpr[reg] = val & size_mask(bytes);
	}
}

/* ZF, SF and PF of a result (PF: even parity of its low byte). */
static u64 zsp_flags(u64 res, unsigned int bytes)
{
	u64 flags = 0;
	u8 p = res & 0xff;

	res &= size_mask(bytes);
	if (!res)
		flags |= RFLAGS_ZF;
	if (res >> (8 * bytes - 1))
		flags |= RFLAGS_SF;
	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		flags |= RFLAGS_PF;
	return flags;
}

/*
 * dst <op> src on @bytes-wide operands; updates the six status flags in
 * *rflags and returns the result. ADD ADC SUB SBB CMP set all six from the
 * result; AND OR XOR clear CF and OF, and leave AF undefined: it is cleared
 * here.
 */
static u64 alu(unsigned int op, u64 a, u64 b, unsigned int bytes, u64 *rflags)
{
	u64 mask = size_mask(bytes), msb = 1ULL << (8 * bytes - 1);
	bool carry_in = *rflags & RFLAGS_CF;
	u64 res, flags = 0;

	a &= mask;
	b &= mask;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		carry_in = carry_in && op == ALU_ADC;
		res = (a + b + carry_in) & mask;
		/* Carry out of the top bit: the sum wrapped around. */
		if (carry_in ? res <= a : res < a)
			flags |= RFLAGS_CF;
		/* Both inputs have the same sign, the result the other one. */
		if ((a ^ res) & (b ^ res) & msb)
			flags |= RFLAGS_OF;
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		carry_in = carry_in && op == ALU_SBB;
		res = (a - b - carry_in) & mask;
		/* Borrow: b (+ 1) is bigger than a, unsigned. */
		if (carry_in ? a <= b : a < b)
			flags |= RFLAGS_CF;
		/* The inputs' signs differ, the result's differs from a's. */
		if ((a ^ b) & (a ^ res) & msb)
			flags |= RFLAGS_OF;
		break;
	case ALU_AND:
		res = a & b;
		break;
	case ALU_OR:
		res = a | b;
		break;
	default: /* ALU_XOR */
		res = a ^ b;
		break;
	}
	/* The carry or borrow out of bit 3 shows in bit 4 of a ^ b ^ res. */
	if (op != ALU_AND && op != ALU_OR && op != ALU_XOR && ((a ^ b ^ res) & 0x10))
		flags |= RFLAGS_AF;
	flags |= zsp_flags(res, bytes);
	*rflags = (*rflags & ~RFLAGS_STATUS) | flags;
	return res;
}

/* --- 2. The decoder ---------------------------------------------------- */

static int raise_exc(struct svmx_emul *e, u8 vector)
{
	e->exception.vector = vector;
	e->exception.has_error_code = vector != VEC_UD;
	e->exception.error_code = 0;
	return SVMX_EMUL_EXCEPTION;
}

/*
 * The next @n instruction bytes, little-endian. An instruction longer than
 * 15 bytes raises #GP(0) (SDM Vol. 3A, Interrupt 13); running out of the bytes
 * the caller fetched is not something the emulator can resolve.
 */
static int fetch(struct svmx_emul *e, unsigned int *pos, unsigned int n,
		 u64 *val)
{
	unsigned int avail = e->insn_len, i;
	u64 v = 0;

	if (avail > SVMX_EMUL_MAX_INSN_LEN)
		avail = SVMX_EMUL_MAX_INSN_LEN;
	for (i = 0; i < n; i++, (*pos)++) {
		if (*pos >= avail)
			return avail == SVMX_EMUL_MAX_INSN_LEN ?
			       raise_exc(e, VEC_GP) : SVMX_EMUL_UNHANDLEABLE;
		v |= (u64)e->insn[*pos] << (8 * i);
	}
	*val = v;
	return SVMX_EMUL_OK;
}

/*
 * Legacy prefixes and REX (SDM Vol. 2A 2.1.1, 2.2.1). A REX prefix counts
 * only right before the opcode; one followed by another prefix is ignored.
 * Returns false for the first byte that is not a prefix.
 */
static bool take_prefix(struct svmx_emul *e, struct decoded *d, u8 b,
			bool *opsize, bool *adsize)
{
	switch (b) {
	case 0x66:
		*opsize = true;
		break;
	case 0x67:
		*adsize = true;
		break;
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
		d->seg = (b >> 3) & 3;		/* ES CS SS DS */
		d->seg_override = true;
		break;
	case 0x64:
	case 0x65:
		d->seg = SVMX_EMUL_FS + (b - 0x64);
		d->seg_override = true;
		break;
	case 0xf0:
		d->info.lock = true;
		break;
	case 0xf2:
		d->rep_prefix |= REP_F2;
		break;
	case 0xf3:
		d->rep_prefix |= REP_F3;
		break;
	default:
		if (e->mode == SVMX_EMUL_MODE64 && (b & 0xf0) == 0x40) {
			d->rex = b;
			return true;
		}
		return false;
	}
	d->rex = 0;
	return true;
}

static bool has_modrm(unsigned int op)
{
	if (op < 0x40)
		return (op & 7) < 4;
	switch (op) {
	case 0x63:
	case 0x80 ... 0x8b:
	case 0xc6:
	case 0xc7:
	case 0xf6:
	case 0xf7:
	case 0x0fa3:
	case 0x0fab:
	case 0x0fb3:
	case 0x0fb6:
	case 0x0fb7:
	case 0x0fba:
	case 0x0fbb:
	case 0x0fbe:
	case 0x0fbf:
		return true;
	}
	return false;
}

/* 16-bit addressing forms, by ModRM.rm (SDM Vol. 2A Table 2-1). */
static const u8 rm16_base[8] = {
	GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP, GPR_RSI, GPR_RDI, GPR_RBP, GPR_RBX
};

static const u8 rm16_index[8] = {
	GPR_RSI, GPR_RDI, GPR_RSI, GPR_RDI, GPR_NONE, GPR_NONE, GPR_NONE, GPR_NONE
};

/*
 * ModRM, SIB and displacement (SDM Vol. 2A 2.1.5, 2.2.1). The default
 * segment of a memory operand is SS when its base is rBP or rSP (BP with
 * 16-bit addressing), DS otherwise (SDM Vol. 1 3.7.4, Table 3-5).
 */
static int decode_modrm(struct svmx_emul *e, struct decoded *d,
			unsigned int *pos)
{
	u64 modrm, sib, disp = 0;
	unsigned int rm, disp_bytes = 0;
	int ret;

	ret = fetch(e, pos, 1, &modrm);
	if (ret)
		return ret;
	d->mod = modrm >> 6;
	d->ext = (modrm >> 3) & 7;
	d->reg = d->ext | (d->rex & REX_R ? 8 : 0);
	rm = modrm & 7;
	d->rm = rm | (d->rex & REX_B ? 8 : 0);
	if (d->mod == 3)
		return SVMX_EMUL_OK;

	if (d->info.ad_bytes == 2) {
		if (d->mod == 0 && rm == 6) {
			disp_bytes = 2;
		} else {
			d->base = rm16_base[rm];
			d->index = rm16_index[rm];
			d->scale = 1;
		}
		if (d->mod)
			disp_bytes = d->mod == 1 ? 1 : 2;
	} else {
		if (rm == 4) {
			ret = fetch(e, pos, 1, &sib);
			if (ret)
				return ret;
			d->scale = 1 << (sib >> 6);
			d->index = ((sib >> 3) & 7) | (d->rex & REX_X ? 8 : 0);
			if (d->index == GPR_RSP)	/* no index */
				d->index = GPR_NONE;
			if ((sib & 7) == 5 && d->mod == 0)
				disp_bytes = 4;		/* no base */
			else
				d->base = (sib & 7) | (d->rex & REX_B ? 8 : 0);
		} else if (rm == 5 && d->mod == 0) {
			disp_bytes = 4;
			d->rip_rel = e->mode == SVMX_EMUL_MODE64;
		} else {
			d->base = d->rm;
		}
		if (d->mod)
			disp_bytes = d->mod == 1 ? 1 : 4;
	}
	if (disp_bytes) {
		ret = fetch(e, pos, disp_bytes, &disp);
		if (ret)
			return ret;
		d->disp = sign_extend(disp, disp_bytes);
	}
	if (!d->seg_override && (d->base == GPR_RBP || d->base == GPR_RSP))
		d->seg = SVMX_EMUL_SS;
	return SVMX_EMUL_OK;
}

static void set_operands(struct decoded *d, u8 kind, u8 dst, u8 src,
			 unsigned int dst_bytes, unsigned int src_bytes)
{
	d->kind = kind;
	d->dst = dst;
	d->src = src;
	d->dst_bytes = dst_bytes;
	d->src_bytes = src_bytes;
}

/*
 * The opcode table (SDM Vol. 2D Appendix A). b: byte operands; v: the
 * operand size; z: the immediate of a v-sized operation (4 bytes at most,
 * sign-extended to 8).
 */
static int decode_opcode(struct svmx_emul *e, struct decoded *d)
{
	unsigned int op = d->info.opcode, v = d->info.op_bytes;
	unsigned int z = v == 2 ? 2 : 4;
	unsigned int bytes = (op & 1) ? v : 1;

	if (op < 0x40 && (op & 7) < 6) {
		d->sub = op >> 3;
		switch (op & 6) {
		case 0:
			set_operands(d, K_ALU, O_RM, O_REG, bytes, bytes);
			break;
		case 2:
			set_operands(d, K_ALU, O_REG, O_RM, bytes, bytes);
			break;
		default:
			set_operands(d, K_ALU, O_ACC, O_IMM, bytes, bytes);
			d->imm_bytes = (op & 1) ? z : 1;
			break;
		}
		return SVMX_EMUL_OK;
	}

	switch (op) {
	case 0x63:	/* MOVSXD Gq,Ed; without REX.W (or as ARPL): no */
		if (!(d->rex & REX_W))
			return SVMX_EMUL_UNHANDLEABLE;
		set_operands(d, K_MOVSX, O_REG, O_RM, 8, 4);
		return SVMX_EMUL_OK;
	case 0x82:	/* the same as 80, invalid in 64-bit mode */
		if (e->mode == SVMX_EMUL_MODE64)
			return SVMX_EMUL_UNHANDLEABLE;
		fallthrough;
	case 0x80:
	case 0x81:
	case 0x83:
		bytes = op == 0x81 || op == 0x83 ? v : 1;
		d->sub = d->ext;
		set_operands(d, K_ALU, O_RM, O_IMM, bytes, bytes);
		d->imm_bytes = op == 0x81 ? z : 1;
		return SVMX_EMUL_OK;
	case 0x84:
	case 0x85:
		set_operands(d, K_TEST, O_RM, O_REG, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0x86:
	case 0x87:
		set_operands(d, K_XCHG, O_RM, O_REG, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0x88:
	case 0x89:
		set_operands(d, K_MOV, O_RM, O_REG, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0x8a:
	case 0x8b:
		set_operands(d, K_MOV, O_REG, O_RM, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0xa0:
	case 0xa1:
		set_operands(d, K_MOV, O_ACC, O_MOFFS, bytes, bytes);
		d->imm_bytes = d->info.ad_bytes;
		return SVMX_EMUL_OK;
	case 0xa2:
	case 0xa3:
		set_operands(d, K_MOV, O_MOFFS, O_ACC, bytes, bytes);
		d->imm_bytes = d->info.ad_bytes;
		return SVMX_EMUL_OK;
	case 0xa4:
	case 0xa5:
		set_operands(d, K_MOVS, O_DST_STR, O_SRC_STR, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0xa8:
	case 0xa9:
		set_operands(d, K_TEST, O_ACC, O_IMM, bytes, bytes);
		d->imm_bytes = (op & 1) ? z : 1;
		return SVMX_EMUL_OK;
	case 0xaa:
	case 0xab:
		set_operands(d, K_STOS, O_DST_STR, O_ACC, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0xac:
	case 0xad:
		set_operands(d, K_LODS, O_ACC, O_SRC_STR, bytes, bytes);
		return SVMX_EMUL_OK;
	case 0xc6:	/* /0 MOV Eb,Ib; the rest is not MOV */
	case 0xc7:
		if (d->ext != 0)
			return SVMX_EMUL_UNHANDLEABLE;
		set_operands(d, K_MOV, O_RM, O_IMM, bytes, bytes);
		d->imm_bytes = (op & 1) ? z : 1;
		return SVMX_EMUL_OK;
	case 0xf6:	/* /0 TEST Eb,Ib; NOT NEG MUL IMUL DIV IDIV: no */
	case 0xf7:
		if (d->ext != 0)
			return SVMX_EMUL_UNHANDLEABLE;
		set_operands(d, K_TEST, O_RM, O_IMM, bytes, bytes);
		d->imm_bytes = (op & 1) ? z : 1;
		return SVMX_EMUL_OK;
	case 0x0fa3:
	case 0x0fab:
	case 0x0fb3:
	case 0x0fbb:
		d->sub = (op >> 3) & 3;		/* A3 BT, AB BTS, B3 BTR, BB BTC */
		set_operands(d, K_BT, O_RM, O_REG, v, v);
		return SVMX_EMUL_OK;
	case 0x0fba:	/* /4-/7 BT BTS BTR BTC Ev,Ib */
		if (d->ext < 4)
			return SVMX_EMUL_UNHANDLEABLE;
		d->sub = d->ext - 4;
		set_operands(d, K_BT, O_RM, O_IMM, v, 1);
		d->imm_bytes = 1;
		return SVMX_EMUL_OK;
	case 0x0fb6:
	case 0x0fb7:
		set_operands(d, K_MOVZX, O_REG, O_RM, v, op == 0x0fb6 ? 1 : 2);
		return SVMX_EMUL_OK;
	case 0x0fbe:
	case 0x0fbf:
		set_operands(d, K_MOVSX, O_REG, O_RM, v, op == 0x0fbe ? 1 : 2);
		return SVMX_EMUL_OK;
	}
	return SVMX_EMUL_UNHANDLEABLE;
}

static bool is_mem(const struct decoded *d, u8 opnd)
{
	return (opnd == O_RM && d->mod != 3) || opnd == O_MOFFS ||
	       opnd == O_SRC_STR || opnd == O_DST_STR;
}

static bool is_string(const struct decoded *d)
{
	return d->kind == K_MOVS || d->kind == K_STOS || d->kind == K_LODS;
}

/* Does the operation use the old value of its destination? */
static bool reads_dst(const struct decoded *d)
{
	return d->kind == K_ALU || d->kind == K_TEST || d->kind == K_XCHG ||
	       d->kind == K_BT;
}

/* Does it write its destination? */
static bool writes_dst(const struct decoded *d)
{
	return !(d->kind == K_TEST || (d->kind == K_ALU && d->sub == ALU_CMP) ||
		 (d->kind == K_BT && d->sub == BT_BT));
}

/*
 * LOCK is allowed only on a read-modify-write of memory by ADD ADC AND BTC
 * BTR BTS CMPXCHG DEC INC NEG NOT OR SBB SUB XADD XCHG; elsewhere it raises
 * #UD (SDM Vol. 2A, LOCK).
 */
static bool lockable(const struct decoded *d)
{
	return d->dst == O_RM && d->mod != 3 && writes_dst(d) &&
	       (d->kind == K_ALU || d->kind == K_XCHG || d->kind == K_BT);
}

/*
 * F2/F3 on an instruction that is not a string instruction: accepted only
 * where they are defined, as the XACQUIRE/XRELEASE hints (SDM Vol. 2B,
 * XACQUIRE/XRELEASE), which a processor without HLE ignores.
 */
static bool hle_hint_ok(const struct decoded *d)
{
	unsigned int op = d->info.opcode;

	if (d->rep_prefix == (REP_F2 | REP_F3))
		return false;
	if (lockable(d) && (d->info.lock || d->kind == K_XCHG))
		return true;
	return d->rep_prefix == REP_F3 && d->kind == K_MOV && is_mem(d, d->dst) &&
	       (op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7);
}

static u64 ad_mask(const struct decoded *d)
{
	return size_mask(d->info.ad_bytes);
}

static bool canonical(u64 la, bool la57)
{
	unsigned int shift = la57 ? 7 : 16;

	return (u64)((s64)(la << shift) >> shift) == la;
}

/*
 * Segment base + effective address. In 64-bit mode only FS and GS have a
 * base, and an address must be canonical or the access raises #SS(0) (SS)
 * or #GP(0) (SDM Vol. 3A 3.3.7.1; Vol. 2 "64-Bit Mode Exceptions").
 * Outside it linear addresses are 32 bits wide.
 */
static int linearize(struct svmx_emul *e, u8 seg, u64 ea, unsigned int bytes,
		     u64 *linear)
{
	u64 la;

	if (e->mode != SVMX_EMUL_MODE64) {
		*linear = (u32)(e->seg_base[seg] + ea);
		return SVMX_EMUL_OK;
	}
	la = ea;
	if (seg == SVMX_EMUL_FS || seg == SVMX_EMUL_GS)
		la += e->seg_base[seg];
	if (!canonical(la, e->la57) || !canonical(la + bytes - 1, e->la57))
		return raise_exc(e, seg == SVMX_EMUL_SS ? VEC_SS : VEC_GP);
	*linear = la;
	return SVMX_EMUL_OK;
}

static u64 next_rip(const struct svmx_emul *e, const struct decoded *d)
{
	u64 rip = e->regs.rip + d->info.len;

	return e->mode == SVMX_EMUL_MODE64 ? rip : (u32)rip;
}

/*
 * Effective address of the r/m or moffs operand. The bit-test instructions
 * with a register bit offset address the operand-sized unit that holds the
 * bit: the offset is signed, and may reach outside the operand (SDM Vol. 2A,
 * BT: "Effective Address + (4 * (BitOffset DIV 32))" for 32 bits).
 */
static void compute_ea(const struct svmx_emul *e, struct decoded *d)
{
	const u64 *gpr = e->regs.gpr;
	u64 ea = d->disp;

	if (d->dst == O_MOFFS || d->src == O_MOFFS) {
		d->ea = d->imm & ad_mask(d);
		return;
	}
	if (d->rip_rel)
		ea += next_rip(e, d);
	if (d->base != GPR_NONE)
		ea += gpr[d->base];
	if (d->index != GPR_NONE)
		ea += gpr[d->index] * d->scale;
	if (d->kind == K_BT && d->src == O_REG) {
		unsigned int bytes = d->dst_bytes;
		s64 off = sign_extend(reg_get(gpr, d->reg, bytes, d->rex), bytes);

		/* (off DIV bits) * bytes, with DIV rounding down. */
		ea += (u64)(off >> (bytes == 2 ? 4 : bytes == 4 ? 5 : 6)) * bytes;
	}
	d->ea = ea & ad_mask(d);
}

/* The count register of a string instruction: CX, ECX or RCX. */
static u64 rep_count(const struct svmx_emul *e, const struct decoded *d)
{
	return e->regs.gpr[GPR_RCX] & ad_mask(d);
}

/* The linear addresses this execution reads and writes. */
static int locate(struct svmx_emul *e, struct decoded *d)
{
	struct svmx_emul_insn *info = &d->info;
	u8 dst_seg = d->seg;
	u64 src_ea = d->ea, dst_ea = d->ea;
	int ret;

	if (info->rep && !rep_count(e, d))
		return SVMX_EMUL_OK;	/* no iteration: no access */
	if (d->src == O_SRC_STR)
		src_ea = e->regs.gpr[GPR_RSI] & ad_mask(d);
	if (d->dst == O_DST_STR) {
		dst_seg = SVMX_EMUL_ES;		/* no override (SDM Vol. 2B MOVS) */
		dst_ea = e->regs.gpr[GPR_RDI] & ad_mask(d);
	}
	if (is_mem(d, d->src)) {
		info->mem_bytes = d->src_bytes;
		info->access |= SVMX_EMUL_ACC_READ;
		ret = linearize(e, d->seg, src_ea, d->src_bytes, &info->read_linear);
		if (ret)
			return ret;
	}
	if (is_mem(d, d->dst)) {
		info->mem_bytes = d->dst_bytes;
		if (reads_dst(d)) {
			info->access |= SVMX_EMUL_ACC_READ;
			ret = linearize(e, dst_seg, dst_ea, d->dst_bytes,
					&info->read_linear);
			if (ret)
				return ret;
		}
		if (writes_dst(d)) {
			info->access |= SVMX_EMUL_ACC_WRITE;
			ret = linearize(e, dst_seg, dst_ea, d->dst_bytes,
					&info->write_linear);
			if (ret)
				return ret;
		}
	}
	return SVMX_EMUL_OK;
}

/*
 * Operand and address sizes (SDM Vol. 1 3.6, 3.6.1; Vol. 2A 2.2.1.2):
 * 66 and 67 switch between the mode's default and the other legacy size;
 * in 64-bit mode REX.W makes the operand 64 bits whatever 66 says, and
 * addresses are 64 bits, or 32 with 67.
 */
static void set_sizes(struct svmx_emul *e, struct decoded *d, bool opsize,
		      bool adsize)
{
	switch (e->mode) {
	case SVMX_EMUL_MODE64:
		d->info.op_bytes = d->rex & REX_W ? 8 : opsize ? 2 : 4;
		d->info.ad_bytes = adsize ? 4 : 8;
		break;
	case SVMX_EMUL_MODE32:
		d->info.op_bytes = opsize ? 2 : 4;
		d->info.ad_bytes = adsize ? 2 : 4;
		break;
	default:
		d->info.op_bytes = opsize ? 4 : 2;
		d->info.ad_bytes = adsize ? 4 : 2;
		break;
	}
}

static int decode(struct svmx_emul *e, struct decoded *d)
{
	bool opsize = false, adsize = false;
	unsigned int pos = 0;
	u64 b;
	int ret;

	*d = (struct decoded){
		.seg = SVMX_EMUL_DS,
		.base = GPR_NONE,
		.index = GPR_NONE,
	};
	if (e->mode != SVMX_EMUL_MODE16 && e->mode != SVMX_EMUL_MODE32 &&
	    e->mode != SVMX_EMUL_MODE64)
		return SVMX_EMUL_UNHANDLEABLE;
	do {
		ret = fetch(e, &pos, 1, &b);
		if (ret)
			return ret;
	} while (take_prefix(e, d, b, &opsize, &adsize));
	d->info.opcode = b;
	if (b == 0x0f) {
		ret = fetch(e, &pos, 1, &b);
		if (ret)
			return ret;
		d->info.opcode = 0x0f00 | b;
	}
	set_sizes(e, d, opsize, adsize);

	if (has_modrm(d->info.opcode)) {
		ret = decode_modrm(e, d, &pos);
		if (ret)
			return ret;
	}
	ret = decode_opcode(e, d);
	if (ret)
		return ret;
	if (d->imm_bytes) {
		ret = fetch(e, &pos, d->imm_bytes, &d->imm);
		if (ret)
			return ret;
		if (d->src == O_IMM)
			d->imm = sign_extend(d->imm, d->imm_bytes);
	}
	d->info.len = pos;

	if (d->info.lock && !lockable(d))
		return raise_exc(e, VEC_UD);
	/*
	 * REP (F3) repeats a string instruction; F2 is defined for string
	 * instructions only with CMPS and SCAS (SDM Vol. 2B, REP).
	 */
	if (is_string(d) && d->rep_prefix == REP_F3)
		d->info.rep = true;
	else if (d->rep_prefix && (is_string(d) || !hle_hint_ok(d)))
		return SVMX_EMUL_UNHANDLEABLE;

	compute_ea(e, d);
	return locate(e, d);
}

/* --- 3. Execution ------------------------------------------------------ */

static int mem_read(struct svmx_emul *e, u64 linear, unsigned int bytes,
		    u64 *val)
{
	u8 buf[8];
	u64 v = 0;
	unsigned int i;
	int ret;

	ret = e->ops->read(e->ctx, linear, buf, bytes);
	if (ret)
		return ret;
	for (i = 0; i < bytes; i++)
		v |= (u64)buf[i] << (8 * i);
	*val = v;
	return SVMX_EMUL_OK;
}

static int mem_write(struct svmx_emul *e, u64 linear, unsigned int bytes,
		     u64 val)
{
	u8 buf[8];
	unsigned int i;

	for (i = 0; i < bytes; i++)
		buf[i] = val >> (8 * i);
	return e->ops->write(e->ctx, linear, buf, bytes);
}

/* An operand's value; @mem is what the memory read returned. */
static u64 operand(const struct svmx_emul *e, const struct decoded *d, u8 opnd,
		   unsigned int bytes, u64 mem)
{
	const u64 *gpr = e->regs.gpr;

	switch (opnd) {
	case O_REG:
		return reg_get(gpr, d->reg, bytes, d->rex);
	case O_RM:
		if (d->mod == 3)
			return reg_get(gpr, d->rm, bytes, d->rex);
		return mem;
	case O_ACC:
		return reg_get(gpr, GPR_RAX, bytes, d->rex);
	case O_IMM:
		return d->imm & size_mask(bytes);
	default:
		return mem;
	}
}

/* Write a register destination into @gpr; false if it is memory. */
static bool set_reg_dst(const struct decoded *d, u64 *gpr, u64 val)
{
	switch (d->dst) {
	case O_REG:
		reg_set(gpr, d->reg, d->dst_bytes, d->rex, val);
		return true;
	case O_RM:
		if (d->mod != 3)
			return false;
		reg_set(gpr, d->rm, d->dst_bytes, d->rex, val);
		return true;
	case O_ACC:
		reg_set(gpr, GPR_RAX, d->dst_bytes, d->rex, val);
		return true;
	}
	return false;
}

/*
 * A string register (rSI, rDI, rCX) changes at the address size: SI, ESI
 * (zero-extended to 64 bits, as any 32-bit register write) or RSI.
 */
static void string_reg_add(const struct decoded *d, u64 *gpr, unsigned int reg,
			   u64 delta)
{
	reg_set(gpr, reg, d->info.ad_bytes, 1, gpr[reg] + delta);
}

/*
 * BT BTS BTR BTC: CF is the bit; OF SF AF PF are undefined and ZF is
 * unchanged (SDM Vol. 2A, BT): all of them are left as they were.
 */
static u64 bit_test(const struct decoded *d, u64 val, u64 bit_offset,
		    u64 *rflags)
{
	u64 bit = 1ULL << (bit_offset & (8 * d->dst_bytes - 1));

	*rflags &= ~RFLAGS_CF;
	if (val & bit)
		*rflags |= RFLAGS_CF;
	switch (d->sub) {
	case BT_BTS:
		return val | bit;
	case BT_BTR:
		return val & ~bit;
	case BT_BTC:
		return val ^ bit;
	}
	return val;
}

/**
 * svmx_emulate() - decode and execute one instruction
 * @e: the request; @e->regs are updated on SVMX_EMUL_OK only
 *
 * Executes one instruction, or one iteration of a REP string instruction.
 * See emulate.h for the return values and the contract with the caller.
 *
 * Return: enum svmx_emul_status.
 */
int svmx_emulate(struct svmx_emul *e)
{
	struct svmx_emul_regs r = e->regs;
	struct decoded d;
	u64 mem = 0, src, dst = 0, res;
	bool done = true;
	int ret;

	ret = decode(e, &d);
	if (ret)
		return ret;
	if (d.info.rep && !rep_count(e, &d))
		goto commit;

	if (d.info.access & SVMX_EMUL_ACC_READ) {
		ret = mem_read(e, d.info.read_linear, d.info.mem_bytes, &mem);
		if (ret)
			return ret;
	}
	src = operand(e, &d, d.src, d.src_bytes, mem);
	if (reads_dst(&d))
		dst = operand(e, &d, d.dst, d.dst_bytes, mem);

	switch (d.kind) {
	case K_MOVSX:
		res = sign_extend(src, d.src_bytes);
		break;
	case K_ALU:
		res = alu(d.sub, dst, src, d.dst_bytes, &r.rflags);
		break;
	case K_TEST:
		res = alu(ALU_AND, dst, src, d.dst_bytes, &r.rflags);
		break;
	case K_XCHG:
		/* The register (src) gets the old r/m value. */
		reg_set(r.gpr, d.reg, d.dst_bytes, d.rex, dst);
		res = src;
		break;
	case K_BT:
		res = bit_test(&d, dst, src, &r.rflags);
		break;
	default:	/* MOV MOVZX MOVS STOS LODS */
		res = src;
		break;
	}

	if (is_string(&d)) {
		u64 delta = r.rflags & RFLAGS_DF ? -(u64)d.dst_bytes : d.dst_bytes;

		if (d.src == O_SRC_STR)
			string_reg_add(&d, r.gpr, GPR_RSI, delta);
		if (d.dst == O_DST_STR)
			string_reg_add(&d, r.gpr, GPR_RDI, delta);
		if (d.info.rep) {
			string_reg_add(&d, r.gpr, GPR_RCX, -1);
			done = !(r.gpr[GPR_RCX] & ad_mask(&d));
		}
	}

	res &= size_mask(d.dst_bytes);
	if (writes_dst(&d) && !set_reg_dst(&d, r.gpr, res)) {
		/* The last step: after it nothing can fail. */
		ret = mem_write(e, d.info.write_linear, d.dst_bytes, res);
		if (ret)
			return ret;
	}

commit:
	if (done) {
		r.rip = next_rip(e, &d);
		r.rflags &= ~RFLAGS_RF;
	}
	e->regs = r;
	return SVMX_EMUL_OK;
}

/**
 * svmx_emul_decode() - decode one instruction without executing it
 * @e: the request, as for svmx_emulate(); only @e->exception is written
 * @insn: out: length, sizes, the memory accesses an execution would make
 *
 * For diagnostics (instruction length, read or write) and for checking the
 * accesses against the exit that led here. Makes no memory access.
 *
 * Return: SVMX_EMUL_OK, SVMX_EMUL_EXCEPTION or SVMX_EMUL_UNHANDLEABLE.
 */
int svmx_emul_decode(struct svmx_emul *e, struct svmx_emul_insn *insn)
{
	struct decoded d;
	int ret;

	ret = decode(e, &d);
	*insn = d.info;
	return ret;
}
