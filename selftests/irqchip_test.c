// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel IOAPIC and PICs (KVM_CREATE_IRQCHIP): KVM_IRQ_LINE and
 * KVM_IRQ_LINE_STATUS raise a GSI; the guest programs the IOAPIC through
 * its MMIO window and the master PIC through its ports, takes the
 * interrupts in IDT handlers, and sees a level-triggered pin come back
 * after EOI while the line stays high; KVM_GET/SET_IRQCHIP show and load
 * the chips' state.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

#define APIC_GPA		0xfee00000ULL
#define APIC_EOI		0xb0
#define APIC_SVR		0xf0
#define APIC_LVT0		0x350
#define IOAPIC_GPA		0xfec00000ULL
#define IOAPIC_SEL		0x00
#define IOAPIC_WIN		0x10
#define RTE_LEVEL		(1U << 15)
#define RTE_REMOTE_IRR		(1U << 14)
#define EDGE_GSI		16	/* IOAPIC only */
#define LEVEL_GSI		17
#define EDGE_VECTOR		0x60
#define LEVEL_VECTOR		0x61
#define PIC_IRQ			3
#define PIC_BASE		0x20

static volatile uint32_t edge_count, level_count, pic_count, level_rte;

static void apic_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(APIC_GPA + off) = val;
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)(IOAPIC_GPA + IOAPIC_SEL) = reg;
	return *(volatile uint32_t *)(IOAPIC_GPA + IOAPIC_WIN);
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(IOAPIC_GPA + IOAPIC_SEL) = reg;
	*(volatile uint32_t *)(IOAPIC_GPA + IOAPIC_WIN) = val;
}

/* Pin @pin to @vector on APIC 0, physical, fixed; unmasked. */
static void ioapic_route(int pin, uint32_t vector, uint32_t flags)
{
	ioapic_write(0x11 + 2 * pin, 0);
	ioapic_write(0x10 + 2 * pin, vector | flags);
}

static void edge_handler(struct guest_regs *regs)
{
	(void)regs;
	edge_count++;
	apic_write(APIC_EOI, 0);
}

static void level_handler(struct guest_regs *regs)
{
	(void)regs;
	level_count++;
	level_rte = ioapic_read(0x10 + 2 * LEVEL_GSI);
	/* The second time, the host lowers the line before the EOI. */
	if (level_count == 2)
		GUEST_SYNC(level_count);
	apic_write(APIC_EOI, 0);
}

static void pic_handler(struct guest_regs *regs)
{
	(void)regs;
	pic_count++;
	outb(0x20, 0x20);			/* non-specific EOI */
}

static struct vm *irqchip_vm(struct vcpu **vcpu, void *guest_code)
{
	struct vm *vm = vm_create();

	TEST_ASSERT(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) == 0,
		    "KVM_CREATE_IRQCHIP");
	vm_identity_map(vm, APIC_GPA, GUEST_PAGE_SIZE);
	vm_identity_map(vm, IOAPIC_GPA, GUEST_PAGE_SIZE);
	vm_install_exception_handler(vm, EDGE_VECTOR, edge_handler);
	vm_install_exception_handler(vm, LEVEL_VECTOR, level_handler);
	vm_install_exception_handler(vm, PIC_BASE + PIC_IRQ, pic_handler);
	*vcpu = vm_add_vcpu(vm, 0, guest_code);
	return vm;
}

static int irq_line_status(struct vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	TEST_ASSERT(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, &irq) == 0,
		    "KVM_IRQ_LINE_STATUS");
	return irq.status;
}

static void guest_ioapic_edge(void)
{
	apic_write(APIC_SVR, 0x1ff);
	GUEST_ASSERT_EQ(ioapic_read(0x01) & 0xff, 0x11);	/* version */
	GUEST_ASSERT_EQ((ioapic_read(0x01) >> 16) & 0xff, 23);	/* 24 pins */
	ioapic_route(EDGE_GSI, EDGE_VECTOR, 0);
	GUEST_SYNC(0);
	while (!edge_count)
		sti_hlt_cli();
	GUEST_SYNC(edge_count);
}

TEST(ioapic_edge_pin_reaches_the_guest)
{
	struct vcpu *vcpu;
	struct vm *vm = irqchip_vm(&vcpu, guest_ioapic_edge);

	/* Masked at reset. */
	EXPECT_EQ(-1, irq_line_status(vm, EDGE_GSI, 1));
	EXPECT_EQ(1, irq_line_status(vm, EDGE_GSI, 0));
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(1, irq_line_status(vm, EDGE_GSI, 1));
	/* Asserted again without a low phase: coalesced. */
	EXPECT_EQ(0, irq_line_status(vm, EDGE_GSI, 1));
	EXPECT_EQ(1, irq_line_status(vm, EDGE_GSI, 0));
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_ioapic_level(void)
{
	apic_write(APIC_SVR, 0x1ff);
	ioapic_route(LEVEL_GSI, LEVEL_VECTOR, RTE_LEVEL);
	GUEST_SYNC(0);
	while (level_count < 2)
		sti_hlt_cli();
	GUEST_ASSERT(level_rte & RTE_REMOTE_IRR);
	GUEST_ASSERT(!(ioapic_read(0x10 + 2 * LEVEL_GSI) & RTE_REMOTE_IRR));
	GUEST_SYNC(level_count);
}

TEST(level_pin_comes_back_after_eoi_while_high)
{
	struct vcpu *vcpu;
	struct vm *vm = irqchip_vm(&vcpu, guest_ioapic_level);

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(1, irq_line_status(vm, LEVEL_GSI, 1));
	/* First delivery, EOI with the line high, second delivery. */
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	EXPECT_EQ(1, irq_line_status(vm, LEVEL_GSI, 0));
	EXPECT_EQ(2ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_pic(void)
{
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_LVT0, 0x700);			/* ExtINT */
	outb(0x20, 0x11);				/* ICW1: ICW4 follows */
	outb(0x21, PIC_BASE);				/* ICW2 */
	outb(0x21, 0x04);				/* ICW3: slave on IR2 */
	outb(0x21, 0x01);				/* ICW4: 8086 mode */
	outb(0xa0, 0x11);
	outb(0xa1, PIC_BASE + 8);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0xa1, 0xff);
	outb(0x21, (uint8_t)~(1U << PIC_IRQ));	/* only IRQ 3 */
	GUEST_ASSERT_EQ(inb(0x21), (uint8_t)~(1U << PIC_IRQ));
	GUEST_SYNC(0);
	while (!pic_count)
		sti_hlt_cli();
	outb(0x20, 0x0b);				/* OCW3: read ISR */
	GUEST_ASSERT_EQ(inb(0x20), 0);
	GUEST_SYNC(pic_count);
}

TEST(pic_interrupt_through_lint0_extint)
{
	struct vcpu *vcpu;
	struct vm *vm = irqchip_vm(&vcpu, guest_pic);
	struct kvm_irq_level irq = { .irq = PIC_IRQ, .level = 1 };

	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	ASSERT_EQ(0, ioctl(vm->fd, KVM_IRQ_LINE, &irq));
	irq.level = 0;
	ASSERT_EQ(0, ioctl(vm->fd, KVM_IRQ_LINE, &irq));
	EXPECT_EQ(1ULL, vcpu_run_sync(vcpu));
	vcpu_run_done(vcpu);
	vm_free(vm);
}

static void guest_idle(void)
{
	GUEST_SYNC(0);
}

TEST(get_and_set_irqchip)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct vcpu *vcpu;
	struct vm *vm = irqchip_vm(&vcpu, guest_idle);
	int i;

	ASSERT_EQ(0, ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(IOAPIC_GPA, chip.chip.ioapic.base_address);
	for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		EXPECT_EQ(1ULL << 16, chip.chip.ioapic.redirtbl[i].bits);
	chip.chip.ioapic.redirtbl[5].bits = (3ULL << 56) | 0x45;
	ASSERT_EQ(0, ioctl(vm->fd, KVM_SET_IRQCHIP, &chip));
	memset(&chip.chip, 0, sizeof(chip.chip));
	ASSERT_EQ(0, ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ((3ULL << 56) | 0x45, chip.chip.ioapic.redirtbl[5].bits);

	chip.chip_id = KVM_IRQCHIP_PIC_MASTER;
	ASSERT_EQ(0, ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	chip.chip.pic.imr = 0x5a;
	chip.chip.pic.irq_base = 0x30;
	ASSERT_EQ(0, ioctl(vm->fd, KVM_SET_IRQCHIP, &chip));
	memset(&chip.chip, 0, sizeof(chip.chip));
	ASSERT_EQ(0, ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(0x5a, chip.chip.pic.imr);
	EXPECT_EQ(0x30, chip.chip.pic.irq_base);

	chip.chip_id = 3;
	EXPECT_EQ(-1, ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0ULL, vcpu_run_sync(vcpu));
	vm_free(vm);
}

TEST(irq_line_needs_the_irqchip)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_irq_level irq = { .irq = 4, .level = 1 };
	struct vm *vm = vm_create();

	EXPECT_EQ(-1, ioctl(vm->fd, KVM_IRQ_LINE, &irq));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, KVM_GET_IRQCHIP, &chip));
	EXPECT_EQ(ENXIO, errno);
	vm_free(vm);
}

TEST_HARNESS_MAIN
