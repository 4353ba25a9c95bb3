/*
 * msgmem.c - message memory (see msgmem.h): the MC_MEM_CAP account and
 * the pool of small buffers.
 *
 * Why a pool: a ping-pong of short messages allocates and frees one
 * buffer per message, and the heap charges each of those a lock pair and
 * a zeroing of the whole size class.  Messages are always written in full
 * before anyone reads them (copy in, then the header), so pool buffers are
 * not zeroed.
 *
 * Why no lock on the common path: the account is one word changed with a
 * compare-and-swap (it never passes MC_MEM_CAP, even for a moment), and
 * each CPU keeps up to MC_POOL_CPU free buffers of its own, used with
 * interrupts off (push_off; free is usually called inside a mechanism's
 * lock, where that is only a count).  The rest of the pool is a shared
 * list under mem_lock: a CPU whose cache is empty takes from it, one whose
 * cache is full gives to it, so buffers that a cross-CPU ping-pong moves
 * from the sender's CPU to the receiver's flow back.
 */
#include "ipc/kernel/msgmem.h"
#include "kernel/sync/spinlock.h"
#include "kernel/mm/heap.h"

#define MC_POOL_CPU 8u               /* free buffers a CPU keeps to itself */

union pool_buf {
	union pool_buf *next;        /* while free */
	_Alignas(16) char bytes[MC_POOL_BUF];
};

/* One CPU's free buffers: only that CPU touches them, with interrupts off. */
struct pool_cpu {
	union pool_buf *head;
	unsigned n;
} __attribute__((aligned(64)));

static uint64_t mem_used;            /* atomic: charges of live buffers, <= MC_MEM_CAP */
static union pool_buf pool[MC_POOL_BUFS];
static struct pool_cpu cpu_pool[MAX_CPUS];

/* mem_lock must be held when using these; taken inside a mechanism's
 * lock (free) or alone, with interrupts off. */
static struct spinlock mem_lock = SPINLOCK_INIT("msgmem");
static union pool_buf *pool_free;    /* buffers no CPU keeps */
static unsigned pool_fresh;          /* pool[pool_fresh..] never used yet */

static int
in_pool(const void *p)
{
	return (const char *)p >= pool[0].bytes && (const char *)p < pool[MC_POOL_BUFS].bytes;
}

/* Adds charge to the account unless that would pass MC_MEM_CAP. */
static int
charge_ok(uint64_t charge)
{
	uint64_t used = __atomic_load_n(&mem_used, __ATOMIC_RELAXED);

	do {
		if (charge > MC_MEM_CAP - used)   /* used <= MC_MEM_CAP: no wrap */
			return 0;
	} while (!__atomic_compare_exchange_n(&mem_used, &used, used + charge, 1,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return 1;
}

static void
refund(uint64_t charge)
{
	__atomic_sub_fetch(&mem_used, charge, __ATOMIC_RELAXED);
}

/* A shared buffer, or NULL; interrupts off (the caller's push_off). */
static union pool_buf *
shared_take(void)
{
	union pool_buf *b;

	spin_lock_nocount(&mem_lock);
	if ((b = pool_free))
		pool_free = b->next;
	else if (pool_fresh < MC_POOL_BUFS)
		b = &pool[pool_fresh++];
	spin_unlock_nocount(&mem_lock);
	return b;
}

static union pool_buf *
pool_take(void)
{
	push_off();
	struct pool_cpu *c = &cpu_pool[this_cpu_read(id)];
	union pool_buf *b = c->head;

	if (b) {
		c->head = b->next;
		c->n--;
	} else {
		b = shared_take();
	}
	pop_off();
	return b;
}

static void
pool_give(union pool_buf *b)
{
	push_off();
	struct pool_cpu *c = &cpu_pool[this_cpu_read(id)];

	if (c->n < MC_POOL_CPU) {
		b->next = c->head;
		c->head = b;
		c->n++;
	} else {
		spin_lock_nocount(&mem_lock);
		b->next = pool_free;
		pool_free = b;
		spin_unlock_nocount(&mem_lock);
	}
	pop_off();
}

void *
mc_buf_alloc(uint64_t bytes, uint64_t charge)
{
	void *p = 0;

	if (!charge_ok(charge))
		return 0;
	if (bytes <= MC_POOL_BUF)
		p = pool_take();
	if (!p && !(p = kmalloc(bytes)))
		refund(charge);
	return p;
}

void
mc_buf_free(void *p, uint64_t charge)
{
	if (p && in_pool(p))
		pool_give(p);
	else if (p)
		kfree(p);
	refund(charge);
}

uint64_t
mc_mem_used(void)
{
	return __atomic_load_n(&mem_used, __ATOMIC_RELAXED);
}
