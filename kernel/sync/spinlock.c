/* spinlock.c - the out-of-line parts of the spinlocks (spinlock.h). */
#include "kernel/sync/spinlock.h"

void
spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
}

/* Test-and-test-and-set: spin on a plain read until the lock looks free,
 * answering TLB shootdowns meanwhile -- the holder may be waiting, with
 * interrupts off, for this CPU's answer (tlb.c). */
void
spin_lock_contended(struct spinlock *l)
{
	do {
		while (l->locked) {
			tlb_shootdown_poll();
			cpu_relax();
		}
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}
