/*
 * format.h - printf-style formatting into a bounded buffer, freestanding.
 *
 * Supports %d %i %u %x %X %p %s %c %%, the length modifiers l, ll, z, and a
 * width with optional '0' or '-' flags.  Output is always NUL-terminated
 * when size > 0; the return value is the length the full output would have.
 * Shared by the kernel, the loader and the user library.
 *
 * struct strbuf is the one bounded string builder of the tree: text is
 * appended until the buffer is full (the rest is dropped), and the buffer
 * stays NUL-terminated after every call.  snformat is one strbuf_format
 * into a fresh buffer; messages built piece by piece (the plan parser's,
 * the ELF checker's) append to one strbuf.
 */
#ifndef IPCBENCH_FORMAT_H
#define IPCBENCH_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t size;                 /* of buf, NUL included; 0 = write nothing */
	size_t len;                  /* characters appended, even past size */
};

/* An empty string in buf (when size > 0); buf may be NULL with size 0. */
void strbuf_init(struct strbuf *sb, char *buf, size_t size);
void strbuf_char(struct strbuf *sb, char c);
void strbuf_str(struct strbuf *sb, const char *s);
void strbuf_vformat(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_format(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
int snformat(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
