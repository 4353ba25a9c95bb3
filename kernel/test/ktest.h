/*
 * ktest.h - in-guest selftests, reported in TAP on the console.
 *
 * Each check prints "ok N - what it proves" or "not ok N - ...", so run.py,
 * the host tests and a reader can count and grep them.  Tests are rows in
 * the table of kernel/test/selftests.c; the plan's `tests` key selects them
 * by name prefix.
 */
#ifndef KERNEL_TEST_KTEST_H
#define KERNEL_TEST_KTEST_H

#include <stdint.h>

struct plan;
struct shm_obj;

struct ktest {
	const char *name;            /* "frames", "heap", ... (plan filter) */
	void (*run)(void);
};

/* Prints the TAP line; returns cond != 0, so a test can stop at a failure. */
int ktest_check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Failed checks so far in this boot. */
unsigned ktest_failures(void);
/* The plan of this boot (for tests with plan keys of their own). */
const struct plan *ktest_plan(void);
/* ktest_proc.c: user programs as children of the kernel process.
 * ktest_spawn returns the pid or -errno; ktest_wait the exit status, or -1
 * for a bad pid; ktest_run both (a spawn error comes back as -errno). */
int ktest_spawn(const char *name, const char *arg);
int ktest_wait(int pid);
int ktest_run(const char *name, const char *arg);

/* A zeroed page shared with test programs: `handle` goes in their argument
 * (they shm_map it), `word` is the kernel's view.  ktest_page_get returns 0
 * after a failed check; ktest_page_free gives the page back. */
struct ktest_page {
	long handle;
	struct shm_obj *obj;
	volatile int64_t *word;
};
int ktest_page_get(struct ktest_page *pg, const char *what);
void ktest_page_free(struct ktest_page *pg);

/* Runs every selected test; returns the number of failed checks. */
int ktest_run_selected(const struct plan *p);

#endif
