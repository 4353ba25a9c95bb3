/* inject.c - raises the fault the plan asks for (none by default). */
#include "kernel/inject.h"
#include "kernel/console/console.h"

/* Far above the direct map and below the kernel image: never mapped. */
#define UNMAPPED_KERNEL_VA 0xffffc00000000000ull
#define NON_CANONICAL_VA   0x8000000000000000ull

void
inject_fault(enum plan_inject what)
{
	volatile uint64_t sink;
	volatile int zero = 0;

	if (what == PLAN_INJECT_NONE)
		return;
	kprintf("inject: raising %s as the plan asks\n", plan_inject_name(what));
	switch (what) {
	case PLAN_INJECT_UD:
		__asm__ volatile("ud2");
		break;
	case PLAN_INJECT_PF:
		sink = *(volatile uint64_t *)UNMAPPED_KERNEL_VA;
		break;
	case PLAN_INJECT_GP:
		sink = *(volatile uint64_t *)NON_CANONICAL_VA;
		break;
	case PLAN_INJECT_DE:
		sink = 1 / zero;
		break;
	default:
		break;
	}
	(void)sink;
}
