// SPDX-License-Identifier: GPL-2.0
/*
 * The guest moves itself through every processor mode, the way an OS loader
 * does, and the host checks each mode at an exit there:
 *
 *   real_to_protected   real mode -> 16-bit protected mode -> 32-bit
 *                       protected mode, paging off;
 *   paging_32bit        32-bit paging, 4 KiB pages and a 4 MiB page;
 *   paging_pae          PAE paging, 4 KiB pages and a 2 MiB page;
 *   long_mode_and_back  protected mode -> compatibility mode -> 64-bit mode,
 *                       then back out: compatibility mode -> paging off ->
 *                       16-bit protected mode -> real mode.
 *
 * The guests are small assembly blobs (below), all loaded together at
 * CODE_BASE in a VM of our own with a fixed layout: the GDT, the page tables
 * and the data they read are built by the host. At each step a blob OUTs the
 * step number to PORT_STEP, then values to PORT_VAL: control registers, EFER
 * (two OUTs, low half first) and data read through a segment with a nonzero
 * base or through a page mapped at a linear address other than its physical
 * one. Each dword read holds COOKIE32() of its physical address, so a wrong
 * translation shows which memory was read instead.
 *
 * At each step's exit the host checks, from its side, KVM_GET_SREGS (CR0.PE
 * and PG, CR4.PSE and PAE, EFER.LME and LMA, CS.selector, CS.l, CS.db) and
 * KVM_TRANSLATE of linear addresses; the guest's own reads of CR0, CR4 and
 * EFER must agree with KVM_GET_SREGS.
 *
 * Section numbers are those of the Intel SDM Vol. 3A editions where
 * "Processor Management and Initialization" is chapter 9 (chapter 10 in
 * later ones); the titles are quoted to find them in either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "guest.h"

/* Guest-physical layout: one slot of SLOT_SIZE bytes at 0. */
#define SLOT_SIZE	0x800000
#define GDT_BASE	0x1000
#define CODE_BASE	0x2000		/* all the blobs, cmt_blobs..cmt_blobs_end */
#define STACK_TOP	0x7000
#define DATA		0x8000		/* read through segments */
#define ALIAS		0x9000		/* the 4 KiB page at LIN_4K */
#define TABLES		0x10000		/* page tables, CR3 = TABLES */
#define BIG_4M		0x400000	/* the 4 MiB page */
#define BIG_2M		0x600000	/* the 2 MiB pages */

/* Linear addresses mapped elsewhere (the rest of 0..2 MiB is identity). */
#define LIN_4K		0x180000	/* -> ALIAS, every paging mode */
#define LIN_4M		0xc0000000	/* -> BIG_4M, 32-bit paging */
#define LIN_2M_PAE	0xc0200000	/* -> BIG_2M, PAE paging */
#define LIN_2M_64	0x8000200000	/* -> BIG_2M, 4-level paging */

/* Selectors of the GDT at GDT_BASE (gdt_segment()). */
#define SEL_CODE16	0x08	/* base CODE_BASE, 64 KiB, D = 0 */
#define SEL_DATA16	0x10	/* base 0, 64 KiB, byte granular */
#define SEL_CODE32	0x18	/* flat 4 GiB, D = 1 */
#define SEL_DATA32	0x20	/* flat 4 GiB, B = 1 */
#define SEL_CODE64	0x28	/* L = 1 */
#define SEL_DATA16_OFF	0x30	/* base DATA + 0x100, 64 KiB */
#define SEL_DATA32_OFF	0x38	/* base DATA + 0x200, 64 KiB, B = 1 */
#define GDT_LIMIT	0x3f

#define PORT_STEP	0xe0
#define PORT_VAL	0xe1

#define COOKIE32(gpa)	(0xc0000000U | (uint32_t)(gpa))
#define COOKIE64(gpa)	(0x6464646400000000ULL | COOKIE32(gpa))

/* 32-bit paging entries (SDM Vol. 3A 4.3): PTE_* of processor.h, 4 bytes. */
#define PTE_PS		PTE_LARGE

#define STR(x)		#x
#define XSTR(x)		STR(x)
#define EQU(name)	".equ " #name ", " XSTR(name) "\n"

/*
 * The blobs. 16-bit code runs with a CS base of CODE_BASE (real mode CS =
 * CODE_BASE >> 4, or SEL_CODE16), so its offsets are "label - cmt_blobs";
 * 32- and 64-bit code runs with CS base 0 at "CODE_BASE + (label -
 * cmt_blobs)". No IDT: an exception shuts the VM down.
 */
asm(".pushsection .text\n"
    EQU(CODE_BASE) EQU(DATA) EQU(TABLES) EQU(GDT_BASE) EQU(GDT_LIMIT)
    EQU(LIN_4K) EQU(LIN_4M) EQU(LIN_2M_PAE) EQU(LIN_2M_64)
    EQU(SEL_CODE16) EQU(SEL_DATA16) EQU(SEL_CODE32) EQU(SEL_DATA32)
    EQU(SEL_CODE64) EQU(SEL_DATA16_OFF) EQU(SEL_DATA32_OFF)
    EQU(PORT_STEP) EQU(PORT_VAL)
    ".equ CR0_PE, 0x1\n"
    ".equ CR0_PG, 0x80000000\n"
    ".equ CR4_PSE, 0x10\n"
    ".equ CR4_PAE, 0x20\n"
    ".equ MSR_EFER, 0xc0000080\n"
    ".equ EFER_LME, 0x100\n"
    /* OUT the step number; OUT %eax; OUT EFER, low then high half. */
    ".macro STEP n\n"
    "	movl $\\n, %eax\n"
    "	outl %eax, $PORT_STEP\n"
    ".endm\n"
    ".macro VAL\n"
    "	outl %eax, $PORT_VAL\n"
    ".endm\n"
    ".macro EFER\n"
    "	movl $MSR_EFER, %ecx\n"
    "	rdmsr\n"
    "	VAL\n"
    "	movl %edx, %eax\n"
    "	VAL\n"
    ".endm\n"
    "cmt_blobs:\n"

    /*
     * real_to_protected. Real mode (SDM Vol. 3B 20.1.1 "Address
     * Translation in Real-Address Mode"): DS base = DS << 4.
     */
    ".code16\n"
    "a_real:\n"
    "	STEP 1\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movw $(DATA >> 4), %ax\n"
    "	movw %ax, %ds\n"
    "	movl 0x10, %eax\n"		/* DATA + 0x10 */
    "	VAL\n"
    /* 9.9.1 "Switching to Protected Mode": LGDT, CR0.PE, far JMP. */
    "	lgdtl %cs:(gdt_ptr - cmt_blobs)\n"
    "	movl %cr0, %eax\n"
    "	orl $CR0_PE, %eax\n"
    "	movl %eax, %cr0\n"
    "	ljmpw $SEL_CODE16, $(a_pm16 - cmt_blobs)\n"
    /*
     * 16-bit protected mode: a code segment with D = 0 (3.4.5 "Segment
     * Descriptors"; Vol. 3B 21.1 "Defining 16-Bit and 32-Bit Program
     * Modules"); DS base from the descriptor, not from the selector.
     */
    "a_pm16:\n"
    "	movw $SEL_DATA16, %ax\n"
    "	movw %ax, %ss\n"
    "	movw %ax, %es\n"
    "	movw $SEL_DATA16_OFF, %ax\n"
    "	movw %ax, %ds\n"
    "	STEP 2\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movl 0x10, %eax\n"		/* DATA + 0x110 */
    "	VAL\n"
    /* 32-bit protected mode: a far JMP to a D = 1 code segment. */
    "	ljmpl $SEL_CODE32, $(CODE_BASE + (a_pm32 - cmt_blobs))\n"
    ".code32\n"
    "a_pm32:\n"
    "	movw $SEL_DATA32, %ax\n"
    "	movw %ax, %ds\n"
    "	movw %ax, %ss\n"
    "	movw $SEL_DATA32_OFF, %ax\n"
    "	movw %ax, %fs\n"
    "	STEP 3\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movl %fs:0x10, %eax\n"		/* DATA + 0x210 */
    "	VAL\n"
    "	hlt\n"

    /*
     * paging_32bit, from 32-bit protected mode: CR4.PAE = 0 and CR0.PG = 1
     * select 32-bit paging (4.1.1 "Four Paging Modes"); CR4.PSE lets a PDE
     * with PS = 1 map a 4 MiB page (4.3 "32-Bit Paging").
     */
    "b_pm32:\n"
    "	movl $TABLES, %eax\n"
    "	movl %eax, %cr3\n"
    "	movl %cr4, %eax\n"
    "	orl $CR4_PSE, %eax\n"
    "	movl %eax, %cr4\n"
    "	movl %cr0, %eax\n"
    "	orl $CR0_PG, %eax\n"
    "	movl %eax, %cr0\n"
    "	STEP 20\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movl %cr4, %eax\n"
    "	VAL\n"
    "	movl LIN_4K + 0x10, %eax\n"
    "	VAL\n"
    "	movl LIN_4M + 0x3ff020, %eax\n"	/* the last 4 KiB of the 4 MiB */
    "	VAL\n"
    "	hlt\n"

    /*
     * paging_pae, from 32-bit protected mode: CR4.PAE, CR3 = the PDPT;
     * CR0.PG loads the four PDPTEs (4.4.1 "PDPTE Registers"); a PDE with
     * PS = 1 maps a 2 MiB page (4.4.2).
     */
    "c_pm32:\n"
    "	movl %cr4, %eax\n"
    "	orl $CR4_PAE, %eax\n"
    "	movl %eax, %cr4\n"
    "	movl $TABLES, %eax\n"
    "	movl %eax, %cr3\n"
    "	movl %cr0, %eax\n"
    "	orl $CR0_PG, %eax\n"
    "	movl %eax, %cr0\n"
    "	STEP 30\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movl %cr4, %eax\n"
    "	VAL\n"
    "	movl LIN_4K + 0x10, %eax\n"
    "	VAL\n"
    "	movl LIN_2M_PAE + 0x1ff028, %eax\n"	/* the last 4 KiB of the 2 MiB */
    "	VAL\n"
    "	hlt\n"

    /*
     * long_mode_and_back, from 32-bit protected mode with paging off:
     * 9.8.5 "Initializing IA-32e Mode": CR4.PAE, CR3 = the PML4,
     * EFER.LME, then CR0.PG, which sets EFER.LMA: with CS.L = 0 this is
     * compatibility mode (2.2 "Modes of Operation").
     */
    "d_pm32:\n"
    "	movl %cr4, %eax\n"
    "	orl $CR4_PAE, %eax\n"
    "	movl %eax, %cr4\n"
    "	movl $TABLES, %eax\n"
    "	movl %eax, %cr3\n"
    "	movl $MSR_EFER, %ecx\n"
    "	rdmsr\n"
    "	orl $EFER_LME, %eax\n"
    "	wrmsr\n"
    "	movl %cr0, %eax\n"
    "	orl $CR0_PG, %eax\n"
    "	movl %eax, %cr0\n"
    "	STEP 40\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	EFER\n"
    /*
     * 64-bit mode: a far JMP to a code segment with L = 1 (5.2.1 "Code-Segment
     * Descriptor in 64-bit Mode").
     */
    "	ljmpl $SEL_CODE64, $(CODE_BASE + (d_lm64 - cmt_blobs))\n"
    ".code64\n"
    "d_lm64:\n"
    "	STEP 41\n"
    "	EFER\n"
    "	movabsq $(LIN_2M_64 + 0x100000), %rbx\n"	/* above 4 GiB */
    "	movq (%rbx), %rax\n"
    "	VAL\n"
    "	shrq $32, %rax\n"
    "	VAL\n"
    /*
     * 9.8.5.4 "Switching Out of IA-32e Mode Operation", step 1: to
     * compatibility mode. 64-bit mode has no far JMP with an immediate
     * pointer: through memory, m16:32.
     */
    "	ljmpl *(CODE_BASE + (d_compat_ptr - cmt_blobs))\n"
    ".code32\n"
    "d_compat:\n"
    "	STEP 42\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	EFER\n"
    "	movl LIN_4K + 0x10, %eax\n"	/* 4-level paging, 32-bit address */
    "	VAL\n"
    /* Step 2: CR0.PG = 0 clears EFER.LMA; this code is identity-mapped. */
    "	movl %cr0, %eax\n"
    "	andl $(0xffffffff - CR0_PG), %eax\n"
    "	movl %eax, %cr0\n"
    "	STEP 43\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	EFER\n"
    "	movl LIN_4K + 0x10, %eax\n"	/* now physical LIN_4K + 0x10 */
    "	VAL\n"
    /*
     * Step 4: EFER.LME = 0 (steps 3, 5 and 6 would turn legacy paging
     * on: this guest goes on to real mode instead). 9.9.2 "Switching
     * Back to Real-Address Mode", step 2: CR3 = 0 flushes the TLB.
     */
    "	movl $MSR_EFER, %ecx\n"
    "	rdmsr\n"
    "	andl $(0xffffffff - EFER_LME), %eax\n"
    "	wrmsr\n"
    "	xorl %eax, %eax\n"
    "	movl %eax, %cr3\n"
    "	movl %cr4, %eax\n"
    "	andl $(0xffffffff - CR4_PAE), %eax\n"
    "	movl %eax, %cr4\n"
    "	STEP 44\n"
    "	EFER\n"
    "	movl %cr4, %eax\n"
    "	VAL\n"
    /* 9.9.2 step 3: to a 16-bit code segment with a 64 KiB limit. */
    "	ljmpl $SEL_CODE16, $(d_pm16 - cmt_blobs)\n"
    ".code16\n"
    "d_pm16:\n"
    /* Step 4: data segments of 64 KiB, byte granular, expand-up, writable. */
    "	movw $SEL_DATA16, %ax\n"
    "	movw %ax, %ss\n"
    "	movw %ax, %es\n"
    "	movw %ax, %fs\n"
    "	movw %ax, %gs\n"
    "	movw $SEL_DATA16_OFF, %ax\n"
    "	movw %ax, %ds\n"
    "	STEP 45\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movl 0x14, %eax\n"		/* DATA + 0x114 */
    "	VAL\n"
    /* Step 5: the real-mode interrupt table; step 6: CR0.PE = 0. */
    "	lidtl %cs:(ivt_ptr - cmt_blobs)\n"
    "	movl %cr0, %eax\n"
    "	andl $(0xffffffff - CR0_PE), %eax\n"
    "	movl %eax, %cr0\n"
    /* Step 7: a far JMP loads CS the real-mode way; step 8: the others. */
    "	ljmpw $(CODE_BASE >> 4), $(d_real - cmt_blobs)\n"
    "d_real:\n"
    "	xorw %ax, %ax\n"
    "	movw %ax, %ss\n"
    "	movw %ax, %es\n"
    "	movw $((DATA + 0x300) >> 4), %ax\n"
    "	movw %ax, %ds\n"
    "	STEP 46\n"
    "	movl %cr0, %eax\n"
    "	VAL\n"
    "	movl 0x10, %eax\n"		/* DATA + 0x310 */
    "	VAL\n"
    "	hlt\n"

    "gdt_ptr:\n"
    "	.word GDT_LIMIT\n"
    "	.long GDT_BASE\n"
    "ivt_ptr:\n"
    "	.word 0x3ff\n"
    "	.long 0\n"
    "d_compat_ptr:\n"
    "	.long CODE_BASE + (d_compat - cmt_blobs)\n"
    "	.word SEL_CODE32\n"
    "cmt_blobs_end:\n"
    ".code64\n"
    ".popsection");
extern char cmt_blobs[], cmt_blobs_end[];
extern char a_real[], b_pm32[], c_pm32[], d_pm32[];

/* Offset of a blob label from CODE_BASE; its 32-bit linear address. */
#define OFF(label)	((uint16_t)((label) - cmt_blobs))
#define LINEAR(label)	((uint32_t)(CODE_BASE + OFF(label)))

/* --- The VM --- */

/* The descriptor behind each selector, in KVM's form. */
static struct kvm_segment gdt_segment(uint16_t sel)
{
	struct kvm_segment s = {
		.selector = sel, .present = 1, .s = 1, .limit = 0xffff,
	};

	switch (sel) {
	case SEL_CODE16:
		s.base = CODE_BASE;
		s.type = 0xb;		/* execute/read, accessed */
		break;
	case SEL_DATA16:
		s.type = 0x3;		/* read/write, accessed */
		break;
	case SEL_CODE32:
	case SEL_CODE64:
		s.type = 0xb;
		s.limit = 0xffffffff;
		s.g = 1;
		s.db = sel == SEL_CODE32;
		s.l = sel == SEL_CODE64;
		break;
	case SEL_DATA32:
		s.type = 0x3;
		s.limit = 0xffffffff;
		s.g = 1;
		s.db = 1;
		break;
	case SEL_DATA16_OFF:
		s.base = DATA + 0x100;
		s.type = 0x3;
		break;
	case SEL_DATA32_OFF:
		s.base = DATA + 0x200;
		s.type = 0x3;
		s.db = 1;
		break;
	}
	return s;
}

/* A code or data segment descriptor (SDM Vol. 3A 3.4.5). */
static uint64_t descriptor(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | (s->base & 0xffffff) << 16 |
	       (uint64_t)s->type << 40 | (uint64_t)s->s << 44 |
	       (uint64_t)s->present << 47 | (limit >> 16 & 0xf) << 48 |
	       (uint64_t)s->l << 53 | (uint64_t)s->db << 54 |
	       (uint64_t)s->g << 55 | (s->base >> 24 & 0xff) << 56;
}

static void *hva(struct vm *vm, uint64_t gpa)
{
	return vm_gpa_to_hva(vm, gpa);
}

/*
 * A VM of our own layout (not vm_create()'s): one slot, the GDT, the blobs
 * at CODE_BASE, one vCPU with the supported CPUID (long mode needs CPUID's
 * LM bit, and the CR4 bits their CPUID bits).
 */
static struct vm *create_vm(struct vcpu **vcpu)
{
	static const uint16_t sels[] = {
		SEL_CODE16, SEL_DATA16, SEL_CODE32, SEL_DATA32, SEL_CODE64,
		SEL_DATA16_OFF, SEL_DATA32_OFF,
	};
	struct vm *vm = vm_create_bare();
	struct kvm_cpuid2 *cpuid;
	uint64_t *gdt;

	vm_add_slot(vm, 0, 0, 0, SLOT_SIZE);
	gdt = hva(vm, GDT_BASE);
	for (size_t i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		struct kvm_segment s = gdt_segment(sels[i]);

		gdt[sels[i] / 8] = descriptor(&s);
	}
	TEST_ASSERT(cmt_blobs_end - cmt_blobs <= DATA - CODE_BASE - 0x1000,
		    "the blobs overlap the stack");
	vm_load_blob(vm, CODE_BASE, cmt_blobs, cmt_blobs_end);

	*vcpu = vm_add_vcpu_bare(vm, 0);
	cpuid = dev_supported_cpuid();
	vcpu_set_cpuid(*vcpu, cpuid);
	free(cpuid);
	return vm;
}

/* 32-bit protected mode, paging off, flat segments, at @eip. */
static void set_protected_mode(struct vcpu *vcpu, uint32_t eip)
{
	struct kvm_sregs s;
	struct kvm_regs regs = { .rip = eip, .rsp = STACK_TOP,
				 .rflags = X86_RFLAGS_FIXED };

	vcpu_get_sregs(vcpu, &s);
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	s.cs = gdt_segment(SEL_CODE32);
	s.ds = s.es = s.fs = s.gs = s.ss = gdt_segment(SEL_DATA32);
	s.gdt.base = GDT_BASE;
	s.gdt.limit = GDT_LIMIT;
	s.idt.base = 0;
	s.idt.limit = 0;
	vcpu_set_sregs(vcpu, &s);
	vcpu_set_regs(vcpu, &regs);
}

/* 0..2 MiB identity-mapped with 4 KiB pages, but LIN_4K (8-byte entries). */
static void fill_pt64(struct vm *vm, uint64_t pt_gpa)
{
	uint64_t *pt = hva(vm, pt_gpa);

	for (int i = 0; i < 512; i++)
		pt[i] = (uint64_t)i << 12 | PTE_PRESENT | PTE_WRITABLE;
	pt[LIN_4K >> 12] = ALIAS | PTE_PRESENT | PTE_WRITABLE;
}

/* 32-bit paging (SDM Vol. 3A 4.3): PD at TABLES, one PT, one 4 MiB page. */
static void build_paging_32bit(struct vm *vm)
{
	uint32_t *pd = hva(vm, TABLES), *pt = hva(vm, TABLES + 0x1000);

	pd[0] = (TABLES + 0x1000) | PTE_PRESENT | PTE_WRITABLE;
	for (int i = 0; i < 1024; i++)
		pt[i] = i << 12 | PTE_PRESENT | PTE_WRITABLE;
	pt[LIN_4K >> 12] = ALIAS | PTE_PRESENT | PTE_WRITABLE;
	pd[LIN_4M >> 22] = BIG_4M | PTE_PRESENT | PTE_WRITABLE | PTE_PS;
}

/*
 * PAE paging (4.4): the PDPT at TABLES (PDPTEs have no R/W bit), PDPTE 0
 * -> PD -> PT for 0..2 MiB, PDPTE 3 -> PD with a 2 MiB page.
 */
static void build_paging_pae(struct vm *vm)
{
	uint64_t *pdpt = hva(vm, TABLES), *pd = hva(vm, TABLES + 0x1000);
	uint64_t *pd_hi = hva(vm, TABLES + 0x3000);

	pdpt[0] = (TABLES + 0x1000) | PTE_PRESENT;
	pd[0] = (TABLES + 0x2000) | PTE_PRESENT | PTE_WRITABLE;
	fill_pt64(vm, TABLES + 0x2000);
	pdpt[LIN_2M_PAE >> 30] = (TABLES + 0x3000) | PTE_PRESENT;
	pd_hi[LIN_2M_PAE >> 21 & 511] = BIG_2M | PTE_PRESENT | PTE_WRITABLE | PTE_PS;
}

/*
 * 4-level paging (4.5): the PML4 at TABLES; entry 0 -> PDPT -> PD -> PT for
 * 0..2 MiB; entry 1 (512 GiB up) -> PDPT -> PD with a 2 MiB page.
 */
static void build_paging_4level(struct vm *vm)
{
	uint64_t *pml4 = hva(vm, TABLES), *pdpt = hva(vm, TABLES + 0x1000);
	uint64_t *pd = hva(vm, TABLES + 0x2000), *pdpt_hi = hva(vm, TABLES + 0x4000);
	uint64_t *pd_hi = hva(vm, TABLES + 0x5000);
	uint64_t rw = PTE_PRESENT | PTE_WRITABLE;

	pml4[0] = (TABLES + 0x1000) | rw;
	pdpt[0] = (TABLES + 0x2000) | rw;
	pd[0] = (TABLES + 0x3000) | rw;
	fill_pt64(vm, TABLES + 0x3000);
	pml4[LIN_2M_64 >> 39 & 511] = (TABLES + 0x4000) | rw;
	pdpt_hi[LIN_2M_64 >> 30 & 511] = (TABLES + 0x5000) | rw;
	pd_hi[LIN_2M_64 >> 21 & 511] = BIG_2M | rw | PTE_PS;
}

/* --- The steps, as the host expects them --- */

/* A processor mode, as KVM_GET_SREGS shows it. */
struct mode {
	const char *name;
	uint64_t cr0;		/* CR0 & (PE | PG) */
	uint64_t cr4;		/* CR4 & (PSE | PAE) */
	uint64_t efer;		/* EFER & (LME | LMA) */
	uint16_t cs;		/* CS.selector */
	uint8_t l, db;		/* CS.l, CS.db */
};

#define PE	X86_CR0_PE
#define PG	X86_CR0_PG
#define LME	EFER_LME
#define LMA	EFER_LMA

static const struct mode real_mode = { "real mode", 0, 0, 0, CODE_BASE >> 4, 0, 0 };
static const struct mode pm16 = { "16-bit protected mode", PE, 0, 0, SEL_CODE16, 0, 0 };
static const struct mode pm32 = { "32-bit protected mode", PE, 0, 0, SEL_CODE32, 0, 1 };
static const struct mode paged32 = {
	"32-bit paging", PE | PG, X86_CR4_PSE, 0, SEL_CODE32, 0, 1 };
static const struct mode paged_pae = {
	"PAE paging", PE | PG, X86_CR4_PAE, 0, SEL_CODE32, 0, 1 };
static const struct mode compat = {
	"compatibility mode", PE | PG, X86_CR4_PAE, LME | LMA, SEL_CODE32, 0, 1 };
static const struct mode long64 = {
	"64-bit mode", PE | PG, X86_CR4_PAE, LME | LMA, SEL_CODE64, 1, 0 };
static const struct mode pm32_lme = {
	"protected mode, EFER.LME", PE, X86_CR4_PAE, LME, SEL_CODE32, 0, 1 };

/* What the guest reports after a step number, in order. */
enum val_kind { V_END, V_CR0, V_CR4, V_EFER, V_MEM32, V_MEM64 };

struct val {
	enum val_kind kind;
	uint64_t gpa;		/* V_MEM*: the physical address read */
};

/* KVM_TRANSLATE of @lin gives @gpa, or nothing if @gpa is NO_GPA. */
#define NO_GPA		(~0ULL)
struct xlate {
	__u64 lin, gpa;		/* as in struct kvm_translation */
};

#define MAX_VALS	5
#define MAX_XLATES	4

struct step {
	uint32_t n;
	const struct mode *mode;
	struct val vals[MAX_VALS];		/* up to V_END */
	struct xlate xlates[MAX_XLATES];	/* up to lin 0 */
};

#define CR0		{ V_CR0, 0 }
#define CR4		{ V_CR4, 0 }
#define EFER		{ V_EFER, 0 }
#define MEM32(gpa)	{ V_MEM32, gpa }
#define MEM64(gpa)	{ V_MEM64, gpa }

/* Put the cookie each step's reads expect at its physical address. */
static void put_cookies(struct vm *vm, const struct step *steps, int n)
{
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < MAX_VALS && steps[i].vals[j].kind; j++) {
			const struct val *v = &steps[i].vals[j];
			uint32_t c32 = COOKIE32(v->gpa);
			uint64_t c64 = COOKIE64(v->gpa);

			if (v->kind == V_MEM32)
				memcpy(hva(vm, v->gpa), &c32, sizeof(c32));
			else if (v->kind == V_MEM64)
				memcpy(hva(vm, v->gpa), &c64, sizeof(c64));
		}
	}
}

/*
 * Run to the next exit, which must be a 4-byte OUT to @port; return its
 * value. Otherwise say where the guest is before failing.
 */
static uint32_t next_out(struct vcpu *vcpu, uint16_t port)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs s;
	struct kvm_regs r;
	uint32_t v;

	vcpu_run(vcpu);
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != port ||
	    run->io.direction != KVM_EXIT_IO_OUT) {
		vcpu_get_regs(vcpu, &r);
		vcpu_get_sregs(vcpu, &s);
		fprintf(stderr, "# guest at CS %#x (base %#llx, l %u, db %u) RIP %#llx, CR0 %#llx, CR4 %#llx, EFER %#llx\n",
			s.cs.selector, s.cs.base, s.cs.l, s.cs.db, r.rip,
			s.cr0, s.cr4, s.efer);
	}
	memcpy(&v, vcpu_assert_io(vcpu, KVM_EXIT_IO_OUT, port, 4, 1), sizeof(v));
	return v;
}

static uint64_t next_out64(struct vcpu *vcpu)
{
	uint64_t lo = next_out(vcpu, PORT_VAL);

	return lo | (uint64_t)next_out(vcpu, PORT_VAL) << 32;
}

static void check_step(struct __test_metadata *_metadata, struct vcpu *vcpu,
		       const struct step *st)
{
	const struct mode *m = st->mode;
	struct kvm_sregs s;

	ASSERT_EQ(st->n, next_out(vcpu, PORT_STEP));

	/* The mode, from the host's side. */
	vcpu_get_sregs(vcpu, &s);
	EXPECT_EQ(m->cr0, s.cr0 & (PE | PG))
		TH_LOG("step %u (%s): CR0 %#llx", st->n, m->name, s.cr0);
	EXPECT_EQ(m->cr4, s.cr4 & (X86_CR4_PSE | X86_CR4_PAE))
		TH_LOG("step %u (%s): CR4 %#llx", st->n, m->name, s.cr4);
	EXPECT_EQ(m->efer, s.efer & (LME | LMA))
		TH_LOG("step %u (%s): EFER %#llx", st->n, m->name, s.efer);
	EXPECT_EQ(m->cs, s.cs.selector)
		TH_LOG("step %u (%s): CS", st->n, m->name);
	EXPECT_EQ(m->l, s.cs.l) TH_LOG("step %u (%s): CS.l", st->n, m->name);
	EXPECT_EQ(m->db, s.cs.db) TH_LOG("step %u (%s): CS.db", st->n, m->name);

	/* Linear addresses, translated by the vCPU's current paging mode. */
	for (int i = 0; i < MAX_XLATES && st->xlates[i].lin; i++) {
		const struct xlate *x = &st->xlates[i];
		struct kvm_translation tr = { .linear_address = x->lin };

		ASSERT_EQ(0, ioctl(vcpu->fd, KVM_TRANSLATE, &tr))
			TH_LOG("KVM_TRANSLATE %#llx: %m", x->lin);
		if (x->gpa == NO_GPA) {
			EXPECT_EQ(0, tr.valid)
				TH_LOG("step %u (%s): %#llx is not mapped, got %#llx",
				       st->n, m->name, x->lin, tr.physical_address);
			continue;
		}
		EXPECT_EQ(1, tr.valid)
			TH_LOG("step %u (%s): %#llx", st->n, m->name, x->lin);
		EXPECT_EQ(x->gpa, tr.physical_address)
			TH_LOG("step %u (%s): %#llx", st->n, m->name, x->lin);
	}

	/* What the guest says: its registers agree with KVM_GET_SREGS. */
	for (int i = 0; i < MAX_VALS && st->vals[i].kind; i++) {
		const struct val *v = &st->vals[i];

		switch (v->kind) {
		case V_CR0:
			EXPECT_EQ((uint32_t)s.cr0, next_out(vcpu, PORT_VAL))
				TH_LOG("step %u (%s): CR0 read by the guest",
				       st->n, m->name);
			break;
		case V_CR4:
			EXPECT_EQ((uint32_t)s.cr4, next_out(vcpu, PORT_VAL))
				TH_LOG("step %u (%s): CR4 read by the guest",
				       st->n, m->name);
			break;
		case V_EFER:
			EXPECT_EQ(s.efer, next_out64(vcpu))
				TH_LOG("step %u (%s): EFER read by the guest",
				       st->n, m->name);
			break;
		case V_MEM32:
			EXPECT_EQ(COOKIE32(v->gpa), next_out(vcpu, PORT_VAL))
				TH_LOG("step %u (%s): the dword at physical %#llx",
				       st->n, m->name, (unsigned long long)v->gpa);
			break;
		case V_MEM64:
			EXPECT_EQ(COOKIE64(v->gpa), next_out64(vcpu))
				TH_LOG("step %u (%s): the qword at physical %#llx",
				       st->n, m->name, (unsigned long long)v->gpa);
			break;
		case V_END:
			break;
		}
	}
}

static void run_steps(struct __test_metadata *_metadata, struct vm *vm,
		      struct vcpu *vcpu, const struct step *steps, int n)
{
	put_cookies(vm, steps, n);
	for (int i = 0; i < n; i++)
		check_step(_metadata, vcpu, &steps[i]);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, KVM_EXIT_HLT);
}

#define NSTEPS(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* --- The tests --- */

TEST(real_to_protected)
{
	static const struct step steps[] = {
		{ .n = 1, .mode = &real_mode, .vals = { CR0, MEM32(DATA + 0x10) },
		  .xlates = { { LIN_4K + 0x10, LIN_4K + 0x10 } } },
		{ .n = 2, .mode = &pm16, .vals = { CR0, MEM32(DATA + 0x110) } },
		{ .n = 3, .mode = &pm32, .vals = { CR0, MEM32(DATA + 0x210) },
		  .xlates = { { LIN_4K + 0x10, LIN_4K + 0x10 } } },
	};
	struct vcpu *vcpu;
	struct vm *vm = create_vm(&vcpu);

	vcpu_set_real_mode(vcpu, CODE_BASE >> 4, OFF(a_real), STACK_TOP);
	run_steps(_metadata, vm, vcpu, steps, NSTEPS(steps));
	vm_free(vm);
}

TEST(paging_32bit)
{
	static const struct step steps[] = {
		{ .n = 20, .mode = &paged32,
		  .vals = { CR0, CR4, MEM32(ALIAS + 0x10), MEM32(BIG_4M + 0x3ff020) },
		  .xlates = { { LIN_4K + 0x10, ALIAS + 0x10 },
		    { LIN_4M + 0x3ff020, BIG_4M + 0x3ff020 },
		    { CODE_BASE, CODE_BASE },
		    { 0x80000000, NO_GPA } } },
	};
	struct vcpu *vcpu;
	struct vm *vm = create_vm(&vcpu);

	build_paging_32bit(vm);
	set_protected_mode(vcpu, LINEAR(b_pm32));
	run_steps(_metadata, vm, vcpu, steps, NSTEPS(steps));
	vm_free(vm);
}

TEST(paging_pae)
{
	static const struct step steps[] = {
		{ .n = 30, .mode = &paged_pae,
		  .vals = { CR0, CR4, MEM32(ALIAS + 0x10), MEM32(BIG_2M + 0x1ff028) },
		  .xlates = { { LIN_4K + 0x10, ALIAS + 0x10 },
		    { LIN_2M_PAE + 0x1ff028, BIG_2M + 0x1ff028 },
		    { CODE_BASE, CODE_BASE },
		    { 0x40000000, NO_GPA } } },
	};
	struct vcpu *vcpu;
	struct vm *vm = create_vm(&vcpu);

	build_paging_pae(vm);
	set_protected_mode(vcpu, LINEAR(c_pm32));
	run_steps(_metadata, vm, vcpu, steps, NSTEPS(steps));
	vm_free(vm);
}

TEST(long_mode_and_back)
{
	static const struct step steps[] = {
		{ .n = 40, .mode = &compat, .vals = { CR0, EFER } },
		{ .n = 41, .mode = &long64, .vals = { EFER, MEM64(BIG_2M + 0x100000) },
		  .xlates = { { LIN_2M_64 + 0x100000, BIG_2M + 0x100000 },
		    { LIN_4K + 0x10, ALIAS + 0x10 },
		    { CODE_BASE, CODE_BASE },
		    { 0x10000000000ULL, NO_GPA } } },
		{ .n = 42, .mode = &compat, .vals = { CR0, EFER, MEM32(ALIAS + 0x10) },
		  .xlates = { { LIN_4K + 0x10, ALIAS + 0x10 } } },
		{ .n = 43, .mode = &pm32_lme, .vals = { CR0, EFER, MEM32(LIN_4K + 0x10) },
		  .xlates = { { LIN_4K + 0x10, LIN_4K + 0x10 } } },
		{ .n = 44, .mode = &pm32, .vals = { EFER, CR4 } },
		{ .n = 45, .mode = &pm16, .vals = { CR0, MEM32(DATA + 0x114) } },
		{ .n = 46, .mode = &real_mode, .vals = { CR0, MEM32(DATA + 0x310) } },
	};
	struct vcpu *vcpu;
	struct vm *vm = create_vm(&vcpu);

	build_paging_4level(vm);
	set_protected_mode(vcpu, LINEAR(d_pm32));
	run_steps(_metadata, vm, vcpu, steps, NSTEPS(steps));
	vm_free(vm);
}

TEST_HARNESS_MAIN
