/*
 * msgmem.h - the memory kernel message copies live in (msg-direct,
 * mailbox, System V queues): one system-wide account capped at
 * MC_MEM_CAP, and a pool of small buffers so that a short message costs
 * no heap allocation.
 *
 * A buffer is charged `charge` bytes (the message and its bookkeeping,
 * as the mechanism counts them) from alloc until free, whether it came
 * from the pool or the heap.  The pool is static memory (not heap), so the
 * heap's leak checks see only the messages that did not fit it; the
 * account (mc_mem_used) sees all of them.
 */
#ifndef IPC_KERNEL_MSGMEM_H
#define IPC_KERNEL_MSGMEM_H

#include <stdint.h>

#define MC_MEM_CAP     (32ull << 20)  /* all messages alive, system-wide */
#define MC_POOL_BUF    256u           /* a pool buffer: header and a short message */
#define MC_POOL_BUFS   64u            /* buffers in the pool */

/* bytes of memory charged `charge` to MC_MEM_CAP; NULL when the charge
 * would pass the cap or the heap is out.  From the pool when bytes <=
 * MC_POOL_BUF and one is free.  Not zeroed.  Both calls work with
 * interrupts on or off and take no lock on the common path; inside a
 * spinlock (interrupts already off) they are cheapest. */
void *mc_buf_alloc(uint64_t bytes, uint64_t charge);
/* Gives p (from mc_buf_alloc with this charge) back; p may be NULL. */
void mc_buf_free(void *p, uint64_t charge);
/* Bytes charged now (tests: back to 0 when every port and queue is gone). */
uint64_t mc_mem_used(void);

#endif
