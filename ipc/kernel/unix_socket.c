/*
 * unix_socket.c - Unix domain sockets (rules in unix_socket.h):
 * socket/bind/listen/connect/accept and close.  The table of sockets by id
 * and the name space are in unix_socket_table.c, the data paths in
 * unix_socket_data.c; the lock and the sleep channels are described in
 * unix_socket_int.h.
 */
#include "ipc/kernel/unix_socket_int.h"
#include "kernel/file/fd.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/heap.h"
#include "common/errno.h"
#include "common/string.h"

static void usock_close_file(struct file *f);

static const struct file_ops usock_ops = {
	.read = usock_file_read,
	.write = usock_file_write,
	.close = usock_close_file,
};

/* ---- socket, bind, listen -------------------------------------------- */

long
usock_create(int type)
{
	struct proc *me = current_proc();
	struct usock *s = usock_alloc(type);
	struct file *f = s ? file_alloc(&usock_ops, FD_READ | FD_WRITE, s) : 0;
	int fd = f ? fd_reserve(me) : -ENOMEM;

	if (fd >= 0) {
		spin_lock(&usock_lock);
		int err = usock_insert_locked(s);
		spin_unlock(&usock_lock);
		if (err)
			fd_cancel(me, fd);
		fd = err ? err : fd;
	}
	if (fd < 0) {
		if (f)
			file_free_unused(f);
		usock_free(s);
		return fd;
	}
	fd_commit(me, fd, f);
	return fd;
}

struct usock *
usock_fd_get(int64_t fd, struct file **fp, int *err)
{
	struct file *f = fd_get(current_proc(), fd, FD_READ | FD_WRITE, err);

	if (!f)
		return 0;
	if (f->ops != &usock_ops) {
		file_put(f);
		*err = -ENOTSOCK;    /* a pipe end, say */
		return 0;
	}
	*fp = f;
	return f->obj;
}

/* A datagram socket gets its receive queue here: only a named socket can
 * be sent to.  (type never changes, so it is read without the lock.) */
int
usock_bind(struct usock *s, const char *name)
{
	uint8_t *ring = 0;
	int err = 0;

	if (s->type == SOCK_DGRAM && !(ring = kmalloc(USOCK_DGRAM_QUEUE)))
		return -ENOMEM;
	spin_lock(&usock_lock);
	if (s->name[0] || s->state != US_OPEN)
		err = -EINVAL;       /* one name, before listen or connect */
	else if (usock_by_name_locked(name))
		err = -EADDRINUSE;
	else {
		strncpy_bounded(s->name, name, sizeof s->name);
		s->owner_uid = current_proc()->uid;
		if (ring)
			s->rx = (struct usock_ring){ ring, USOCK_DGRAM_QUEUE, 0, 0 };
		ring = 0;
	}
	spin_unlock(&usock_lock);
	kfree(ring);
	return err;
}

/* Listening again only changes the backlog (as in Unix). */
int
usock_listen(struct usock *s, int backlog)
{
	int err = 0;

	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	spin_lock(&usock_lock);
	if (!s->name[0] || (s->state != US_OPEN && s->state != US_LISTENING)) {
		err = -EINVAL;       /* unnamed, or connected */
	} else {
		s->state = US_LISTENING;
		s->backlog = backlog;
		wakeup(&s->backlog); /* a larger backlog may have room now */
	}
	spin_unlock(&usock_lock);
	return err;
}

/* ---- connect ------------------------------------------------------------ */

/* What a new connection needs, allocated before the lock is taken. */
struct conn_parts {
	struct usock *server;        /* the end accept will hand out */
	uint8_t *client_ring, *server_ring;
};

static void
parts_free(struct conn_parts *c)
{
	usock_free(c->server);
	kfree(c->client_ring);
	kfree(c->server_ring);
}

static int
parts_alloc(struct conn_parts *c)
{
	c->server = usock_alloc(SOCK_STREAM);
	c->client_ring = kmalloc(USOCK_STREAM_BUF);
	c->server_ring = kmalloc(USOCK_STREAM_BUF);
	if (c->server && c->client_ring && c->server_ring)
		return 0;
	parts_free(c);
	return -ENOMEM;
}

/* The listening stream socket bound to name, or NULL and why not. */
static struct usock *
listener_locked(const char *name, int *err)
{
	struct usock *l = usock_by_name_locked(name);

	*err = !l ? -ECONNREFUSED : !usock_may_reach_locked(l) ? -EACCES :
	       l->type != SOCK_STREAM ? -EPROTOTYPE :
	       l->state != US_LISTENING ? -ECONNREFUSED : 0;
	return *err ? 0 : l;
}

/* Point of no return: s and the new server end are connected, and the
 * server end waits in l's queue for accept. */
static void
link_locked(struct usock *s, struct usock *l, struct conn_parts *c)
{
	struct usock *e = c->server;

	s->rx = (struct usock_ring){ c->client_ring, USOCK_STREAM_BUF, 0, 0 };
	e->rx = (struct usock_ring){ c->server_ring, USOCK_STREAM_BUF, 0, 0 };
	s->peer = e;
	e->peer = s;
	s->state = US_CONNECTED;
	e->state = US_QUEUED;
	e->q_next = 0;
	if (l->q_tail)
		l->q_tail->q_next = e;
	else
		l->q_head = e;
	l->q_tail = e;
	l->qlen++;
	wakeup(&l->qlen);            /* a connection for accept */
}

static int
connect_stream(struct usock *s, const char *name, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	struct conn_parts c;
	struct usock *l = 0;
	int err = parts_alloc(&c);

	if (err)
		return err;
	spin_lock(&usock_lock);
	for (;;) {
		if (s->state != US_OPEN) {
			err = s->state == US_LISTENING ? -EINVAL : -EISCONN;
			break;
		}
		if (!(l = listener_locked(name, &err)))
			break;
		if (l->qlen < l->backlog) {
			err = usock_insert_locked(c.server);
			break;
		}
		if ((err = sleep_timeout(&l->backlog, &usock_lock, timeout_ns, deadline))) {
			err = err == -EINTR ? err : -ECONNREFUSED;   /* the backlog stayed full */
			break;
		}
	}
	if (!err)
		link_locked(s, l, &c);
	spin_unlock(&usock_lock);
	if (err)
		parts_free(&c);
	return err;
}

/* A datagram socket's connect only sets where sendto without a name goes. */
static int
connect_dgram(struct usock *s, const char *name)
{
	spin_lock(&usock_lock);
	struct usock *d = usock_by_name_locked(name);
	int err = !d ? -ECONNREFUSED : !usock_may_reach_locked(d) ? -EACCES :
		  d->type != SOCK_DGRAM ? -EPROTOTYPE : 0;
	if (!err)
		s->dpeer = d->id;
	spin_unlock(&usock_lock);
	return err;
}

int
usock_connect(struct usock *s, const char *name, uint64_t timeout_ns)
{
	return s->type == SOCK_STREAM ? connect_stream(s, name, timeout_ns) : connect_dgram(s, name);
}

/* ---- accept ------------------------------------------------------------ */

static struct usock *
dequeue_locked(struct usock *l)
{
	struct usock *e = l->q_head;

	l->q_head = e->q_next;
	if (!l->q_head)
		l->q_tail = 0;
	e->q_next = 0;
	e->state = US_CONNECTED;
	l->qlen--;
	wakeup(&l->backlog);         /* room for a waiting connect */
	return e;
}

/* The descriptor is reserved before waiting, so a full table fails
 * without taking a connection off the queue. */
long
usock_accept(struct usock *l, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	struct proc *me = current_proc();
	struct file *f;
	int fd, err = 0;

	if (l->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if ((fd = fd_reserve(me)) < 0)
		return fd;
	if (!(f = file_alloc(&usock_ops, FD_READ | FD_WRITE, 0))) {
		fd_cancel(me, fd);
		return -ENOMEM;
	}
	spin_lock(&usock_lock);
	while (!err && l->state == US_LISTENING && !l->q_head)
		err = sleep_timeout(&l->qlen, &usock_lock, timeout_ns, deadline);
	if (!err && l->state != US_LISTENING)
		err = -EINVAL;       /* not listening */
	if (!err)
		f->obj = dequeue_locked(l);
	spin_unlock(&usock_lock);
	if (err) {
		file_free_unused(f);
		fd_cancel(me, fd);
		return err;
	}
	fd_commit(me, fd, f);
	return fd;
}

/* ---- close ------------------------------------------------------------- */

/* s goes away: its peer learns it by EOF and EPIPE, or by a reset when s
 * leaves bytes unread or was never accepted.  The peer's writers sleep on
 * s's channel, which the caller wakes. */
static void
disconnect_locked(struct usock *s)
{
	struct usock *p = s->peer;

	if (!p)
		return;
	if (s->state == US_QUEUED || usock_ring_used(&s->rx))
		p->err = -ECONNRESET;
	p->peer = 0;
	s->peer = 0;
	wakeup(&p->rx.nwrite);       /* p's readers: EOF or the reset */
}

/* Wakes everyone who waits on s from outside and unlists it. */
static void
unlist_locked(struct usock *s)
{
	disconnect_locked(s);
	wakeup(&s->rx.nread);        /* writers and senders to s: it is gone */
	wakeup(&s->backlog);         /* connects waiting for room: refused */
	usock_remove_locked(s);
}

/* A closing listener takes its queued connections with it (their clients
 * are reset); returns them, still linked by q_next, to be freed. */
static struct usock *
drain_queue_locked(struct usock *l)
{
	struct usock *head = l->q_head;

	for (struct usock *e = head; e; e = e->q_next)
		unlist_locked(e);
	l->q_head = l->q_tail = 0;
	l->qlen = 0;
	return head;
}

static void
usock_close_file(struct file *f)
{
	struct usock *s = f->obj, *dead = 0;

	spin_lock(&usock_lock);
	if (s->state == US_LISTENING)
		dead = drain_queue_locked(s);
	unlist_locked(s);
	spin_unlock(&usock_lock);
	while (dead) {
		struct usock *next = dead->q_next;
		usock_free(dead);
		dead = next;
	}
	usock_free(s);
}
