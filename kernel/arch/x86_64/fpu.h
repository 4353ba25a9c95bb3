/*
 * fpu.h - per-thread x87/SSE(/AVX) register state, saved eagerly on every
 * switch between threads that own one (user threads; kernel threads have
 * none and the kernel, built with -mgeneral-regs-only, never touches these
 * registers).
 */
#ifndef KERNEL_ARCH_FPU_H
#define KERNEL_ARCH_FPU_H

#include <stdint.h>

/* Enables x87/SSE for ring 3 (CR0, CR4, XCR0 as CPUID allows) and builds
 * the clean state new threads start from.  Before any user thread. */
void fpu_init(void);
/* One line for the boot log: which instruction saves how many bytes. */
void fpu_init_ap(void);        /* another CPU, after fpu_init on the boot CPU */
const char *fpu_reason(void);

/* A save area (64-byte aligned, from the heap) holding the clean state,
 * or NULL when out of memory. */
void *fpu_area_new(void);
void fpu_area_free(void *area);

void fpu_switch_other(void *save, const void *load);
/* XCR0 in the XSAVEOPT mode, else 0 (fpu.c).  XCR0's upper half is 0 (we
 * enable x87, SSE and AVX only), so the EDX:EAX the instructions take is
 * 0:mask: nothing to split. */
extern uint32_t fpu_xsaveopt_mask;

/* XSAVEOPT/XRSTOR of every component we enabled (EDX:EAX = XCR0). */
static inline void
fpu_xsaveopt(void *save, uint32_t mask)
{
	__asm__ volatile("xsaveopt64 (%0)" :: "r"(save), "a"(mask), "d"(0) : "memory");
}

static inline void
fpu_xrstor(const void *load, uint32_t mask)
{
	__asm__ volatile("xrstor64 (%0)" :: "r"(load), "a"(mask), "d"(0) : "memory");
}

/* A switch between threads: registers -> save, then load -> registers;
 * either may be NULL (a kernel thread's, or a dead thread's).  Inline for
 * the usual mode, XSAVEOPT/XRSTOR; the others go through fpu.c. */
static inline void
fpu_switch(void *save, const void *load)
{
	uint32_t mask = fpu_xsaveopt_mask;

	if (__builtin_expect(!mask, 0)) {
		fpu_switch_other(save, load);
		return;
	}
	if (save)
		fpu_xsaveopt(save, mask);
	if (load)
		fpu_xrstor(load, mask);
}

#endif
