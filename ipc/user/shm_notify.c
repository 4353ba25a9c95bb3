/*
 * shm_notify.c - the `shm-notify` mechanism: data through the shared ring
 * (shm_ring.c), waiting through the kernel (消息传递: "通过中间层(如内核)保证
 * 通信时延，仍可以利用共享内存传递数据").  A party that finds the ring empty
 * (or full) announces itself in the ring's `*_waiting` word and sleeps in
 * futex_wait on the ring's `*_bell` word; the other party rings the bell and
 * calls futex_wake only when the waiting word says someone sleeps, so a
 * message that finds its reader awake costs no system call.  Nobody spins.
 *
 * Why no wakeup is lost (W waits, K kicks; each side's fence is seq_cst):
 *
 *   W: b = load_acquire(bell)           K: publish in (store_release)
 *      waiting = 1                         fence
 *      fence                               if (xchg(waiting, 0)) {
 *      if (in != seen) return                  bell++  (release)
 *      futex_wait(bell, b)                     futex_wake(bell) }
 *
 * The fences make at least one side see the other's store: either W sees
 * the new `in` and does not sleep, or K sees waiting == 1 and rings.  K
 * changes the bell before futex_wake, and W read the bell before it
 * announced itself, so the bell W passes to futex_wait is stale: the kernel
 * either finds the word changed (-EAGAIN, W looks again) or has W queued
 * before the wake (futex.c explains why that check-and-sleep is atomic).
 * Closing sets `closed` and rings both bells (release), so a W that missed
 * the flag has a stale bell too.
 */
#include "ipc/user/shm_ring.h"
#include "ipc/user/futex.h"
#include "ipc/user/deadline.h"
#include "user/lib/ipcbench.h"

static uint32_t *
bell_of(struct shm_ring *r, enum shm_side side)
{
	return side == SHM_DATA ? &r->data_bell : &r->space_bell;
}

static uint32_t *
waiting_of(struct shm_ring *r, enum shm_side side)
{
	return side == SHM_DATA ? &r->data_waiting : &r->space_waiting;
}

static int
notify_wait(const struct shm_waiter *w, struct shm_ring *r, enum shm_side side, uint32_t seen,
	    uint64_t deadline)
{
	uint32_t *bell = bell_of(r, side), *waiting = waiting_of(r, side);
	const uint32_t *counter = side == SHM_DATA ? &r->in : &r->out;

	/* acquire: any ring after this read changes the value we pass on */
	uint32_t b = __atomic_load_n(bell, __ATOMIC_ACQUIRE);
	__atomic_store_n(waiting, 1, __ATOMIC_RELAXED);
	/* seq_cst: announce before looking again; pairs with notify_kick's fence */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(counter, __ATOMIC_RELAXED) != seen ||
	    __atomic_load_n(&r->closed, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
		return 0;
	}
	long rc = usys_futex_wait(bell, b, ipc_time_left(deadline));
	if (rc == 0 || rc == -EAGAIN)
		return 0;               /* rung (the ringer cleared `waiting`) */
	__atomic_store_n(waiting, 0, __ATOMIC_RELAXED);
	return (int)rc;                 /* -ETIMEDOUT, -EINTR */
}

static void
notify_kick(struct shm_ring *r, enum shm_side side)
{
	uint32_t *waiting = waiting_of(r, side);

	/* seq_cst: the counter we just published is visible before we read
	 * `waiting`; pairs with notify_wait's fence */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(waiting, __ATOMIC_RELAXED))
		return;                 /* the fast path: nobody sleeps, no syscall */
	if (__atomic_exchange_n(waiting, 0, __ATOMIC_ACQ_REL)) {
		/* release: change the word before the wake, see the top comment */
		__atomic_fetch_add(bell_of(r, side), 1, __ATOMIC_RELEASE);
		usys_futex_wake(bell_of(r, side), 1);
	}
}

static void
notify_kick_closed(struct shm_ring *r)
{
	for (int side = SHM_DATA; side <= SHM_SPACE; side++) {
		__atomic_fetch_add(bell_of(r, side), 1, __ATOMIC_RELEASE);
		usys_futex_wake(bell_of(r, side), INT32_MAX);
	}
}

extern const struct ipc_mech ipc_shm_notify;

static const struct shm_waitops notify_ops = {
	"futex", notify_wait, notify_kick, notify_kick_closed,
};

static const char *const notify_variants[] = { "futex", 0 };

static int
known_variant(const char *v)
{
	return !v[0] || !strcmp(v, "futex");
}

static int
notify_prepare(struct ipc_opts *o)
{
	return known_variant(o->variant) ? shm_chan_prepare(o) : -EINVAL;
}

static int
notify_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	struct shm_waiter w = { &notify_ops, 0 };

	if ((role != IPC_CLIENT && role != IPC_SERVER) || !known_variant(o->variant))
		return -EINVAL;
	return shm_chan_open(ch, &ipc_shm_notify, o, role, &w);
}

const struct ipc_mech ipc_shm_notify = {
	.name = "shm-notify",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = SHM_MAX_MSG,
	.variants = notify_variants,
	.prepare = notify_prepare,
	.unprepare = shm_chan_unprepare,
	.open = notify_open,
	.send = shm_chan_send,
	.recv = shm_chan_recv,
	.call = 0,
	.close = shm_chan_close,
};
