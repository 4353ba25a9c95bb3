/* string.h - mem* and str* for the kernel and user programs (no libc). */
#ifndef IPCBENCH_STRING_H
#define IPCBENCH_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 bytes and always NUL-terminates (size > 0);
 * returns strlen(src) so truncation is detectable. */
size_t strncpy_bounded(char *dst, const char *src, size_t size);

#endif
