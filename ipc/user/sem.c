/*
 * sem.c - the bounded buffer built from counting semaphores, and the `sem`
 * mechanism made of two of them (see sem.h for what both guarantee).
 *
 * Shared layout of one buffer: a header page part (struct bb_ring: magic,
 * geometry, the free-running in/out indices, one bb_hdr per slot) followed
 * by the slots' data.  The geometry the ends use is their private copy;
 * what they read from shared memory (indices, slot headers) is copied in
 * once and checked before use, so a peer scribbling on the buffer can
 * garble messages (-EIO) but not steer us outside it.
 *
 * Producer, per slot:   P(empty)  P(mutex)  write slot[in++]   V(mutex)  V(full)
 * Consumer, per slot:   P(full)   P(mutex)  read slot[out++]   V(mutex)  V(empty)
 * P(empty)/P(full) come before P(mutex): holding the mutex while waiting for
 * a slot would stop the other side from ever freeing or filling one.
 * Ordering: the semaphore syscalls are compiler barriers ("memory"
 * clobber) and serialize in the kernel under one lock, so a consumer that
 * got `full` sees the data the producer wrote before its V(full).
 */
#include "ipc/user/sem.h"
#include "ipc/user/ipc.h"
#include "ipc/user/deadline.h"
#include "user/lib/ipcbench.h"

#define BB_MAGIC       0x424d4553u   /* "SEMB" */
#define BB_MAX_SLOTS   4096u
#define BB_MAX_SLOT    (1u << 20)
#define BB_MSG_MAX     0xffffffffull  /* msg_len is 32 bits */

/* One slot's header: which message this slot belongs to. */
struct bb_hdr {
	uint32_t msg_len;                /* length of the whole message */
	uint32_t frag;                   /* index of this slot within it */
	uint32_t tag;                    /* producer's tag */
	uint32_t pad;
};

struct bb_ring {
	uint32_t magic, nslots, slot_bytes, pad;
	uint64_t in;                     /* next slot to fill: under mutex */
	uint64_t out;                    /* next slot to empty: under mutex */
	struct bb_hdr hdr[];             /* nslots */
};

static size_t
data_offset(uint32_t nslots)
{
	return (sizeof(struct bb_ring) + nslots * sizeof(struct bb_hdr) + 63) & ~(size_t)63;
}

size_t
bb_bytes(uint32_t nslots, uint32_t slot_bytes)
{
	if (!nslots || nslots > BB_MAX_SLOTS || !slot_bytes || slot_bytes > BB_MAX_SLOT)
		return 0;
	return data_offset(nslots) + (size_t)nslots * slot_bytes;
}

void
bb_format(void *mem, uint32_t nslots, uint32_t slot_bytes)
{
	struct bb_ring *r = mem;

	memset(r, 0, data_offset(nslots));
	r->nslots = nslots;
	r->slot_bytes = slot_bytes;
	r->magic = BB_MAGIC;
}

int
bb_sems_create(struct bb_sems *s, uint32_t nslots, int msglocks)
{
	long init[5] = { nslots, 0, 1, 1, 1 };
	int64_t *ids[5] = { &s->empty, &s->full, &s->mutex, &s->put_lock, &s->get_lock };

	memset(s, 0, sizeof *s);
	for (int i = 0; i < (msglocks ? 5 : 3); i++) {
		long id = usys_sem_create(init[i]);
		if (id < 0) {
			bb_sems_destroy(s);
			return (int)id;
		}
		*ids[i] = id;
	}
	return 0;
}

void
bb_sems_destroy(struct bb_sems *s)
{
	int64_t *ids[5] = { &s->empty, &s->full, &s->mutex, &s->put_lock, &s->get_lock };

	for (int i = 0; i < 5; i++) {
		if (*ids[i] > 0)
			usys_sem_destroy(*ids[i]);
		*ids[i] = 0;
	}
}

int
bb_attach(struct bbuf *b, void *mem, uint32_t nslots, uint32_t slot_bytes,
	  const struct bb_sems *s, uint32_t tag)
{
	const volatile struct bb_ring *r = mem;

	if (!bb_bytes(nslots, slot_bytes) || r->magic != BB_MAGIC || r->nslots != nslots ||
	    r->slot_bytes != slot_bytes || s->empty <= 0 || s->full <= 0 || s->mutex <= 0)
		return -EINVAL;
	b->ring = mem;
	b->data = (uint8_t *)mem + data_offset(nslots);
	b->nslots = nslots;
	b->slot_bytes = slot_bytes;
	b->tag = tag;
	b->s = *s;
	return 0;
}

/* Slots a message of len bytes occupies (an empty message takes one). */
static uint64_t
frag_count(const struct bbuf *b, uint64_t len)
{
	return len ? (len + b->slot_bytes - 1) / b->slot_bytes : 1;
}

static uint64_t
frag_bytes(const struct bbuf *b, uint64_t len, uint64_t i)
{
	uint64_t off = i * b->slot_bytes;
	return len - off < b->slot_bytes ? len - off : b->slot_bytes;
}

/* A P that ran out of time after the first wait says so as a timeout. */
static long
p_until(int64_t sem, uint64_t timeout_ns, uint64_t deadline)
{
	long r = usys_sem_p(sem, ipc_time_left(deadline));
	return r == -EAGAIN && timeout_ns ? -ETIMEDOUT : r;
}

/* Takes n units of sem before the deadline, or none (gives back what it
 * got on failure), so a sender never holds half a message's slots. */
static long
reserve(int64_t sem, uint64_t n, uint64_t timeout_ns, uint64_t deadline)
{
	for (uint64_t i = 0; i < n; i++) {
		long r = p_until(sem, timeout_ns, deadline);
		if (r < 0) {
			while (i--)
				usys_sem_v(sem);
			return r;
		}
	}
	return 0;
}

/* Writes fragment i into the slot at `in`; the caller holds an empty unit. */
static long
put_frag(struct bbuf *b, const uint8_t *msg, uint64_t len, uint64_t i)
{
	long r = usys_sem_p(b->s.mutex, IPC_FOREVER);
	if (r < 0)
		return r;
	uint64_t in = b->ring->in;
	uint32_t slot = (uint32_t)(in % b->nslots);
	volatile struct bb_hdr *h = &b->ring->hdr[slot];
	h->msg_len = (uint32_t)len;
	h->frag = (uint32_t)i;
	h->tag = b->tag;
	memcpy(b->data + (size_t)slot * b->slot_bytes, msg + i * b->slot_bytes,
	       frag_bytes(b, len, i));
	b->ring->in = in + 1;
	usys_sem_v(b->s.mutex);
	usys_sem_v(b->s.full);
	return 0;
}

long
bb_put(struct bbuf *b, const void *msg, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = ipc_deadline(timeout_ns);
	uint64_t k = frag_count(b, len), held = k < b->nslots ? k : b->nslots;
	long r = 0;

	if (len > BB_MSG_MAX)
		return -E2BIG;
	if (b->s.put_lock && (r = p_until(b->s.put_lock, timeout_ns, deadline)) < 0)
		return r;
	r = reserve(b->s.empty, held, timeout_ns, deadline);
	/* Point of no return: the message is committed; the slots past the
	 * first N (a message longer than the buffer) wait for the consumer. */
	for (uint64_t i = 0; r == 0 && i < k; i++) {
		if (i >= held)
			r = usys_sem_p(b->s.empty, IPC_FOREVER);
		if (r == 0)
			r = put_frag(b, msg, len, i);
	}
	if (b->s.put_lock)
		usys_sem_v(b->s.put_lock);
	return r < 0 ? r : (long)len;
}

/* Reads the slot at `out` as fragment i of the message `first` describes
 * (i == 0: fills `first`); the caller holds a full unit.  A first fragment
 * longer than cap is left in place (its unit given back): -E2BIG. */
static long
take_frag(struct bbuf *b, uint64_t i, struct bb_hdr *first, uint8_t *buf, size_t cap)
{
	long r = usys_sem_p(b->s.mutex, IPC_FOREVER);
	if (r < 0)
		return r;
	uint64_t out = b->ring->out;
	uint32_t slot = (uint32_t)(out % b->nslots);
	const volatile struct bb_hdr *src = &b->ring->hdr[slot];
	struct bb_hdr h = { src->msg_len, src->frag, src->tag, 0 };
	if (i == 0 && h.frag == 0 && h.msg_len > cap) {
		usys_sem_v(b->s.mutex);
		usys_sem_v(b->s.full);
		return -E2BIG;
	}
	if (i == 0)
		*first = h;
	int ok = h.frag == i && h.msg_len == first->msg_len && h.tag == first->tag;
	if (ok)
		memcpy(buf + i * b->slot_bytes, b->data + (size_t)slot * b->slot_bytes,
		       frag_bytes(b, h.msg_len, i));
	b->ring->out = out + 1;          /* a bad slot is dropped, not retried forever */
	usys_sem_v(b->s.mutex);
	usys_sem_v(b->s.empty);
	return ok ? 0 : -EIO;
}

long
bb_get(struct bbuf *b, void *buf, size_t cap, uint64_t timeout_ns)
{
	uint64_t deadline = ipc_deadline(timeout_ns);
	struct bb_hdr first = { 0, 0, 0, 0 };
	long r;

	if (b->s.get_lock && (r = p_until(b->s.get_lock, timeout_ns, deadline)) < 0)
		return r;
	r = p_until(b->s.full, timeout_ns, deadline);
	if (r == 0)
		r = take_frag(b, 0, &first, buf, cap);
	/* The message has started: its other slots are on their way. */
	for (uint64_t i = 1; r == 0 && i < frag_count(b, first.msg_len); i++) {
		r = usys_sem_p(b->s.full, IPC_FOREVER);
		if (r == 0)
			r = take_frag(b, i, &first, buf, cap);
	}
	if (b->s.get_lock)
		usys_sem_v(b->s.get_lock);
	return r < 0 ? r : (long)first.msg_len;
}

/*
 * The `sem` mechanism: one shared-memory object with two buffers (client
 * to server, then server to client) of SEM_MECH_SLOTS x SEM_MECH_SLOT_BYTES,
 * each with the classic three semaphores.
 *   opts->h[0]    shared-memory handle
 *   opts->h[1..3] client->server empty, full, mutex
 *   opts->h[4..6] server->client empty, full, mutex
 * Per end: mem[0] the mapping, mem[1]/mem[2] the send/receive buffers,
 * local[0..2]/local[3..5] their semaphores, local[6] the mapping's size.
 */
enum { H_SHM = 0, H_C2S = 1, H_S2C = 4 };
enum { L_TX = 0, L_RX = 3, L_MAPLEN = 6 };

static size_t
mech_ring_bytes(void)
{
	return (bb_bytes(SEM_MECH_SLOTS, SEM_MECH_SLOT_BYTES) + 4095) & ~(size_t)4095;
}

/* Field by field, not memset: it runs on every send and receive. */
static void
sems_from(struct bb_sems *s, const int64_t *ids)
{
	*s = (struct bb_sems){ .empty = ids[0], .full = ids[1], .mutex = ids[2] };
}

static void
sem_unprepare(struct ipc_opts *o)
{
	for (int i = H_C2S; i < H_S2C + 3; i++) {
		if (o->h[i] > 0)
			usys_sem_destroy(o->h[i]);
		o->h[i] = 0;
	}
	if (o->h[H_SHM] > 0)
		usys_shm_destroy(o->h[H_SHM]);
	o->h[H_SHM] = 0;
}

static int
sem_prepare(struct ipc_opts *o)
{
	size_t ring = mech_ring_bytes();
	struct bb_sems s;
	long r;

	memset(o->h, 0, sizeof o->h);
	if (!ipc_has_variant(&ipc_sem, o->variant) || o->max_msg > SEM_MECH_MAX_MSG)
		return -EINVAL;
	long shm = usys_shm_create(2 * ring);
	if (shm < 0)
		return (int)shm;
	o->h[H_SHM] = shm;
	long va = usys_shm_map(shm, PROT_READ | PROT_WRITE);
	if (va < 0) {
		sem_unprepare(o);
		return (int)va;
	}
	bb_format((void *)va, SEM_MECH_SLOTS, SEM_MECH_SLOT_BYTES);
	bb_format((void *)(va + ring), SEM_MECH_SLOTS, SEM_MECH_SLOT_BYTES);
	usys_unmap((void *)va, 2 * ring);
	for (int dir = H_C2S; dir <= H_S2C; dir += 3) {
		if ((r = bb_sems_create(&s, SEM_MECH_SLOTS, 0)) < 0) {
			sem_unprepare(o);
			return (int)r;
		}
		o->h[dir] = s.empty;
		o->h[dir + 1] = s.full;
		o->h[dir + 2] = s.mutex;
	}
	return 0;
}

/* The buffer of direction L_TX or L_RX, rebuilt from the end's state. */
static void
chan_buf(const struct ipc_chan *ch, int dir, struct bbuf *b)
{
	b->ring = ch->mem[dir == L_TX ? 1 : 2];
	b->data = (uint8_t *)b->ring + data_offset(SEM_MECH_SLOTS);
	b->nslots = SEM_MECH_SLOTS;
	b->slot_bytes = SEM_MECH_SLOT_BYTES;
	b->tag = (uint32_t)ch->role + 1;
	sems_from(&b->s, &ch->local[dir]);
}

static int
sem_open(struct ipc_chan *ch, const struct ipc_opts *o, enum ipc_role role)
{
	size_t ring = mech_ring_bytes();
	int tx = role == IPC_CLIENT ? H_C2S : H_S2C, rx = role == IPC_CLIENT ? H_S2C : H_C2S;
	struct bbuf b;

	memset(ch, 0, sizeof *ch);
	for (int i = 0; i < H_S2C + 3; i++)
		if (o->h[i] <= 0)
			return -EINVAL;
	long va = usys_shm_map(o->h[H_SHM], PROT_READ | PROT_WRITE);
	if (va < 0)
		return (int)va;
	ch->mech = &ipc_sem;
	ch->role = role;
	ch->opts = *o;
	ch->mem[0] = (void *)va;
	ch->mem[1] = (void *)(va + (tx == H_C2S ? 0 : ring));
	ch->mem[2] = (void *)(va + (rx == H_C2S ? 0 : ring));
	ch->local[L_MAPLEN] = (int64_t)(2 * ring);
	for (int i = 0; i < 3; i++) {
		ch->local[L_TX + i] = o->h[tx + i];
		ch->local[L_RX + i] = o->h[rx + i];
	}
	/* Check both buffers' headers, the one at offset 0 first: an object
	 * that holds no channel (too small to hold the second) stops there. */
	struct bb_sems s;
	sems_from(&s, &o->h[H_C2S]);
	int err = bb_attach(&b, (void *)va, SEM_MECH_SLOTS, SEM_MECH_SLOT_BYTES, &s, 0);
	if (!err)
		err = bb_attach(&b, (void *)(va + ring), SEM_MECH_SLOTS, SEM_MECH_SLOT_BYTES, &s, 0);
	if (err) {
		usys_unmap(ch->mem[0], 2 * ring);
		memset(ch, 0, sizeof *ch);
	}
	return err;
}

static long
sem_send(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	struct bbuf b;

	if (!ch->mem[0])
		return -EINVAL;
	if (len > SEM_MECH_MAX_MSG)
		return -E2BIG;
	chan_buf(ch, L_TX, &b);
	return bb_put(&b, buf, len, timeout_ns);
}

static long
sem_recv(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	struct bbuf b;

	if (!ch->mem[0])
		return -EINVAL;
	chan_buf(ch, L_RX, &b);
	return bb_get(&b, buf, len, timeout_ns);
}

static void
sem_close(struct ipc_chan *ch)
{
	if (ch->mem[0])
		usys_unmap(ch->mem[0], (size_t)ch->local[L_MAPLEN]);
	ch->mem[0] = ch->mem[1] = ch->mem[2] = 0;
}

static const char *const sem_variants[] = { "classic", 0 };

const struct ipc_mech ipc_sem = {
	.name = "sem",
	.caps = IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT,
	.max_msg = SEM_MECH_MAX_MSG,
	.variants = sem_variants,
	.prepare = sem_prepare,
	.unprepare = sem_unprepare,
	.open = sem_open,
	.send = sem_send,
	.recv = sem_recv,
	.call = 0,
	.close = sem_close,
};
