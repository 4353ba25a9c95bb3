/*
 * uaccess.h - the only way the kernel touches user memory.
 *
 * Each routine checks that the whole range lies below USER_TOP (with the
 * addition checked for overflow) and then copies with SMAP opened only for
 * the copy itself; a fault inside the copy is recovered through the
 * exception fixup table and reported as -EFAULT, never as a kernel fault.
 */
#ifndef KERNEL_MM_UACCESS_H
#define KERNEL_MM_UACCESS_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/mm/pagetable.h"         /* USER_TOP */
#include "kernel/stats/counters.h"

/* 1 when [uaddr, uaddr+len) is a user range (it may still be unmapped).
 * Inline: every syscall that takes a buffer asks. */
static inline int
user_range_ok(uint64_t uaddr, uint64_t len)
{
	/* Both tests are needed: the sum may wrap around. */
	return uaddr + len >= uaddr && uaddr + len <= USER_TOP;
}

int copy_from_user(void *dst, uint64_t usrc, uint64_t len);     /* 0 or -EFAULT */
int copy_to_user(uint64_t udst, const void *src, uint64_t len); /* 0 or -EFAULT */

/* The copies without the range check, for a range the caller checked with
 * user_range_ok (or a part of one): a syscall checks its buffer once, at
 * the top (e.g. sys_fd.c for every file op), and the object copies
 * pieces of it.  A fault inside the range is still -EFAULT. */
long uaccess_copy(void *dst, const void *src, uint64_t len);

static inline int
copy_from_user_nocheck(void *dst, uint64_t usrc, uint64_t len)
{
	COUNT_ADD(kcopy_bytes, len);
	return (int)uaccess_copy(dst, (const void *)usrc, len);
}

static inline int
copy_to_user_nocheck(uint64_t udst, const void *src, uint64_t len)
{
	COUNT_ADD(kcopy_bytes, len);
	return (int)uaccess_copy((void *)udst, src, len);
}

/* Copies a NUL-terminated string of at most max-1 bytes.  Returns its
 * length, -EFAULT, or -ENAMETOOLONG when no NUL comes within max bytes. */
long strncpy_from_user(char *dst, uint64_t usrc, uint64_t max);

/* The same for a struct of whole words (len a multiple of 8), copied a
 * word at a time: the signal frame. */
int copy_words_from_user(void *dst, uint64_t usrc, uint64_t len);
int copy_words_to_user(uint64_t udst, const void *src, uint64_t len);

/* Set once at boot when CR4.SMAP is on, so stac/clac are used. */
void uaccess_enable_smap(void);

#endif
