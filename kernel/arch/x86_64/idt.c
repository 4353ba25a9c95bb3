/* idt.c - builds the 256-entry IDT from traps.S's stubs and loads it. */
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/gdt.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

extern const uint64_t trap_stub_table[256];
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void
set_gate(int v, uint64_t handler, int ist, int dpl)
{
	idt[v].offset_lo = handler & 0xffff;
	idt[v].selector = GDT_KERNEL_CODE;
	idt[v].ist = ist;
	/* 0x8e: present interrupt gate (IF cleared on entry). */
	idt[v].type_attr = 0x8e | (dpl << 5);
	idt[v].offset_mid = (handler >> 16) & 0xffff;
	idt[v].offset_hi = handler >> 32;
	idt[v].reserved = 0;
}

void
idt_load(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr =
		{ sizeof idt - 1, (uint64_t)idt };

	for (int v = 0; v < 256; v++)
		set_gate(v, trap_stub_table[v], 0, 0);
	/* Faults that may arrive on a broken stack get known-good stacks. */
	set_gate(VEC_DOUBLE_FAULT, trap_stub_table[VEC_DOUBLE_FAULT], IST_DOUBLE_FAULT, 0);
	set_gate(VEC_NMI, trap_stub_table[VEC_NMI], IST_NMI, 0);
	set_gate(VEC_MACHINE_CHECK, trap_stub_table[VEC_MACHINE_CHECK], IST_MACHINE_CHECK, 0);
	__asm__ volatile("lidt %0" :: "m"(idtr));
}
