/*
 * format.h - printf-style formatting into a bounded buffer, freestanding.
 *
 * Supports %d %i %u %x %X %p %s %c %%, the length modifiers l, ll, z, and a
 * width with optional '0' or '-' flags.  Output is always NUL-terminated
 * when size > 0; the return value is the length the full output would have.
 * Shared by the kernel and the user library.
 */
#ifndef IPCBENCH_FORMAT_H
#define IPCBENCH_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
