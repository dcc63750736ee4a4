// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (KVM_CREATE_IRQCHIP): the guest programs it
 * through the xAPIC page and the x2APIC MSRs, takes its timer and IPIs in
 * IDT handlers and halts in the kernel between them (no KVM_EXIT_HLT);
 * KVM_GET/SET_LAPIC show and load its registers; an AP starts with INIT
 * and SIPI from the BSP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

#define APIC_GPA		0xfee00000ULL
#define APIC_ID			0x20
#define APIC_VERSION		0x30
#define APIC_TPR		0x80
#define APIC_PPR		0xa0
#define APIC_EOI		0xb0
#define APIC_SVR		0xf0
#define APIC_ISR		0x100
#define APIC_IRR		0x200
#define APIC_ICR		0x300
#define APIC_ICR2		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0
#define APIC_SELF		(1U << 18)
#define APIC_PERIODIC		(1U << 17)
#define APIC_MASKED		(1U << 16)
#define MSR_APIC_BASE		0x1b
#define MSR_X2APIC(off)		(0x800 + ((off) >> 4))
#define TIMER_VECTOR		0x40
#define IPI_VECTOR		0x50

static volatile uint32_t ticks, ipis, last_isr;

static uint32_t apic_read(uint32_t off)
{
	return *(volatile uint32_t *)(APIC_GPA + off);
}

static void apic_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(APIC_GPA + off) = val;
}

static void timer_handler(struct guest_regs *regs)
{
	(void)regs;
	ticks++;
	apic_write(APIC_EOI, 0);
}

static void ipi_handler(struct guest_regs *regs)
{
	(void)regs;
	ipis++;
	/* The vector is in service while its handler runs. */
	last_isr = apic_read(APIC_ISR + 0x10 * (IPI_VECTOR / 32));
	apic_write(APIC_EOI, 0);
}

static void x2apic_ipi_handler(struct guest_regs *regs)
{
	(void)regs;
	ipis++;
	wrmsr(MSR_X2APIC(APIC_EOI), 0);
}

/* A VM with the in-kernel irqchip, the APIC page mapped, one vCPU. */
static struct vm *apic_vm(struct vcpu **vcpu, void *guest_code)
{
	struct vm *vm = vm_create();

	TEST_ASSERT(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) == 0,
		    "KVM_CREATE_IRQCHIP");
	vm_identity_map(vm, APIC_GPA, GUEST_PAGE_SIZE);
	vm_install_exception_handler(vm, TIMER_VECTOR, timer_handler);
	vm_install_exception_handler(vm, IPI_VECTOR, ipi_handler);
	*vcpu = vm_add_vcpu(vm, 0, guest_code);
	return vm;
}

static void guest_periodic_timer(void)
{
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_TDCR, 0xb);			/* divide by 1 */
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR | APIC_PERIODIC);
	apic_write(APIC_TMICT, 1000000);		/* 1 ms */
	GUEST_ASSERT(apic_read(APIC_TMCCT) <= 1000000);
	while (ticks < 5)
		sti_hlt_cli();
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR | APIC_MASKED);
	apic_write(APIC_TMICT, 0);
	GUEST_SYNC(ticks);
}

TEST(periodic_timer_wakes_a_halted_guest)
{
	struct vcpu *vcpu;
	struct vm *vm = apic_vm(&vcpu, guest_periodic_timer);

	/* Five ticks, with HLT between them: no exit to userspace. */
	EXPECT_EQ(5ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_oneshot_timer(void)
{
	uint32_t c1, c2;

	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_TDCR, 0x3);			/* divide by 16 */
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	apic_write(APIC_TMICT, 100000);			/* 1.6 ms */
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c1 <= 100000 && c2 <= c1);
	while (!ticks)
		sti_hlt_cli();
	/* Expired: the current count stays 0, no second tick comes. */
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_SYNC(ticks);
}

TEST(oneshot_timer_counts_down_and_fires_once)
{
	struct vcpu *vcpu;
	struct vm *vm = apic_vm(&vcpu, guest_oneshot_timer);

	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_self_ipi_and_tpr(void)
{
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_ICR, APIC_SELF | IPI_VECTOR);
	/* Pending while interrupts are off; taken at the HLT. */
	while (!ipis)
		sti_hlt_cli();
	GUEST_ASSERT_EQ(last_isr, 1U << (IPI_VECTOR % 32));
	GUEST_ASSERT_EQ(apic_read(APIC_ISR + 0x10 * (IPI_VECTOR / 32)), 0);

	/* A TPR in the vector's class holds it in IRR. */
	apic_write(APIC_TPR, IPI_VECTOR & 0xf0);
	apic_write(APIC_ICR, APIC_SELF | IPI_VECTOR);
	asm volatile("sti; nop; nop; cli");
	GUEST_ASSERT_EQ(ipis, 1);
	GUEST_ASSERT_EQ(apic_read(APIC_IRR + 0x10 * (IPI_VECTOR / 32)),
			1U << (IPI_VECTOR % 32));
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), IPI_VECTOR & 0xf0);
	apic_write(APIC_TPR, 0);
	asm volatile("sti; nop; nop; cli");
	GUEST_ASSERT_EQ(ipis, 2);
	GUEST_SYNC(ipis);
}

TEST(self_ipi_is_delivered_and_tpr_holds_it)
{
	struct vcpu *vcpu;
	struct vm *vm = apic_vm(&vcpu, guest_self_ipi_and_tpr);

	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	wrmsr(MSR_APIC_BASE, base | (1ULL << 10));
	GUEST_ASSERT_EQ(rdmsr(MSR_X2APIC(APIC_ID)), 0);
	/* Logical ID: cluster 0, bit 0. */
	GUEST_ASSERT_EQ(rdmsr(MSR_X2APIC(0xd0)), 1);
	wrmsr(MSR_X2APIC(APIC_SVR), 0x1ff);
	wrmsr(MSR_X2APIC(0x3f0), IPI_VECTOR);		/* self IPI */
	while (!ipis)
		sti_hlt_cli();
	GUEST_SYNC(ipis);
}

TEST(x2apic_mode_msrs_and_self_ipi)
{
	struct vcpu *vcpu;
	struct vm *vm = apic_vm(&vcpu, guest_x2apic);
	struct kvm_cpuid2 *cpuid = vcpu_get_cpuid(vcpu);
	struct kvm_cpuid_entry2 *e = cpuid_find(cpuid, 1, 0);

	if (!(e->ecx & (1U << 21)))
		SKIP(goto out, "the device's supported CPUID has no x2APIC");
	vm_install_exception_handler(vm, IPI_VECTOR, x2apic_ipi_handler);
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
out:
	free(cpuid);
	vm_free(vm);
}

static void guest_idle(void)
{
	GUEST_SYNC(0);
}

TEST(get_and_set_lapic)
{
	struct kvm_lapic_state s;
	struct kvm_interrupt irq = { .irq = 0x30 };
	struct vcpu *vcpu;
	struct vm *vm = apic_vm(&vcpu, guest_idle);
	uint32_t v;

	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_LAPIC, &s));
	memcpy(&v, s.regs + APIC_VERSION, 4);
	EXPECT_EQ(0x50014U, v & 0xff00ff);
	memcpy(&v, s.regs + APIC_ID, 4);
	EXPECT_EQ(0U, v);
	memcpy(&v, s.regs + APIC_LVT_TIMER, 4);
	EXPECT_EQ(APIC_MASKED, v);

	v = 0x20;
	memcpy(s.regs + APIC_TPR, &v, 4);
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_SET_LAPIC, &s));
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, ioctl(vcpu->fd, KVM_GET_LAPIC, &s));
	memcpy(&v, s.regs + APIC_TPR, 4);
	EXPECT_EQ(0x20U, v);
	/* Interrupts come through the in-kernel APIC now. */
	EXPECT_EQ(-1, ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST(create_irqchip_errors)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create();

	ASSERT_EQ(0, ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_EQ(-1, ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_EQ(EEXIST, errno);
	vm_free(vm);

	vm = vm_create_with_vcpu(&vcpu, guest_idle);
	EXPECT_EQ(-1, ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	EXPECT_EQ(EINVAL, errno);
	vm_free(vm);
}

/* The AP's real-mode code: OUT 0xf1, 0x42; HLT. Its page, below 1 MiB. */
static const uint8_t ap_code[] = { 0xb0, 0x42, 0xe6, 0xf1, 0xf4 };
static uint64_t ap_code_gpa;

static void guest_start_ap(void)
{
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_ICR2, 1U << 24);
	apic_write(APIC_ICR, 0x4500);			/* INIT, assert */
	apic_write(APIC_ICR2, 1U << 24);
	apic_write(APIC_ICR, 0x4600 | (ap_code_gpa >> 12));	/* STARTUP */
	GUEST_SYNC(1);
}

static void *run_ap(void *arg)
{
	struct vcpu *ap = arg;

	/*
	 * Sleeps in the kernel until INIT, then -EAGAIN (as KVM); the next
	 * KVM_RUN sleeps until the STARTUP IPI and runs the AP.
	 */
	while (_vcpu_run(ap) && errno == EAGAIN)
		;
	return NULL;
}

TEST(ap_starts_with_init_and_sipi)
{
	struct kvm_mp_state mp;
	struct vcpu *bsp, *ap;
	struct vm *vm = apic_vm(&bsp, guest_start_ap);
	pthread_t t;

	ap = vm_add_vcpu_bare(vm, 1);
	ASSERT_EQ(0, ioctl(ap->fd, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ((uint32_t)KVM_MP_STATE_UNINITIALIZED, mp.mp_state);
	ap_code_gpa = vm_alloc_pages(vm, 1);
	ASSERT_GT(0x100000ULL, ap_code_gpa);
	memcpy(vm_gpa_to_hva(vm, ap_code_gpa), ap_code, sizeof(ap_code));
	vm_sync_to_guest(vm, ap_code_gpa);

	ASSERT_EQ(0, pthread_create(&t, NULL, run_ap, ap));
	EXPECT_EQ(1ULL, vcpu_run_sync(bsp));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0x42, *(uint8_t *)vcpu_assert_io(ap, KVM_EXIT_IO_OUT, 0xf1,
						   1, 1));
	vm_free(vm);
}

TEST_HARNESS_MAIN
