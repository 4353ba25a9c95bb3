/*
 * ipcbench.h - everything a user program includes: system calls (sys.h),
 * console output, test reports, threads and timing.
 *
 * A program defines `int main(const char *arg, unsigned long arglen)`;
 * crt0.S calls it and exits with its return value (& 0xff, see WAIT_KILLED).
 */
#ifndef USER_LIB_IPCBENCH_H
#define USER_LIB_IPCBENCH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errno.h"
#include "common/format.h"
#include "common/string.h"
#include "common/syscall_abi.h"
#include "user/lib/sys.h"
#include "user/lib/timing.h"

int main(const char *arg, unsigned long arglen);

/* print.c: formatted console output.  One usys_write per call, so lines from
 * different processes do not interleave mid-line; output past UPRINTF_MAX
 * bytes is cut.  Both return what usys_write returns. */
#define UPRINTF_MAX 512
long uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long uvprintf(const char *fmt, va_list ap);
long uputs(const char *s);                  /* s and a newline */

/* check.c: reports one test to the kernel, which prints the TAP line with a
 * global number.  The name is formatted like uprintf (cut at CHECK_NAME_MAX
 * bytes).  Returns cond != 0, so a test can stop at a failed check. */
#define CHECK_NAME_MAX 128
int check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* checksum.c: 32-bit FNV-1a of n bytes (message-content checks in tests). */
uint32_t checksum(const void *data, size_t n);

/* args.c: the next decimal number (optional '-') in s, after any spaces.
 * Returns the position after it, or NULL when there is none or it does not
 * fit in a long. */
const char *arg_next_long(const char *s, long *out);
/* The same, for argument strings a test program writes itself: the number,
 * with *s moved past it; 0, *s unmoved, when there is none. */
long arg_take_long(const char **s);
/* When s begins with the word `word` (then a space or the end), the
 * position after it; else NULL. */
const char *arg_word(const char *s, const char *word);

/* test_page.c: the page a test driver shares with the children it spawns.
 * test_page_run makes it (*handle, for the children's arguments), maps it
 * at *page, runs fn and destroys it; the page is a check of its own ("WHAT:
 * a shared page for the children").  Returns 0 when fn returned nonzero, 1
 * otherwise: a program's exit status.  test_page_map is a child's view of
 * it: when it cannot be mapped, a private page of zeroes, so that the
 * child's notes go nowhere instead of faulting. */
int test_page_run(const char *what, int (*fn)(void), long *handle, void **page);
void *test_page_map(long handle);

/* named_test.c: a test program's main.  Maps scratch_bytes of scratch at
 * *scratch (exit 100 when it cannot), then runs the test that arg's first
 * word names (0 passed, 1 failed) or, when none does, role(arg) (a child
 * role the tests spawn). */
struct named_test {
	const char *name;
	int (*run)(void);            /* 1 when every check passed */
};
int named_test_main(const char *arg, const struct named_test *tests, unsigned count,
		    char **scratch, size_t scratch_bytes, int (*role)(const char *arg));

/* thread.c: runs fn(arg) on a new thread of this process, whose stack ends
 * at stack_top (e.g. from usys_map_anon); the thread ends when fn returns.
 * Returns the tid or -errno.  Free the stack only after usys_thread_join(tid). */
long thread_start(void (*fn)(void *), void *stack_top, void *arg);

#endif
