// SPDX-License-Identifier: GPL-2.0
/*
 * External interrupts with the irqchip in userspace (no KVM_CREATE_IRQCHIP):
 * KVM_INTERRUPT queues a vector that the guest's IDT handler receives
 * (api.rst 4.16); run->request_interrupt_window makes KVM_RUN return
 * KVM_EXIT_IRQ_WINDOW_OPEN once the guest can take one, and every exit
 * reports if_flag and ready_for_interrupt_injection (api.rst 5). The
 * interrupt shadow of STI and MOV SS (SDM Vol. 3A 6.8.3) shows in
 * KVM_GET_VCPU_EVENTS' interrupt.shadow while the vCPU is stopped inside it.
 *
 * As a VMM does, the tests inject only when the last exit said
 * ready_for_interrupt_injection: what KVM does with KVM_INTERRUPT while the
 * guest cannot take the interrupt is not part of the ABI.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

#define VEC_BASE	0x40
#define MAX_SEEN	8

/* Guest globals: what the interrupt handler saw. */
static uint64_t nr_seen;
static uint64_t seen_vector[MAX_SEEN];
static uint64_t seen_rip[MAX_SEEN];
static uint64_t seen_rflags[MAX_SEEN];

static void guest_irq_handler(struct guest_regs *regs)
{
	uint64_t n = nr_seen;

	if (n < MAX_SEEN) {
		seen_vector[n] = regs->vector;
		seen_rip[n] = regs->rip;
		seen_rflags[n] = regs->rflags;
	}
	nr_seen = n + 1;
}

static void install_irq_handlers(struct vm *vm)
{
	for (int v = VEC_BASE; v < VEC_BASE + 16; v++)
		vm_install_exception_handler(vm, v, guest_irq_handler);
	vm_install_exception_handler(vm, 0xff, guest_irq_handler);
}

/*
 * guest_window: STI, then the one instruction of its shadow (EAX = 1), then
 * EAX = 2 at guest_after_shadow. guest_hlt_sti: STI; HLT (the HLT is in
 * the shadow). guest_mov_ss: MOV SS then an OUT to port 0x80 in its shadow.
 * guest_sti_out: STI then an OUT to port 0x80 in its shadow.
 */
asm(".pushsection .text\n"
    "guest_window:\n"
    "	sti\n"
    "guest_after_sti:\n"
    "	movl $1, %eax\n"
    "guest_after_shadow:\n"
    "	movl $2, %eax\n"
    "	cli\n"
    "	ret\n"
    "guest_hlt_sti:\n"
    "	sti\n"
    "	hlt\n"
    "guest_after_hlt:\n"
    "	nop\n"
    "	cli\n"
    "	ret\n"
    "guest_mov_ss:\n"
    "	movw %ss, %ax\n"
    "	movw %ax, %ss\n"
    "guest_mov_ss_out:\n"
    "	outb %al, $0x80\n"
    "	nop\n"
    "	outb %al, $0x80\n"
    "	ret\n"
    "guest_sti_out:\n"
    "	sti\n"
    "guest_sti_out_out:\n"
    "	outb %al, $0x80\n"
    "	nop\n"
    "	outb %al, $0x80\n"
    "	cli\n"
    "	ret\n"
    ".popsection");
extern char guest_window[], guest_after_sti[], guest_after_shadow[],
	guest_hlt_sti[], guest_after_hlt[], guest_mov_ss[], guest_mov_ss_out[],
	guest_sti_out[], guest_sti_out_out[];

static void call(const char *fn)
{
	((void (*)(void))fn)();
}

/* Interrupts on; report how many came, @n times. */
static void guest_sti_sync(uint64_t n)
{
	asm volatile("sti" : : : "memory");
	for (uint64_t i = 0; i < n; i++)
		GUEST_SYNC(nr_seen);
	asm volatile("cli" : : : "memory");
}

static struct vm *create(struct vcpu **vcpu, void *guest_code)
{
	struct vm *vm = vm_create_with_vcpu(vcpu, guest_code);

	install_irq_handlers(vm);
	return vm;
}

static int inject(struct vcpu *vcpu, uint32_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	return ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
}

static void get_events(struct vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	TEST_ASSERT(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev) == 0,
		    "KVM_GET_VCPU_EVENTS");
}

TEST(interrupt_reaches_idt_handler)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sti_sync);

	vcpu_args_set(vcpu, 1, 2ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(1, vcpu->run->if_flag);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, inject(vcpu, VEC_BASE + 1)) TH_LOG("%m");
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_sync_from_guest(vm, seen_vector);
	vm_sync_from_guest(vm, seen_rflags);
	EXPECT_EQ((uint64_t)VEC_BASE + 1, seen_vector[0]);
	/* The frame holds the interrupted RFLAGS, IF set. */
	EXPECT_NE(0ULL, seen_rflags[0] & X86_RFLAGS_IF);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* Vector 255, the last one, and a vector below 32 are delivered as given. */
TEST(any_vector_below_256)
{
	static const uint32_t vectors[] = { 0xff, 0x1f };
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sti_sync);

	vm_install_exception_handler(vm, 0x1f, guest_irq_handler);
	vcpu_args_set(vcpu, 1, 3ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(1, vcpu->run->ready_for_interrupt_injection);
		ASSERT_EQ(0, inject(vcpu, vectors[i])) TH_LOG("%m");
		EXPECT_EQ((uint64_t)i + 1, vcpu_run_sync(vcpu));
	}
	vm_sync_from_guest(vm, seen_vector);
	EXPECT_EQ(0xffULL, seen_vector[0]);
	EXPECT_EQ(0x1fULL, seen_vector[1]);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

TEST(vector_out_of_range_is_einval)
{
	static const uint32_t bad[] = { 256, 257, 0x1000, 0xffffffff };
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sti_sync);

	vcpu_args_set(vcpu, 1, 2ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, inject(vcpu, bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("vector %#x", bad[i]);
	}
	/* Nothing was queued: the guest sees no interrupt. */
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* One injection per exit, each delivered before the next: in order. */
TEST(several_injections_in_order)
{
	static const uint32_t vectors[] = { 0x43, 0x41, 0x4f, 0x42, 0x41 };
	const int n = sizeof(vectors) / sizeof(vectors[0]);
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sti_sync);

	vcpu_args_set(vcpu, 1, (uint64_t)n + 1);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(1, vcpu->run->ready_for_interrupt_injection);
		ASSERT_EQ(0, inject(vcpu, vectors[i])) TH_LOG("%m");
		EXPECT_EQ((uint64_t)i + 1, vcpu_run_sync(vcpu));
	}
	vm_sync_from_guest(vm, seen_vector);
	for (int i = 0; i < n; i++) {
		EXPECT_EQ((uint64_t)vectors[i], seen_vector[i]);
	}
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_window_code(void)
{
	GUEST_SYNC(0);
	call(guest_window);
	GUEST_SYNC2(nr_seen, seen_rip[0]);
}

/*
 * IF=0 with request_interrupt_window: KVM_RUN comes back with
 * KVM_EXIT_IRQ_WINDOW_OPEN once STI and its shadow are through (the
 * instruction after STI has run, the one after it has not), reporting
 * if_flag and ready_for_interrupt_injection; an interrupt injected then is
 * taken right there.
 */
TEST(window_opens_after_sti_shadow)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_window_code);
	struct kvm_regs regs;
	struct ucall uc;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(0, vcpu->run->if_flag);
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);
	vcpu->run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_NONE, get_ucall(vcpu, &uc))
		TH_LOG("ucall %lu before the window opened", uc.cmd);
	vcpu_assert_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ(1, vcpu->run->if_flag);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	vcpu_get_regs(vcpu, &regs);
	EXPECT_EQ((uintptr_t)guest_after_shadow, regs.rip);
	EXPECT_EQ(1ULL, regs.rax);
	EXPECT_NE(0ULL, regs.rflags & X86_RFLAGS_IF);

	vcpu->run->request_interrupt_window = 0;
	ASSERT_EQ(0, inject(vcpu, VEC_BASE + 7)) TH_LOG("%m");
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	EXPECT_EQ(1ULL, uc.args[0]);
	EXPECT_EQ((uintptr_t)guest_after_shadow, uc.args[1]);
	vm_sync_from_guest(vm, seen_vector);
	EXPECT_EQ((uint64_t)VEC_BASE + 7, seen_vector[0]);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* With IF already set, the window is open: the exit comes at once. */
TEST(window_already_open)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_sti_sync);
	struct ucall uc;
	int exits = 0;

	vcpu_args_set(vcpu, 1, 50ULL);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu->run->request_interrupt_window = 1;
	/* KVM may first finish the ucall's OUT and go in once. */
	do {
		vcpu_run(vcpu);
		exits++;
		if (vcpu->run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN)
			break;
		ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	} while (exits < 10);
	vcpu_assert_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ(1, vcpu->run->if_flag);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	vm_free(vm);
}

static void guest_hlt_code(void)
{
	GUEST_SYNC(0);
	call(guest_hlt_sti);
	GUEST_SYNC2(nr_seen, seen_rip[0]);
}

/*
 * HLT with IF=1 exits to userspace (no in-kernel APIC); an interrupt
 * injected then is delivered with RIP past the HLT.
 */
TEST(injection_while_halted)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_hlt_code);
	struct ucall uc;

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
	EXPECT_EQ(1, vcpu->run->if_flag);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, inject(vcpu, VEC_BASE + 3)) TH_LOG("%m");
	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_check_ucall(vcpu, &uc));
	EXPECT_EQ(1ULL, uc.args[0]);
	EXPECT_EQ((uintptr_t)guest_after_hlt, uc.args[1]);
	vm_sync_from_guest(vm, seen_vector);
	EXPECT_EQ((uint64_t)VEC_BASE + 3, seen_vector[0]);
	vcpu_run_done(vcpu);
	vm_free(vm);
}

/* Run @fn (guest_sti_out or guest_mov_ss) to its first OUT to port 0x80. */
static void guest_shadow_code(const char *fn)
{
	GUEST_SYNC(0);
	call(fn);
	GUEST_SYNC(1);
}

static void run_to_port80(struct vcpu *vcpu, const char *at)
{
	struct kvm_regs regs;

	vcpu_run(vcpu);
	vcpu_assert_io(vcpu, KVM_EXIT_IO_OUT, 0x80, 1, 1);
	vcpu_get_regs(vcpu, &regs);
	/* KVM completes the OUT (moves RIP past it) on the next KVM_RUN. */
	if (at)
		TEST_ASSERT_EQ(regs.rip, (uintptr_t)at);
}

/*
 * The vCPU stopped at an OUT right after STI / MOV SS: the shadow shows in
 * interrupt.shadow (on SVM, which does not tell the two apart, KVM reports
 * both bits); one instruction later it is gone.
 */
static void check_shadow(struct __test_metadata *_metadata, const char *fn,
			 const char *out_rip, __u8 bit)
{
	struct vcpu *vcpu;
	struct vm *vm = create(&vcpu, guest_shadow_code);
	struct kvm_vcpu_events ev;

	vcpu_args_set(vcpu, 1, (uint64_t)fn);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.interrupt.shadow);
	EXPECT_NE(0U, ev.flags & KVM_VCPUEVENT_VALID_SHADOW);

	run_to_port80(vcpu, out_rip);
	get_events(vcpu, &ev);
	EXPECT_NE(0, ev.interrupt.shadow & bit)
		TH_LOG("interrupt.shadow %#x in the shadow", ev.interrupt.shadow);
	/* Not ready while the shadow lasts. */
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);

	run_to_port80(vcpu, NULL);
	get_events(vcpu, &ev);
	EXPECT_EQ(0, ev.interrupt.shadow);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST(sti_shadow_in_vcpu_events)
{
	check_shadow(_metadata, guest_sti_out, guest_sti_out_out,
		     KVM_X86_SHADOW_INT_STI);
}

TEST(mov_ss_shadow_in_vcpu_events)
{
	check_shadow(_metadata, guest_mov_ss, guest_mov_ss_out,
		     KVM_X86_SHADOW_INT_MOV_SS);
}

TEST_HARNESS_MAIN
