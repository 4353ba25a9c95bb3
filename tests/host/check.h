/*
 * check.h - a tiny TAP-emitting assertion kit for host unit tests.
 *
 * Each CHECK prints "ok N - what" or "not ok N - what (file:line)"; the
 * program's exit status is the number of failures (capped at 255), so
 * tests/test_host.py can judge a binary by its status and show the lines.
 */
#ifndef IPCBENCH_CHECK_H
#define IPCBENCH_CHECK_H

#include <stdio.h>

static int check_count, check_failed;

#define CHECK(cond, ...) do {                                            \
	check_count++;                                                   \
	if (cond) {                                                      \
		printf("ok %d - ", check_count);                         \
	} else {                                                         \
		check_failed++;                                          \
		printf("not ok %d - ", check_count);                     \
	}                                                                \
	printf(__VA_ARGS__);                                             \
	if (!(cond))                                                     \
		printf("  (%s:%d: %s)", __FILE__, __LINE__, #cond);      \
	printf("\n");                                                    \
} while (0)

/* Call at the end of main(): prints the TAP plan and returns the status. */
static inline int check_done(void)
{
	printf("1..%d\n# %d passed, %d failed\n", check_count,
	       check_count - check_failed, check_failed);
	return check_failed > 255 ? 255 : check_failed;
}

#endif
