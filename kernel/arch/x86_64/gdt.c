/*
 * gdt.c - the GDT (flat 64-bit segments) and the TSS with its IST stacks,
 * one set per CPU: a TSS holds the CPU's ring-0 stack (the running
 * thread's kernel stack) and its IST stacks, and a busy TSS cannot be
 * loaded by a second CPU, so each CPU needs its own descriptor too.
 */
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/percpu.h"

#define IST_STACK_SIZE 16384
#define GDT_ENTRIES 7

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss;
};

static struct cpu_tables tables[MAX_CPUS];
static uint8_t ist_stacks[MAX_CPUS][3][IST_STACK_SIZE] __attribute__((aligned(16)));

/* Access byte + flags nibble for 64-bit code/data descriptors. */
#define SEG(access, flags) (((uint64_t)(access) << 40) | ((uint64_t)(flags) << 52))
static const uint64_t gdt_template[GDT_ENTRIES - 2] = {
	0,
	SEG(0x9a, 0x2),   /* 0x08 kernel code: present, DPL0, exec/read, L */
	SEG(0x92, 0x0),   /* 0x10 kernel data: present, DPL0, read/write */
	SEG(0xf2, 0x0),   /* 0x18 user data:   present, DPL3, read/write */
	SEG(0xfa, 0x2),   /* 0x20 user code:   present, DPL3, exec/read, L */
	                  /* 0x28 TSS: 16-byte system descriptor, filled below */
};

static void
set_tss_descriptor(struct cpu_tables *t)
{
	uint64_t base = (uint64_t)&t->tss;
	uint64_t limit = sizeof t->tss - 1;

	t->gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		    (0x89ull << 40) |              /* present, 64-bit TSS available */
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	t->gdt[6] = base >> 32;
}

void
gdt_load_cpu(int cpu)
{
	struct cpu_tables *t = &tables[cpu];
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr =
		{ sizeof t->gdt - 1, (uint64_t)t->gdt };
	/* Loading the null selector into GS clears GS_BASE (QEMU, AMD): the
	 * per-CPU area set before (percpu_init) is put back below. */
	uint64_t gs_base = rdmsr(MSR_GS_BASE);

	for (int i = 0; i < GDT_ENTRIES - 2; i++)
		t->gdt[i] = gdt_template[i];
	for (int i = 0; i < 3; i++)
		t->tss.ist[i] = (uint64_t)&ist_stacks[cpu][i][IST_STACK_SIZE];
	t->tss.iomap_base = sizeof t->tss;  /* no I/O bitmap: user port I/O faults */
	set_tss_descriptor(t);
	this_cpu()->tss = &t->tss;

	__asm__ volatile(
		"lgdt %0\n\t"
		"mov %1, %%ds\n\t"
		"mov %1, %%es\n\t"
		"mov %1, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		/* Reload CS with a far return. */
		"pushq %2\n\t"
		"lea 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"ltr %w3"
		:: "m"(gdtr), "r"((uint64_t)GDT_KERNEL_DATA), "i"(GDT_KERNEL_CODE),
		   "r"(GDT_TSS) : "rax", "memory");
	wrmsr(MSR_GS_BASE, gs_base);
}

void
gdt_load(void)
{
	gdt_load_cpu(0);
}
