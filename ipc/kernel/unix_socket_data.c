/*
 * unix_socket_data.c - the data paths of Unix domain sockets (rules in
 * unix_socket.h): receive rings, stream read/write with EOF, EPIPE and
 * reset, and datagrams kept whole in the receiver's ring.
 *
 * Every byte is copied twice by the kernel, like a pipe: the sender's
 * buffer -> the receiver's ring -> the receiver's buffer.  Copies run
 * under usock_lock (interrupts off), so a failed copy changes nothing:
 * counters move only after the copy succeeded.
 */
#include "ipc/kernel/unix_socket_int.h"
#include "kernel/file/fd.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/uaccess.h"
#include "common/errno.h"
#include "common/string.h"

/* A queued datagram: this header, then len bytes, in the ring. */
struct dgram_hdr {
	uint64_t len;
	char from[SOCK_NAME_MAX];    /* the sender's name, "" when it has none */
};
_Static_assert(sizeof(struct dgram_hdr) == USOCK_DGRAM_HDR, "header size is documented");

/* ---- the ring ------------------------------------------------------------ */

uint64_t
usock_ring_used(const struct usock_ring *r)
{
	return r->nwrite - r->nread;
}

static uint64_t
ring_room(const struct usock_ring *r)
{
	return r->size - usock_ring_used(r);
}

/* The ring positions [pos, pos+n) as at most two pieces (the wrap):
 * offset of the first, its length; the second starts at 0. */
static uint64_t
ring_split(const struct usock_ring *r, uint64_t pos, uint64_t n, uint64_t *first)
{
	uint64_t off = pos % r->size;

	*first = n < r->size - off ? n : r->size - off;
	return off;
}

static int
ring_from_user(struct usock_ring *r, uint64_t pos, uint64_t usrc, uint64_t n)
{
	uint64_t first, off = ring_split(r, pos, n, &first);

	if (copy_from_user(r->data + off, usrc, first) ||
	    (n > first && copy_from_user(r->data, usrc + first, n - first)))
		return -EFAULT;
	return 0;
}

static int
ring_to_user(const struct usock_ring *r, uint64_t pos, uint64_t udst, uint64_t n)
{
	uint64_t first, off = ring_split(r, pos, n, &first);

	if (copy_to_user(udst, r->data + off, first) ||
	    (n > first && copy_to_user(udst + first, r->data, n - first)))
		return -EFAULT;
	return 0;
}

/*
 * The header at ring position pos, in or out.  It is 72 bytes on every
 * datagram, so it is copied as one fixed-size block the compiler moves a
 * word at a time (__builtin_memcpy; the kernel's memcpy is REP MOVSB, a
 * step per byte), and split in two only where the ring wraps.
 */
static void
hdr_to_ring(struct usock_ring *r, uint64_t pos, const struct dgram_hdr *h)
{
	uint64_t first, off = ring_split(r, pos, sizeof *h, &first);

	if (first == sizeof *h) {
		__builtin_memcpy(r->data + off, h, sizeof *h);
		return;
	}
	memcpy(r->data + off, h, first);
	memcpy(r->data, (const uint8_t *)h + first, sizeof *h - first);
}

static void
hdr_from_ring(const struct usock_ring *r, uint64_t pos, struct dgram_hdr *h)
{
	uint64_t first, off = ring_split(r, pos, sizeof *h, &first);

	if (first == sizeof *h) {
		__builtin_memcpy(h, r->data + off, sizeof *h);
		return;
	}
	memcpy(h, r->data + off, first);
	memcpy((uint8_t *)h + first, r->data, sizeof *h - first);
}

/* ---- stream ---------------------------------------------------------------- */

/* What is there, at once; 0 (EOF) or the reset, once, when the ring is
 * empty and the peer is gone. */
static long
stream_read(struct usock *s, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	long r = 0;

	spin_lock(&usock_lock);
	if (s->state != US_CONNECTED)
		r = -ENOTCONN;
	while (!r && !usock_ring_used(&s->rx) && s->peer && !s->err)
		r = sleep_timeout(&s->rx.nwrite, &usock_lock, timeout_ns, deadline);
	if (!r) {
		uint64_t n = usock_ring_used(&s->rx) < len ? usock_ring_used(&s->rx) : len;
		if (n == 0) {
			r = s->err;  /* -ECONNRESET once, then 0 (EOF) */
			s->err = 0;
		} else if (!(r = ring_to_user(&s->rx, s->rx.nread, ubuf, n))) {
			s->rx.nread += n;
			r = (long)n;
			wakeup(&s->rx.nread);   /* room for the peer's writers */
		}
	}
	spin_unlock(&usock_lock);
	return r;
}

/* Blocks until every byte is in the peer's ring.  A write cut short by an
 * error returns the bytes that went in; a reset met then is left for the
 * next call to report. */
static long
stream_write(struct usock *s, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns), done = 0;
	int err = 0;

	spin_lock(&usock_lock);
	if (s->state != US_CONNECTED)
		err = -ENOTCONN;
	while (!err && done < len) {
		struct usock *p = s->peer;
		if (s->err) {
			err = s->err;
			if (!done)
				s->err = 0;
		} else if (!p) {
			err = -EPIPE;
		} else if (ring_room(&p->rx) == 0) {
			err = sleep_timeout(&p->rx.nread, &usock_lock, timeout_ns, deadline);
		} else {
			uint64_t n = len - done < ring_room(&p->rx) ? len - done : ring_room(&p->rx);
			if (!(err = ring_from_user(&p->rx, p->rx.nwrite, ubuf + done, n))) {
				p->rx.nwrite += n;
				done += n;
				wakeup(&p->rx.nwrite);   /* data for the peer's readers */
			}
		}
	}
	spin_unlock(&usock_lock);
	return done ? (long)done : err;
}

/* ---- datagrams --------------------------------------------------------- */

/* Where a datagram from s goes: the socket bound to name, or s's default
 * peer when name is NULL; NULL and why not. */
static struct usock *
destination_locked(const struct usock *s, const char *name, int *err)
{
	struct usock *d;

	if (!name && !s->dpeer) {
		*err = -ENOTCONN;    /* no name and no default peer */
		return 0;
	}
	d = name ? usock_by_name_locked(name) : usock_by_id_locked(s->dpeer);
	*err = !d ? -ECONNREFUSED : !usock_may_reach_locked(d) ? -EACCES :
	       d->type != SOCK_DGRAM ? -EPROTOTYPE : 0;
	return *err ? 0 : d;
}

/* The payload first, then the header, then publish: a bad buffer leaves
 * nothing behind. */
static int
put_datagram_locked(struct usock *d, const char *from, uint64_t ubuf, uint64_t len)
{
	struct usock_ring *r = &d->rx;
	struct dgram_hdr h;

	h.len = len;
	__builtin_memcpy(h.from, from, sizeof h.from);   /* words, see hdr_to_ring */
	if (len && ring_from_user(r, r->nwrite + sizeof h, ubuf, len))
		return -EFAULT;
	hdr_to_ring(r, r->nwrite, &h);
	r->nwrite += sizeof h + len;
	wakeup(&r->nwrite);          /* a datagram for d's receivers */
	return 0;
}

/* A datagram goes in whole: the sender waits for room for all of it. */
long
usock_sendto(struct usock *s, const char *name, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	struct usock *d;
	int err = 0;

	if (s->type != SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (len > SOCK_DGRAM_MAX)
		return -EMSGSIZE;
	spin_lock(&usock_lock);
	while ((d = destination_locked(s, name, &err)) && ring_room(&d->rx) < USOCK_DGRAM_HDR + len)
		if ((err = sleep_timeout(&d->rx.nread, &usock_lock, timeout_ns, deadline)))
			break;
	if (d && !err)
		err = put_datagram_locked(d, s->name, ubuf, len);
	spin_unlock(&usock_lock);
	return err ? err : (long)len;
}

/* The oldest datagram: its first len bytes to ubuf, the sender's name to
 * ufrom (if not 0); the rest of a longer datagram is discarded.  A failed
 * copy leaves the datagram queued. */
static long
take_datagram_locked(struct usock *s, uint64_t ubuf, uint64_t len, uint64_t ufrom)
{
	struct usock_ring *r = &s->rx;
	struct dgram_hdr h;

	hdr_from_ring(r, r->nread, &h);
	uint64_t n = h.len < len ? h.len : len;
	if ((n && ring_to_user(r, r->nread + sizeof h, ubuf, n)) ||
	    (ufrom && copy_to_user(ufrom, h.from, sizeof h.from)))
		return -EFAULT;
	r->nread += sizeof h + h.len;
	wakeup(&r->nread);           /* room for senders */
	return (long)n;
}

long
usock_recvfrom(struct usock *s, uint64_t ubuf, uint64_t len, uint64_t ufrom, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	long r = 0;

	if (s->type != SOCK_DGRAM)
		return -EOPNOTSUPP;
	spin_lock(&usock_lock);
	if (!s->rx.data)
		r = -EINVAL;         /* not bound: nothing can ever reach it */
	while (!r && !usock_ring_used(&s->rx))
		r = sleep_timeout(&s->rx.nwrite, &usock_lock, timeout_ns, deadline);
	if (!r)
		r = take_datagram_locked(s, ubuf, len, ufrom);
	spin_unlock(&usock_lock);
	return r;
}

/* ---- descriptor read/write ---------------------------------------------- */

/* On a datagram socket: one datagram, without the sender's name. */
long
usock_file_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	struct usock *s = f->obj;

	if (s->type == SOCK_STREAM)
		return stream_read(s, ubuf, len, timeout_ns);
	return usock_recvfrom(s, ubuf, len, 0, timeout_ns);
}

/* On a datagram socket: one datagram to the default peer. */
long
usock_file_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	struct usock *s = f->obj;

	if (s->type == SOCK_STREAM)
		return stream_write(s, ubuf, len, timeout_ns);
	return usock_sendto(s, 0, ubuf, len, timeout_ns);
}
