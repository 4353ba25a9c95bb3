/*
 * msgmem.c - message memory (see msgmem.h): the MC_MEM_CAP account and
 * the pool of small buffers, both under mem_lock.
 *
 * Why a pool: a ping-pong of short messages allocates and frees one
 * buffer per message, and the heap charges each of those a lock pair and
 * a zeroing of the whole size class; the account needs a lock pair
 * anyway, so a buffer taken from (or put back on) the pool under that
 * same lock costs a few instructions more.  Messages are always written
 * in full before anyone reads them (copy in, then the header), so pool
 * buffers are not zeroed.
 */
#include "ipc/kernel/msgmem.h"
#include "kernel/sync/spinlock.h"
#include "kernel/mm/heap.h"

union pool_buf {
	union pool_buf *next;        /* while free */
	_Alignas(16) char bytes[MC_POOL_BUF];
};

/* mem_lock must be held when using these; taken inside a mechanism's
 * lock (free) or alone. */
static struct spinlock mem_lock = SPINLOCK_INIT("msgmem");
static uint64_t mem_used;
static union pool_buf pool[MC_POOL_BUFS];
static union pool_buf *pool_free;    /* buffers given back */
static unsigned pool_fresh;          /* pool[pool_fresh..] never used yet */

static int
in_pool(const void *p)
{
	return (const char *)p >= pool[0].bytes && (const char *)p < pool[MC_POOL_BUFS].bytes;
}

static void *
pool_take_locked(void)
{
	union pool_buf *b = pool_free;

	if (b)
		pool_free = b->next;
	else if (pool_fresh < MC_POOL_BUFS)
		b = &pool[pool_fresh++];
	return b;
}

void *
mc_buf_alloc(uint64_t bytes, uint64_t charge)
{
	void *p = 0;

	spin_lock(&mem_lock);
	int fits = mem_used + charge >= mem_used && mem_used + charge <= MC_MEM_CAP;
	if (fits) {
		mem_used += charge;
		if (bytes <= MC_POOL_BUF)
			p = pool_take_locked();
	}
	spin_unlock(&mem_lock);
	if (!fits || p)
		return p;
	if (!(p = kmalloc(bytes)))
		mc_buf_free(0, charge);  /* the refund */
	return p;
}

void
mc_buf_free(void *p, uint64_t charge)
{
	int pooled = p && in_pool(p);

	spin_lock(&mem_lock);
	mem_used -= charge;
	if (pooled) {
		union pool_buf *b = p;
		b->next = pool_free;
		pool_free = b;
	}
	spin_unlock(&mem_lock);
	if (p && !pooled)
		kfree(p);
}

uint64_t
mc_mem_used(void)
{
	spin_lock(&mem_lock);
	uint64_t n = mem_used;
	spin_unlock(&mem_lock);
	return n;
}
