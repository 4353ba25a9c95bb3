/* gdt.h - segment selectors and the TSS (layout fixed by SYSCALL/SYSRET). */
#ifndef KERNEL_ARCH_GDT_H
#define KERNEL_ARCH_GDT_H


/*
 * SYSRET loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, both with
 * RPL 3, so user data must sit directly below user code.  SYSCALL loads
 * CS = STAR[47:32] and SS = STAR[47:32] + 8.
 */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_DATA   0x18
#define GDT_USER_CODE   0x20
#define GDT_TSS         0x28
#define USER_CS (GDT_USER_CODE | 3)
#define USER_SS (GDT_USER_DATA | 3)

/* Interrupt stack table slots (1-based, as the IDT encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLY__          /* the selectors above are read by syscall_entry.S */
#include <stdint.h>
#include "kernel/arch/x86_64/percpu.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout (SDM Vol. 3A 8.7)");
_Static_assert(GDT_USER_CODE == GDT_USER_DATA + 8, "SYSRET selector order");

void gdt_load(void);          /* the boot CPU's tables */
void gdt_load_cpu(int cpu);   /* CPU `cpu`'s own GDT and TSS */

/* The stack the CPU enters ring 0 on from ring 3 (TSS.RSP0): the current
 * thread's.  Inline: every switch sets it. */
static inline void
tss_set_kernel_stack(uint64_t rsp0)
{
	this_cpu_read(tss)->rsp[0] = rsp0;
}

#endif /* !__ASSEMBLY__ */

#endif
