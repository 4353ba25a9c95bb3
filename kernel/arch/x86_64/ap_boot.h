/*
 * ap_boot.h - the layout of the trampoline pages (boot_info.ap_boot_phys,
 * BOOT_AP_PAGES pages below 1 MiB) that ap_boot.S's code runs from.
 *
 * A started CPU begins in real mode at (page << 12); the code switches to
 * protected mode with a small GDT kept in the same page, then to long mode
 * with the trampoline's own page tables (a PML4 below 4 GiB, which the
 * 32-bit mov to CR3 needs: it maps the first 2 MiB at their own address and
 * shares the kernel half with the master table), and jumps to the kernel.
 * smp.c fills the parameter block before each start.
 */
#ifndef KERNEL_ARCH_AP_BOOT_H
#define KERNEL_ARCH_AP_BOOT_H

/* Offsets in the first page (the code starts at 0). */
#define AP_GDT     0xf00     /* 4 descriptors: null, code32, data32, code64 */
#define AP_GDTR    0xf20     /* limit (2 bytes), linear base (4 bytes) */
#define AP_FAR32   0xf28     /* far pointer to the 32-bit code: offset, selector */
#define AP_FAR64   0xf30     /* far pointer to the 64-bit code */
#define AP_CR3     0xf38     /* the trampoline PML4 (physical, < 4 GiB) */
#define AP_STACK   0xf40     /* kernel stack top for the C entry */
#define AP_ENTRY   0xf48     /* the C entry, void ap_entry(struct percpu *) */
#define AP_ARG     0xf50     /* its argument */
/* The next three pages: PML4, PDPT, page directory. */
#define AP_PML4    0x1000
#define AP_PDPT    0x2000
#define AP_PD      0x3000

#define AP_SEL_CODE32 0x08
#define AP_SEL_DATA32 0x10
#define AP_SEL_CODE64 0x18

#endif
