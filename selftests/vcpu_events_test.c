// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET/SET_VCPU_EVENTS (api.rst 4.31, 4.32) and KVM_GET/SET_DEBUGREGS
 * (4.33, 4.34), as KVM 6.1 implements them:
 *
 * - SET takes the exception, interrupt.injected/nr and nmi.injected/masked
 *   always, nmi.pending only with KVM_VCPUEVENT_VALID_NMI_PENDING and
 *   interrupt.shadow only with KVM_VCPUEVENT_VALID_SHADOW; other flags than
 *   the VALID_* ones are EINVAL, as are VALID_PAYLOAD and VALID_TRIPLE_FAULT
 *   before their capabilities are enabled, and an exception with a vector
 *   above 31 or 2 (NMI).
 * - An exception or interrupt set so is delivered at the next KVM_RUN
 *   through the guest's IDT, with its error code.
 * - Debug registers: the guest reads what the host set and the host what
 *   the guest wrote; flags other than 0 and bits 63:32 of DR6 or DR7 are
 *   EINVAL.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

#define MAX_SEEN	8

/* Guest globals: what the handlers saw. */
static uint64_t nr_seen;
static uint64_t seen_vector[MAX_SEEN];
static uint64_t seen_error[MAX_SEEN];

static void guest_handler(struct guest_regs *regs)
{
	uint64_t n = nr_seen;

	if (n < MAX_SEEN) {
		seen_vector[n] = regs->vector;
		seen_error[n] = regs->error_code;
	}
	nr_seen = n + 1;
}

/* Report how many events came, @n times; interrupts on if @sti. */
static void guest_sync_seen(uint64_t n, uint64_t sti)
{
	if (sti)
		asm volatile("sti" : : : "memory");
	for (uint64_t i = 0; i < n; i++)
		GUEST_SYNC(nr_seen);
	asm volatile("cli" : : : "memory");
}

static struct vm *create(struct vcpu **vcpu, uint64_t n, bool sti)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, guest_sync_seen);
	static const int vectors[] = { 2, UD_VECTOR, GP_VECTOR, PF_VECTOR,
				       0x45 };

	for (unsigned int i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		vm_install_exception_handler(vm, vectors[i], guest_handler);
	vcpu_args_set(*vcpu, 2, n, (uint64_t)sti);
	return vm;
}

static void get_events(struct vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	memset(ev, 0xcc, sizeof(*ev));
	TEST_ASSERT(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev) == 0,
		    "KVM_GET_VCPU_EVENTS");
}

static int set_events(struct vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, ev);
}

TEST(initial_events)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 1, false);
	struct kvm_vcpu_events ev;

	get_events(vcpu, &ev);
	EXPECT_EQ((__u32)(KVM_VCPUEVENT_VALID_NMI_PENDING |
			  KVM_VCPUEVENT_VALID_SHADOW),
		  ev.flags & (KVM_VCPUEVENT_VALID_NMI_PENDING |
			      KVM_VCPUEVENT_VALID_SHADOW));
	/* No payload or triple-fault flag before their capabilities. */
	EXPECT_EQ(0U, ev.flags & (KVM_VCPUEVENT_VALID_PAYLOAD |
				  KVM_VCPUEVENT_VALID_TRIPLE_FAULT));
	EXPECT_EQ(0, ev.exception.injected);
	EXPECT_EQ(0, ev.exception.pending);
	EXPECT_EQ(0, ev.interrupt.injected);
	EXPECT_EQ(0, ev.interrupt.shadow);
	EXPECT_EQ(0, ev.nmi.injected);
	EXPECT_EQ(0, ev.nmi.pending);
	EXPECT_EQ(0, ev.nmi.masked);
	EXPECT_EQ(0U, ev.sipi_vector);
	EXPECT_EQ(0, ev.smi.smm);
	EXPECT_EQ(0, ev.smi.pending);
	/* A round trip of what GET said changes nothing. */
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* Inject exception @vector through SET_VCPU_EVENTS; the guest handles it. */
static void check_exception(struct __test_metadata *_metadata, __u8 vector,
			    bool has_error, __u32 error)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 2, false);
	struct kvm_vcpu_events ev;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	get_events(vcpu, &ev);
	ev.exception.injected = 1;
	ev.exception.nr = vector;
	ev.exception.has_error_code = has_error;
	ev.exception.error_code = error;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");

	get_events(vcpu, &ev);
	EXPECT_EQ(1, ev.exception.injected);
	EXPECT_EQ(vector, ev.exception.nr);
	EXPECT_EQ(has_error, ev.exception.has_error_code);
	if (has_error) {
		EXPECT_EQ(error, ev.exception.error_code);
	}

	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, seen_vector);
	vm_sync_from_guest(vm, seen_error);
	EXPECT_EQ((uint64_t)vector, seen_vector[0]);
	EXPECT_EQ(has_error ? (uint64_t)error : 0ULL, seen_error[0]);
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.exception.injected);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST(exception_with_error_code_delivered)
{
	check_exception(_metadata, GP_VECTOR, true, 0x1234);
}

TEST(exception_without_error_code_delivered)
{
	check_exception(_metadata, UD_VECTOR, false, 0);
}

TEST(exception_vector_checked)
{
	static const __u8 bad[] = { 2, 32, 0x80, 0xff };
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 1, false);
	struct kvm_vcpu_events ev;

	for (unsigned int i = 0; i < sizeof(bad); i++) {
		get_events(vcpu, &ev);
		ev.exception.injected = 1;
		ev.exception.nr = bad[i];
		errno = 0;
		EXPECT_EQ(-1, set_events(vcpu, &ev));
		EXPECT_EQ(EINVAL, errno) TH_LOG("vector %u", bad[i]);
	}
	/* Not injected: the vector is not looked at. */
	get_events(vcpu, &ev);
	ev.exception.injected = 0;
	ev.exception.nr = 0x80;
	EXPECT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST(interrupt_injected_delivered)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 2, true);
	struct kvm_vcpu_events ev;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	ASSERT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	get_events(vcpu, &ev);
	ev.interrupt.injected = 1;
	ev.interrupt.nr = 0x45;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(1, ev.interrupt.injected);
	EXPECT_EQ(0x45, ev.interrupt.nr);

	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, seen_vector);
	EXPECT_EQ(0x45ULL, seen_vector[0]);
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.interrupt.injected);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* KVM_INTERRUPT shows as interrupt.injected until it is delivered. */
TEST(kvm_interrupt_shows_as_injected)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 2, true);
	struct kvm_interrupt irq = { .irq = 0x45 };
	struct kvm_vcpu_events ev;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_INTERRUPT, &irq)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(1, ev.interrupt.injected);
	EXPECT_EQ(0x45, ev.interrupt.nr);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* nmi.pending counts only with KVM_VCPUEVENT_VALID_NMI_PENDING. */
TEST(nmi_pending_needs_its_flag)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 3, false);
	struct kvm_vcpu_events ev;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	get_events(vcpu, &ev);
	ev.flags = 0;
	ev.nmi.pending = 1;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.nmi.pending);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));

	get_events(vcpu, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(1, ev.nmi.pending);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, seen_vector);
	EXPECT_EQ(2ULL, seen_vector[0]);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* nmi.injected: an NMI whose delivery was under way; delivered next. */
TEST(nmi_injected_delivered)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 2, false);
	struct kvm_vcpu_events ev;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	get_events(vcpu, &ev);
	ev.flags = 0;
	ev.nmi.injected = 1;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(1, ev.nmi.injected);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, seen_vector);
	EXPECT_EQ(2ULL, seen_vector[0]);
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.nmi.injected);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* nmi.masked is set and read back, with or without flags. */
TEST(nmi_masked_round_trip)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 1, false);
	struct kvm_vcpu_events ev;

	get_events(vcpu, &ev);
	ev.flags = 0;
	ev.nmi.masked = 1;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(1, ev.nmi.masked);
	ev.nmi.masked = 0;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.nmi.masked);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* interrupt.shadow counts only with KVM_VCPUEVENT_VALID_SHADOW. */
TEST(shadow_needs_its_flag)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 2, true);
	struct kvm_vcpu_events ev;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	get_events(vcpu, &ev);
	ev.flags = 0;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.interrupt.shadow);

	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	ASSERT_EQ(0, set_events(vcpu, &ev)) TH_LOG("%m");
	get_events(vcpu, &ev);
	EXPECT_NE(0, ev.interrupt.shadow & KVM_X86_SHADOW_INT_STI);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST(unknown_flags_einval)
{
	static const __u32 bad[] = {
		0x40, 0x80, 0x100, 0x80000000,
		/* Their capabilities are not enabled. */
		KVM_VCPUEVENT_VALID_PAYLOAD, KVM_VCPUEVENT_VALID_TRIPLE_FAULT,
	};
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 1, false);
	struct kvm_vcpu_events ev;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		get_events(vcpu, &ev);
		ev.flags = bad[i];
		errno = 0;
		EXPECT_EQ(-1, set_events(vcpu, &ev));
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags %#x", bad[i]);
	}
	vm_free(vm);
}

/*
 * Every VALID_* flag a VMM sends without the capabilities above, with
 * nothing in the fields they cover, is taken: QEMU always sends
 * KVM_VCPUEVENT_VALID_SMM.
 */
TEST(known_flags_accepted)
{
	static const __u32 good[] = {
		KVM_VCPUEVENT_VALID_NMI_PENDING, KVM_VCPUEVENT_VALID_SIPI_VECTOR,
		KVM_VCPUEVENT_VALID_SHADOW, KVM_VCPUEVENT_VALID_SMM,
		KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
		KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM,
	};
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, 1, false);
	struct kvm_vcpu_events ev;

	for (unsigned int i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		get_events(vcpu, &ev);
		ev.flags = good[i];
		ev.smi.smm = 0;
		ev.smi.pending = 0;
		ev.smi.smm_inside_nmi = 0;
		ev.smi.latched_init = 0;
		EXPECT_EQ(0, set_events(vcpu, &ev))
			TH_LOG("flags %#x: %m", good[i]);
	}
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* --- Debug registers --- */

/* What the host sets and the guest writes. */
static const uint64_t host_db[4] = {
	0xffffffff81000000ULL, 0x1000, 0x7ffffffff000ULL, 0x12345678,
};
static const uint64_t guest_db[4] = {
	0x2000, 0xffff800000001230ULL, 0x87654320, 0x40,
};
#define HOST_DR6	0xffff0ff1ULL
#define GUEST_DR6	0xffff0ff2ULL
/* LE, GE and the RW/LEN fields of DR0, no breakpoint enabled. */
#define HOST_DR7	0x000d0700ULL
#define GUEST_DR7	0x00f00400ULL

#define READ_DR(n, v)	asm volatile("mov %%dr" #n ", %0" : "=r"(v))
#define WRITE_DR(n, v)	asm volatile("mov %0, %%dr" #n : : "r"(v))

static void guest_debugregs(void)
{
	uint64_t v[6];

	GUEST_SYNC(0);
	READ_DR(0, v[0]);
	READ_DR(1, v[1]);
	READ_DR(2, v[2]);
	READ_DR(3, v[3]);
	READ_DR(6, v[4]);
	READ_DR(7, v[5]);
	for (int i = 0; i < 4; i++)
		GUEST_ASSERT_EQ(v[i], host_db[i]);
	GUEST_ASSERT_EQ(v[4], HOST_DR6);
	GUEST_ASSERT_EQ(v[5], HOST_DR7);

	v[0] = guest_db[0];
	v[1] = guest_db[1];
	v[2] = guest_db[2];
	v[3] = guest_db[3];
	WRITE_DR(0, v[0]);
	WRITE_DR(1, v[1]);
	WRITE_DR(2, v[2]);
	WRITE_DR(3, v[3]);
	v[4] = GUEST_DR6;
	v[5] = GUEST_DR7;
	WRITE_DR(6, v[4]);
	WRITE_DR(7, v[5]);
	GUEST_SYNC(1);
}

TEST(debugregs_round_trip)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_debugregs);
	struct kvm_debugregs d;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	memset(&d, 0, sizeof(d));
	memcpy(d.db, host_db, sizeof(d.db));
	d.dr6 = HOST_DR6;
	d.dr7 = HOST_DR7;
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d)) TH_LOG("%m");
	memset(&d, 0xcc, sizeof(d));
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d)) TH_LOG("%m");
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(host_db[i], d.db[i]);
	}
	EXPECT_EQ(HOST_DR6, d.dr6);
	EXPECT_EQ(HOST_DR7, d.dr7);
	EXPECT_EQ(0U, d.flags);

	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	memset(&d, 0xcc, sizeof(d));
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d)) TH_LOG("%m");
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(guest_db[i], d.db[i]) TH_LOG("DR%d", i);
	}
	EXPECT_EQ(GUEST_DR6, d.dr6);
	EXPECT_EQ(GUEST_DR7, d.dr7);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST(debugregs_invalid)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_vcpu(&vcpu, guest_debugregs);
	struct kvm_debugregs good, d;

	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &good)) TH_LOG("%m");
	d = good;
	d.flags = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d));
	EXPECT_EQ(EINVAL, errno);
	d = good;
	d.dr6 |= 1ULL << 32;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d));
	EXPECT_EQ(EINVAL, errno);
	d = good;
	d.dr7 |= 1ULL << 63;
	EXPECT_EQ(-1, ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing changed. */
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d)) TH_LOG("%m");
	EXPECT_EQ(0, memcmp(good.db, d.db, sizeof(d.db)));
	EXPECT_EQ(good.dr6, d.dr6);
	EXPECT_EQ(good.dr7, d.dr7);
	vm_free(vm);
}

TEST_HARNESS_MAIN
