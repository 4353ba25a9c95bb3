/*
 * pipe.c - Unix pipes (see pipe.h for the rules): the table of pipes by
 * id, the ring with its sleep/wakeup loops, and the file ops of the ends.
 *
 * Locks: pipes_lock and a pipe's p->lock are never held together (a
 * reference taken under pipes_lock keeps the pipe alive while p->lock is
 * used); either may be held when taking sched_lock (wakeup, sleep).
 */
#include "ipc/kernel/pipe.h"
#include "kernel/file/fd.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/uaccess.h"
#include "kernel/time/clock.h"
#include "kernel/panic.h"
#include "kernel/lib/idtable.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

struct pipe {
	struct spinlock lock;
	/* lock must be held when using these: */
	uint64_t nread;              /* bytes ever read; never wraps in practice */
	uint64_t nwrite;             /* bytes ever written; nwrite - nread <= size */
	int readopen;                /* open read ends */
	int writeopen;               /* open write ends */
	int had_reader;              /* a read end has been open */
	int had_writer;              /* a write end has been open */
	int released;                /* no end can be opened any more */
	int sleeping_readers;        /* in pipe_wait on nread / on nwrite: a */
	int sleeping_writers;        /* wakeup only when someone sleeps there */

	/* pipes_lock must be held when using these: */
	int64_t id;
	int owner_pid;
	int held;                    /* the creator still holds it */
	int refs;                    /* open files + the creator's hold */

	uint32_t size;               /* ring bytes, fixed at creation */
	uint8_t data[];
};

/* pipes_lock must be held when using pipes (the id table) and the fields
 * marked above. */
static struct spinlock pipes_lock = SPINLOCK_INIT("pipes");
IDTABLE_DEFINE(pipes, PIPE_MAX);
static uint32_t ring_size = 512;

void
pipe_set_size(uint32_t bytes)
{
	if (bytes)
		ring_size = bytes;
}

uint32_t
pipe_size(void)
{
	return ring_size;
}

static struct pipe *
lookup_locked(int64_t id)
{
	return idtable_lookup(&pipes, id);
}

/* A new pipe in the table with `refs` references, held by owner_pid if
 * held; NULL with -ENOMEM or -ENFILE in *err. */
static struct pipe *
pipe_new(int owner_pid, int held, int refs, long *err)
{
	uint32_t size = ring_size;
	struct pipe *p = kmalloc(sizeof *p + size);

	*err = -ENOMEM;
	if (!p)
		return 0;
	spin_init(&p->lock, "pipe");
	p->size = size;
	p->owner_pid = owner_pid;
	p->held = held;
	p->refs = refs;
	spin_lock(&pipes_lock);
	p->id = idtable_insert(&pipes, p);
	spin_unlock(&pipes_lock);
	if (p->id > 0)
		return p;
	*err = p->id;
	kfree(p);
	return 0;
}

int64_t
pipe_create(int owner_pid)
{
	long err;
	struct pipe *p = pipe_new(owner_pid, 1, 1, &err);

	return p ? p->id : err;
}

/* Drops one reference; the last frees the pipe and its slot. */
static void
pipe_put(struct pipe *p)
{
	spin_lock(&pipes_lock);
	if (p->refs <= 0)
		panic("pipe_put: pipe %ld has %d references", (long)p->id, p->refs);
	int last = --p->refs == 0;
	if (last)
		idtable_remove(&pipes, p->id);
	spin_unlock(&pipes_lock);
	if (last)
		kfree(p);
}

/* ---- the ring -------------------------------------------------------- */

/* Reading at EOF: nothing buffered and no writer can come. */
static int
no_writer_left(const struct pipe *p)
{
	return p->writeopen == 0 && (p->had_writer || p->released);
}

/* Writing into the void: no reader can come to read it. */
static int
no_reader_left(const struct pipe *p)
{
	return p->readopen == 0 && (p->had_reader || p->released);
}

/*
 * One wait of a read or write loop, p->lock held.  Returns 0 when woken
 * (the caller re-checks its condition: a wakeup is a hint, not a promise),
 * or the error that ends the operation.  Why no wakeup is lost:
 * sleep_timeout (kernel/sched/wait.c).  *deadline is 0 until the first
 * wait: an operation that never waits never reads the clock.
 */
static int
pipe_wait(struct pipe *p, int *sleepers, void *chan, uint64_t timeout_ns, uint64_t *deadline)
{
	if (!*deadline)
		*deadline = sleep_deadline(timeout_ns);
	/* Counted under p->lock, so a waker holding p->lock that sees 0
	 * knows nobody is between its check and the sleep. */
	(*sleepers)++;
	int err = sleep_timeout(chan, &p->lock, timeout_ns, *deadline);
	(*sleepers)--;
	return err;
}

/* p->lock held: wakes the readers / writers, if any sleeps. */
static void
wake_readers(struct pipe *p)
{
	if (p->sleeping_readers)
		wakeup(&p->nread);
}

static void
wake_writers(struct pipe *p)
{
	if (p->sleeping_writers)
		wakeup(&p->nwrite);
}

/* Ring -> user, n <= buffered bytes, in at most two pieces (the wrap).
 * The user range was checked by the fd layer (fd.h: file_ops).  Inline,
 * as user_to_ring below. */
static inline __attribute__((always_inline)) int
ring_to_user(struct pipe *p, uint64_t ubuf, uint64_t n)
{
	uint64_t off = p->nread % p->size;
	uint64_t first = n < p->size - off ? n : p->size - off;

	if (copy_to_user_nocheck(ubuf, p->data + off, first) ||
	    (n > first && copy_to_user_nocheck(ubuf + first, p->data, n - first)))
		return -EFAULT;      /* nothing consumed */
	p->nread += n;
	return 0;
}

/* User -> ring, n <= free bytes.  Inline: the ring's arithmetic shares
 * the caller's registers instead of a frame of its own. */
static inline __attribute__((always_inline)) int
user_to_ring(struct pipe *p, uint64_t ubuf, uint64_t n)
{
	uint64_t off = p->nwrite % p->size;
	uint64_t first = n < p->size - off ? n : p->size - off;

	if (copy_from_user_nocheck(p->data + off, ubuf, first) ||
	    (n > first && copy_from_user_nocheck(p->data, ubuf + first, n - first)))
		return -EFAULT;      /* nothing published */
	p->nwrite += n;
	return 0;
}

static long
pipe_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	struct pipe *p = f->obj;
	uint64_t deadline = 0;
	long r;

	spin_lock(&p->lock);
	while (p->nread == p->nwrite && !no_writer_left(p)) {
		int err = pipe_wait(p, &p->sleeping_readers, &p->nread, timeout_ns, &deadline);
		if (err) {
			spin_unlock(&p->lock);
			return err;
		}
	}
	uint64_t n = p->nwrite - p->nread;   /* 0 here means EOF */
	if (n > len)
		n = len;
	r = ring_to_user(p, ubuf, n);
	if (r == 0) {
		r = (long)n;
		wake_writers(p);     /* room for blocked writers */
	}
	spin_unlock(&p->lock);
	return r;
}

/* Bytes the writer must see free before copying: a write that fits the
 * ring goes in whole, so two writers' small writes never interleave. */
static uint64_t
room_needed(const struct pipe *p, uint64_t len, uint64_t done)
{
	return len <= p->size ? len - done : 1;
}

static uint64_t
room(const struct pipe *p)
{
	return p->size - (p->nwrite - p->nread);
}

/* User -> ring and the readers told, n <= room: 0 or -EFAULT. */
static inline __attribute__((always_inline)) int
ring_put(struct pipe *p, uint64_t ubuf, uint64_t n)
{
	int err = user_to_ring(p, ubuf, n);

	if (!err)
		wake_readers(p);     /* data for blocked readers */
	return err;
}

/* A write that must wait for room, or that is larger than the ring:
 * p->lock held, released on return. */
static long __attribute__((noinline))
pipe_write_wait(struct pipe *p, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	uint64_t deadline = 0, done = 0;
	int err = 0;

	while (done < len && !err) {
		uint64_t free = room(p);
		if (no_reader_left(p)) {
			err = -EPIPE;
		} else if (free < room_needed(p, len, done)) {
			err = pipe_wait(p, &p->sleeping_writers, &p->nwrite, timeout_ns, &deadline);
		} else {
			uint64_t n = len - done < free ? len - done : free;
			if (!(err = ring_put(p, ubuf + done, n)))
				done += n;
		}
	}
	spin_unlock(&p->lock);
	return done ? (long)done : err;
}

static long
pipe_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns)
{
	struct pipe *p = f->obj;

	spin_lock(&p->lock);
	/* The common case: a reader is there and the whole write fits now
	 * (what pipe_write_wait's first turn would do, without its loop). */
	if (len > room(p) || no_reader_left(p))
		return pipe_write_wait(p, ubuf, len, timeout_ns);
	int err = ring_put(p, ubuf, len);
	spin_unlock(&p->lock);
	return err ? err : (long)len;
}

/* ---- ends ------------------------------------------------------------ */

static void
pipe_close_end(struct file *f)
{
	struct pipe *p = f->obj;

	spin_lock(&p->lock);
	if (f->mode == FD_READ) {
		p->readopen--;
		wake_writers(p);     /* the last reader gone: writers get EPIPE */
	} else {
		p->writeopen--;
		wake_readers(p);     /* the last writer gone: readers get EOF */
	}
	spin_unlock(&p->lock);
	pipe_put(p);
}

static const struct file_ops pipe_file_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.close = pipe_close_end,
};

/* A reference to the open-able pipe id, or NULL with *err: -EINVAL (no
 * such pipe, or released: no new ends), -EPERM (the caller is not in its
 * creator's line: proc_in_line_of). */
static struct pipe *
pipe_get(int64_t id, int *err)
{
	spin_lock(&pipes_lock);
	struct pipe *p = lookup_locked(id);
	*err = !p || !p->held ? -EINVAL : !proc_in_line_of(p->owner_pid) ? -EPERM : 0;
	if (*err)
		p = 0;
	else
		p->refs++;
	spin_unlock(&pipes_lock);
	return p;
}

long
pipe_open(int64_t id, unsigned mode)
{
	struct proc *me = current_proc();
	int err, fd;
	struct pipe *p = pipe_get(id, &err);
	struct file *f;

	if (!p)
		return err;
	if ((fd = fd_reserve(me)) < 0) {
		pipe_put(p);
		return fd;
	}
	if (!(f = file_alloc(&pipe_file_ops, mode, p))) {
		fd_cancel(me, fd);
		pipe_put(p);
		return -ENOMEM;
	}
	/* Point of no return: the end is counted and published. */
	spin_lock(&p->lock);
	if (mode == FD_READ)
		p->readopen++, p->had_reader = 1;
	else
		p->writeopen++, p->had_writer = 1;
	spin_unlock(&p->lock);
	fd_commit(me, fd, f);
	return fd;
}

/* ---- pipe(fd[2]): the lecture's anonymous pipe ------------------------ */

/* Both ends' descriptors reserved, then both files made, then both
 * published: a failure on the way leaves no descriptor behind. */
long
pipe_anon(int fds[2])
{
	static const unsigned mode[2] = { FD_READ, FD_WRITE };
	struct proc *me = current_proc();
	struct file *f[2] = { 0, 0 };
	long err;
	/* Not held and released from the start: no id can open a third end,
	 * and EOF/EPIPE follow from the two ends alone. */
	struct pipe *p = pipe_new(me->pid, 0, 2, &err);

	if (!p)
		return err;
	p->released = 1;
	fds[0] = fds[1] = -1;
	err = 0;
	for (int i = 0; i < 2 && !err; i++) {
		if ((fds[i] = fd_reserve(me)) < 0)
			err = fds[i];
		else if (!(f[i] = file_alloc(&pipe_file_ops, mode[i], p)))
			err = -ENOMEM;
	}
	if (err) {
		for (int i = 0; i < 2; i++) {
			if (fds[i] >= 0)
				fd_cancel(me, fds[i]);
			if (f[i])
				file_free_unused(f[i]);
			pipe_put(p);
		}
		return err;
	}
	p->readopen = p->writeopen = 1;      /* nobody else can see p yet */
	p->had_reader = p->had_writer = 1;
	fd_commit(me, fds[0], f[0]);
	fd_commit(me, fds[1], f[1]);
	return 0;
}

/* ---- the creator's hold ---------------------------------------------- */

/* Gives up the hold on p, taken off the table's view by the caller. */
static void
drop_hold(struct pipe *p)
{
	spin_lock(&p->lock);
	p->released = 1;
	wakeup(&p->nread);           /* no writer can come any more: EOF */
	wakeup(&p->nwrite);          /* no reader can come any more: EPIPE */
	spin_unlock(&p->lock);
	pipe_put(p);
}

int
pipe_release(int64_t id, int pid)
{
	spin_lock(&pipes_lock);
	struct pipe *p = lookup_locked(id);
	int err = !p || !p->held ? -EINVAL : p->owner_pid != pid ? -EPERM : 0;
	if (!err)
		p->held = 0;         /* its reference now belongs to us */
	spin_unlock(&pipes_lock);
	if (!err)
		drop_hold(p);
	return err;
}

/* A pipe pid still holds, with its hold taken over by the caller. */
static struct pipe *
take_held_by(int pid)
{
	struct pipe *p = 0;

	spin_lock(&pipes_lock);
	for (unsigned i = 0; i < PIPE_MAX && !p; i++) {
		struct pipe *q = idtable_at(&pipes, i);
		if (q && q->held && q->owner_pid == pid)
			p = q;
	}
	if (p)
		p->held = 0;
	spin_unlock(&pipes_lock);
	return p;
}

void
pipe_release_proc(struct proc *proc)
{
	struct pipe *p;

	while ((p = take_held_by(proc->pid)))
		drop_hold(p);
}

unsigned
pipe_live_count(void)
{
	spin_lock(&pipes_lock);
	unsigned n = idtable_live(&pipes);
	spin_unlock(&pipes_lock);
	return n;
}
