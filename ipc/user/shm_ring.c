/*
 * shm_ring.c - the shared-memory ring (see shm_ring.h): fragmenting send,
 * reassembling receive, and the channel set-up both shm mechanisms share.
 *
 * Memory ordering, the whole argument (producer P, consumer C):
 *
 *   P: write slot[in % N] ...              C: n = load_acquire(in)
 *      store_release(in, in + k)   ----->     read slots out .. in-1
 *                                             store_release(out, out + n)
 *   P: o = load_acquire(out)       <-----
 *      overwrite slots below o + N
 *
 * release on `in` pairs with acquire on `in`: C never reads a slot before
 * P's writes to it are visible.  release on `out` pairs with acquire on
 * `out`: P never overwrites a slot C is still reading.  Each counter has one
 * writer, so the writer may read its own counter with a plain load.
 */
#include "ipc/user/shm_ring.h"
#include "user/lib/ipcbench.h"

#define SLOT_MASK (SHM_RING_SLOTS - 1)

static uint32_t
load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint32_t
slots_for(size_t len)
{
	return len ? (uint32_t)((len + SHM_SLOT_DATA - 1) / SHM_SLOT_DATA) : 1;
}

static int
expired(uint64_t deadline)
{
	return deadline != IPC_FOREVER && usys_clock_ns() >= deadline;
}

/* Slots side's party may use now: filled ones for the consumer, free ones
 * for the producer.  `seen` gets the other party's counter as read. */
static uint32_t
available(struct shm_ring *r, enum shm_side side, uint32_t *seen)
{
	if (side == SHM_DATA) {
		*seen = load_acquire(&r->in);   /* acquire: see the slots it published */
		return *seen - r->out;
	}
	*seen = load_acquire(&r->out);          /* acquire: C is done with the slots it freed */
	return SHM_RING_SLOTS - (r->in - *seen);
}

/*
 * Waits until `need` slots are available to `side`, for at most timeout_ns
 * (ipc.h's form: 0 = never wait, -EAGAIN).  The deadline is computed only
 * once waiting is needed, so an operation that finds the ring ready makes
 * no system call at all.  A closed channel ends a receive only once the
 * ring is empty, and ends a send at once.
 */
static int
wait_slow(struct shm_ring *r, enum shm_side side, uint32_t need, uint64_t timeout_ns,
	  const struct shm_waiter *w)
{
	uint64_t deadline = 0;      /* 0: not computed yet */
	uint32_t seen;
	int rc;

	for (;;) {
		if (side == SHM_SPACE && __atomic_load_n(&r->closed, __ATOMIC_ACQUIRE))
			return -EPIPE;
		if (available(r, side, &seen) >= need)
			return 0;
		/* Look again after seeing `closed`: the peer may have sent its last
		 * message and closed between the look above and this one, and the
		 * acquire of `closed` makes that message's slots visible. */
		if (side == SHM_DATA && __atomic_load_n(&r->closed, __ATOMIC_ACQUIRE))
			return available(r, side, &seen) >= need ? 0 : -EPIPE;
		if (timeout_ns == 0)
			return -EAGAIN;
		if (!deadline)
			deadline = ipc_deadline(timeout_ns);
		else if (expired(deadline))
			return -ETIMEDOUT;
		if ((rc = w->ops->wait(w, r, side, seen, deadline)) < 0)
			return rc;
	}
}

/* wait_slow's first look, inline: a ring that is ready (the usual case)
 * costs no call.  It asks exactly what the loop's first pass asks. */
static inline int
wait_for(struct shm_ring *r, enum shm_side side, uint32_t need, uint64_t timeout_ns,
	 const struct shm_waiter *w)
{
	uint32_t seen;

	if ((side == SHM_DATA || !__atomic_load_n(&r->closed, __ATOMIC_ACQUIRE)) &&
	    available(r, side, &seen) >= need)
		return 0;
	return wait_slow(r, side, need, timeout_ns, w);
}

static void
kick(const struct shm_waiter *w, struct shm_ring *r, enum shm_side side)
{
	if (w->ops->kick)
		w->ops->kick(r, side);
}

/* Fills n slots from in on, fragments first.. of a message of len bytes. */
static void
fill_slots(struct shm_ring *r, uint32_t in, uint32_t first, uint32_t n, const uint8_t *buf,
	   size_t len)
{
	for (uint32_t i = 0; i < n; i++) {
		struct shm_slot *s = &r->slot[(in + i) & SLOT_MASK];
		size_t off = (size_t)(first + i) * SHM_SLOT_DATA;
		size_t part = len - off < SHM_SLOT_DATA ? len - off : SHM_SLOT_DATA;
		s->msg_len = (uint32_t)len;
		s->frag = first + i;
		memcpy(s->data, buf + off, part);
	}
}

/* The one-slot message (the small sizes a ping-pong measures): the loop
 * below with k = 1, without its bookkeeping. */
static long
send_one(struct shm_ring *r, const void *buf, size_t len, uint64_t timeout_ns,
	 const struct shm_waiter *w)
{
	int rc = wait_for(r, SHM_SPACE, 1, timeout_ns, w);

	if (rc)
		return rc;
	struct shm_slot *s = &r->slot[r->in & SLOT_MASK];
	s->msg_len = (uint32_t)len;
	s->frag = 0;
	memcpy(s->data, buf, len);
	store_release(&r->in, r->in + 1);       /* release: the slot filled before C sees it */
	kick(w, r, SHM_DATA);
	return (long)len;
}

long
shm_ring_send(struct shm_ring *r, const void *buf, size_t len, uint64_t timeout_ns,
	      const struct shm_waiter *w)
{
	uint32_t k = slots_for(len), done = 0;
	int rc;

	if (len > SHM_MAX_MSG)
		return -E2BIG;
	if (len <= SHM_SLOT_DATA)
		return send_one(r, buf, len, timeout_ns, w);
	/* A message that fits waits for all its slots, so it goes out whole. */
	rc = wait_for(r, SHM_SPACE, k <= SHM_RING_SLOTS ? k : 1, timeout_ns, w);
	if (rc)
		return rc;
	/* Point of no return: the first batch below commits the message. */
	while (done < k) {
		uint32_t seen, room = available(r, SHM_SPACE, &seen);
		if (!room) {
			if ((rc = wait_for(r, SHM_SPACE, 1, IPC_FOREVER, w)))
				return rc;
			continue;
		}
		uint32_t n = room < k - done ? room : k - done;
		fill_slots(r, r->in, done, n, buf, len);
		store_release(&r->in, r->in + n);   /* release: slots filled before C sees them */
		kick(w, r, SHM_DATA);
		done += n;
	}
	return (long)len;
}

/* Copies n slots from out on, fragments first.. of a message of len bytes;
 * -EIO when a slot is not the fragment it must be (a torn ring). */
static int
drain_slots(struct shm_ring *r, uint32_t out, uint32_t first, uint32_t n, uint8_t *buf,
	    size_t len)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct shm_slot *s = &r->slot[(out + i) & SLOT_MASK];
		size_t off = (size_t)(first + i) * SHM_SLOT_DATA;
		size_t part = len - off < SHM_SLOT_DATA ? len - off : SHM_SLOT_DATA;
		if (s->msg_len != len || s->frag != first + i)
			return -EIO;
		memcpy(buf + off, s->data, part);
	}
	return 0;
}

long
shm_ring_recv(struct shm_ring *r, void *buf, size_t len, uint64_t timeout_ns,
	      const struct shm_waiter *w)
{
	uint32_t k, done = 0;
	size_t msg_len;
	int rc;

	rc = wait_for(r, SHM_DATA, 1, timeout_ns, w);
	if (rc)
		return rc;
	const struct shm_slot *head = &r->slot[r->out & SLOT_MASK];
	msg_len = head->msg_len;
	if (head->frag != 0 || msg_len > SHM_MAX_MSG)
		return -EIO;
	if (msg_len > len)
		return -E2BIG;          /* left in the ring for a larger buffer */
	if (msg_len <= SHM_SLOT_DATA) {
		/* One slot, the head just checked (the loop below with k = 1). */
		memcpy(buf, head->data, msg_len);
		store_release(&r->out, r->out + 1); /* release: our reads finish before P reuses */
		kick(w, r, SHM_SPACE);
		return (long)msg_len;
	}
	k = slots_for(msg_len);
	while (done < k) {
		uint32_t seen, ready = available(r, SHM_DATA, &seen);
		if (!ready) {
			if ((rc = wait_for(r, SHM_DATA, 1, IPC_FOREVER, w)))
				return rc;
			continue;
		}
		uint32_t n = ready < k - done ? ready : k - done;
		if ((rc = drain_slots(r, r->out, done, n, buf, msg_len)))
			return rc;
		store_release(&r->out, r->out + n); /* release: our reads finish before P reuses */
		kick(w, r, SHM_SPACE);
		done += n;
	}
	return (long)msg_len;
}

/* --- The channel: one object, two rings, shared by both mechanisms. --- */

static uint64_t
area_bytes(void)
{
	return (sizeof(struct shm_area) + 4095) & ~4095ull;
}

int
shm_chan_prepare(struct ipc_opts *o)
{
	long h = usys_shm_create(area_bytes());
	long va;

	if (h < 0)
		return (int)h;
	if ((va = usys_shm_map(h, PROT_READ | PROT_WRITE)) < 0) {
		usys_shm_destroy(h);
		return (int)va;
	}
	/* The kernel zeroed it: in == out == 0, nobody waiting, open. */
	struct shm_area *a = (struct shm_area *)va;
	a->slots = SHM_RING_SLOTS;
	a->slot_size = SHM_SLOT_SIZE;
	store_release(&a->magic, SHM_AREA_MAGIC);
	usys_unmap((void *)va, area_bytes());
	o->h[0] = h;
	return 0;
}

void
shm_chan_unprepare(struct ipc_opts *o)
{
	if (o->h[0] > 0)
		usys_shm_destroy(o->h[0]);
	o->h[0] = 0;
}

int
shm_chan_open(struct ipc_chan *ch, const struct ipc_mech *m, const struct ipc_opts *o,
	      enum ipc_role role, const struct shm_waiter *w)
{
	long va = usys_shm_map(o->h[0], PROT_READ | PROT_WRITE);

	if (va < 0)
		return (int)va;
	struct shm_area *a = (struct shm_area *)va;
	if (load_acquire(&a->magic) != SHM_AREA_MAGIC || a->slots != SHM_RING_SLOTS ||
	    a->slot_size != SHM_SLOT_SIZE) {
		usys_unmap((void *)va, area_bytes());
		return -EINVAL;         /* not a ring made by shm_chan_prepare */
	}
	ch->mech = m;                   /* ipc_send_all and friends call through it */
	ch->role = role;
	ch->opts = *o;
	ch->mem[0] = a;
	ch->mem[1] = (void *)(uintptr_t)w->ops;
	ch->local[1] = (int64_t)w->period_ns;
	return 0;
}

static struct shm_waiter
waiter_of(const struct ipc_chan *ch)
{
	struct shm_waiter w = { (const struct shm_waitops *)ch->mem[1], (uint64_t)ch->local[1] };
	return w;
}

void
shm_chan_close(struct ipc_chan *ch)
{
	struct shm_area *a = ch->mem[0];
	struct shm_waiter w = waiter_of(ch);

	if (!a)
		return;
	for (int i = 0; i < 2; i++) {
		/* release: pairs with the acquire loads of `closed` in wait_for */
		__atomic_store_n(&a->ring[i].closed, 1, __ATOMIC_RELEASE);
		if (w.ops->kick_closed)
			w.ops->kick_closed(&a->ring[i]);
	}
	usys_unmap(a, area_bytes());
	ch->mem[0] = 0;
}

long
shm_chan_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	struct shm_area *a = ch->mem[0];
	struct shm_waiter w = waiter_of(ch);

	if (!a)
		return -EPIPE;
	return shm_ring_send(&a->ring[ch->role], buf, len, timeout_ns, &w);
}

long
shm_chan_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	struct shm_area *a = ch->mem[0];
	struct shm_waiter w = waiter_of(ch);

	if (!a)
		return -EPIPE;
	return shm_ring_recv(&a->ring[!ch->role], buf, len, timeout_ns, &w);
}
