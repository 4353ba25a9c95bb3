/*
 * shm_ring.h - the lecture's shared-memory ring (共享内存: BUFFER_SIZE
 * slots, in/out) in a shared-memory object mapped by both ends, shared by
 * the shm-poll and shm-notify mechanisms, which differ only in how an end
 * waits when the ring is empty or full (struct shm_waitops).
 *
 * Layout of the object (one per channel, made by prepare):
 *   struct shm_area { header; ring[0]: client -> server; ring[1]: server -> client }
 * Each ring is single-producer single-consumer:
 *   in   slots published, written only by the producer  (own cache line)
 *   out  slots consumed, written only by the consumer    (own cache line)
 * Both run free and are taken modulo SHM_RING_SLOTS, so in - out is the
 * fill level and "full" (in - out == SHM_RING_SLOTS) differs from "empty"
 * (in == out) without the lecture's one wasted slot ((in + 1) % N == out).
 *
 * A message occupies ceil(len / SHM_SLOT_DATA) consecutive slots (at least
 * one); every slot carries the message length and its fragment number, so
 * the receiver reassembles whole messages and detects a torn ring (-EIO).
 * A message that fits in the ring is published with ONE store to `in`, so
 * it is seen whole or not at all and a timeout never leaves half of it.
 * A larger one (up to SHM_MAX_MSG) is streamed through the ring in batches;
 * once its first batch is published the message is committed: both ends
 * finish it ignoring their deadline (they stop only when the peer closes).
 */
#ifndef IPC_USER_SHM_RING_H
#define IPC_USER_SHM_RING_H

#include <stddef.h>
#include <stdint.h>
#include "ipc/user/ipc.h"

#define SHM_RING_SLOTS  256u         /* BUFFER_SIZE; a power of two */
#define SHM_SLOT_SIZE   1024u
#define SHM_SLOT_HDR    8u
#define SHM_SLOT_DATA   (SHM_SLOT_SIZE - SHM_SLOT_HDR)
#define SHM_MAX_MSG     (1u << 20)   /* 1 MiB: streamed, larger than the ring */
#define SHM_CACHE_LINE  64
#define SHM_AREA_MAGIC  0x474e4952u  /* "RING" */

_Static_assert((SHM_RING_SLOTS & (SHM_RING_SLOTS - 1)) == 0,
	       "free-running 32-bit counters need a power-of-two ring");

struct shm_slot {
	uint32_t msg_len;            /* length of the whole message */
	uint32_t frag;               /* this slot's fragment number, 0 = first */
	uint8_t data[SHM_SLOT_DATA];
};

struct shm_ring {
	_Alignas(SHM_CACHE_LINE) uint32_t in;   /* producer's line */
	_Alignas(SHM_CACHE_LINE) uint32_t out;  /* consumer's line */
	/* Slow path only (sleeping and closing), so it may share a line. */
	_Alignas(SHM_CACHE_LINE) uint32_t data_bell;  /* futex word: consumer sleeps on it */
	uint32_t data_waiting;       /* 1: the consumer is asleep or about to be */
	uint32_t space_bell;         /* futex word: producer sleeps on it */
	uint32_t space_waiting;      /* 1: the producer is asleep or about to be */
	uint32_t closed;             /* an end closed the channel */
	_Alignas(SHM_CACHE_LINE) struct shm_slot slot[SHM_RING_SLOTS];
};

struct shm_area {
	uint32_t magic;              /* SHM_AREA_MAGIC once prepare is done */
	uint32_t slots, slot_size;   /* geometry, checked by open */
	struct shm_ring ring[2];     /* indexed by the sender's enum ipc_role */
};

_Static_assert(sizeof(struct shm_slot) == SHM_SLOT_SIZE, "slot layout");

/* Who waits for what: the consumer for data (`in` to move), the producer
 * for space (`out` to move). */
enum shm_side { SHM_DATA = 0, SHM_SPACE = 1 };

struct shm_waitops;

/* How one end waits: its variant's operations and parameter. */
struct shm_waiter {
	const struct shm_waitops *ops;
	uint64_t period_ns;          /* periodic variants: how often to look */
};

struct shm_waitops {
	const char *name;
	/* The ring could not serve the caller; `seen` is the value of the
	 * watched counter (in for SHM_DATA, out for SHM_SPACE) that was not
	 * enough.  Returns 0 to look again (it moved, the ring closed, or
	 * spuriously), -ETIMEDOUT once `deadline` (absolute clock ns,
	 * IPC_FOREVER = none) has passed, or -EINTR. */
	int (*wait)(const struct shm_waiter *w, struct shm_ring *r, enum shm_side side,
		    uint32_t seen, uint64_t deadline);
	/* After publishing: whoever waits on `side` may go on.  NULL: nothing
	 * to do (the polling variants look by themselves). */
	void (*kick)(struct shm_ring *r, enum shm_side side);
	/* After `closed` was set: wake anyone waiting on either side. */
	void (*kick_closed)(struct shm_ring *r);
};

/* One message through ring r; timeout as in ipc.h.  send returns len,
 * recv the message's length; -E2BIG (message above SHM_MAX_MSG, or above
 * the receive buffer: it stays in the ring), -EAGAIN, -ETIMEDOUT, -EPIPE
 * (the channel was closed; recv still returns what was queued first),
 * -EIO (torn ring), -EINTR. */
long shm_ring_send(struct shm_ring *r, const void *buf, size_t len, uint64_t timeout_ns,
		   const struct shm_waiter *w);
long shm_ring_recv(struct shm_ring *r, void *buf, size_t len, uint64_t timeout_ns,
		   const struct shm_waiter *w);

/* The struct ipc_mech operations both mechanisms share.  prepare makes
 * one object holding both rings and records its handle in o->h[0]; open
 * maps it (ch->mem[0]), checks its header and sets ch->mech = m; close marks both rings
 * closed (the peer's waits end with -EPIPE) and unmaps. */
int  shm_chan_prepare(struct ipc_opts *o);
void shm_chan_unprepare(struct ipc_opts *o);
int  shm_chan_open(struct ipc_chan *ch, const struct ipc_mech *m, const struct ipc_opts *o,
		   enum ipc_role role, const struct shm_waiter *w);
void shm_chan_close(struct ipc_chan *ch);
long shm_chan_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns);
long shm_chan_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns);

#endif
