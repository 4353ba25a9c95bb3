/* idt.h - interrupt vector numbers and IDT setup. */
#ifndef KERNEL_ARCH_IDT_H
#define KERNEL_ARCH_IDT_H

#define VEC_DIVIDE        0
#define VEC_NMI           2
#define VEC_BREAKPOINT    3
#define VEC_INVALID_OP    6
#define VEC_DOUBLE_FAULT  8
#define VEC_GP            13
#define VEC_PAGE_FAULT    14
#define VEC_MACHINE_CHECK 18
#define VEC_TIMER         32   /* LAPIC timer */
#define VEC_RESCHED       33   /* reserved for IPIs */
#define VEC_SPURIOUS      255

void idt_load(void);

#endif
