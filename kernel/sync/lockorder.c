/* lockorder.c - the debug build's lock-order check (lockorder.h). */
#include "kernel/sync/lockorder.h"

#ifdef IPCBENCH_DEBUG
#include "kernel/sync/spinlock.h"
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/panic.h"

#define HELD_MAX  16       /* locks one CPU holds at once */
#define PAIRS_MAX 512      /* distinct (before, after) class pairs */

struct pair {
	const char *before, *after;
};

static const struct spinlock *held[MAX_CPUS][HELD_MAX];
static unsigned depth[MAX_CPUS];
/* The pair table has its own raw lock: a tracked one would recurse. */
static volatile uint32_t pairs_lock;
static struct pair pairs[PAIRS_MAX];
static unsigned npairs;
static volatile int reporting;   /* a report is under way: stop checking */
static int expecting;            /* selftest: count inversions, no panic */
static unsigned inversions;

static const char *
class_of(const struct spinlock *l)
{
	return l->name ? l->name : "?";
}

/* pairs_lock held. */
static int
seen(const char *before, const char *after)
{
	for (unsigned i = 0; i < npairs; i++)
		if (pairs[i].before == before && pairs[i].after == after)
			return 1;
	return 0;
}

static void
record(const char *before, const char *after)
{
	while (__atomic_exchange_n(&pairs_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	int inverted = seen(after, before);
	if (!inverted && !seen(before, after) && npairs < PAIRS_MAX)
		pairs[npairs++] = (struct pair){ before, after };
	__atomic_store_n(&pairs_lock, 0, __ATOMIC_RELEASE);
	if (inverted && expecting) {
		inversions++;
		return;
	}
	if (inverted) {
		reporting = 1;
		panic("lock order: \"%s\" taken while holding \"%s\", but \"%s\" was taken "
		      "while holding \"%s\" before: two CPUs can deadlock", after, before,
		      before, after);
	}
}

void
lockorder_acquired(const struct spinlock *l)
{
	if (reporting)
		return;
	int cpu = this_cpu()->id;
	const char *mine = class_of(l);

	for (unsigned i = 0; i < depth[cpu]; i++)
		if (class_of(held[cpu][i]) != mine)
			record(class_of(held[cpu][i]), mine);
	if (depth[cpu] == HELD_MAX) {
		reporting = 1;
		panic("lock order: CPU %d holds %d locks (\"%s\" is one too many)", cpu,
		      HELD_MAX, mine);
	}
	held[cpu][depth[cpu]++] = l;
}

/* Locks are released in any order; sched_lock may be released by another
 * thread than the one that took it, but always on the same CPU. */
void
lockorder_releasing(const struct spinlock *l)
{
	if (reporting)
		return;
	int cpu = this_cpu()->id;

	for (unsigned i = depth[cpu]; i-- > 0; ) {
		if (held[cpu][i] != l)
			continue;
		held[cpu][i] = held[cpu][--depth[cpu]];
		return;
	}
}

unsigned
lockorder_pairs(void)
{
	return npairs;
}

void
lockorder_print(void (*line)(const char *before, const char *after))
{
	for (unsigned i = 0; i < npairs; i++)
		line(pairs[i].before, pairs[i].after);
}

unsigned
lockorder_expect_inversions(int on)
{
	expecting = on;
	return inversions;
}
#endif
