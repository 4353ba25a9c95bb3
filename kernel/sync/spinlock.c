/* spinlock.c - test-and-test-and-set spinlocks that hold interrupts off. */
#include "kernel/sync/spinlock.h"
#include "kernel/arch/x86_64/cpu.h"

void
spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->name = name;
	l->saved_rflags = 0;
}

void
spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = read_rflags();

	cli();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
	l->saved_rflags = flags;
}

void
spin_unlock_irqrestore(struct spinlock *l)
{
	uint64_t flags = l->saved_rflags;

	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & RFLAGS_IF)
		sti();
}

int
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}
