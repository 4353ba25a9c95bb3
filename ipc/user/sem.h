/*
 * sem.h - counting semaphores from user space: typed wrappers for
 * SYS_SEM_*, the bounded buffer on shared memory that the lecture builds
 * from them (empty/full semaphores plus a mutex), and the `sem` mechanism
 * of the one IPC interface, which is two such buffers, one per direction.
 *
 * Bounded buffer (struct bbuf): N slots of S bytes in shared memory plus
 * semaphores empty (= N free slots), full (= 0 filled slots) and mutex
 * (= 1, guards the in/out indices).  A message longer than S is put as
 * consecutive slots, each with a header (message length, fragment index,
 * sender tag) so the receiver reassembles it and detects a broken sequence.
 *
 * What it guarantees (docs/mech/sem.md has the reasoning):
 *  - every slot is delivered exactly once, in FIFO order, to one consumer,
 *    with any number of producers and consumers;
 *  - with the classic three semaphores, a multi-slot message stays whole
 *    when one producer and one consumer use the buffer (the IPC interface:
 *    one end per direction); with several, only messages of one slot do;
 *  - with message locks (bb_sems_create(..., 1)), a put_lock held by a
 *    producer across a whole message and a get_lock held by a consumer
 *    make messages of any length whole with any number of either.
 *
 * Timeouts (0 = do not wait, IPC_FOREVER, else ns) bound the wait until a
 * message can start: the sender reserves all the slots it needs (at most
 * N) before writing any, so a message that fits the buffer goes in whole
 * or not at all; a receiver waits for the first slot.  Once a message has
 * started, the rest of it follows without a timeout (only -EIDRM/-EINTR
 * stop it), so no half message is ever left in the buffer.
 */
#ifndef IPC_USER_SEM_H
#define IPC_USER_SEM_H

#include <stddef.h>
#include <stdint.h>
#include "user/lib/syscall.h"
#include "common/syscall_abi.h"

/* Typed wrappers; the kernel's results (sem.h in ipc/kernel/). */
static inline long
usys_sem_create(long initial)
{
	return syscall1(SYS_SEM_CREATE, initial);
}

static inline long
usys_sem_p(long id, uint64_t timeout_ns)
{
	return syscall2(SYS_SEM_P, id, (long)timeout_ns);
}

static inline long
usys_sem_v(long id)
{
	return syscall1(SYS_SEM_V, id);
}

static inline long
usys_sem_destroy(long id)
{
	return syscall1(SYS_SEM_DESTROY, id);
}

/* The kernel's limits (ipc/kernel/sem.h), for tests. */
#define SEM_USER_VALUE_MAX 0x7fffffffl
#define SEM_USER_PER_OWNER 64

/* Semaphores of one bounded buffer; put_lock/get_lock are 0 without
 * message locks. */
struct bb_sems {
	int64_t empty, full, mutex;
	int64_t put_lock, get_lock;
};

struct bb_ring;                      /* the shared layout, sem.c */

/* One process's view of one bounded buffer. */
struct bbuf {
	struct bb_ring *ring;            /* header in shared memory */
	uint8_t *data;                   /* nslots * slot_bytes, shared */
	uint32_t nslots, slot_bytes;     /* private copies: never trusted from shm */
	uint32_t tag;                    /* marks this producer's fragments */
	struct bb_sems s;
};

/* Bytes of shared memory one buffer of this geometry needs. */
size_t bb_bytes(uint32_t nslots, uint32_t slot_bytes);
/* Writes an empty buffer's header at mem (once, before anyone attaches). */
void bb_format(void *mem, uint32_t nslots, uint32_t slot_bytes);
/* Creates empty(nslots), full(0), mutex(1) and, with msglocks, put_lock(1)
 * and get_lock(1).  0, or -errno with nothing left behind. */
int bb_sems_create(struct bb_sems *s, uint32_t nslots, int msglocks);
void bb_sems_destroy(struct bb_sems *s);      /* ids that are > 0; zeroes them */
/* Attaches to a formatted buffer at mem: -EINVAL when its header does not
 * show this geometry. */
int bb_attach(struct bbuf *b, void *mem, uint32_t nslots, uint32_t slot_bytes,
	      const struct bb_sems *s, uint32_t tag);

/* Whole messages: len bytes or -errno (-E2BIG above 4 GiB, -EAGAIN,
 * -ETIMEDOUT, -EIDRM, -EINTR, -EINVAL).  bb_get returns the message's
 * length; -E2BIG (message left in place) when it is longer than cap;
 * -EIO when a fragment does not continue the message it started. */
long bb_put(struct bbuf *b, const void *msg, size_t len, uint64_t timeout_ns);
long bb_get(struct bbuf *b, void *buf, size_t cap, uint64_t timeout_ns);

/* The `sem` mechanism (registry.c). */
struct ipc_mech;
extern const struct ipc_mech ipc_sem;
#define SEM_MECH_SLOTS      16
#define SEM_MECH_SLOT_BYTES 4096
#define SEM_MECH_MAX_MSG    (1u << 20)

#endif
