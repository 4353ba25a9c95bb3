/* fd.c - per-process descriptor tables and open-file references (fd.h). */
#include "kernel/file/fd.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/heap.h"
#include "kernel/sync/spinlock.h"
#include "kernel/panic.h"
#include "common/errno.h"
#include "common/string.h"
#include "common/syscall_abi.h"

/* fdtab_lock must be held when setting or clearing proc->fds, and when
 * reading the table of a process other than the caller's (fd_count).
 * Never on a read or write's path. */
static struct spinlock fdtab_lock = SPINLOCK_INIT("fdtab");

struct file *
file_alloc(const struct file_ops *ops, unsigned mode, void *obj)
{
	struct file *f = kmalloc(sizeof *f);

	if (!f)
		return 0;
	f->ops = ops;
	f->mode = mode;
	f->obj = obj;
	f->refs = 1;
	return f;
}

void
file_free_unused(struct file *f)
{
	kfree(f);
}

/* A reference taken while one is already held (a table slot's, under the
 * table's lock): never from zero. */
static void
file_ref(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

/* The last reference's owner sees every earlier owner's writes (acq_rel)
 * before close runs. */
void
file_put(struct file *f)
{
	int before = __atomic_fetch_sub(&f->refs, 1, __ATOMIC_ACQ_REL);

	if (before <= 0)
		panic("file_put: file %p had %d references", f, before);
	if (before != 1)
		return;
	f->ops->close(f);            /* no lock held: close may wake and take locks */
	kfree(f);
}

/* The table of p, made on first use.  p is the caller's process (or one no
 * thread runs yet): its table, once there, stays until its last thread
 * releases it. */
static struct fd_table *
table_of(struct proc *p)
{
	struct fd_table *t = __atomic_load_n(&p->fds, __ATOMIC_ACQUIRE);

	if (t)
		return t;
	if (!(t = kmalloc(sizeof *t)))
		return 0;
	memset(t, 0, sizeof *t);
	spin_init(&t->lock, "fd");
	spin_lock(&fdtab_lock);
	if (p->fds) {                /* another thread of p made one meanwhile */
		spin_unlock(&fdtab_lock);
		kfree(t);
		return p->fds;
	}
	/* Release: the table's initialized lock and slots are seen before
	 * the pointer by a thread that loads it without fdtab_lock. */
	__atomic_store_n(&p->fds, t, __ATOMIC_RELEASE);
	spin_unlock(&fdtab_lock);
	return t;
}

int
fd_reserve(struct proc *p)
{
	struct fd_table *t = table_of(p);
	int fd;

	if (!t)
		return -ENOMEM;
	spin_lock(&t->lock);
	for (fd = 0; fd < NFILE && t->slot[fd]; fd++)
		;
	if (fd < NFILE)
		t->slot[fd] = FD_RESERVED;
	spin_unlock(&t->lock);
	return fd < NFILE ? fd : -EMFILE;
}

/* Replaces a reserved slot: f, or NULL to free it. */
static void
fill_reserved(struct proc *p, int fd, struct file *f, const char *who)
{
	struct fd_table *t = p->fds;

	if (!t || fd < 0 || fd >= NFILE)
		panic("%s: fd %d of pid %d was not reserved", who, fd, p->pid);
	spin_lock(&t->lock);
	int ok = t->slot[fd] == FD_RESERVED;
	if (ok)
		t->slot[fd] = f;
	spin_unlock(&t->lock);
	if (!ok)
		panic("%s: fd %d of pid %d was not reserved", who, fd, p->pid);
}

void
fd_commit(struct proc *p, int fd, struct file *f)
{
	fill_reserved(p, fd, f, "fd_commit");
}

void
fd_cancel(struct proc *p, int fd)
{
	fill_reserved(p, fd, 0, "fd_cancel");
}

/* The file in slot fd of t, or NULL for a bad, free or reserved slot;
 * t->lock held. */
static struct file *
lookup_locked(struct fd_table *t, int64_t fd)
{
	if (!t || (uint64_t)fd >= NFILE)
		return 0;
	struct file *f = t->slot[fd];
	return f == FD_RESERVED ? 0 : f;
}

struct file *
fd_get(struct proc *p, int64_t fd, unsigned mode, int *err)
{
	struct fd_table *t = p->fds;
	struct file *f = 0;

	if (t) {
		spin_lock(&t->lock);
		f = lookup_locked(t, fd);
		if (f && !(f->mode & mode))
			f = 0;       /* e.g. read on a write end */
		if (f)
			file_ref(f);
		spin_unlock(&t->lock);
	}
	*err = f ? 0 : -EBADF;
	return f;
}

int
fd_close(struct proc *p, int64_t fd)
{
	struct fd_table *t = p->fds;
	struct file *f = 0;

	if (t) {
		spin_lock(&t->lock);
		if ((f = lookup_locked(t, fd)))
			t->slot[fd] = 0;
		spin_unlock(&t->lock);
	}
	if (!f)
		return -EBADF;
	file_put(f);                 /* an operation in flight keeps it alive */
	return 0;
}

int
fd_get_refs(struct proc *p, const int *fds, unsigned n, struct file **files)
{
	struct fd_table *t = p->fds;
	unsigned i = 0;

	if (t) {
		spin_lock(&t->lock);
		for (; i < n && (files[i] = lookup_locked(t, fds[i])); i++)
			file_ref(files[i]);
		spin_unlock(&t->lock);
	}
	if (i == n)
		return 0;
	fd_put_refs(files, i);
	return -EBADF;
}

void
fd_put_refs(struct file **files, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		file_put(files[i]);
}

int
fd_install_at(struct proc *child, const int *fds, unsigned n, struct file **files)
{
	struct fd_table *t = table_of(child);

	if (!t)
		return -ENOMEM;
	spin_lock(&t->lock);
	for (unsigned i = 0; i < n; i++)
		t->slot[fds[i]] = files[i];
	spin_unlock(&t->lock);
	return 0;
}

/* Runs on p's last thread, so no other thread of p touches the table. */
void
fd_release_proc(struct proc *p)
{
	spin_lock(&fdtab_lock);
	struct fd_table *t = p->fds;
	p->fds = 0;
	spin_unlock(&fdtab_lock);
	if (!t)
		return;
	for (int fd = 0; fd < NFILE; fd++)
		if (t->slot[fd] && t->slot[fd] != FD_RESERVED)
			file_put(t->slot[fd]);
	kfree(t);
}

unsigned
fd_count(struct proc *p)
{
	unsigned n = 0;

	spin_lock(&fdtab_lock);
	struct fd_table *t = p->fds;
	if (t) {
		spin_lock(&t->lock);
		for (int fd = 0; fd < NFILE; fd++)
			n += t->slot[fd] && t->slot[fd] != FD_RESERVED;
		spin_unlock(&t->lock);
	}
	spin_unlock(&fdtab_lock);
	return n;
}
