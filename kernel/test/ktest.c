/* ktest.c - the TAP reporter and the selected-test runner. */
#include "kernel/test/ktest.h"
#include "kernel/console/console.h"
#include "common/string.h"
#include "common/format.h"
#include "common/plan.h"
#include "kernel/time/clock.h"

extern const struct ktest ktest_table[], ktest_named_only[];
extern const unsigned ktest_table_len, ktest_named_only_len;

static unsigned checks, failures;
static const struct plan *the_plan;

int
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
	return cond != 0;
}

unsigned
ktest_failures(void)
{
	return failures;
}

const struct plan *
ktest_plan(void)
{
	return the_plan;
}

/* `all` selects every row of ktest_table, none of ktest_named_only. */
static int
selected(const struct plan *p, const struct ktest *t, int named_only)
{
	if (!p->test_count)
		return !named_only;
	for (unsigned i = 0; i < p->test_count; i++)
		if (!strncmp(t->name, p->tests[i], strlen(p->tests[i])))
			return 1;
	return 0;
}

static void
run_one(const struct ktest *t)
{
	kprintf("# %s\n", t->name);
	uint64_t t0 = clock_ns();
	t->run();
	kprintf("# %s took %lu ms\n", t->name, (unsigned long)((clock_ns() - t0) / 1000000));
}

int
ktest_run_selected(const struct plan *p)
{
	the_plan = p;
	kprintf("TAP version 13\n");
	for (unsigned i = 0; i < ktest_table_len; i++)
		if (selected(p, &ktest_table[i], 0))
			run_one(&ktest_table[i]);
	for (unsigned i = 0; i < ktest_named_only_len; i++)
		if (selected(p, &ktest_named_only[i], 1))
			run_one(&ktest_named_only[i]);
	kprintf("1..%u\n", checks);
	kprintf("# selftest: %u passed, %u failed\n", checks - failures, failures);
	return failures;
}
