/*
 * unix_socket.c - Unix domain sockets (rules in unix_socket.h): the table
 * of sockets by id, the name space, socket/bind/listen/connect/accept and
 * close.  The data paths are in unix_socket_data.c; the lock and the sleep
 * channels are described in unix_socket_int.h.
 */
#include "ipc/kernel/unix_socket_int.h"
#include "ipc/kernel/fd.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/heap.h"
#include "kernel/time/clock.h"
#include "common/errno.h"
#include "common/string.h"

struct spinlock usock_lock = SPINLOCK_INIT("usock");
/* usock_lock must be held when using table[] and generation. */
static struct usock *table[USOCK_MAX];
static int64_t generation;

static void usock_close_file(struct file *f);

static const struct file_ops usock_ops = {
	.read = usock_file_read,
	.write = usock_file_write,
	.close = usock_close_file,
};

/* ---- the table and the name space ------------------------------------ */

static struct usock *
usock_alloc(int type)
{
	struct usock *s = kmalloc(sizeof *s);

	if (s) {
		s->type = type;
		s->state = US_OPEN;
	}
	return s;
}

static void
usock_free(struct usock *s)
{
	if (s)
		kfree(s->rx.data);
	kfree(s);
}

/* Gives s a slot and an id whose generation makes a stale id miss. */
static int
insert_locked(struct usock *s)
{
	for (int i = 0; i < USOCK_MAX; i++) {
		if (table[i])
			continue;
		generation++;
		s->id = generation * USOCK_MAX + i + 1;
		table[i] = s;
		return 0;
	}
	return -ENFILE;
}

/* Takes s off the table: its id and its name stop finding it. */
static void
remove_locked(struct usock *s)
{
	table[(s->id - 1) % USOCK_MAX] = 0;
}

struct usock *
usock_by_id_locked(int64_t id)
{
	if (id <= 0)
		return 0;
	struct usock *s = table[(id - 1) % USOCK_MAX];
	return s && s->id == id ? s : 0;
}

/* A linear scan: USOCK_MAX is small, and the measured paths (stream I/O,
 * datagrams to the default peer) never look a name up. */
struct usock *
usock_by_name_locked(const char *name)
{
	for (int i = 0; i < USOCK_MAX; i++)
		if (table[i] && table[i]->name[0] && !strcmp(table[i]->name, name))
			return table[i];
	return 0;
}

int
usock_may_reach_locked(const struct usock *s)
{
	return uid_may_act_on(current_proc()->uid, s->owner_uid);
}

int
usock_name_ok(const char *name)
{
	size_t n;

	for (n = 0; name[n]; n++)
		if ((unsigned char)name[n] < 0x21 || (unsigned char)name[n] > 0x7e ||
		    n + 1 >= SOCK_NAME_MAX)
			return 0;
	return n > 0;
}

unsigned
usock_live_count(void)
{
	unsigned n = 0;

	spin_lock(&usock_lock);
	for (int i = 0; i < USOCK_MAX; i++)
		n += table[i] != 0;
	spin_unlock(&usock_lock);
	return n;
}

/*
 * The caller checked its condition under usock_lock and every change to
 * it is made under usock_lock before the wakeup, so no wakeup is lost
 * between the check and the sleep (sleep_until releases the lock only
 * once the thread is on the channel).
 */
int
usock_wait(void *chan, uint64_t timeout_ns, uint64_t deadline)
{
	if (current_thread()->killed)
		return -EINTR;
	if (timeout_ns == 0)
		return -EAGAIN;
	if (deadline && clock_ns() >= deadline)
		return -ETIMEDOUT;
	sleep_until(chan, &usock_lock, deadline);
	return current_thread()->killed ? -EINTR : 0;
}

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
		int err = insert_locked(s);
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
			err = insert_locked(c.server);
			break;
		}
		if ((err = usock_wait(&l->backlog, timeout_ns, deadline))) {
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
		err = usock_wait(&l->qlen, timeout_ns, deadline);
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
	remove_locked(s);
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
