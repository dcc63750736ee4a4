/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 definitions shared by the host side of the guest library and by guest
 * code, and tiny inline wrappers of the instructions guest code uses. Every
 * wrapper is a single instruction: guest code calls no libc.
 */
#ifndef SVMX_PROCESSOR_H
#define SVMX_PROCESSOR_H

#include <stdint.h>

/* Control registers (Intel SDM Vol. 3A 2.5, AMD APM Vol. 2 3.1). */
#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_MP		(1ULL << 1)
#define X86_CR0_EM		(1ULL << 2)
#define X86_CR0_TS		(1ULL << 3)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_WP		(1ULL << 16)
#define X86_CR0_AM		(1ULL << 18)
#define X86_CR0_NW		(1ULL << 29)
#define X86_CR0_CD		(1ULL << 30)
#define X86_CR0_PG		(1ULL << 31)

#define X86_CR4_VME		(1ULL << 0)
#define X86_CR4_PVI		(1ULL << 1)
#define X86_CR4_TSD		(1ULL << 2)
#define X86_CR4_DE		(1ULL << 3)
#define X86_CR4_PSE		(1ULL << 4)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_CR4_MCE		(1ULL << 6)
#define X86_CR4_PGE		(1ULL << 7)
#define X86_CR4_PCE		(1ULL << 8)
#define X86_CR4_OSFXSR		(1ULL << 9)
#define X86_CR4_OSXMMEXCPT	(1ULL << 10)
#define X86_CR4_UMIP		(1ULL << 11)
#define X86_CR4_LA57		(1ULL << 12)
#define X86_CR4_VMXE		(1ULL << 13)
#define X86_CR4_SMXE		(1ULL << 14)
#define X86_CR4_FSGSBASE	(1ULL << 16)
#define X86_CR4_PCIDE		(1ULL << 17)
#define X86_CR4_OSXSAVE		(1ULL << 18)
#define X86_CR4_SMEP		(1ULL << 20)
#define X86_CR4_SMAP		(1ULL << 21)
#define X86_CR4_PKE		(1ULL << 22)

/* RFLAGS (SDM Vol. 1 3.4.3). Bit 1 is reserved and always 1. */
#define X86_RFLAGS_CF		(1ULL << 0)
#define X86_RFLAGS_FIXED	(1ULL << 1)
#define X86_RFLAGS_ZF		(1ULL << 6)
#define X86_RFLAGS_IF		(1ULL << 9)
#define X86_RFLAGS_DF		(1ULL << 10)

/* MSRs (SDM Vol. 4 2.1). */
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define EFER_SCE		(1ULL << 0)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define EFER_NXE		(1ULL << 11)
#define EFER_SVME		(1ULL << 12)

/* 4-level paging entries (SDM Vol. 3A 4.5). */
#define PTE_PRESENT		(1ULL << 0)
#define PTE_WRITABLE		(1ULL << 1)
#define PTE_USER		(1ULL << 2)
#define PTE_LARGE		(1ULL << 7)
#define PTE_ADDR_MASK		0x000ffffffffff000ULL

/* Exception vectors (SDM Vol. 3A 6.3.1). */
#define DE_VECTOR		0
#define DB_VECTOR		1
#define BP_VECTOR		3
#define UD_VECTOR		6
#define NM_VECTOR		7
#define DF_VECTOR		8
#define TS_VECTOR		10
#define NP_VECTOR		11
#define SS_VECTOR		12
#define GP_VECTOR		13
#define PF_VECTOR		14
#define MF_VECTOR		16
#define AC_VECTOR		17
#define XM_VECTOR		19

/* The selectors of the GDT the guest library builds (see guest.c). */
#define GUEST_SEL_CODE64	0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_SEL_TSS		0x18	/* 16-byte descriptor: 0x18 and 0x20 */
#define GUEST_SEL_CODE32	0x28
#define GUEST_SEL_CODE16	0x30

/* The registers an exception handler sees, in the order guest_idt.S pushes. */
struct guest_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* The frame the CPU pushed (SDM Vol. 3A 6.14.2). */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Instructions for guest code; each compiles to the one instruction. */
static inline void cpuid_count(uint32_t leaf, uint32_t subleaf, uint32_t *eax,
			       uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
	asm volatile("cpuid"
		     : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
		     : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

/*
 * Wait for an interrupt with interrupts off around it: STI's shadow
 * covers the HLT, so an interrupt that became pending after the caller's
 * last check wakes the HLT instead of being taken just before it (which
 * would leave the HLT waiting for another one). Use it in
 * "cli; while (!cond) sti_hlt_cli();" loops.
 */
static inline void sti_hlt_cli(void)
{
	asm volatile("sti; hlt; cli" : : : "memory");
}

#define DEFINE_READ_CR(n)						\
static inline uint64_t read_cr##n(void)					\
{									\
	uint64_t v;							\
									\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v) : : "memory");	\
	return v;							\
}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
#undef DEFINE_READ_CR

static inline uint16_t read_cs(void)
{
	uint16_t v;

	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

#endif
