/* spinlock.c - test-and-test-and-set spinlocks with interrupt nesting. */
#include "kernel/sync/spinlock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/sync/lockorder.h"

void
spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
}

void
push_off(void)
{
	uint64_t flags = read_rflags();

	cli();
	if (this_cpu()->ncli++ == 0)
		this_cpu()->intena = (flags & RFLAGS_IF) != 0;
}

void
pop_off(void)
{
	struct percpu *c = this_cpu();

	if (--c->ncli == 0 && c->intena)
		sti();
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

void
spin_lock(struct spinlock *l)
{
	push_off();
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_lock_contended(l);
	lockorder_acquired(l);
}

void
spin_unlock(struct spinlock *l)
{
	lockorder_releasing(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	pop_off();
}

int
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}
