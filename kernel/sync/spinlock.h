/*
 * spinlock.h - interrupt-safe spinlocks (uniprocessor today, written for SMP).
 *
 * spin_lock_irqsave disables interrupts before taking the lock and remembers
 * whether they were on, so a lock taken in an interrupt handler cannot
 * deadlock against the code it interrupted.  Locks nest; the outermost
 * unlock restores the interrupt flag (xv6's push_off/pop_off idea).
 */
#ifndef KERNEL_SYNC_SPINLOCK_H
#define KERNEL_SYNC_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	const char *name;
	uint64_t saved_rflags;   /* valid while held */
};

#define SPINLOCK_INIT(n) { 0, (n), 0 }

void spin_init(struct spinlock *l, const char *name);
void spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l);
int  spin_held(const struct spinlock *l);

#endif
