/*
 * chcore_ipc.c - ChCore-style IPC objects: services, connections, per-process
 * capability tables, and the slow (reference) paths of call and reply_recv.
 *
 * Connection set-up follows the lecture's five steps: the server registers
 * a service; a client asks the kernel for a connection (the kernel creates
 * the shared message buffer and maps it in the client); the request waits on
 * the service until the server listens and accepts (the kernel maps the same
 * buffer in the server, at the server's own VA) or rejects (-ECONNREFUSED);
 * the client gets a capability naming its end.
 *
 * A call is synchronous: the client thread blocks until the server thread
 * bound to the connection replies.  chcore_fastpath.c hands the CPU straight
 * to the partner thread; when its guards fail, the code here does the same
 * through the run queue (unblock + sched), with the same outcome.
 * Locking: see chcore_ipc.h (chcore_lock, then sched_lock).
 */
#include "ipc/kernel/chcore_ipc.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/handoff.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/aspace.h"
#include "kernel/mm/shm.h"
#include "common/errno.h"
#include "common/string.h"
#include "common/syscall_abi.h"

#define NTABLES   32             /* processes holding chcore caps at once */
#define NSERVICES 16
#define NCONNS    32

struct chcore_service {
	uint64_t id;                 /* 0: free */
	int owner_pid;
	struct chcore_conn *req_head, *req_tail;
};

struct spinlock chcore_lock = SPINLOCK_INIT("chcore");

/* chcore_lock must be held when using these. */
static struct chcore_caps tables[NTABLES];
static struct chcore_service services[NSERVICES];
static struct chcore_conn conns[NCONNS];

/* ---- capability tables (chcore_lock held) ---- */

static struct chcore_caps *
table_of(int pid, int create)
{
	struct chcore_caps *free = 0;

	for (int i = 0; i < NTABLES; i++) {
		if (tables[i].pid == pid)
			return &tables[i];
		if (!tables[i].pid && !free)
			free = &tables[i];
	}
	if (!create || !free || pid <= 0)
		return 0;
	memset(free, 0, sizeof *free);
	free->pid = pid;
	/* Every creator is the process itself (register, connect, accept). */
	spin_lock(&sched_lock);
	current_proc()->chcore_caps = free;
	spin_unlock(&sched_lock);
	return free;
}

static int64_t
cap_alloc(int pid, enum chcore_cap_type type, void *obj)
{
	struct chcore_caps *t = table_of(pid, 1);

	if (!t)
		return -ENOSPC;
	for (int i = 0; i < CHCORE_NCAPS; i++) {
		if (t->type[i] == CAP_NONE) {
			spin_lock(&sched_lock);     /* the fast path reads slots */
			t->type[i] = type;
			t->obj[i] = obj;
			spin_unlock(&sched_lock);
			return i;
		}
	}
	return -EMFILE;
}

/* Decode: the object of the calling process's slot, no side effects (a
 * slot in use always has one).  A slot out of range or empty is -EBADF, a
 * cap of another type -EPERM. */
static void *
cap_lookup(int64_t cap, enum chcore_cap_type type, int *err)
{
	struct chcore_caps *t = table_of(current_proc()->pid, 0);

	*err = -EBADF;
	if (!t || cap < 0 || cap >= CHCORE_NCAPS || t->type[cap] == CAP_NONE)
		return 0;
	if (type != CAP_NONE && t->type[cap] != type) {
		*err = -EPERM;
		return 0;
	}
	*err = 0;
	return t->obj[cap];
}

struct chcore_conn *
chcore_decode(int64_t cap, enum chcore_cap_type type, int *err)
{
	spin_lock(&chcore_lock);
	struct chcore_conn *c = cap_lookup(cap, type, err);
	if (c)
		c->inflight++;          /* keeps c alive until chcore_done */
	spin_unlock(&chcore_lock);
	return c;
}

/* chcore_lock held: a conn no cap and no syscall names any more is free. */
static void
conn_maybe_free(struct chcore_conn *c)
{
	if (c->client_ref || c->server_ref || c->inflight || c->state == CONN_REQUESTED)
		return;
	memset(c, 0, sizeof *c);     /* state CONN_FREE */
}

void
chcore_done(struct chcore_conn *c)
{
	spin_lock(&chcore_lock);
	c->inflight--;
	conn_maybe_free(c);
	spin_unlock(&chcore_lock);
}

/* ---- services ---- */

static struct chcore_service *
service_find(uint64_t id)
{
	for (int i = 0; i < NSERVICES; i++)
		if (services[i].id == id)
			return &services[i];
	return 0;
}

/* register(id): the calling process offers service id; returns its cap. */
int64_t
chcore_register(uint64_t id)
{
	int pid = current_proc()->pid;
	int64_t r = -ENOSPC;

	spin_lock(&chcore_lock);
	if (service_find(id)) {
		r = -EEXIST;
	} else {
		struct chcore_service *s = service_find(0);
		if (s && (r = cap_alloc(pid, CAP_SERVICE, s)) >= 0) {
			memset(s, 0, sizeof *s);
			s->id = id;
			s->owner_pid = pid;
		}
	}
	spin_unlock(&chcore_lock);
	return r;
}

/* chcore_lock held: every queued request is refused, the id is free. */
static void
service_remove(struct chcore_service *s)
{
	for (struct chcore_conn *c = s->req_head; c; c = c->req_next) {
		c->state = CONN_REJECTED;
		c->svc = 0;
		wakeup(c);
	}
	wakeup(s);                   /* a listener of ours sees the cap gone */
	memset(s, 0, sizeof *s);
}

static void
request_unlink(struct chcore_service *s, struct chcore_conn *c)
{
	struct chcore_conn *prev = 0;

	for (struct chcore_conn *q = s->req_head; q; prev = q, q = q->req_next) {
		if (q != c)
			continue;
		if (prev)
			prev->req_next = c->req_next;
		else
			s->req_head = c->req_next;
		if (s->req_tail == c)
			s->req_tail = prev;
		c->req_next = 0;
		c->svc = 0;
		return;
	}
}

/* listen(svc_cap, timeout): the pid of the oldest client waiting for an
 * answer, without taking it off the queue (accept or reject does). */
int64_t
chcore_listen(int64_t svc_cap, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	int64_t r;

	spin_lock(&chcore_lock);
	for (;;) {
		int err;
		struct chcore_service *s = cap_lookup(svc_cap, CAP_SERVICE, &err);
		if (!s) {
			r = err;
			break;
		}
		if (s->req_head) {
			r = s->req_head->client_pid;
			break;
		}
		/* connect queues a request and wakes s under chcore_lock. */
		if ((r = sleep_timeout(s, &chcore_lock, timeout_ns, deadline)))
			break;
	}
	spin_unlock(&chcore_lock);
	return r;
}

/* chcore_lock held: the waiting request of client_pid on s, or NULL. */
static struct chcore_conn *
request_of(struct chcore_service *s, int client_pid)
{
	for (struct chcore_conn *c = s->req_head; c; c = c->req_next)
		if (c->client_pid == client_pid)
			return c;
	return 0;
}

/* chcore_lock held, c off the queue: maps c's buffer in the server (me)
 * and gives it the server end's cap.  Returns the cap or -errno. */
static int64_t
accept_map(struct chcore_conn *c, struct proc *me, uint64_t *server_va)
{
	int err;
	struct shm_obj *o = shm_get(c->shm, &err);

	/* The map allocates and takes as->lock: not under chcore_lock.  The
	 * inflight hold keeps c; a client that gives up meanwhile marks it
	 * CONN_DEAD, which we see below. */
	c->inflight++;
	spin_unlock(&chcore_lock);
	int64_t va = o ? aspace_map_shm(me->as, o, VMA_READ | VMA_WRITE) : err;
	spin_lock(&chcore_lock);
	c->inflight--;
	int64_t r = va;
	if (va >= 0 && c->state != CONN_REQUESTED)
		r = -ECONNRESET;        /* the client timed out or was killed */
	else if (va >= 0)
		r = cap_alloc(me->pid, CAP_CONN_SERVER, c);
	if (r < 0 && va >= 0) {
		spin_unlock(&chcore_lock);
		aspace_unmap(me->as, (uint64_t)va, c->buf_len);
		spin_lock(&chcore_lock);
		return r;
	}
	if (r >= 0) {
		c->server_va = (uint64_t)va;
		c->server_pid = me->pid;
		c->server_ref = 1;
		*server_va = (uint64_t)va;
	}
	return r;
}

/* accept(svc_cap, client_pid, yes): answers client_pid's request.  Yes: the
 * buffer is mapped here too, *server_va set, the server end's cap returned.
 * No: the client's connect gives -ECONNREFUSED; this returns 0. */
int64_t
chcore_accept(int64_t svc_cap, int client_pid, int yes, uint64_t *server_va)
{
	int err;

	spin_lock(&chcore_lock);
	struct chcore_service *s = cap_lookup(svc_cap, CAP_SERVICE, &err);
	struct chcore_conn *c = s ? request_of(s, client_pid) : 0;
	if (!c) {
		spin_unlock(&chcore_lock);
		return s ? -ESRCH : err;
	}
	request_unlink(s, c);
	int64_t r = yes ? accept_map(c, current_proc(), server_va) : 0;
	if (c->state == CONN_REQUESTED) {
		c->state = yes && r >= 0 ? CONN_ACCEPTED : CONN_REJECTED;
		wakeup(c);
	}
	conn_maybe_free(c);
	spin_unlock(&chcore_lock);
	return r;
}

/* ---- connect ---- */

/* Creates the buffer and maps it in the client (the caller).  Returns a
 * fresh conn holding an inflight reference, or NULL with *err. */
static struct chcore_conn *
conn_new(uint64_t buf_len, unsigned flags, int *err)
{
	struct proc *me = current_proc();
	int64_t h = shm_create(buf_len, me->pid, SHM_KERNEL);
	struct shm_obj *o;
	int64_t va;

	if (h < 0 || !(o = shm_get(h, err)) || (va = aspace_map_shm(me->as, o, VMA_READ | VMA_WRITE)) < 0) {
		*err = h < 0 ? (int)h : -ENOMEM;
		if (h > 0)
			shm_destroy(h);
		return 0;
	}
	spin_lock(&chcore_lock);
	struct chcore_conn *c = 0;
	for (int i = 0; i < NCONNS && !c; i++)
		if (conns[i].state == CONN_FREE && !conns[i].inflight)
			c = &conns[i];
	if (c) {
		memset(c, 0, sizeof *c);
		c->state = CONN_DEAD;   /* not queued yet */
		c->inflight = 1;
		c->client_pid = me->pid;
		c->shm = h;
		c->buf = o;
		c->buf_len = (buf_len + 4095) & ~4095ull;
		c->client_va = (uint64_t)va;
		c->slowpath = (flags & CHCORE_CONN_SLOWPATH) != 0;
	}
	spin_unlock(&chcore_lock);
	if (!c) {
		aspace_unmap(me->as, (uint64_t)va, (buf_len + 4095) & ~4095ull);
		shm_destroy(h);
		*err = -ENOSPC;
	}
	return c;
}

/* chcore_lock held: queues c on service id and waits for the answer. */
static int
connect_wait(struct chcore_conn *c, uint64_t id, uint64_t timeout_ns)
{
	uint64_t deadline = sleep_deadline(timeout_ns);
	struct chcore_service *s = service_find(id);

	if (!s)
		return -ENOENT;
	c->state = CONN_REQUESTED;
	c->svc = s;
	if (s->req_tail)
		s->req_tail->req_next = c;
	else
		s->req_head = c;
	s->req_tail = c;
	wakeup(s);
	/* accept answers (c->state) and wakes c under chcore_lock; the answer
	 * counts even when the wait also ended in a kill or the deadline. */
	int err = 0;
	while (c->state == CONN_REQUESTED && !err)
		err = sleep_timeout(c, &chcore_lock, timeout_ns, deadline);
	if (c->state == CONN_REQUESTED) {
		if (c->svc)
			request_unlink(c->svc, c);
		c->state = CONN_DEAD;   /* an accept mapping meanwhile backs out */
		return err;
	}
	return c->state == CONN_ACCEPTED ? 0 : -ECONNREFUSED;
}

/* connect(id, buf_len, timeout, flags): asks service id for a connection
 * with a buf_len-byte message buffer (CHCORE_CONN_SLOWPATH: without the
 * fast path).  Returns the client end's cap and sets
 * *client_va; -ENOENT (no such service), -ECONNREFUSED, -ETIMEDOUT ... */
int64_t
chcore_connect(uint64_t id, uint64_t buf_len, uint64_t timeout_ns, unsigned flags,
	       uint64_t *client_va)
{
	struct proc *me = current_proc();
	int err;
	struct chcore_conn *c = conn_new(buf_len, flags, &err);

	if (!c)
		return err;
	spin_lock(&chcore_lock);
	int64_t r = connect_wait(c, id, timeout_ns);
	if (r == 0 && (r = cap_alloc(me->pid, CAP_CONN_CLIENT, c)) >= 0) {
		c->client_ref = 1;
		*client_va = c->client_va;
	}
	int64_t h = c->shm;
	uint64_t va = c->client_va, len = c->buf_len;
	c->shm = 0;                  /* both maps made (or never will be) */
	if (r < 0) {
		c->state = CONN_DEAD;
		spin_lock(&sched_lock);
		c->dead = 1;
		spin_unlock(&sched_lock);
	}
	c->inflight--;
	conn_maybe_free(c);          /* a server end, if any, keeps it */
	spin_unlock(&chcore_lock);
	shm_destroy(h);              /* memory lives while mapped */
	if (r < 0)
		aspace_unmap(me->as, va, len);
	return r;
}

/* ---- close and process exit ---- */

/* chcore_lock held: no call can start on c; threads blocked in it wake. */
static void
conn_kill(struct chcore_conn *c)
{
	c->state = CONN_DEAD;
	spin_lock(&sched_lock);
	c->dead = 1;
	struct thread *t = c->caller;
	if (t && sched_blocked_on(t, c))
		sched_unblock_locked(t);
	t = c->parked ? c->server : 0;
	if (t && sched_blocked_on(t, c))
		sched_unblock_locked(t);
	spin_unlock(&sched_lock);
}

/* chcore_lock held: empties slot i of t.  Returns the caller's VA of a
 * buffer the caller should unmap (0 if none). */
static uint64_t
slot_close(struct chcore_caps *t, int i, uint64_t *len)
{
	enum chcore_cap_type type = t->type[i];
	struct chcore_conn *c = 0;
	uint64_t va = 0;

	if (type == CAP_SERVICE) {
		service_remove(t->obj[i]);
	} else if (type == CAP_CONN_CLIENT || type == CAP_CONN_SERVER) {
		int client = type == CAP_CONN_CLIENT;
		c = t->obj[i];
		*(client ? &c->client_ref : &c->server_ref) = 0;
		va = client ? c->client_va : c->server_va;
		*len = c->buf_len;
		conn_kill(c);
	}
	/* Emptied under sched_lock before c may be freed: the fast path
	 * finds c through this slot holding sched_lock alone. */
	spin_lock(&sched_lock);
	t->type[i] = CAP_NONE;
	t->obj[i] = 0;
	spin_unlock(&sched_lock);
	if (c)
		conn_maybe_free(c);
	return va;
}

/* close(cap): revokes the caller's cap; for a connection end the peer's
 * calls fail with -ECONNRESET from now on and its buffer mapping here goes. */
int
chcore_close(int64_t cap)
{
	int err;
	uint64_t va = 0, len = 0;

	spin_lock(&chcore_lock);
	if (cap_lookup(cap, CAP_NONE, &err))
		va = slot_close(table_of(current_proc()->pid, 0), (int)cap, &len);
	spin_unlock(&chcore_lock);
	if (va)
		aspace_unmap(current_proc()->as, va, len);
	return err;
}

/* proc_hooks row: runs on p's last thread; its address space (and so its
 * buffer mappings) goes with it, so nothing is unmapped here. */
void
chcore_release_proc(struct proc *p)
{
	uint64_t len;

	spin_lock(&chcore_lock);
	struct chcore_caps *t = table_of(p->pid, 0);
	if (t) {
		for (int i = 0; i < CHCORE_NCAPS; i++)
			if (t->type[i] != CAP_NONE)
				slot_close(t, i, &len);
		t->pid = 0;
		spin_lock(&sched_lock);
		p->chcore_caps = &chcore_caps_none;
		spin_unlock(&sched_lock);
	}
	spin_unlock(&chcore_lock);
}

unsigned
chcore_live_count(void)
{
	unsigned n = 0;

	spin_lock(&chcore_lock);
	for (int i = 0; i < NSERVICES; i++)
		n += services[i].id != 0;
	for (int i = 0; i < NCONNS; i++)
		n += conns[i].state != CONN_FREE;
	for (int i = 0; i < NTABLES; i++)
		n += tables[i].pid != 0;
	spin_unlock(&chcore_lock);
	return n;
}

int
chcore_in_call(int pid)
{
	int n = 0;

	spin_lock(&chcore_lock);
	spin_lock(&sched_lock);
	for (int i = 0; i < NCONNS; i++)
		n += conns[i].state == CONN_ACCEPTED && conns[i].server_pid == pid && conns[i].taken &&
		     !conns[i].replied;
	spin_unlock(&sched_lock);
	spin_unlock(&chcore_lock);
	return n;
}

/* ---- calls (sched_lock held in all of these) ---- */

/* call_wait and recv_wait do not use sleep_timeout: the partner hands the
 * CPU straight to a thread blocked here (sched_block, outside the wait
 * buckets, handoff.h), which a sleep on a wait bucket would not allow, and
 * a call has no timeout. */

/* The client's side once its request is posted.  Why nothing is lost: the
 * request, the reply and c->dead are all written under sched_lock, and a
 * writer that finds us blocked (state SLEEPING, chan c) unblocks us. */
static int64_t
call_wait(struct chcore_conn *c, uint64_t ret[CHCORE_NRET - 1])
{
	struct thread *me = current_thread();

	while (!c->replied && !c->dead && !me->killed)
		sched_block(c);   /* outside the wait buckets (handoff.h) */
	int64_t r = c->dead ? -ECONNRESET : -EINTR;
	if (c->replied) {
		r = (int64_t)c->ret[0];
		memcpy(ret, &c->ret[1], (CHCORE_NRET - 1) * sizeof *ret);
	}
	c->caller = 0;               /* a reply still to come is dropped */
	c->taken = c->replied = 0;
	return r;
}

int64_t
chcore_call_wait(struct chcore_conn *c, uint64_t ret[CHCORE_NRET - 1])
{
	return call_wait(c, ret);
}

/* call(cap, msg_va, len, a0, a1, a2): decode, then invoke.  msg_va 0: the
 * message is len <= CHCORE_REG_MSG_MAX bytes in a0..a2 (chcore_abi.h). */
int64_t
chcore_call(int64_t cap, uint64_t msg_va, uint64_t len, const uint64_t arg[3],
	    uint64_t ret[CHCORE_NRET - 1])
{
	int err;
	uint64_t srv_va;
	struct chcore_conn *c = chcore_decode(cap, CAP_CONN_CLIENT, &err);

	if (!c)
		return err;
	if (chcore_msg_at_server(c, msg_va, len, &srv_va)) {
		chcore_done(c);
		return -EINVAL;
	}
	spin_lock(&sched_lock);
	int64_t r = c->dead ? -ECONNRESET : c->caller ? -EBUSY : 0;
	if (r == 0) {
		c->caller = current_thread();
		c->msg_va = srv_va;
		c->msg_len = len;
		memcpy(c->arg, arg, sizeof c->arg);
		if (!chcore_call_handoff(c)) {
			/* Slow path: a parked server is made runnable and the
			 * scheduler gets to it; else its next recv finds us. */
			struct thread *s = c->parked ? c->server : 0;
			if (s && sched_blocked_on(s, c))
				sched_unblock_locked(s);
		}
		r = call_wait(c, ret);
	}
	spin_unlock(&sched_lock);
	chcore_done(c);
	return r;
}

/* The server takes the posted request: its registers come from here. */
static int64_t
take_request(struct chcore_conn *c, struct chcore_recv *out)
{
	c->taken = 1;
	c->owed = 1;
	out->msg_va = c->msg_va;
	out->msg_len = c->msg_len;
	memcpy(out->arg, c->arg, sizeof out->arg);
	out->badge = (uint64_t)c->client_pid;
	return (int64_t)c->msg_len;
}

/* Answers the request this server took; NULL if its caller is gone (the
 * reply is dropped), else the caller to run next. */
static struct thread *
post_reply(struct chcore_conn *c, const uint64_t ret[CHCORE_NRET])
{
	if (!c->caller || !c->taken || c->replied)
		return 0;
	memcpy(c->ret, ret, sizeof c->ret);
	c->replied = 1;
	return c->caller;
}

/* The server waits for the next request, handing the CPU to `client`
 * (just answered) when the fast path allows it. */
static int64_t
recv_wait(struct chcore_conn *c, struct thread *client, struct chcore_recv *out)
{
	struct thread *me = current_thread();

	if (c->parked)
		return -EBUSY;          /* another thread of ours waits on c */
	for (;;) {
		if (c->dead)
			return -ECONNRESET;
		if (me->killed)
			return -EINTR;
		if (c->caller && !c->taken && !c->replied)
			return take_request(c, out);
		c->server = me;
		c->parked = 1;
		if (!client || !chcore_reply_recv_handoff(c, client)) {
			if (client && sched_blocked_on(client, c))
				sched_unblock_locked(client);
			sched_block(c);   /* outside the wait buckets (handoff.h) */
		}
		client = 0;
		c->parked = 0;
	}
}

/* A server thread parked on c (c->parked, c->server == it) that the
 * scheduler woke goes on waiting as recv_wait's own loop does. */
int64_t
chcore_recv_wait(struct chcore_conn *c, struct chcore_recv *out)
{
	c->parked = 0;
	return recv_wait(c, 0, out);
}

/* reply_recv(cap, flags, ret0..ret3): CHCORE_REPLY answers the call taken
 * last; CHCORE_RECV then waits for the next one (ChCore's ipc_return
 * followed by the next activation; seL4's ReplyRecv). */
int64_t
chcore_reply_recv(int64_t cap, uint64_t flags, const uint64_t ret[CHCORE_NRET],
		  struct chcore_recv *out)
{
	int err;
	struct chcore_conn *c = chcore_decode(cap, CAP_CONN_SERVER, &err);

	if (!c)
		return err;
	spin_lock(&sched_lock);
	struct thread *client = 0;
	int64_t r = 0;
	if (flags & CHCORE_REPLY) {
		if (!c->owed)
			r = -EINVAL;        /* this end took nothing to answer */
		else
			client = post_reply(c, ret);
		c->owed = 0;
	}
	if (r == 0 && (flags & CHCORE_RECV)) {
		r = recv_wait(c, client, out);
		client = 0;
	}
	if (client && sched_blocked_on(client, c))
		sched_unblock_locked(client);   /* reply only: both run on */
	spin_unlock(&sched_lock);
	chcore_done(c);
	return r;
}
