/*
 * irqs_off.h - assert_irqs_off(): where a rule says "interrupts are off
 * here" (the TLB policy, whose state the timer's context switch changes),
 * a debug build (`make DEBUG=1`, -DIPCBENCH_DEBUG) checks it and panics
 * naming the function; other builds compile it to nothing, so the measured
 * paths are the same instructions with or without the rule written down.
 */
#ifndef KERNEL_SYNC_IRQS_OFF_H
#define KERNEL_SYNC_IRQS_OFF_H

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/panic.h"

#ifdef IPCBENCH_DEBUG
#define IPCBENCH_DEBUG_CHECKS 1
#define assert_irqs_off() do {                                               \
	if (read_rflags() & RFLAGS_IF)                                       \
		panic("%s: interrupts are on, the rule says off", __func__); \
} while (0)
#else
#define IPCBENCH_DEBUG_CHECKS 0
#define assert_irqs_off() do { } while (0)
#endif

#endif
