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
 *
 * The uncontended path is inline (a lock pair is on every IPC path we
 * measure): an outer spin_lock is about 15 instructions, a nested one 9,
 * spin_unlock 3 to 7; the wait for a held lock is out of line.
 */
#ifndef KERNEL_SYNC_SPINLOCK_H
#define KERNEL_SYNC_SPINLOCK_H

#include <stdint.h>
#include "kernel/arch/x86_64/cpu.h"
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
 * stays a few instructions); returns with the lock held. */
void spin_lock_contended(struct spinlock *l);

/*
 * This CPU's nesting state, each access one GS-relative instruction: with
 * interrupts on the thread may move to another CPU between two accesses,
 * and each then names the CPU it runs on.  ncli > 0 means interrupts are
 * off (only pop_off turns them back on), so the nested case needs neither
 * RFLAGS nor CLI; at ncli == 0 a thread that moves finds 0 there too.
 */
#define CPU_NEST(field) (((__seg_gs struct percpu *)0)->field)

/* Interrupt-off nesting, usable without a lock. */
static inline void
push_off(void)
{
	if (CPU_NEST(ncli) == 0) {
		uint64_t flags = read_rflags();
		cli();               /* a memory clobber: ncli is read again below */
		CPU_NEST(intena) = (flags & RFLAGS_IF) != 0;
	}
	CPU_NEST(ncli)++;
}

static inline void
pop_off(void)
{
	if (--CPU_NEST(ncli) == 0 && CPU_NEST(intena))
		sti();
}

/* The lock word alone, for a caller whose interrupts are already off and
 * counted by a lock it holds or hands over (wait.c's sleep takes
 * sched_lock before it lets the caller's lock go, and back): the push_off
 * depth is left as it is. */
static inline void
spin_lock_nocount(struct spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_lock_contended(l);
	lockorder_acquired(l);
}

/* One try of spin_lock_nocount, no wait: 1 with the lock held, 0 when it
 * was taken (a fast path whose fallback, the general path, waits).  An
 * atomic or of bit 0 tested for its old value (the word is 0 or 1): the
 * compiler makes it one LOCK BTS whose carry is the answer, where the
 * exchange needs the 1 in a register and a test after. */
static inline int
spin_trylock_nocount(struct spinlock *l)
{
	if (__atomic_fetch_or(&l->locked, 1, __ATOMIC_ACQUIRE) & 1)
		return 0;
	lockorder_acquired(l);
	return 1;
}

static inline void
spin_unlock_nocount(struct spinlock *l)
{
	lockorder_releasing(l);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline void
spin_lock(struct spinlock *l)
{
	push_off();
	spin_lock_nocount(l);
}

static inline void
spin_unlock(struct spinlock *l)
{
	spin_unlock_nocount(l);
	pop_off();
}

static inline int
spin_held(const struct spinlock *l)
{
	return l->locked != 0;
}

/* spin_lock for code that runs with interrupts already off and holds no
 * other lock (a syscall fast path before its STI): the same nesting count,
 * without reading RFLAGS.  Release with spin_unlock (interrupts stay off). */
static inline void
spin_lock_irqs_off(struct spinlock *l)
{
	if (CPU_NEST(ncli)++ == 0)
		CPU_NEST(intena) = 0;
	spin_lock_nocount(l);
}

/* Releases a lock taken by spin_lock_irqs_off (or inside push_off), inline
 * like the taking: it only drops the nesting count, since interrupts were
 * off before the lock and stay off after it. */
static inline void
spin_unlock_irqs_off(struct spinlock *l)
{
	spin_unlock_nocount(l);
	CPU_NEST(ncli)--;
}

#endif
