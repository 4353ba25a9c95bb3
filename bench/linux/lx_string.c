/* lx_string.c - the one function of common/string.h that glibc lacks (the
 * rest, memcpy included, are glibc's: the Linux floors measure Linux's
 * own memcpy). */
#include <stdio.h>

size_t
strncpy_bounded(char *dst, const char *src, size_t size)
{
	return (size_t)snprintf(dst, size, "%s", src);   /* cut, terminated, strlen(src) */
}
