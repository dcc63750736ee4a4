// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator (module/emulate.c) against the host CPU itself.
 *
 * Every instruction in emulate_snippets.S runs many times from random
 * registers, flags and memory: once in the emulator, once natively on the
 * host, from the same state and at the same linear addresses. The two must
 * end with the same registers, the same status flags (those the SDM defines
 * after the instruction), the same memory, and RIP right after the
 * instruction. REP instructions are emulated one iteration per call until
 * RIP moves. Every other emulation is also interrupted once by a read that
 * needs userspace (SVMX_EMUL_MMIO_EXIT): nothing may change, and the re-run
 * must finish the job.
 *
 * Two modes:
 *   64-bit  the snippet runs as it is (emul_native_run); memory: emul_buf;
 *   32-bit  the snippet runs in compatibility mode (emul_native_run32) with
 *           LDT data segments based inside emul_seg_area, so segment bases,
 *           default segments, overrides and 16-bit addressing are checked
 *           against the CPU as well.
 *
 * One TAP line per instruction. SVMX_ORACLE_SEED and SVMX_ORACLE_RUNS
 * override the seed and the number of runs per instruction.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <asm/ldt.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "emulate.h"
#include "tap.h"

#define FLAGS_STATUS	0x8d5ULL	/* CF PF AF ZF SF OF */
#define FLAGS_DF	0x400ULL
#define FLAGS_FIXED	0x2ULL		/* bit 1, always set */
#define OPT_ADDR32	1		/* as in emulate_snippets.S */
#define OPT_ADDR16	2

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

struct snippet {
	const u8 *start, *end;
	const char *name;
	u64 flags_defined;
	u64 opts;
};

struct native_state {
	u64 gpr[16];
	u64 rflags;
};

/* What emul_native_run32 reads and writes; offsets fixed in the .S file. */
struct state32 {
	u32 gpr[8];
	u32 eflags;
	u32 code;
	u32 ss, ds, es, gs;
	u32 esp;
};

/* emulate_snippets.S */
extern const struct snippet __start_emul_snippets64[], __stop_emul_snippets64[];
extern const struct snippet __start_emul_snippets32[], __stop_emul_snippets32[];
void emul_native_run(struct native_state *st, const void *code);
void emul_native_run32(void);

/* The memory the snippets use; the .S file names them too. */
u8 emul_buf[4096] __attribute__((aligned(4096)));
u8 emul_seg_area[0x11000] __attribute__((aligned(4096)));
struct state32 emul_state32;

/* The 32-bit segments: LDT entries, their offsets in emul_seg_area. */
enum { LDT_SS, LDT_DS, LDT_ES, LDT_GS, NR_LDT };
static const u32 seg32_offset[NR_LDT] = { 0, 0x200, 0x800, 0x400 };
#define LDT_SEL(n)	(((n) << 3) | 4 | 3)	/* TI = LDT, RPL 3 */
#define STACK32_TOP	0xf000			/* ESP, in SS */

/* A range of memory the snippets may touch, and that is compared. */
struct window {
	u8 *base;
	unsigned int len;
};

struct mode {
	const char *tag;
	enum svmx_emul_mode emul_mode;
	const struct snippet *start, *stop;
	struct window win[2];
	void (*random_regs)(const struct snippet *s, struct native_state *st);
	void (*run_native)(const struct snippet *s, struct native_state *st);
	u64 seg_base[SVMX_EMUL_NR_SEGS];
	unsigned int ngpr;	/* registers compared: 16, or 8 (low 32 bits) */
	const char *skip;	/* why the mode cannot run here */
};

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Random data that often sits on a carry, sign or parity boundary. */
static u64 interesting(void)
{
	static const unsigned int widths[] = { 8, 16, 32, 64 };
	unsigned int w = widths[rnd() % 4];
	u64 top = 1ULL << (w - 1);

	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return top + (rnd() % 5) - 2;		/* around the sign bit */
	case 3:
		return (top << 1) - (rnd() % 3) - 1;	/* just below 2^w */
	case 4:
		return rnd() % 32;
	case 5:
		return 1ULL << (rnd() % 64);
	default:
		return rnd();
	}
}

/* --- 64-bit mode --- */

static void random_regs64(const struct snippet *s, struct native_state *st)
{
	u64 base = (uintptr_t)emul_buf;
	unsigned int i;

	for (i = 0; i < 16; i++)
		st->gpr[i] = interesting();
	st->gpr[RSP] = 0x5a5a5a5a5a5a5a5aULL;	/* not an operand; must not change */
	st->gpr[RBX] = st->gpr[RBP] = st->gpr[R12] = st->gpr[R13] = base + 256;
	st->gpr[RSI] = base + 1024;
	st->gpr[RDI] = base + 1536;
	st->gpr[RCX] = rnd() % 4;
	st->gpr[R9] = rnd() % 8;
	st->gpr[R10] = (u64)((s64)(rnd() % 8192) - 4096);
	if (s->opts & OPT_ADDR32) {
		static const int regs[] = { RBX, RBP, R12, R13, RSI, RDI, RCX, R9 };

		for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			st->gpr[regs[i]] |= (rnd() | 1) << 32;
	}
}

static void run_native64(const struct snippet *s, struct native_state *st)
{
	u64 rsp = st->gpr[RSP];

	emul_native_run(st, s->start);
	st->gpr[RSP] = rsp;
}

/* --- 32-bit mode (compatibility mode, LDT segments) --- */

static void random_regs32(const struct snippet *s, struct native_state *st)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		st->gpr[i] = i < 8 ? (u32)interesting() : 0;
	/* ESP inside the snippet: below the return address the call pushed. */
	st->gpr[RSP] = STACK32_TOP - 4;
	st->gpr[RBX] = st->gpr[RBP] = 0x100;
	st->gpr[RSI] = 0x400;
	st->gpr[RDI] = 0x600;
	st->gpr[RCX] = rnd() % 4;
	if (s->opts & OPT_ADDR16) {
		st->gpr[RBX] = 0xfe00 + rnd() % 0x100;
		st->gpr[RBP] = 0xfe00 + rnd() % 0x100;
		st->gpr[RSI] = 0x400 + rnd() % 0x100;
		st->gpr[RDI] = 0x300 + rnd() % 0x100;
		for (i = RCX; i <= RDI; i++)
			if (i != RDX && i != RSP)
				st->gpr[i] |= (rnd() & 0xffff) << 16;
	}
}

static void run_native32(const struct snippet *s, struct native_state *st)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		emul_state32.gpr[i] = st->gpr[i];
	emul_state32.eflags = st->rflags;
	emul_state32.code = (uintptr_t)s->start;
	emul_state32.ss = LDT_SEL(LDT_SS);
	emul_state32.ds = LDT_SEL(LDT_DS);
	emul_state32.es = LDT_SEL(LDT_ES);
	emul_state32.gs = LDT_SEL(LDT_GS);
	emul_state32.esp = STACK32_TOP;
	emul_native_run32();
	for (i = 0; i < 8; i++)
		if (i != RSP)
			st->gpr[i] = emul_state32.gpr[i];
	st->rflags = emul_state32.eflags;
}

static int set_ldt_entry(unsigned int n, u32 base)
{
	struct user_desc d = {
		.entry_number = n,
		.base_addr = base,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.contents = 0,		/* data, expand-up */
		.read_exec_only = 0,	/* writable */
		.limit_in_pages = 1,
		.seg_not_present = 0,
		.useable = 1,
	};

	return syscall(SYS_modify_ldt, 1, &d, sizeof(d));
}

/*
 * Set up the LDT and try one round trip through compatibility mode in a
 * child first: a kernel without IA-32 emulation kills it.
 */
static const char *setup32(struct mode *m)
{
	uintptr_t area = (uintptr_t)emul_seg_area;
	const struct snippet *s = m->start;
	struct native_state st;
	unsigned int i;
	int status;
	pid_t pid;

	if (area + sizeof(emul_seg_area) > 0xffffffffULL)
		return "compatibility mode needs the test below 4 GiB (link -static -no-pie)";
	for (i = 0; i < NR_LDT; i++) {
		if (set_ldt_entry(i, area + seg32_offset[i]))
			return "modify_ldt() failed";
		m->seg_base[i == LDT_SS ? SVMX_EMUL_SS : i == LDT_DS ? SVMX_EMUL_DS :
			    i == LDT_ES ? SVMX_EMUL_ES : SVMX_EMUL_GS] = area + seg32_offset[i];
	}
	if (s == m->stop)
		return NULL;
	pid = fork();
	if (pid == 0) {
		random_regs32(s, &st);
		st.rflags = FLAGS_FIXED;
		run_native32(s, &st);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return "cannot run code in compatibility mode here (no IA-32 emulation?)";
	return NULL;
}

/* --- the emulator side --- */

struct mem_ctx {
	const struct mode *mode;
	bool exit_next_read;	/* answer the next read with MMIO_EXIT */
	unsigned int bad;	/* accesses outside the windows */
	u64 bad_addr;
};

static bool in_window(struct mem_ctx *m, u64 la, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		u64 lo = (uintptr_t)m->mode->win[i].base;

		if (la >= lo && la + len <= lo + m->mode->win[i].len)
			return true;
	}
	m->bad++;
	m->bad_addr = la;
	return false;
}

static int mem_read(void *ctx, u64 la, void *buf, unsigned int len)
{
	struct mem_ctx *m = ctx;

	if (!in_window(m, la, len))
		return SVMX_EMUL_FAULT;
	if (m->exit_next_read) {
		m->exit_next_read = false;
		return SVMX_EMUL_MMIO_EXIT;
	}
	memcpy(buf, (void *)(uintptr_t)la, len);
	return SVMX_EMUL_OK;
}

static int mem_write(void *ctx, u64 la, const void *buf, unsigned int len)
{
	struct mem_ctx *m = ctx;

	if (!in_window(m, la, len))
		return SVMX_EMUL_FAULT;
	memcpy((void *)(uintptr_t)la, buf, len);
	return SVMX_EMUL_OK;
}

static const struct svmx_emul_ops ops = { .read = mem_read, .write = mem_write };

/* The windows' contents, saved and restored as one block. */
struct snapshot {
	u8 bytes[0x1800 + 0xc00];
};

static void save(const struct mode *m, struct snapshot *snap)
{
	memcpy(snap->bytes, m->win[0].base, m->win[0].len);
	memcpy(snap->bytes + m->win[0].len, m->win[1].base, m->win[1].len);
}

static void restore(const struct mode *m, const struct snapshot *snap)
{
	memcpy(m->win[0].base, snap->bytes, m->win[0].len);
	memcpy(m->win[1].base, snap->bytes + m->win[0].len, m->win[1].len);
}

static void random_memory(const struct mode *m)
{
	unsigned int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j + 8 <= m->win[i].len; j += 8) {
			u64 v = interesting();

			memcpy(m->win[i].base + j, &v, 8);
		}
}

/*
 * Emulate the snippet from *st until RIP moves past it. Returns false (and
 * says why) if the emulator does not behave.
 */
static bool emulate(const struct mode *mode, const struct snippet *s,
		    struct native_state *st, bool interrupt_once, char *why, size_t whylen)
{
	struct mem_ctx m = { .mode = mode, .exit_next_read = interrupt_once };
	struct svmx_emul e = {
		.mode = mode->emul_mode,
		.insn_len = SVMX_EMUL_MAX_INSN_LEN,
		.ops = &ops,
		.ctx = &m,
	};
	static struct snapshot before, after;
	struct svmx_emul_insn insn;
	unsigned int calls = 0;
	int ret;

	memcpy(e.seg_base, mode->seg_base, sizeof(e.seg_base));
	memcpy(e.insn, s->start, SVMX_EMUL_MAX_INSN_LEN);
	memcpy(e.regs.gpr, st->gpr, sizeof(e.regs.gpr));
	e.regs.rip = (uintptr_t)s->start;
	e.regs.rflags = st->rflags;

	ret = svmx_emul_decode(&e, &insn);
	if (ret != SVMX_EMUL_OK || insn.len != s->end - s->start) {
		snprintf(why, whylen, "decode: status %d, length %u, expected %td",
			 ret, insn.len, s->end - s->start);
		return false;
	}
	while (e.regs.rip == (uintptr_t)s->start) {
		struct svmx_emul_regs regs = e.regs;
		bool exiting = m.exit_next_read;

		save(mode, &before);
		ret = svmx_emulate(&e);
		if (ret == SVMX_EMUL_MMIO_EXIT && exiting && !m.exit_next_read) {
			save(mode, &after);
			if (memcmp(&regs, &e.regs, sizeof(regs)) ||
			    memcmp(&before, &after, sizeof(before))) {
				snprintf(why, whylen, "state changed before MMIO_EXIT");
				return false;
			}
			continue;
		}
		if (ret != SVMX_EMUL_OK) {
			snprintf(why, whylen, "svmx_emulate: status %d%s", ret,
				 m.bad ? " (access outside the windows)" : "");
			return false;
		}
		if (++calls > 64) {
			snprintf(why, whylen, "RIP does not move after 64 calls");
			return false;
		}
	}
	if (e.regs.rip != (uintptr_t)s->end) {
		snprintf(why, whylen, "RIP %#" PRIx64 ", expected %p",
			 e.regs.rip, (const void *)s->end);
		return false;
	}
	memcpy(st->gpr, e.regs.gpr, sizeof(st->gpr));
	st->rflags = e.regs.rflags;
	return true;
}

static void show_state(const char *what, const struct native_state *st)
{
	unsigned int i;

	for (i = 0; i < 16; i += 4)
		tap_diag("  %s %-3s %016" PRIx64 " %-3s %016" PRIx64 " %-3s %016" PRIx64
			 " %-3s %016" PRIx64, what,
			 gpr_names[i], st->gpr[i], gpr_names[i + 1], st->gpr[i + 1],
			 gpr_names[i + 2], st->gpr[i + 2], gpr_names[i + 3], st->gpr[i + 3]);
	tap_diag("  %s rflags %#" PRIx64, what, st->rflags);
}

/*
 * Compare the registers, the status flags the SDM defines and DF with the
 * CPU's (the CPU's RFLAGS also shows IF, which user space cannot clear); the
 * emulator must leave every other RFLAGS bit as it was. Count the undefined
 * flags that differ, for the log.
 */
static bool same(const struct mode *mode, const struct snippet *s,
		 const struct native_state *in, const struct native_state *emu,
		 const struct native_state *cpu, unsigned long *undefined_differ)
{
	u64 compared = s->flags_defined | FLAGS_DF;
	unsigned int i;

	if ((emu->rflags ^ cpu->rflags) & FLAGS_STATUS & ~s->flags_defined)
		(*undefined_differ)++;
	for (i = 0; i < mode->ngpr; i++) {
		u64 want = mode->ngpr == 8 ? (u32)cpu->gpr[i] : cpu->gpr[i];

		if (emu->gpr[i] != want)
			return false;
	}
	return !((emu->rflags ^ cpu->rflags) & compared) &&
	       !((emu->rflags ^ in->rflags) & ~FLAGS_STATUS);
}

static bool check_snippet(const struct mode *mode, const struct snippet *s,
			  unsigned int runs)
{
	static struct snapshot mem0, emu_mem, cpu_mem;
	unsigned long undefined_differ = 0;
	struct native_state st0, emu, cpu;
	unsigned int run, i;
	char why[160];

	for (run = 0; run < runs; run++) {
		mode->random_regs(s, &st0);
		st0.rflags = FLAGS_FIXED | (rnd() & (FLAGS_STATUS | FLAGS_DF));
		random_memory(mode);
		save(mode, &mem0);

		emu = st0;
		if (!emulate(mode, s, &emu, run & 1, why, sizeof(why))) {
			tap_diag("%s: run %u: %s", s->name, run, why);
			show_state("in ", &st0);
			return false;
		}
		save(mode, &emu_mem);

		cpu = st0;
		restore(mode, &mem0);
		mode->run_native(s, &cpu);
		save(mode, &cpu_mem);

		if (!same(mode, s, &st0, &emu, &cpu, &undefined_differ) ||
		    memcmp(&emu_mem, &cpu_mem, sizeof(emu_mem))) {
			tap_diag("%s: run %u: emulator and CPU differ", s->name, run);
			show_state("in ", &st0);
			show_state("cpu", &cpu);
			show_state("emu", &emu);
			for (i = 0; i < sizeof(emu_mem.bytes); i++)
				if (emu_mem.bytes[i] != cpu_mem.bytes[i])
					tap_diag("  memory byte %#x of the windows: cpu %02x emu %02x (was %02x)",
						 i, cpu_mem.bytes[i], emu_mem.bytes[i], mem0.bytes[i]);
			return false;
		}
	}
	if (undefined_differ)
		tap_diag("%s: undefined flags differ from this CPU's in %lu of %u runs (not compared)",
			 s->name, undefined_differ, runs);
	return true;
}

static struct mode modes[] = {
	{
		.tag = "64-bit",
		.emul_mode = SVMX_EMUL_MODE64,
		.start = __start_emul_snippets64,
		.stop = __stop_emul_snippets64,
		.win = { { emul_buf, sizeof(emul_buf) }, { emul_buf, 0 } },
		.random_regs = random_regs64,
		.run_native = run_native64,
		.ngpr = 16,
	},
	{
		.tag = "32-bit",
		.emul_mode = SVMX_EMUL_MODE32,
		.start = __start_emul_snippets32,
		.stop = __stop_emul_snippets32,
		/* Below the stack (STACK32_TOP), and where 16-bit sums land. */
		.win = { { emul_seg_area, 0x1800 }, { emul_seg_area + 0xfc00, 0xc00 } },
		.random_regs = random_regs32,
		.run_native = run_native32,
		.ngpr = 8,
	},
};

int main(void)
{
	unsigned int runs = 1000, total = 0, i;
	const struct snippet *s;
	const char *env;
	u64 seed = 0x5eed5eed12345678ULL;

	env = getenv("SVMX_ORACLE_SEED");
	if (env)
		seed = strtoull(env, NULL, 0);
	env = getenv("SVMX_ORACLE_RUNS");
	if (env)
		runs = strtoul(env, NULL, 0);
	rng_state = seed | 1;

	if ((uintptr_t)emul_buf + sizeof(emul_buf) > 0xffffffffULL)
		modes[0].skip = "32-bit addressing needs emul_buf below 4 GiB (link -static -no-pie)";
	modes[1].skip = setup32(&modes[1]);

	for (i = 0; i < 2; i++)
		total += modes[i].stop - modes[i].start;
	tap_plan(total);
	tap_diag("seed %#" PRIx64 ", %u runs per instruction", seed, runs);
	for (i = 0; i < 2; i++) {
		const struct mode *m = &modes[i];

		for (s = m->start; s < m->stop; s++) {
			char name[200];

			snprintf(name, sizeof(name), "oracle %s: %s", m->tag, s->name);
			if (m->skip && (i == 1 || (s->opts & OPT_ADDR32)))
				tap_skip_case(name, m->skip);
			else
				tap_result(check_snippet(m, s, runs), name);
		}
	}
	return tap_exit();
}
