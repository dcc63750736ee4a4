/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtual CPU as the vendor-neutral core sees it, and what a backend must
 * do for one (struct svmx_vcpu_ops).
 *
 * The general-purpose registers, RIP and RFLAGS live here, in regs[]; the
 * backend copies RIP/RSP/RFLAGS (and RAX on SVM) between regs[] and its VMCS
 * or VMCB around every guest entry, so the exit handlers of the core
 * (cpuid.c, msr.c, pio.c, ...) read and write regs[] only.
 *
 * The run loop (run.c) enters the guest through ops->run() until an exit
 * needs userspace. Every exit handler returns:
 *   > 0   handled, enter the guest again
 *   0     go to userspace; run->exit_reason says why
 *   < 0   an error for the KVM_RUN ioctl itself
 */
#ifndef SVMX_VCPU_H
#define SVMX_VCPU_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/rcuwait.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "vm.h"

/* The order of the VMX/SVM GPR encodings (SDM Vol. 2, Table 2-2). */
enum svmx_reg {
	SVMX_RAX, SVMX_RCX, SVMX_RDX, SVMX_RBX,
	SVMX_RSP, SVMX_RBP, SVMX_RSI, SVMX_RDI,
	SVMX_R8, SVMX_R9, SVMX_R10, SVMX_R11,
	SVMX_R12, SVMX_R13, SVMX_R14, SVMX_R15,
	SVMX_NR_GPRS
};

/* vcpu->mode: may another CPU need to kick it out of the guest? */
enum {
	SVMX_OUTSIDE_GUEST,
	SVMX_IN_GUEST,
};

/* Bits of vcpu->requests, handled before the next entry. */
enum {
	SVMX_REQ_TLB_FLUSH,	/* guest-physical mappings changed */
	SVMX_REQ_EVENT,		/* the local APIC may have an interrupt */
	SVMX_REQ_NMI,		/* an NMI message arrived */
	SVMX_REQ_INIT,		/* an INIT message arrived */
	SVMX_REQ_SIPI,		/* a STARTUP message arrived */
};

/* The requests that end a halt or a wait for SIPI. */
#define SVMX_REQ_WAKE_MASK	(BIT(SVMX_REQ_EVENT) | BIT(SVMX_REQ_NMI) | \
				 BIT(SVMX_REQ_INIT) | BIT(SVMX_REQ_SIPI))

/* A port I/O exit waiting for userspace to finish it (pio.c). */
struct svmx_pio {
	bool pending;
	bool in;
	u8 size;
	u64 rip;		/* the IN/OUT; if userspace moved RIP, drop it */
	u64 next_rip;
	/* The string forms: INS writes the data to @gpa at completion. */
	bool string;
	bool rep;
	u32 count;		/* items in this batch */
	u64 gpa;
	u64 addr_mask;		/* the address size: 0xffff, 0xffffffff, ~0 */
};

/* Segment registers, in the order of the VMX guest-state fields. */
enum svmx_seg {
	SVMX_SEG_ES, SVMX_SEG_CS, SVMX_SEG_SS, SVMX_SEG_DS,
	SVMX_SEG_FS, SVMX_SEG_GS, SVMX_SEG_LDTR, SVMX_SEG_TR,
};

/* An exception to inject at the next entry. */
struct svmx_exception {
	bool pending;
	u8 vector;
	bool has_error;
	u32 error;
	u64 cr2;		/* #PF only */
};

/* Where vcpu->irq_vector comes from; APIC and PIC ones are not acked yet. */
enum svmx_irq_source {
	SVMX_IRQ_USER,		/* KVM_INTERRUPT, KVM_SET_VCPU_EVENTS */
	SVMX_IRQ_APIC,		/* the local APIC's IRR */
	SVMX_IRQ_PIC,		/* the PICs' ExtINT (vector known at the ack) */
};

struct svmx_vcpu {
	struct svmx_vm *vm;
	unsigned int id;
	/* Serializes the vCPU fd's ioctls, KVM_RUN included. */
	struct mutex lock;

	struct kvm_run *run;
	struct page *run_page;
	struct page *pio_page;

	u64 regs[SVMX_NR_GPRS];
	u64 rip;
	u64 rflags;

	/* The CPU this vCPU last ran on, or -1; and whether it is in the guest. */
	int cpu;
	int mode;
	unsigned long requests;
	bool ran;
	/* A fault while delivering a double fault: KVM_EXIT_SHUTDOWN. */
	bool triple_fault;

	bool sigmask_active;
	sigset_t sigmask;

	struct kvm_cpuid_entry2 *cpuid;
	unsigned int nr_cpuid;

	/* MSRs the core keeps; the backends own the rest. */
	u64 pat;
	u64 misc_enable;
	u64 apic_base;
	u64 tsc_offset;
	u64 tsc_aux;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];	/* base, mask pairs */
	u64 xcr0;

	u32 mp_state;
	struct svmx_exception exception;
	/*
	 * The interrupt to inject: from KVM_INTERRUPT with the irqchip in
	 * userspace, or chosen from the local APIC before each entry.
	 */
	bool irq_pending;
	u8 irq_vector;
	enum svmx_irq_source irq_source;
	/*
	 * KVM_NMI: NMIs waiting, at most two (one to deliver, one held behind
	 * it), as KVM; and one whose delivery was under way when userspace
	 * saved it (KVM_SET_VCPU_EVENTS nmi.injected), delivered next whatever
	 * the NMI blocking.
	 */
	u8 nmi_pending;
	bool nmi_injected;

	/* The in-kernel local APIC (apic.c) with KVM_CREATE_IRQCHIP, or NULL. */
	struct svmx_apic *apic;
	/* A halted vCPU, or one waiting for SIPI, sleeps here. */
	struct rcuwait wait;

	/* DR0-3 and DR6 (DR7 lives in the VMCS/VMCB). */
	u64 db[4];
	u64 dr6;

	struct svmx_pio pio;
	/* An MMIO read waiting for, or answered by, userspace (mmio.c). */
	struct {
		bool read_pending;
		bool data_valid;
		u64 gpa;
		u32 len;
		u8 data[8];
	} mmio;

	struct fpu_guest guest_fpu;

	/* Exits per reason, for debugfs. */
	u64 nr_exits;

	void *backend;
};

/**
 * struct svmx_vcpu_ops - a backend's share of a vCPU
 * @vcpu_create:	allocate the VMCS/VMCB and set the reset state
 * @vcpu_free:		the reverse; the vCPU is not loaded anywhere
 * @run:		enter the guest once and handle the exit; returns as
 *			the exit handlers do (above)
 * @get_sregs:		the KVM_GET_SREGS state
 * @set_sregs:		load a KVM_SET_SREGS state the core validated
 * @get_cr:		read CR0, CR2, CR3, CR4 or CR8
 * @set_cr8:		write CR8 (the TPR), 0..15
 * @get_efer:		the guest's EFER
 * @get_cpl:		the current privilege level
 * @read_msr:		an MSR the backend keeps in its VMCS/VMCB: 0, or 1 if
 *			it is not one of them
 * @write_msr:		likewise: 0, 1 if not one of them, -EINVAL if the
 *			value is refused
 * @interrupt_allowed:	RFLAGS.IF set, no interrupt shadow, no event being
 *			injected: an interrupt could be delivered now
 * @get_interrupt_shadow: KVM_X86_SHADOW_INT_* bits
 * @set_interrupt_shadow: likewise
 * @get_nmi_masked:	NMIs blocked (an NMI handler has not IRETed yet)
 * @set_nmi_masked:	likewise
 * @get_segment:	a segment register (enum svmx_seg)
 * @get_dr7:		the guest's DR7
 * @set_dr7:		likewise
 *
 * The backend loads vcpu->pat, vcpu->tsc_offset and vcpu->xcr0 into the
 * hardware at every entry.
 */
struct svmx_vcpu_ops {
	int (*vcpu_create)(struct svmx_vcpu *vcpu);
	void (*vcpu_free)(struct svmx_vcpu *vcpu);
	int (*run)(struct svmx_vcpu *vcpu);
	void (*get_sregs)(struct svmx_vcpu *vcpu, struct kvm_sregs *sregs);
	void (*set_sregs)(struct svmx_vcpu *vcpu, const struct kvm_sregs *sregs);
	u64 (*get_cr)(struct svmx_vcpu *vcpu, int cr);
	void (*set_cr8)(struct svmx_vcpu *vcpu, u64 cr8);
	u64 (*get_efer)(struct svmx_vcpu *vcpu);
	int (*get_cpl)(struct svmx_vcpu *vcpu);
	int (*read_msr)(struct svmx_vcpu *vcpu, u32 msr, u64 *data);
	int (*write_msr)(struct svmx_vcpu *vcpu, u32 msr, u64 data, bool host);
	bool (*interrupt_allowed)(struct svmx_vcpu *vcpu);
	u32 (*get_interrupt_shadow)(struct svmx_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct svmx_vcpu *vcpu, u32 shadow);
	bool (*get_nmi_masked)(struct svmx_vcpu *vcpu);
	void (*set_nmi_masked)(struct svmx_vcpu *vcpu, bool masked);
	void (*get_segment)(struct svmx_vcpu *vcpu, int seg,
			    struct kvm_segment *s);
	u64 (*get_dr7)(struct svmx_vcpu *vcpu);
	void (*set_dr7)(struct svmx_vcpu *vcpu, u64 dr7);
};

/* vcpu.c */
int svmx_vcpu_create(struct svmx_vm *vm, unsigned long id);
void svmx_vcpu_destroy(struct svmx_vcpu *vcpu);

/* run.c */
int svmx_vcpu_run(struct svmx_vcpu *vcpu);
void svmx_vcpu_kick(struct svmx_vcpu *vcpu, unsigned int request);
bool svmx_vcpu_enter_prepare(struct svmx_vcpu *vcpu);
void svmx_vcpu_exit_done(struct svmx_vcpu *vcpu);
void svmx_queue_exception(struct svmx_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error);
int svmx_exit_internal_error(struct svmx_vcpu *vcpu, u32 suberror,
			     u64 reason);
int svmx_exit_shutdown(struct svmx_vcpu *vcpu);
int svmx_exit_hlt(struct svmx_vcpu *vcpu, unsigned int insn_len);
void svmx_hypercall(struct svmx_vcpu *vcpu, int cpl);
int svmx_exit_ud(struct svmx_vcpu *vcpu);
static inline void svmx_inject_gp(struct svmx_vcpu *vcpu)
{
	svmx_queue_exception(vcpu, 13, true, 0);
}

static inline void svmx_inject_ud(struct svmx_vcpu *vcpu)
{
	svmx_queue_exception(vcpu, 6, false, 0);
}

/* cpuid.c */
int svmx_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid);
int svmx_set_cpuid2(struct svmx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid);
int svmx_get_cpuid2(struct svmx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid);
int svmx_exit_cpuid(struct svmx_vcpu *vcpu, unsigned int insn_len);
bool svmx_guest_has(struct svmx_vcpu *vcpu, u32 leaf, int reg, u32 bit);
u64 svmx_supported_xcr0(void);
unsigned int svmx_guest_maxphyaddr(struct svmx_vcpu *vcpu);

/* msr.c */
int svmx_get_msr(struct svmx_vcpu *vcpu, u32 msr, u64 *data, bool host);
int svmx_set_msr(struct svmx_vcpu *vcpu, u32 msr, u64 data, bool host);
bool svmx_canonical(u64 v);
bool svmx_sysenter_canonical(u32 msr, u64 *data, bool host);
bool svmx_efer_new(struct svmx_vcpu *vcpu, u64 *data, u64 cur, bool host);
int svmx_exit_rdmsr(struct svmx_vcpu *vcpu, unsigned int insn_len);
int svmx_exit_wrmsr(struct svmx_vcpu *vcpu, unsigned int insn_len);
int svmx_get_msr_index_list(struct kvm_msr_list __user *ulist);
int svmx_msrs_ioctl(struct svmx_vcpu *vcpu, struct kvm_msrs __user *umsrs,
		    bool set);
int svmx_exit_xsetbv(struct svmx_vcpu *vcpu, unsigned int insn_len);

/* pio.c */
int svmx_exit_pio(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
		  u64 next_rip);
int svmx_exit_pio_string(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
			 bool rep, int seg, unsigned int addr_bytes,
			 u64 next_rip);
int svmx_pio_complete(struct svmx_vcpu *vcpu);

/* mmu.c: a guest-physical access the EPT/NPT did not allow */
int svmx_tdp_fault(struct svmx_vcpu *vcpu, u64 gpa, bool write, bool fetch);

/* mmio.c */
int svmx_exit_mmio(struct svmx_vcpu *vcpu, u64 gpa);
int svmx_mmio_complete(struct svmx_vcpu *vcpu);

/* gpt_walk.c: guest linear to guest-physical through the guest's paging */
#define SVMX_ACCESS_WRITE	BIT(1)
#define SVMX_ACCESS_USER	BIT(2)
#define SVMX_ACCESS_FETCH	BIT(4)
int svmx_gva_to_gpa(struct svmx_vcpu *vcpu, u64 gva, u32 access, u64 *gpa,
		    u32 *pf_error);

/* apic.c */
struct svmx_apic_irq;
int svmx_apic_create(struct svmx_vcpu *vcpu);
void svmx_apic_destroy(struct svmx_vcpu *vcpu);
int svmx_apic_deliver(struct svmx_vm *vm, struct svmx_vcpu *src,
		      const struct svmx_apic_irq *irq);
bool svmx_apic_accepts_extint(struct svmx_vcpu *vcpu);
void svmx_apic_pick_interrupt(struct svmx_vcpu *vcpu);
u8 svmx_irq_take(struct svmx_vcpu *vcpu);
bool svmx_apic_mmio_read(struct svmx_vcpu *vcpu, u64 gpa, void *buf,
			 unsigned int len);
bool svmx_apic_mmio_write(struct svmx_vcpu *vcpu, u64 gpa, const void *buf,
			  unsigned int len);
int svmx_apic_get_msr(struct svmx_vcpu *vcpu, u32 msr, u64 *data);
int svmx_apic_set_msr(struct svmx_vcpu *vcpu, u32 msr, u64 data);
int svmx_apic_set_base(struct svmx_vcpu *vcpu, u64 data, bool host);
void svmx_apic_init_event(struct svmx_vcpu *vcpu);
u8 svmx_apic_sipi_vector(struct svmx_vcpu *vcpu);
long svmx_apic_ioctl(struct svmx_vcpu *vcpu, unsigned int ioctl,
		     void __user *argp);

/* irqchip.c: the PICs and the IOAPIC */
int svmx_irqchip_create(struct svmx_vm *vm);
void svmx_irqchip_destroy(struct svmx_vm *vm);
int svmx_irqchip_set_irq(struct svmx_vm *vm, u32 gsi, bool level);
void svmx_irqchip_eoi(struct svmx_vm *vm, u8 vector);
bool svmx_irqchip_extint(struct svmx_vm *vm);
u8 svmx_irqchip_pic_ack(struct svmx_vm *vm);
bool svmx_irqchip_pio(struct svmx_vcpu *vcpu, u16 port, u8 size, bool in,
		      u32 *val);
bool svmx_irqchip_mmio_read(struct svmx_vcpu *vcpu, u64 gpa, void *buf,
			    unsigned int len);
bool svmx_irqchip_mmio_write(struct svmx_vcpu *vcpu, u64 gpa, const void *buf,
			     unsigned int len);
long svmx_irqchip_ioctl(struct svmx_vm *vm, unsigned int ioctl,
			void __user *argp);

/* events.c */
void svmx_queue_nmi(struct svmx_vcpu *vcpu);
bool svmx_ready_for_interrupt(struct svmx_vcpu *vcpu);
void svmx_fill_run_state(struct svmx_vcpu *vcpu);
long svmx_vcpu_events_ioctl(struct svmx_vcpu *vcpu, unsigned int ioctl,
			    void __user *argp);

/* regs.c */
u64 svmx_valid_cr4(struct svmx_vcpu *vcpu);
long svmx_vcpu_regs_ioctl(struct svmx_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp);

#endif /* SVMX_VCPU_H */
