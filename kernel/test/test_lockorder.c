/* test_lockorder.c - the debug build's lock-order check (kernel/sync/
 * lockorder.h) learns orders and catches an inversion; other builds
 * compile it out and say so. */
#include "kernel/test/ktest.h"
#include "kernel/sync/spinlock.h"
#include "kernel/sync/irqs_off.h"
#include "kernel/console/console.h"

static struct spinlock lock_a = SPINLOCK_INIT("ktest-order-a");
static struct spinlock lock_b = SPINLOCK_INIT("ktest-order-b");

static void
take_both(struct spinlock *first, struct spinlock *second)
{
	spin_lock(first);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock(first);
}

#ifdef IPCBENCH_DEBUG
static void
print_pair(const char *before, const char *after)
{
	kprintf("# lock-order: \"%s\" before \"%s\"\n", before, after);
}
#endif

void
test_lock_order(void)
{
	if (!IPCBENCH_DEBUG_CHECKS) {
		kprintf("# lock-order: not a debug build, the check is compiled out\n");
		return;
	}
	unsigned pairs = lockorder_pairs();
	ktest_check(pairs > 0, "lock-order: the boot so far recorded %u lock pairs", pairs);
	take_both(&lock_a, &lock_b);
	ktest_check(lockorder_pairs() == pairs + 1, "lock-order: a then b adds one pair (%u)",
		    lockorder_pairs() - pairs);
	unsigned before = lockorder_expect_inversions(1);
	take_both(&lock_a, &lock_b);
	unsigned same = lockorder_expect_inversions(1);
	take_both(&lock_b, &lock_a);
	unsigned after = lockorder_expect_inversions(0);
	ktest_check(same == before && after == before + 1,
		    "lock-order: the same order again passes, b then a is caught (%u, %u)",
		    same - before, after - before);
#ifdef IPCBENCH_DEBUG
	lockorder_print(print_pair);
#endif
}
