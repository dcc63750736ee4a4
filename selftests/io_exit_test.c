// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O that reaches userspace as KVM_EXIT_IO (api.rst 5 "struct
 * kvm_run", KVM_EXIT_IO): IN and OUT of 1, 2 and 4 bytes, the immediate and
 * DX forms, and the string forms with and without REP, forwards and
 * backwards. The data travels through the vCPU mapping at io.data_offset:
 * OUT data is there at the exit, IN data is put there by the host before
 * the next KVM_RUN. A REP string operation may take several exits; each
 * carries io.count elements, and together they carry the whole string in
 * order.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "guest.h"

#define PORT 0x3f0

/* The byte at position @i of the test strings. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

static void guest_out(void)
{
	outb(0x80, 0x11);
	outw(0x81, 0x2233);
	outl(0x82, 0x44556677);
	/* Ports above 0xff need DX. */
	outb(0xffff, 0x88);
	outw(PORT, 0x99aa);
	outl(PORT, 0xbbccddee);
	GUEST_DONE();
}

static void expect_out(struct vcpu *vcpu, uint16_t port, int size, uint32_t val)
{
	uint32_t data = 0;

	vcpu_run(vcpu);
	memcpy(&data, vcpu_assert_io(vcpu, KVM_EXIT_IO_OUT, port, size, 1), size);
	TEST_ASSERT_EQ(data, val);
}

TEST(out_sizes)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_out);

	expect_out(vcpu, 0x80, 1, 0x11);
	expect_out(vcpu, 0x81, 2, 0x2233);
	expect_out(vcpu, 0x82, 4, 0x44556677);
	expect_out(vcpu, 0xffff, 1, 0x88);
	expect_out(vcpu, PORT, 2, 0x99aa);
	expect_out(vcpu, PORT, 4, 0xbbccddee);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/*
 * IN writes AL, AX or EAX: the rest of RAX is kept for 1 and 2 bytes, and
 * cleared above bit 31 for 4 (a 32-bit destination, SDM Vol. 1 3.4.1.1).
 */
static void guest_in(void)
{
	uint64_t v;

	v = 0x0123456789abcdefULL;
	asm volatile("inb %w1, %b0" : "+a"(v) : "Nd"((uint16_t)0x80));
	GUEST_SYNC(v);
	v = 0x0123456789abcdefULL;
	asm volatile("inw %w1, %w0" : "+a"(v) : "Nd"((uint16_t)PORT));
	GUEST_SYNC(v);
	v = 0x0123456789abcdefULL;
	asm volatile("inl %w1, %k0" : "+a"(v) : "Nd"((uint16_t)PORT));
	GUEST_SYNC(v);
}

static void supply_in(struct vcpu *vcpu, uint16_t port, int size, uint32_t val)
{
	vcpu_run(vcpu);
	memcpy(vcpu_assert_io(vcpu, KVM_EXIT_IO_IN, port, size, 1), &val, size);
}

TEST(in_sizes)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_in);

	supply_in(vcpu, 0x80, 1, 0x5a);
	EXPECT_EQ(0x0123456789abcd5aULL, vcpu_run_sync(vcpu));
	supply_in(vcpu, PORT, 2, 0xa55a);
	EXPECT_EQ(0x0123456789aba55aULL, vcpu_run_sync(vcpu));
	supply_in(vcpu, PORT, 4, 0xfedcba98);
	EXPECT_EQ(0x00000000fedcba98ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

/* --- String I/O --- */

struct str_op {
	uint64_t buf;		/* guest address of the first element */
	uint64_t count;		/* elements */
	uint32_t size;		/* 1, 2 or 4 */
	uint32_t in;		/* INS (else OUTS) */
	uint32_t rep;		/* REP prefix (else one element) */
	uint32_t down;		/* RFLAGS.DF = 1 */
};

/* The guest runs one string instruction, then reports RSI/RDI and RCX. */
static void guest_string_io(const struct str_op *op)
{
	uint64_t p = op->buf, n = op->count;

	if (op->down)
		asm volatile("std");
#define INS(insn)  asm volatile(insn : "+D"(p), "+c"(n) : "d"(PORT) : "memory")
#define OUTS(insn) asm volatile(insn : "+S"(p), "+c"(n) : "d"(PORT) : "memory")
	switch (op->rep << 8 | op->in << 4 | op->size) {
	case 0x001: OUTS("outsb"); break;
	case 0x002: OUTS("outsw"); break;
	case 0x004: OUTS("outsl"); break;
	case 0x011: INS("insb"); break;
	case 0x012: INS("insw"); break;
	case 0x014: INS("insl"); break;
	case 0x101: OUTS("rep outsb"); break;
	case 0x102: OUTS("rep outsw"); break;
	case 0x104: OUTS("rep outsl"); break;
	case 0x111: INS("rep insb"); break;
	case 0x112: INS("rep insw"); break;
	case 0x114: INS("rep insl"); break;
	}
#undef INS
#undef OUTS
	asm volatile("cld");
	GUEST_SYNC2(p, n);
}

/* Guest address of element @k of @op (the k-th one transferred). */
static uint64_t element(const struct str_op *op, uint64_t k)
{
	return op->down ? op->buf - k * op->size : op->buf + k * op->size;
}

/*
 * Run @op in a fresh VM; its buffer is @pages pages, the string's lowest
 * byte at @offset. Byte b of element k is byte k * size + b of the port
 * stream, which is pattern(0), pattern(1), ...: OUTS finds it in memory
 * (the host wrote it there), INS gets it from the host. Returns the number
 * of exits the string took.
 */
static int run_string_io(struct __test_metadata *_metadata, struct str_op op,
			 int pages, uint64_t offset)
{
	uint64_t bytes = op.count * op.size, done = 0, size = pages * GUEST_PAGE_SIZE;
	uint8_t *mem = calloc(1, size);
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_string_io);
	uint64_t base = vm_alloc_pages(vm, pages), opg = vm_alloc_pages(vm, 1);
	int exits = 0, bad = 0;
	struct ucall uc;

	op.buf = base + offset + (op.down && op.count ? bytes - op.size : 0);
	if (!op.in) {
		for (uint64_t k = 0; k < op.count; k++)
			for (uint32_t b = 0; b < op.size; b++)
				mem[element(&op, k) - base + b] = pattern(k * op.size + b);
		vm_write_gva(vm, base, mem, size);
	}
	vm_write_gva(vm, opg, &op, sizeof(op));
	vcpu_args_set(vcpu, 1, opg);

	for (;;) {
		uint64_t n;
		uint8_t *data;

		vcpu_run(vcpu);
		if (get_ucall(vcpu, &uc) != UCALL_NONE)
			break;
		data = vcpu_assert_io(vcpu, op.in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT,
				      PORT, op.size, 0);
		n = (uint64_t)vcpu->run->io.count * op.size;
		exits++;
		ASSERT_GE(bytes - done, n)
			TH_LOG("exit %d: %u elements with %lu bytes left", exits,
			       vcpu->run->io.count, bytes - done);
		for (uint64_t i = 0; i < n; i++) {
			if (op.in)
				data[i] = pattern(done + i);
			else if (data[i] != pattern(done + i) && !bad++)
				TH_LOG("exit %d: byte %lu of the string is %#x, not %#x",
				       exits, done + i, data[i], pattern(done + i));
		}
		done += n;
	}
	if (uc.cmd != UCALL_SYNC)
		ucall_report(&uc);
	EXPECT_EQ(bytes, done);
	EXPECT_EQ(0, bad);

	/* RSI/RDI moved past the string; REP counts RCX down to 0. */
	EXPECT_EQ(element(&op, op.count), uc.args[0]);
	EXPECT_EQ(op.rep ? 0 : op.count, uc.args[1]);

	if (op.in) {
		vm_read_gva(vm, base, mem, size);
		for (uint64_t k = 0; k < op.count; k++)
			for (uint32_t b = 0; b < op.size; b++) {
				uint64_t at = element(&op, k) - base + b;

				if (mem[at] != pattern(k * op.size + b) && !bad++)
					TH_LOG("element %lu byte %u is %#x, not %#x", k, b,
					       mem[at], pattern(k * op.size + b));
				mem[at] = 0;
			}
		/* What is left must still be zero: nothing written outside. */
		for (uint64_t i = 0; i < size; i++)
			if (mem[i] && !bad++)
				TH_LOG("byte %lu outside the string was written", i);
		EXPECT_EQ(0, bad);
	}
	free(mem);
	vm_free(vm);
	return exits;
}

TEST(outs_single)
{
	struct str_op op = { .count = 1, .size = 2 };

	EXPECT_EQ(1, run_string_io(_metadata, op, 1, 0x10));
}

TEST(ins_single)
{
	struct str_op op = { .count = 1, .size = 4, .in = 1 };

	EXPECT_EQ(1, run_string_io(_metadata, op, 1, 0x20));
}

TEST(rep_outsb)
{
	struct str_op op = { .count = 300, .size = 1, .rep = 1 };

	run_string_io(_metadata, op, 1, 0x100);
}

TEST(rep_outsw_across_pages)
{
	struct str_op op = { .count = 3000, .size = 2, .rep = 1 };

	run_string_io(_metadata, op, 3, 0xf00);
}

TEST(rep_outsl)
{
	struct str_op op = { .count = 100, .size = 4, .rep = 1 };

	run_string_io(_metadata, op, 1, 0x40);
}

/* 8 KiB in one REP INSB: more than the I/O data page holds. */
TEST(rep_insb_8k_across_pages)
{
	struct str_op op = { .count = 8192, .size = 1, .in = 1, .rep = 1 };

	run_string_io(_metadata, op, 3, 0x800);
}

TEST(rep_insw)
{
	struct str_op op = { .count = 1000, .size = 2, .in = 1, .rep = 1 };

	run_string_io(_metadata, op, 2, 0x6);
}

TEST(rep_insl)
{
	struct str_op op = { .count = 700, .size = 4, .in = 1, .rep = 1 };

	run_string_io(_metadata, op, 2, 0x0);
}

/* RFLAGS.DF = 1: the string is walked downwards. */
TEST(rep_outsw_backwards)
{
	struct str_op op = { .count = 200, .size = 2, .rep = 1, .down = 1 };

	run_string_io(_metadata, op, 1, 0x200);
}

TEST(rep_insl_backwards)
{
	struct str_op op = { .count = 300, .size = 4, .in = 1, .rep = 1, .down = 1 };

	run_string_io(_metadata, op, 2, 0x400);
}

/* REP with RCX = 0 does nothing and takes no exit. */
TEST(rep_count_zero)
{
	struct str_op op = { .count = 0, .size = 1, .rep = 1 };

	EXPECT_EQ(0, run_string_io(_metadata, op, 1, 0));
}

TEST_HARNESS_MAIN
