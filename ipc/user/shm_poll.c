/*
 * shm_poll.c - the `shm-poll` mechanism: the lecture's shared-memory ring
 * where a party that finds the ring empty (or full) simply looks again,
 * with no help from the kernel.  The variants are the lecture's three ways
 * of "looking again":
 *
 *   spin      look continuously (盲目等待): lowest latency when the peer
 *             runs on another CPU (placement cross-core); with both on
 *             one CPU the spinner burns its whole timeslice before the
 *             peer can run, which is the waste the lecture warns about
 *             (measured with --placement same).
 *   yield     look, and give the CPU away (usys_yield) while not ready.
 *   periodic  look once every T (小明每天晚上检查一下快递): T = 100 us, so
 *             a period costs little CPU while staying far below human
 *             scale; "periodic-<N>" (N in us, not in the variant list) sets
 *             another T.  The kernel's sleep ends at a timer tick (one
 *             timeslice, 10 ms by default), so any T shorter than the tick
 *             really waits until the next tick: the latency this variant
 *             shows is bounded below by the tick, which is the lecture's
 *             point about fixed check times.
 */
#include "ipc/user/shm_ring.h"
#include "user/lib/ipcbench.h"

#define PERIOD_DEFAULT_NS 100000ull      /* 100 us */
#define SPIN_CLOCK_EVERY  1024u          /* spins between deadline checks */

static const uint32_t *
watched(struct shm_ring *r, enum shm_side side)
{
	return side == SHM_DATA ? &r->in : &r->out;
}

/* 1 when the watched counter moved away from `seen` or the ring closed. */
static int
changed(struct shm_ring *r, enum shm_side side, uint32_t seen)
{
	/* relaxed: the caller re-reads the counter with acquire before use */
	return __atomic_load_n(watched(r, side), __ATOMIC_RELAXED) != seen ||
	       __atomic_load_n(&r->closed, __ATOMIC_RELAXED);
}

static int
spin_wait(const struct shm_waiter *w, struct shm_ring *r, enum shm_side side, uint32_t seen,
	  uint64_t deadline)
{
	for (uint32_t i = 1; !changed(r, side, seen); i++) {
		__asm__ volatile("pause");  /* tell the CPU this is a spin loop */
		if (deadline != IPC_FOREVER && i % SPIN_CLOCK_EVERY == 0 &&
		    usys_clock_ns() >= deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

static int
yield_wait(const struct shm_waiter *w, struct shm_ring *r, enum shm_side side, uint32_t seen,
	   uint64_t deadline)
{
	if (!changed(r, side, seen))
		usys_yield();
	return 0;               /* wait_for checks the deadline before calling again */
}

static int
periodic_wait(const struct shm_waiter *w, struct shm_ring *r, enum shm_side side,
	      uint32_t seen, uint64_t deadline)
{
	uint64_t nap = w->period_ns;

	if (deadline != IPC_FOREVER) {
		uint64_t now = usys_clock_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (deadline - now < nap)
			nap = deadline - now;
	}
	long rc = usys_sleep_ns(nap);
	return rc == -EINTR ? -EINTR : 0;
}

extern const struct ipc_mech ipc_shm_poll;

static const struct shm_waitops poll_ops[] = {
	{ "spin",     spin_wait,     0, 0 },
	{ "yield",    yield_wait,    0, 0 },
	{ "periodic", periodic_wait, 0, 0 },
};

static const char *const poll_variants[] = { "spin", "yield", "periodic", 0 };
/* spin keeps its CPU until the tick; periodic sleeps until the tick: on
 * one CPU both wait out a time slice per message (yield hands over). */
static const char *const sliced_variants[] = { "spin", "periodic", 0 };

/* Parses "<digits>" in us into ns, within [1 us, 1 s]; 0 when bad. */
static uint64_t
parse_period(const char *s)
{
	uint64_t us = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || us > 1000000)
			return 0;
		us = us * 10 + (uint64_t)(*s - '0');
	}
	return us >= 1 && us <= 1000000 ? us * 1000 : 0;
}

/* The waiter a variant names; -EINVAL for an unknown variant. */
static int
poll_waiter(const char *variant, struct shm_waiter *w)
{
	w->period_ns = 0;
	if (!variant[0] || !strcmp(variant, "spin"))
		w->ops = &poll_ops[0];
	else if (!strcmp(variant, "yield"))
		w->ops = &poll_ops[1];
	else if (!strcmp(variant, "periodic"))
		w->ops = &poll_ops[2], w->period_ns = PERIOD_DEFAULT_NS;
	else if (!strncmp(variant, "periodic-", 9) && (w->period_ns = parse_period(variant + 9)))
		w->ops = &poll_ops[2];
	else
		return -EINVAL;
	return 0;
}

static int
poll_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	struct shm_waiter w;

	if (role != IPC_CLIENT && role != IPC_SERVER)
		return -EINVAL;
	if (poll_waiter(o->variant, &w))
		return -EINVAL;
	return shm_chan_open(ch, &ipc_shm_poll, o, role, &w);
}

static int
poll_prepare(struct ipc_opts *o)
{
	struct shm_waiter w;

	if (poll_waiter(o->variant, &w))
		return -EINVAL;
	return shm_chan_prepare(o);
}

const struct ipc_mech ipc_shm_poll = {
	.name = "shm-poll",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = SHM_MAX_MSG,
	.variants = poll_variants,
	.prepare = poll_prepare,
	.unprepare = shm_chan_unprepare,
	.open = poll_open,
	.send = shm_chan_send,
	.recv = shm_chan_recv,
	.call = 0,
	.close = shm_chan_close,
	.same_core_skip = sliced_variants,
};
