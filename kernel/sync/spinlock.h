/*
 * spinlock.h - spinlocks that hold interrupts off while held.
 *
 * Interrupts stay off from the first lock taken until the last one is
 * released (push_off/pop_off keep a per-CPU nesting depth and whether they
 * were on before), so an interrupt handler can never spin on a lock the
 * code it interrupted holds, and locks can be released in any order.
 */
#ifndef KERNEL_SYNC_SPINLOCK_H
#define KERNEL_SYNC_SPINLOCK_H

#include <stdint.h>
#include "kernel/arch/x86_64/percpu.h"

struct spinlock {
	volatile uint32_t locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, (n) }

void spin_init(struct spinlock *l, const char *name);
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
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			__builtin_ia32_pause();
}

/* Interrupt-off nesting, usable without a lock. */
void push_off(void);
void pop_off(void);

#endif
