/* spinlock.c - test-and-test-and-set spinlocks with interrupt nesting. */
#include "kernel/sync/spinlock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/percpu.h"

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

void
spin_lock(struct spinlock *l)
{
	push_off();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

void
spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	pop_off();
}

int
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}
