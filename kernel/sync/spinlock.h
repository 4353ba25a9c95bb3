/*
 * spinlock.h - spinlocks that hold interrupts off while held.
 *
 * Interrupts stay off from the first lock taken until the last one is
 * released (push_off/pop_off keep a per-CPU nesting depth and whether they
 * were on before), so an interrupt handler can never spin on a lock the
 * code it interrupted holds, and locks can be released in any order.
 *
 * A CPU that waits for a lock answers TLB shootdowns while it spins
 * (tlb_shootdown_poll, one load per turn): the lock's holder may be waiting,
 * interrupts off, for exactly that answer (tlb.c).
 */
#ifndef KERNEL_SYNC_SPINLOCK_H
#define KERNEL_SYNC_SPINLOCK_H

#include <stdint.h>
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/sync/lockorder.h"

struct spinlock {
	volatile uint32_t locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, (n) }

void spin_init(struct spinlock *l, const char *name);
/* The wait when the first try failed (out of line: the uncontended path
 * stays a leaf's few instructions); returns with the lock held. */
void spin_lock_contended(struct spinlock *l);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
int  spin_held(const struct spinlock *l);

/* spin_lock for code that runs with interrupts already off and holds no
 * other lock (a syscall fast path before its STI): the same nesting count,
 * without reading RFLAGS.  Release with spin_unlock (interrupts stay off). */
static inline void
spin_lock_irqs_off(struct spinlock *l)
{
	struct percpu *c = this_cpu();

	if (c->ncli++ == 0)
		c->intena = 0;
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_lock_contended(l);
	lockorder_acquired(l);
}

/* Releases a lock taken by spin_lock_irqs_off (or inside push_off), inline
 * like the taking: it only drops the nesting count, since interrupts were
 * off before the lock and stay off after it. */
static inline void
spin_unlock_irqs_off(struct spinlock *l)
{
	lockorder_releasing(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	this_cpu()->ncli--;
}

/* Interrupt-off nesting, usable without a lock. */
void push_off(void);
void pop_off(void);

#endif
