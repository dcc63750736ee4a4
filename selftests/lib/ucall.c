// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of ucalls (see ucall.h) and of running a vCPU: KVM_RUN,
 * decoding the exit, and failing the test with what the guest reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest.h"

int _vcpu_run(struct vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, 0);
}

void vcpu_run(struct vcpu *vcpu)
{
	int r = _vcpu_run(vcpu);

	TEST_ASSERT(r == 0, "KVM_RUN returned %d", r);
}

const char *exit_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
		[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
		[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "(unnamed)";
}

/* One line about the current exit, for failure messages. */
static void describe_exit(struct vcpu *vcpu, char *buf, size_t size)
{
	struct kvm_run *run = vcpu->run;
	uint32_t r = run->exit_reason;
	int n = snprintf(buf, size, "KVM_EXIT_%s (%u)", exit_reason_name(r), r);

	buf += n;
	size -= n;
	switch (r) {
	case KVM_EXIT_IO:
		snprintf(buf, size, ": %s port %#x, size %u, count %u",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		snprintf(buf, size, ": %s %#llx, %u bytes",
			 run->mmio.is_write ? "write" : "read",
			 run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, size, ": hardware reason %#llx",
			 run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, size, ": suberror %u", run->internal.suberror);
		break;
	}
}

void vcpu_assert_exit(struct vcpu *vcpu, uint32_t reason)
{
	struct ucall uc;
	char what[160];

	if (vcpu->run->exit_reason == reason)
		return;
	/* A guest that failed an assertion says so: show that instead. */
	if (get_ucall(vcpu, &uc) == UCALL_ASSERT || uc.cmd == UCALL_EXCEPTION)
		ucall_report(&uc);
	describe_exit(vcpu, what, sizeof(what));
	test_assert_fail(__FILE__, __LINE__, "exit reason",
			 "expected KVM_EXIT_%s, got %s", exit_reason_name(reason), what);
}

void *vcpu_assert_io(struct vcpu *vcpu, uint8_t direction, uint16_t port,
		     uint8_t size, uint32_t count)
{
	struct kvm_run *run = vcpu->run;

	vcpu_assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.direction == direction && run->io.port == port &&
		    run->io.size == size && (!count || run->io.count == count),
		    "KVM_EXIT_IO: %s port %#x size %u count %u; expected %s port %#x size %u count %u",
		    run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port,
		    run->io.size, run->io.count,
		    direction == KVM_EXIT_IO_OUT ? "out" : "in", port, size, count);
	TEST_ASSERT(run->io.count >= 1 && run->io.data_offset >= sizeof(*run) &&
		    run->io.data_offset + (uint64_t)run->io.count * size <= vcpu->vm->run_size,
		    "KVM_EXIT_IO: %u bytes at data_offset %#llx in a %zu-byte mapping",
		    run->io.count * size, run->io.data_offset, vcpu->vm->run_size);
	return (char *)run + run->io.data_offset;
}

int get_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	uint32_t data;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT)
		return UCALL_NONE;
	TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 &&
		    run->io.count == 1,
		    "ucall port: direction %u size %u count %u", run->io.direction,
		    run->io.size, run->io.count);
	TEST_ASSERT(run->io.data_offset >= sizeof(*run) &&
		    run->io.data_offset + 4 <= vcpu->vm->run_size,
		    "io.data_offset %#llx", run->io.data_offset);
	memcpy(&data, (char *)run + run->io.data_offset, sizeof(data));
	vcpu_get_regs(vcpu, &regs);
	TEST_ASSERT(data == (uint32_t)regs.rdi,
		    "ucall: OUT data %#x but RDI %#llx", data, regs.rdi);
	vm_read_gva(vcpu->vm, regs.rdi, uc, sizeof(*uc));
	uc->msg[sizeof(uc->msg) - 1] = '\0';
	/* The file name is a string in the image: same address in the host. */
	if (uc->file)
		uc->file = vm_gva_to_hva(vcpu->vm, (uintptr_t)uc->file);
	return (int)uc->cmd;
}

static const char *vector_name(uint64_t v)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
		"coprocessor overrun", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "interrupt";
}

void ucall_report(const struct ucall *uc)
{
	switch (uc->cmd) {
	case UCALL_ASSERT:
		test_assert_fail(uc->file ? uc->file : "?", (int)uc->line,
				 "(in the guest)", "%s", uc->msg);
	case UCALL_EXCEPTION:
		test_assert_fail(__FILE__, __LINE__, "no unexpected exception",
				 "the guest took %s (vector %lu) at rip %#lx, error code %#lx, cr2 %#lx",
				 vector_name(uc->args[0]), uc->args[0], uc->args[2],
				 uc->args[1], uc->args[3]);
	default:
		test_assert_fail(__FILE__, __LINE__, "an expected ucall",
				 "unexpected ucall %lu (args %#lx %#lx)", uc->cmd,
				 uc->args[0], uc->args[1]);
	}
}

int vcpu_check_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	char what[160];

	switch (get_ucall(vcpu, uc)) {
	case UCALL_PRINT:
		fprintf(stderr, "# guest: %s\n", uc->msg);
		/* fall through */
	case UCALL_SYNC:
	case UCALL_DONE:
		return (int)uc->cmd;
	case UCALL_NONE:
		describe_exit(vcpu, what, sizeof(what));
		test_assert_fail(__FILE__, __LINE__, "a ucall",
				 "the guest exited with %s", what);
	default:
		ucall_report(uc);
	}
}

int vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	int cmd;

	do {
		vcpu_run(vcpu);
		cmd = vcpu_check_ucall(vcpu, uc);
	} while (cmd == UCALL_PRINT);
	return cmd;
}

uint64_t vcpu_run_sync(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC,
		    "GUEST_DONE where GUEST_SYNC was expected");
	return uc.args[0];
}

void vcpu_run_done(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_DONE,
		    "GUEST_SYNC(%#lx) where GUEST_DONE was expected", uc.args[0]);
}
