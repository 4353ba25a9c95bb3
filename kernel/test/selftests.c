/* selftests.c - the registry of in-guest selftests: one row per test.
 * Adding a test is adding a row (and its function, in its own file when it
 * belongs to a subsystem). */
#include "kernel/test/ktest.h"

void test_boot_info(void);
void test_frames(void);
void test_heap(void);
void test_paging(void);
void test_clock(void);

const struct ktest ktest_table[] = {
	{ "boot",   test_boot_info },   /* loader hand-over is sane */
	{ "frames", test_frames },      /* frame allocator balances */
	{ "heap",   test_heap },        /* kmalloc/kfree and counters */
	{ "paging", test_paging },      /* kernel protections are in force */
	{ "clock",  test_clock },       /* TSC clock and LAPIC tick advance */
};
const unsigned ktest_table_len = sizeof ktest_table / sizeof ktest_table[0];
