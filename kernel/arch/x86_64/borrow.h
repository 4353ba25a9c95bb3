/*
 * borrow.h - borrow mode: the kernel takes the CPU from a firmware whose
 * boot services still run, and gives it back exactly as it found it
 * (README.md, "Benchmarking a real machine"; the list of what we change is in
 * cpu_takeover.c).  Kept apart from cpu_takeover.c: this file only saves
 * and restores, it never configures.
 */
#ifndef KERNEL_ARCH_BORROW_H
#define KERNEL_ARCH_BORROW_H

#include <stdint.h>

struct boot_info;

/* First thing in kmain when boot_info asks for borrow mode: records the
 * firmware's CPU state (also into the loader's boot_info), its FPU state,
 * and starts capturing the console into the loader's buffer. */
void borrow_begin(struct boot_info *loader_bi);
int borrow_active(void);

/* Ends the run: stops and drains our timer, restores every saved register,
 * checks the restore, and jumps back to the loader.  Any context, IF any. */
void borrow_return(int pass, const char *reason) __attribute__((noreturn));

#endif
