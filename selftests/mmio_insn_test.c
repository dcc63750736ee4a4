// SPDX-License-Identifier: GPL-2.0
/*
 * Instructions whose memory operand is MMIO (a guest-physical address no
 * slot holds), as a 64-bit guest runs them: each must exit to the host as
 * KVM_EXIT_MMIO (api.rst 5) with the right address, length, direction and
 * data, once per access, in order, and leave the registers and RFLAGS as
 * the CPU would.
 *
 * One instruction form per case, table-driven. The host CPU is the
 * reference: each case's snippet (one instruction and RET) runs first in
 * the host process on a buffer standing for the MMIO page, then in the
 * guest on the MMIO page itself, from the same registers and flags (the
 * runner, insn_runner, loads and stores them around the snippet, in both).
 * The host supplies each MMIO read from the buffer's initial contents,
 * checks each write against what the native run left in the buffer, and
 * hands the native run's final registers and flags to the guest, which
 * compares its own with them. Flags the SDM leaves undefined (AF after a
 * logical operation, SDM Vol. 2 AND/OR/XOR/TEST) are not compared. String
 * instructions also use an ordinary buffer ("RAM"), in slot 0 for the
 * guest; pointers into a buffer are compared relative to it.
 */
#include <string.h>

#include "harness.h"
#include "guest.h"

#define MMIO_GPA	0xc0000000ULL
#define AREA_SIZE	256

/* The registers a case sets and checks (the runner's layout). */
struct insn_state {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8, rflags;
};

#define NREGS 8

/*
 * insn_runner(state, snippet): load the state, call the snippet, store the
 * state; callee-saved registers are kept. RFLAGS is loaded with POPFQ
 * (IF and IOPL stay as they are in the host's user mode) and DF cleared
 * afterwards, as the ABI wants it.
 */
asm(".pushsection .text\n"
    "insn_runner:\n\t"
    "push %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
    "mov %rdi, %r15\n\t"
    "mov %rsi, %r14\n\t"
    "mov 0x00(%r15), %rax\n\t"
    "mov 0x08(%r15), %rbx\n\t"
    "mov 0x10(%r15), %rcx\n\t"
    "mov 0x18(%r15), %rdx\n\t"
    "mov 0x20(%r15), %rsi\n\t"
    "mov 0x30(%r15), %r8\n\t"
    "pushq 0x38(%r15)\n\t"
    "popfq\n\t"
    "mov 0x28(%r15), %rdi\n\t"
    "call *%r14\n\t"
    "pushfq\n\t"
    "popq 0x38(%r15)\n\t"
    "cld\n\t"
    "mov %rax, 0x00(%r15)\n\t"
    "mov %rbx, 0x08(%r15)\n\t"
    "mov %rcx, 0x10(%r15)\n\t"
    "mov %rdx, 0x18(%r15)\n\t"
    "mov %rsi, 0x20(%r15)\n\t"
    "mov %rdi, 0x28(%r15)\n\t"
    "mov %r8, 0x30(%r15)\n\t"
    "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
    "ret\n"
    ".popsection");
void insn_runner(struct insn_state *s, const void *snippet);

/* A snippet: the instruction and RET, and its text as the case's name. */
#define SNIPPET(id, text)						\
	asm(".pushsection .text\n"					\
	    "snip_" #id ":\n\t" text "\n\tret\n"			\
	    ".popsection\n"						\
	    ".pushsection .rodata\n"					\
	    "name_" #id ": .asciz \"" text "\"\n"			\
	    ".popsection");						\
	extern const char snip_##id[], name_##id[]

/* Where a pointer register starts. */
enum { AREA_NONE, AREA_MMIO, AREA_RAM };

/* One MMIO access: offset in the MMIO page, length, direction. */
struct access {
	uint16_t off;
	uint8_t len;
	uint8_t write;
};

#define R(o, l)	{ (o), (l), 0 }
#define W(o, l)	{ (o), (l), 1 }
#define MAX_ACCESSES 6

struct mmio_case {
	const char *name;
	const void *snippet;
	uint64_t rax, rbx, rcx, rdx, r8, rflags;
	uint8_t rdi_in, rsi_in;		/* AREA_* */
	uint16_t rdi_off, rsi_off;	/* offsets in those areas */
	uint64_t mem;			/* if nonzero: 8 bytes at the MMIO operand */
	bool logic;			/* AF is undefined afterwards */
	struct access acc[MAX_ACCESSES];	/* len 0 ends the list */
};

/* RFLAGS bits compared: CF PF AF ZF SF OF and DF. */
#define FL_CF		0x0001
#define FL_PF		0x0004
#define FL_AF		0x0010
#define FL_ZF		0x0040
#define FL_SF		0x0080
#define FL_DF		0x0400
#define FL_OF		0x0800
#define FL_ARITH	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_FIXED	0x0002

/*
 * Register values a case does not choose: distinct bytes everywhere, so
 * that partial-register writes and extensions show. Cases override them,
 * hence -Woverride-init is off for the tables.
 */
#define C(id)								\
	.name = name_##id, .snippet = snip_##id,			\
	.rax = 0x1122334455667788ULL, .rbx = 0x99aabbccddeeff01ULL,	\
	.rcx = 0x0123456789abcdefULL, .rdx = 0xfedcba9876543210ULL,	\
	.r8 = 0x7766554433221100ULL, .rflags = FL_FIXED | FL_ARITH
#define MMIO_RDI(o)	.rdi_in = AREA_MMIO, .rdi_off = (o)
#define MMIO_RSI(o)	.rsi_in = AREA_MMIO, .rsi_off = (o)
#define RAM_RDI(o)	.rdi_in = AREA_RAM, .rdi_off = (o)
#define RAM_RSI(o)	.rsi_in = AREA_RAM, .rsi_off = (o)

/* --- The guest --- */

static struct insn_state cur_in, cur_expect;
static uint64_t cur_mask;
static const void *cur_snippet;
/* The guest's "RAM" buffer for string instructions. */
static uint8_t guest_ram[AREA_SIZE] __attribute__((aligned(64)));

static const char *const reg_names[NREGS] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "rflags",
};

/* Run the case the host set up, compare, report the differences. */
static void guest_cases(void)
{
	GUEST_SYNC(0);
	for (uint64_t k = 1;; k++) {
		struct insn_state s;
		uint64_t *got = (uint64_t *)&s, *want = (uint64_t *)&cur_expect;
		uint64_t *in = (uint64_t *)&cur_in, bad = 0;

		for (int i = 0; i < NREGS; i++)
			got[i] = in[i];
		insn_runner(&s, cur_snippet);
		for (int i = 0; i < NREGS; i++) {
			uint64_t mask = i == NREGS - 1 ? cur_mask : ~0ULL;

			if ((got[i] ^ want[i]) & mask) {
				GUEST_PRINTF("%s is %#lx, expected %#lx (compared bits %#lx)",
					     reg_names[i], got[i], want[i], mask);
				bad++;
			}
		}
		GUEST_SYNC2(k, bad);
	}
}

/* --- The host --- */

static uint8_t host_mmio[AREA_SIZE] __attribute__((aligned(64)));
static uint8_t host_ram[AREA_SIZE] __attribute__((aligned(64)));

static void area_init(uint8_t *mmio, uint8_t *ram, const struct mmio_case *c)
{
	for (int i = 0; i < AREA_SIZE; i++) {
		mmio[i] = (uint8_t)(0xa5 ^ (i * 29));
		ram[i] = (uint8_t)(0x3c + i * 11);
	}
	if (c->mem)
		memcpy(mmio + (c->rdi_in == AREA_MMIO ? c->rdi_off : c->rsi_off),
		       &c->mem, 8);
}

/* A pointer register's value, in the host's or the guest's terms. */
static uint64_t area_base(int area, bool guest)
{
	switch (area) {
	case AREA_MMIO:
		return guest ? MMIO_GPA : (uintptr_t)host_mmio;
	case AREA_RAM:
		return (uintptr_t)(guest ? guest_ram : host_ram);
	}
	return 0;
}

static void case_state(const struct mmio_case *c, struct insn_state *s, bool guest)
{
	*s = (struct insn_state){
		.rax = c->rax, .rbx = c->rbx, .rcx = c->rcx, .rdx = c->rdx,
		.r8 = c->r8, .rflags = c->rflags,
		.rsi = c->rsi_in ? area_base(c->rsi_in, guest) + c->rsi_off : 0x5151,
		.rdi = c->rdi_in ? area_base(c->rdi_in, guest) + c->rdi_off : 0xd1d1,
	};
}

static int access_count(const struct mmio_case *c)
{
	int n = 0;

	while (n < MAX_ACCESSES && c->acc[n].len)
		n++;
	return n;
}

/*
 * Run case @c natively and in the guest; returns the number of problems
 * found (each logged).
 */
static int run_case(struct __test_metadata *_metadata, struct vcpu *vcpu,
		    const struct mmio_case *c)
{
	uint8_t mmio_init[AREA_SIZE], ram_init[AREA_SIZE], ram_after[AREA_SIZE];
	struct kvm_run *run = vcpu->run;
	int n = access_count(c), next = 0, bad = 0;
	struct insn_state native;
	struct ucall uc;

	/* The reference: the same instruction on ordinary memory. */
	area_init(host_mmio, host_ram, c);
	memcpy(mmio_init, host_mmio, AREA_SIZE);
	memcpy(ram_init, host_ram, AREA_SIZE);
	case_state(c, &native, false);
	insn_runner(&native, c->snippet);

	/* The table's writes must cover whatever the instruction changed. */
	for (int i = 0; i < AREA_SIZE; i++) {
		bool covered = false;

		for (int a = 0; a < n; a++)
			covered |= c->acc[a].write && i >= c->acc[a].off &&
				   i < c->acc[a].off + c->acc[a].len;
		if (host_mmio[i] != mmio_init[i] && !covered) {
			TH_LOG("%s: the table misses the write of byte %#x", c->name, i);
			bad++;
		}
	}

	/* The guest: its inputs, what it must end with, its RAM buffer. */
	case_state(c, &cur_in, true);
	cur_expect = native;
	cur_expect.rsi += area_base(c->rsi_in, true) - area_base(c->rsi_in, false);
	cur_expect.rdi += area_base(c->rdi_in, true) - area_base(c->rdi_in, false);
	cur_mask = FL_ARITH | FL_DF;
	if (c->logic)
		cur_mask &= ~FL_AF;
	cur_snippet = c->snippet;
	vm_sync_to_guest(vcpu->vm, cur_in);
	vm_sync_to_guest(vcpu->vm, cur_expect);
	vm_sync_to_guest(vcpu->vm, cur_mask);
	vm_sync_to_guest(vcpu->vm, cur_snippet);
	vm_write_gva(vcpu->vm, (uintptr_t)guest_ram, ram_init, AREA_SIZE);

	for (;;) {
		uint64_t off;

		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_MMIO) {
			if (vcpu_check_ucall(vcpu, &uc) == UCALL_PRINT) {
				TH_LOG("%s: the guest says so", c->name);
				bad++;
				continue;
			}
			break;
		}
		off = run->mmio.phys_addr - MMIO_GPA;
		ASSERT_GT(n + 8, next)
			TH_LOG("%s: too many MMIO exits", c->name);
		if (next >= n) {
			TH_LOG("%s: extra MMIO %s of %u bytes at +%#lx", c->name,
			       run->mmio.is_write ? "write" : "read", run->mmio.len, off);
			bad++;
		} else if (off != c->acc[next].off || run->mmio.len != c->acc[next].len ||
			   run->mmio.is_write != c->acc[next].write) {
			TH_LOG("%s: access %d is a %s of %u bytes at +%#lx, expected a %s of %u at +%#x",
			       c->name, next, run->mmio.is_write ? "write" : "read",
			       run->mmio.len, off, c->acc[next].write ? "write" : "read",
			       c->acc[next].len, c->acc[next].off);
			bad++;
		} else if (run->mmio.is_write &&
			   memcmp(run->mmio.data, host_mmio + off, run->mmio.len)) {
			uint64_t got = 0, want = 0;

			memcpy(&got, run->mmio.data, run->mmio.len);
			memcpy(&want, host_mmio + off, run->mmio.len);
			TH_LOG("%s: access %d writes %#lx, expected %#lx", c->name, next,
			       got, want);
			bad++;
		}
		if (!run->mmio.is_write) {
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
			if (off < AREA_SIZE && run->mmio.len <= AREA_SIZE - off)
				memcpy(run->mmio.data, mmio_init + off, run->mmio.len);
		}
		next++;
	}
	ASSERT_EQ((uint64_t)UCALL_SYNC, uc.cmd);
	bad += uc.args[1];
	if (next < n) {
		TH_LOG("%s: %d MMIO accesses, expected %d", c->name, next, n);
		bad++;
	}
	vm_read_gva(vcpu->vm, (uintptr_t)guest_ram, ram_after, AREA_SIZE);
	for (int i = 0; i < AREA_SIZE; i++)
		if (ram_after[i] != host_ram[i]) {
			TH_LOG("%s: RAM byte %#x is %#x, expected %#x", c->name, i,
			       ram_after[i], host_ram[i]);
			bad++;
			break;
		}
	return bad;
}

static void run_cases(struct __test_metadata *_metadata,
		      const struct mmio_case *cases, int n)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_cases);
	int failed = 0;

	vm_identity_map(vm, MMIO_GPA, GUEST_PAGE_SIZE);
	ASSERT_EQ(0ULL, vcpu_run_sync(vcpu));
	for (int i = 0; i < n; i++)
		failed += run_case(_metadata, vcpu, &cases[i]) != 0;
	EXPECT_EQ(0, failed) TH_LOG("%d of %d instructions failed", failed, n);
	vm_free(vm);
}

#define RUN_CASES(cases) run_cases(_metadata, cases, sizeof(cases) / sizeof(cases[0]))

#pragma GCC diagnostic ignored "-Woverride-init"

/* --- MOV --- */

SNIPPET(st8, "movb %al, (%rdi)");
SNIPPET(st8h, "movb %ah, (%rdi)");
SNIPPET(st16, "movw %ax, (%rdi)");
SNIPPET(st32, "movl %eax, (%rdi)");
SNIPPET(st64, "movq %rax, (%rdi)");
SNIPPET(st64r8, "movq %r8, (%rdi)");
SNIPPET(st32disp, "movl %ebx, -4(%rdi)");
SNIPPET(ld8, "movb (%rdi), %al");
SNIPPET(ld8h, "movb (%rdi), %bh");
SNIPPET(ld16, "movw (%rdi), %ax");
SNIPPET(ld32, "movl (%rdi), %eax");
SNIPPET(ld32un, "movl (%rdi), %ecx");
SNIPPET(ld32r8, "movl (%rdi), %r8d");
SNIPPET(ld64, "movq (%rdi), %rax");
SNIPPET(ld64sib, "movq 8(%rdi,%rcx,4), %rdx");
SNIPPET(imm8, "movb $0x5a, (%rdi)");
SNIPPET(imm16, "movw $0x1234, (%rdi)");
SNIPPET(imm32, "movl $0xdeadbeef, (%rdi)");
SNIPPET(imm64, "movq $-2, (%rdi)");

static const struct mmio_case mov_cases[] = {
	{ C(st8), MMIO_RDI(0x10), .acc = { W(0x10, 1) } },
	{ C(st8h), MMIO_RDI(0x11), .acc = { W(0x11, 1) } },
	{ C(st16), MMIO_RDI(0x12), .acc = { W(0x12, 2) } },
	{ C(st32), MMIO_RDI(0x14), .acc = { W(0x14, 4) } },
	{ C(st64), MMIO_RDI(0x18), .acc = { W(0x18, 8) } },
	{ C(st64r8), MMIO_RDI(0x20), .acc = { W(0x20, 8) } },
	{ C(st32disp), MMIO_RDI(0x30), .acc = { W(0x2c, 4) } },
	{ C(ld8), MMIO_RDI(0x40), .acc = { R(0x40, 1) } },
	{ C(ld8h), MMIO_RDI(0x41), .acc = { R(0x41, 1) } },
	{ C(ld16), MMIO_RDI(0x42), .acc = { R(0x42, 2) } },
	{ C(ld32), MMIO_RDI(0x44), .acc = { R(0x44, 4) } },
	/* Unaligned, inside one quadword. */
	{ C(ld32un), MMIO_RDI(0x49), .acc = { R(0x49, 4) } },
	{ C(ld32r8), MMIO_RDI(0x50), .acc = { R(0x50, 4) } },
	{ C(ld64), MMIO_RDI(0x58), .acc = { R(0x58, 8) } },
	{ C(ld64sib), MMIO_RDI(0x60), .rcx = 2, .acc = { R(0x70, 8) } },
	{ C(imm8), MMIO_RDI(0x80), .acc = { W(0x80, 1) } },
	{ C(imm16), MMIO_RDI(0x82), .acc = { W(0x82, 2) } },
	{ C(imm32), MMIO_RDI(0x84), .acc = { W(0x84, 4) } },
	{ C(imm64), MMIO_RDI(0x88), .acc = { W(0x88, 8) } },
};

TEST(mov)
{
	RUN_CASES(mov_cases);
}

/* --- MOVZX, MOVSX, MOVSXD --- */

SNIPPET(zx8to16, "movzbw (%rdi), %ax");
SNIPPET(zx8to32, "movzbl (%rdi), %eax");
SNIPPET(zx8to64, "movzbq (%rdi), %rbx");
SNIPPET(zx16to32, "movzwl (%rdi), %ecx");
SNIPPET(zx16to64, "movzwq (%rdi), %rdx");
SNIPPET(sx8to16, "movsbw (%rdi), %ax");
SNIPPET(sx8to32, "movsbl (%rdi), %eax");
SNIPPET(sx8to64, "movsbq (%rdi), %rbx");
SNIPPET(sx16to32, "movswl (%rdi), %ecx");
SNIPPET(sx16to64, "movswq (%rdi), %rdx");
SNIPPET(sx32to64, "movslq (%rdi), %r8");

static const struct mmio_case movx_cases[] = {
	{ C(zx8to16), MMIO_RDI(0x10), .mem = 0x85, .acc = { R(0x10, 1) } },
	{ C(zx8to32), MMIO_RDI(0x11), .mem = 0xf3, .acc = { R(0x11, 1) } },
	{ C(zx8to64), MMIO_RDI(0x12), .mem = 0x9a, .acc = { R(0x12, 1) } },
	{ C(zx16to32), MMIO_RDI(0x14), .mem = 0x8001, .acc = { R(0x14, 2) } },
	{ C(zx16to64), MMIO_RDI(0x16), .mem = 0xfffe, .acc = { R(0x16, 2) } },
	{ C(sx8to16), MMIO_RDI(0x20), .mem = 0x85, .acc = { R(0x20, 1) } },
	{ C(sx8to32), MMIO_RDI(0x21), .mem = 0xf3, .acc = { R(0x21, 1) } },
	{ C(sx8to32), MMIO_RDI(0x22), .mem = 0x7f, .acc = { R(0x22, 1) } },
	{ C(sx8to64), MMIO_RDI(0x23), .mem = 0x80, .acc = { R(0x23, 1) } },
	{ C(sx16to32), MMIO_RDI(0x24), .mem = 0x8001, .acc = { R(0x24, 2) } },
	{ C(sx16to64), MMIO_RDI(0x26), .mem = 0xfffe, .acc = { R(0x26, 2) } },
	{ C(sx16to64), MMIO_RDI(0x28), .mem = 0x7ffe, .acc = { R(0x28, 2) } },
	{ C(sx32to64), MMIO_RDI(0x30), .mem = 0x80000000, .acc = { R(0x30, 4) } },
	{ C(sx32to64), MMIO_RDI(0x38), .mem = 0x12345678, .acc = { R(0x38, 4) } },
};

TEST(movzx_movsx)
{
	RUN_CASES(movx_cases);
}

/* --- STOS, MOVS, LODS, with and without REP --- */

SNIPPET(stosb, "stosb");
SNIPPET(rep_stosb, "rep stosb");
SNIPPET(rep_stosw, "rep stosw");
SNIPPET(rep_stosl, "rep stosl");
SNIPPET(rep_stosq, "rep stosq");
SNIPPET(movsb, "movsb");
SNIPPET(movsl, "movsl");
SNIPPET(rep_movsb, "rep movsb");
SNIPPET(rep_movsw, "rep movsw");
SNIPPET(rep_movsl, "rep movsl");
SNIPPET(rep_movsq, "rep movsq");
SNIPPET(lodsq, "lodsq");

static const struct mmio_case string_cases[] = {
	{ C(stosb), MMIO_RDI(0x10), .acc = { W(0x10, 1) } },
	{ C(rep_stosw), MMIO_RDI(0x20), .rcx = 3,
	  .acc = { W(0x20, 2), W(0x22, 2), W(0x24, 2) } },
	{ C(rep_stosl), MMIO_RDI(0x30), .rcx = 2, .acc = { W(0x30, 4), W(0x34, 4) } },
	{ C(rep_stosq), MMIO_RDI(0x40), .rcx = 2, .acc = { W(0x40, 8), W(0x48, 8) } },
	/* Backwards (DF = 1). */
	{ C(rep_stosb), MMIO_RDI(0x58), .rcx = 3, .rflags = FL_FIXED | FL_DF,
	  .acc = { W(0x58, 1), W(0x57, 1), W(0x56, 1) } },
	/* MMIO to RAM, RAM to MMIO, MMIO to MMIO. */
	{ C(movsb), MMIO_RSI(0x60), RAM_RDI(0x10), .acc = { R(0x60, 1) } },
	{ C(rep_movsw), MMIO_RSI(0x62), RAM_RDI(0x20), .rcx = 3,
	  .acc = { R(0x62, 2), R(0x64, 2), R(0x66, 2) } },
	{ C(rep_movsl), RAM_RSI(0x30), MMIO_RDI(0x70), .rcx = 3,
	  .acc = { W(0x70, 4), W(0x74, 4), W(0x78, 4) } },
	{ C(rep_movsq), RAM_RSI(0x40), MMIO_RDI(0x80), .rcx = 2,
	  .acc = { W(0x80, 8), W(0x88, 8) } },
	{ C(rep_movsq), MMIO_RSI(0x90), RAM_RDI(0x50), .rcx = 2, .rflags = FL_FIXED | FL_DF,
	  .acc = { R(0x90, 8), R(0x88, 8) } },
	{ C(movsl), MMIO_RSI(0xa0), MMIO_RDI(0xb0), .acc = { R(0xa0, 4), W(0xb0, 4) } },
	/* RCX = 0: nothing at all. */
	{ C(rep_movsb), MMIO_RSI(0xc0), MMIO_RDI(0xd0), .rcx = 0 },
	{ C(lodsq), MMIO_RSI(0xe0), .acc = { R(0xe0, 8) } },
};

TEST(string)
{
	RUN_CASES(string_cases);
}

/* --- AND, OR, XOR, ADD, ADC, SUB, SBB, CMP, TEST: flags too --- */

SNIPPET(and_m32_r, "andl %eax, (%rdi)");
SNIPPET(and_r8_m, "andb (%rdi), %bl");
SNIPPET(and_m64_i, "andq $-16, (%rdi)");
SNIPPET(or_m16_r, "orw %ax, (%rdi)");
SNIPPET(or_r32_m, "orl (%rdi), %ecx");
SNIPPET(or_m8_i, "orb $0x80, (%rdi)");
SNIPPET(xor_m64_r, "xorq %rax, (%rdi)");
SNIPPET(xor_r32_m, "xorl (%rdi), %edx");
SNIPPET(add_m32_r, "addl %eax, (%rdi)");
SNIPPET(add_r64_m, "addq (%rdi), %rbx");
SNIPPET(add_m8_i, "addb $1, (%rdi)");
SNIPPET(add_m16_i, "addw $0x1234, (%rdi)");
SNIPPET(adc_m32_r, "adcl %eax, (%rdi)");
SNIPPET(sub_m32_r, "subl %eax, (%rdi)");
SNIPPET(sub_r64_m, "subq (%rdi), %rcx");
SNIPPET(sub_m8_i, "subb $0x80, (%rdi)");
SNIPPET(sbb_r64_m, "sbbq (%rdi), %rbx");
SNIPPET(cmp_m32_r, "cmpl %eax, (%rdi)");
SNIPPET(cmp_r64_m, "cmpq (%rdi), %rbx");
SNIPPET(cmp_m8_i, "cmpb $0x10, (%rdi)");
SNIPPET(cmp_r16_m, "cmpw (%rdi), %ax");
SNIPPET(test_m32_r, "testl %eax, (%rdi)");
SNIPPET(test_m8_i, "testb $0x80, (%rdi)");
SNIPPET(test_m64_r, "testq %rbx, (%rdi)");

#define NOFLAGS	.rflags = FL_FIXED
#define RMW(o, l)	.acc = { R(o, l), W(o, l) }

static const struct mmio_case alu_cases[] = {
	{ C(and_m32_r), MMIO_RDI(0x10), .logic = 1, RMW(0x10, 4) },
	{ C(and_m32_r), MMIO_RDI(0x10), .logic = 1, .rax = 0x0f0f0f0f,
	  .mem = 0xf0f0f0f0, NOFLAGS, RMW(0x10, 4) },
	{ C(and_r8_m), MMIO_RDI(0x14), .logic = 1, .acc = { R(0x14, 1) } },
	{ C(and_m64_i), MMIO_RDI(0x18), .logic = 1, NOFLAGS, .mem = 0x800000000000000fULL,
	  RMW(0x18, 8) },
	{ C(or_m16_r), MMIO_RDI(0x20), .logic = 1, RMW(0x20, 2) },
	{ C(or_r32_m), MMIO_RDI(0x24), .logic = 1, NOFLAGS, .acc = { R(0x24, 4) } },
	{ C(or_m8_i), MMIO_RDI(0x28), .logic = 1, .mem = 0x01, RMW(0x28, 1) },
	{ C(xor_m64_r), MMIO_RDI(0x30), .logic = 1, .mem = 0x1122334455667788ULL,
	  NOFLAGS, RMW(0x30, 8) },
	{ C(xor_r32_m), MMIO_RDI(0x38), .logic = 1, .acc = { R(0x38, 4) } },
	/* Carry out, overflow, zero. */
	{ C(add_m32_r), MMIO_RDI(0x40), .rax = 0x80000000, .mem = 0x80000000,
	  NOFLAGS, RMW(0x40, 4) },
	{ C(add_m32_r), MMIO_RDI(0x40), .rax = 0x0000ffff, .mem = 0x00000001,
	  RMW(0x40, 4) },
	{ C(add_r64_m), MMIO_RDI(0x48), NOFLAGS, .acc = { R(0x48, 8) } },
	{ C(add_m8_i), MMIO_RDI(0x50), .mem = 0x7f, NOFLAGS, RMW(0x50, 1) },
	{ C(add_m16_i), MMIO_RDI(0x52), .mem = 0xedcc, NOFLAGS, RMW(0x52, 2) },
	{ C(adc_m32_r), MMIO_RDI(0x54), .rax = 0xffffffff, .mem = 0x1,
	  .rflags = FL_FIXED | FL_CF, RMW(0x54, 4) },
	/* Borrow, sign. */
	{ C(sub_m32_r), MMIO_RDI(0x58), .rax = 2, .mem = 1, NOFLAGS, RMW(0x58, 4) },
	{ C(sub_r64_m), MMIO_RDI(0x60), .acc = { R(0x60, 8) } },
	{ C(sub_m8_i), MMIO_RDI(0x68), .mem = 0x7f, NOFLAGS, RMW(0x68, 1) },
	{ C(sbb_r64_m), MMIO_RDI(0x70), .rflags = FL_FIXED | FL_CF, .acc = { R(0x70, 8) } },
	/* CMP reads only: equal, below, above. */
	{ C(cmp_m32_r), MMIO_RDI(0x78), .rax = 0x12345678, .mem = 0x12345678,
	  NOFLAGS, .acc = { R(0x78, 4) } },
	{ C(cmp_r64_m), MMIO_RDI(0x80), .rbx = 1, .mem = 2, NOFLAGS, .acc = { R(0x80, 8) } },
	{ C(cmp_m8_i), MMIO_RDI(0x88), .mem = 0x90, .acc = { R(0x88, 1) } },
	{ C(cmp_r16_m), MMIO_RDI(0x8a), .acc = { R(0x8a, 2) } },
	{ C(test_m32_r), MMIO_RDI(0x90), .logic = 1, .rax = 0x00ff0000, .mem = 0x0000ff00,
	  NOFLAGS, .acc = { R(0x90, 4) } },
	{ C(test_m8_i), MMIO_RDI(0x98), .logic = 1, .mem = 0x80, NOFLAGS,
	  .acc = { R(0x98, 1) } },
	{ C(test_m64_r), MMIO_RDI(0xa0), .logic = 1, .acc = { R(0xa0, 8) } },
};

TEST(alu_and_flags)
{
	RUN_CASES(alu_cases);
}

/* --- XCHG: a read and a write --- */

SNIPPET(xchg8, "xchgb %bl, (%rdi)");
SNIPPET(xchg16, "xchgw %dx, (%rdi)");
SNIPPET(xchg32, "xchgl %eax, (%rdi)");
SNIPPET(xchg64, "xchgq (%rdi), %rcx");

static const struct mmio_case xchg_cases[] = {
	{ C(xchg8), MMIO_RDI(0x10), RMW(0x10, 1) },
	{ C(xchg16), MMIO_RDI(0x12), RMW(0x12, 2) },
	{ C(xchg32), MMIO_RDI(0x14), RMW(0x14, 4) },
	{ C(xchg64), MMIO_RDI(0x18), NOFLAGS, RMW(0x18, 8) },
};

TEST(xchg)
{
	RUN_CASES(xchg_cases);
}

TEST_HARNESS_MAIN
