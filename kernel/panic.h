/* panic.h - fatal kernel errors: dump, report FAIL, power off. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

struct trap_frame;

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_trap(struct trap_frame *f) __attribute__((noreturn));
void print_backtrace(uint64_t rbp);

#define KASSERT(cond) do {                                                   \
	if (!(cond))                                                         \
		panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
} while (0)

#endif
