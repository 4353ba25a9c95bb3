/* fd.c - per-process descriptor tables and open-file references (fd.h). */
#include "kernel/file/fd.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/heap.h"
#include "kernel/sync/spinlock.h"
#include "kernel/panic.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

/* A reserved slot: its number is taken but no file is visible yet. */
#define RESERVED ((struct file *)1)

struct fd_table {
	struct file *slot[NFILE];    /* NULL = free, RESERVED, or a reference */
};

/* fd_lock must be held when using: proc->fds, every table's slot[], and
 * every file's refs.  Nothing that can sleep runs under it. */
static struct spinlock fd_lock = SPINLOCK_INIT("fd");

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

void
file_put(struct file *f)
{
	int last;

	spin_lock(&fd_lock);
	if (f->refs <= 0)
		panic("file_put: file %p has %d references", f, f->refs);
	last = --f->refs == 0;
	spin_unlock(&fd_lock);
	if (!last)
		return;
	f->ops->close(f);            /* no lock held: close may wake and take locks */
	kfree(f);
}

/* The table of p, made on first use.  fd_lock held; it is dropped around
 * kmalloc, so the pointer is re-checked in case another thread of p made
 * one meanwhile. */
static struct fd_table *
table_of(struct proc *p)
{
	if (p->fds)
		return p->fds;
	spin_unlock(&fd_lock);
	struct fd_table *t = kmalloc(sizeof *t);
	spin_lock(&fd_lock);
	if (p->fds) {
		kfree(t);            /* kfree takes only the heap lock */
		return p->fds;
	}
	p->fds = t;
	return t;
}

int
fd_reserve(struct proc *p)
{
	spin_lock(&fd_lock);
	struct fd_table *t = table_of(p);
	if (!t) {
		spin_unlock(&fd_lock);
		return -ENOMEM;
	}
	for (int fd = 0; fd < NFILE; fd++) {
		if (!t->slot[fd]) {
			t->slot[fd] = RESERVED;
			spin_unlock(&fd_lock);
			return fd;
		}
	}
	spin_unlock(&fd_lock);
	return -EMFILE;
}

void
fd_commit(struct proc *p, int fd, struct file *f)
{
	spin_lock(&fd_lock);
	if (!p->fds || fd < 0 || fd >= NFILE || p->fds->slot[fd] != RESERVED)
		panic("fd_commit: fd %d of pid %d was not reserved", fd, p->pid);
	p->fds->slot[fd] = f;
	spin_unlock(&fd_lock);
}

void
fd_cancel(struct proc *p, int fd)
{
	spin_lock(&fd_lock);
	if (!p->fds || fd < 0 || fd >= NFILE || p->fds->slot[fd] != RESERVED)
		panic("fd_cancel: fd %d of pid %d was not reserved", fd, p->pid);
	p->fds->slot[fd] = 0;
	spin_unlock(&fd_lock);
}

/* The file in slot fd, or NULL for a bad, free or reserved slot; fd_lock
 * held, or the caller is p's only thread (fd_use). */
static struct file *
lookup_locked(struct proc *p, int64_t fd)
{
	if (!p->fds || fd < 0 || fd >= NFILE)
		return 0;
	struct file *f = p->fds->slot[fd];
	return f == RESERVED ? 0 : f;
}

struct file *
fd_get(struct proc *p, int64_t fd, unsigned mode, int *err)
{
	spin_lock(&fd_lock);
	struct file *f = lookup_locked(p, fd);
	if (f && !(f->mode & mode))
		f = 0;               /* e.g. read on a write end */
	if (f)
		f->refs++;
	spin_unlock(&fd_lock);
	*err = f ? 0 : -EBADF;
	return f;
}

/*
 * The common path of one read or write: no lock and no reference when the
 * calling process has one thread.  Only a thread of p changes p's table
 * (fd_install_at fills a child before any thread runs it; fd_release_proc
 * runs on p's last thread), and that one thread is in this syscall, so the
 * slot cannot change under it, and the slot's own reference keeps the file.
 * nthreads can only grow by a thread of p creating one: not meanwhile.
 */
struct file *
fd_use(int64_t fd, unsigned mode, int *err, int *counted)
{
	struct proc *p = current_proc();

	if (p->nthreads != 1) {
		*counted = 1;
		return fd_get(p, fd, mode, err);
	}
	*counted = 0;
	struct file *f = lookup_locked(p, fd);
	if (f && !(f->mode & mode))
		f = 0;
	*err = f ? 0 : -EBADF;
	return f;
}

void
fd_done(struct file *f, int counted)
{
	if (counted)
		file_put(f);
}

int
fd_close(struct proc *p, int64_t fd)
{
	spin_lock(&fd_lock);
	struct file *f = lookup_locked(p, fd);
	if (f)
		p->fds->slot[fd] = 0;
	spin_unlock(&fd_lock);
	if (!f)
		return -EBADF;
	file_put(f);                 /* an operation in flight keeps it alive */
	return 0;
}

int
fd_get_refs(struct proc *p, const int *fds, unsigned n, struct file **files)
{
	unsigned i;

	spin_lock(&fd_lock);
	for (i = 0; i < n && (files[i] = lookup_locked(p, fds[i])); i++)
		files[i]->refs++;
	spin_unlock(&fd_lock);
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
	spin_lock(&fd_lock);
	struct fd_table *t = table_of(child);
	for (unsigned i = 0; t && i < n; i++)
		t->slot[fds[i]] = files[i];
	spin_unlock(&fd_lock);
	return t ? 0 : -ENOMEM;
}

/* Runs on p's last thread, so no other thread of p touches the table. */
void
fd_release_proc(struct proc *p)
{
	spin_lock(&fd_lock);
	struct fd_table *t = p->fds;
	p->fds = 0;
	spin_unlock(&fd_lock);
	if (!t)
		return;
	for (int fd = 0; fd < NFILE; fd++)
		if (t->slot[fd] && t->slot[fd] != RESERVED)
			file_put(t->slot[fd]);
	kfree(t);
}

unsigned
fd_count(struct proc *p)
{
	unsigned n = 0;

	spin_lock(&fd_lock);
	for (int fd = 0; p->fds && fd < NFILE; fd++)
		n += p->fds->slot[fd] && p->fds->slot[fd] != RESERVED;
	spin_unlock(&fd_lock);
	return n;
}
