/* ktest.c - the TAP reporter and the selected-test runner. */
#include "kernel/test/ktest.h"
#include "kernel/console/console.h"
#include "common/string.h"
#include "common/format.h"
#include "common/plan.h"
#include "kernel/time/clock.h"

extern const struct ktest ktest_table[];
extern const unsigned ktest_table_len;

static unsigned checks, failures;

void
ktest_check(int cond, const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnformat(name, sizeof name, fmt, ap);
	va_end(ap);
	checks++;
	if (!cond)
		failures++;
	kprintf("%sok %u - %s\n", cond ? "" : "not ", checks, name);
}

static int
selected(const struct plan *p, const char *name)
{
	if (!p->test_count)
		return 1;
	for (unsigned i = 0; i < p->test_count; i++)
		if (!strncmp(name, p->tests[i], strlen(p->tests[i])))
			return 1;
	return 0;
}

int
ktest_run_selected(const struct plan *p)
{
	kprintf("TAP version 13\n");
	for (unsigned i = 0; i < ktest_table_len; i++) {
		if (!selected(p, ktest_table[i].name))
			continue;
		kprintf("# %s\n", ktest_table[i].name);
		uint64_t t0 = clock_ns();
		ktest_table[i].run();
		kprintf("# %s took %lu ms\n", ktest_table[i].name,
			(unsigned long)((clock_ns() - t0) / 1000000));
	}
	kprintf("1..%u\n", checks);
	kprintf("# selftest: %u passed, %u failed\n", checks - failures, failures);
	return failures;
}
