/*
 * fd.h - per-process file-descriptor tables over refcounted open files.
 *
 * A descriptor is a small index into the calling process's table (NFILE
 * slots, allocated on first use); each slot holds one reference to a
 * struct file, whose ops table says what read/write/close mean for the
 * object behind it (a pipe end or a Unix socket).  The fd layer knows
 * nothing about pipes: it checks descriptors and directions, keeps the
 * references, and calls ops->close once the last reference is gone.
 *
 * Locking (no lock is global on the per-call path):
 * - a table's slots: its own lock (struct fd_table), except that a
 *   process's only thread reads its own table without it (fd_peek_alone);
 * - a file's refs: atomic (one file may sit in the tables of a parent and
 *   the children it handed it to);
 * - proc->fds, the pointer: set once by the first descriptor, cleared by
 *   the process's last thread (fd_release_proc); fd.c's fdtab lock is held
 *   for both and for reading another process's table (fd_count).
 * None is held across an ops call, so objects may block and take their
 * own locks freely.
 */
#ifndef KERNEL_FILE_FD_H
#define KERNEL_FILE_FD_H

#include <stdint.h>
#include "kernel/sync/spinlock.h"
#include "kernel/proc/proc.h"
#include "common/syscall_abi.h"
#include "common/errno.h"

#define NFILE 32                 /* descriptors per process; more: -EMFILE */

struct file;
struct proc;

struct file_ops {
	/* Move up to len bytes between the object and user memory at ubuf
	 * (already range-checked).  timeout_ns: 0 = never block (-EAGAIN),
	 * IPC_TIMEOUT_FOREVER = block, else relative (-ETIMEDOUT).  Return
	 * bytes moved or -errno. */
	long (*read)(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns);
	long (*write)(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns);
	/* The last reference is gone: let go of f->obj (f itself is freed by
	 * the fd layer afterwards). */
	void (*close)(struct file *f);
};

struct file {
	const struct file_ops *ops;
	unsigned mode;               /* FD_READ or FD_WRITE (common/syscall_abi.h) */
	void *obj;                   /* the object, owned through ops */
	int refs;                    /* table slots + operations in flight; atomic */
};

struct fd_table {
	struct spinlock lock;        /* held when using slot[] (but see fd_peek_alone) */
	struct file *slot[NFILE];    /* NULL = free, FD_RESERVED, or a reference */
};

/* A reserved slot: its number is taken but no file is visible yet. */
#define FD_RESERVED ((struct file *)1)

/* A file with one reference (the caller's), or NULL (no memory). */
struct file *file_alloc(const struct file_ops *ops, unsigned mode, void *obj);
/* Frees a file that never got a descriptor and whose obj needs no close. */
void file_free_unused(struct file *f);
/* Drops one reference; the last one calls ops->close and frees f. */
void file_put(struct file *f);

/* Two-step install, so an object can be set up between reserving the
 * number and publishing the file without a half-made descriptor being
 * visible: fd_reserve gives a slot (-EMFILE when full, -ENOMEM), then
 * fd_commit fills it with the caller's reference or fd_cancel frees it. */
int fd_reserve(struct proc *p);
void fd_commit(struct proc *p, int fd, struct file *f);
void fd_cancel(struct proc *p, int fd);

/* The file behind fd with an extra reference for the caller (file_put it
 * when done), if fd is open and allows `mode`; NULL with -EBADF in *err
 * otherwise. */
struct file *fd_get(struct proc *p, int64_t fd, unsigned mode, int *err);
/*
 * fd_get for the common case, the caller's process p with one thread
 * (p->nthreads == 1; a process with several uses fd_get): no lock and no
 * reference, the table slot's reference suffices.  NULL for a bad, free
 * or reserved descriptor or the other direction (-EBADF).
 *
 * Why the one thread needs neither: only a thread of p changes p's table
 * (fd_install_at fills a child before any thread runs it; fd_release_proc
 * runs on p's last thread), and that one thread is in this syscall, so the
 * slot cannot change under it and the slot's own reference keeps the file.
 * nthreads can only grow by a thread of p creating one: not meanwhile.
 * Inline: it is on every read and write.
 */
static inline struct file *
fd_peek_alone(struct proc *p, int64_t fd, unsigned mode)
{
	struct fd_table *t = p->fds;
	/* One unsigned compare: a negative fd is a huge one. */
	struct file *f = t && (uint64_t)fd < NFILE ? t->slot[fd] : 0;

	if (f == FD_RESERVED || (f && !(f->mode & mode)))
		return 0;            /* reserved, or e.g. read on a write end */
	return f;
}

/* Empties slot fd and drops its reference.  0 or -EBADF. */
int fd_close(struct proc *p, int64_t fd);

/* Inheritance (spawn_fds): fd_get_refs takes a reference to each of p's
 * descriptors fds[0..n) (either direction) into files[], or none and
 * -EBADF; fd_install_at puts them into `child`, a process no thread runs
 * yet, under the same numbers, consuming the references: 0, or -ENOMEM
 * with nothing consumed. */
int fd_get_refs(struct proc *p, const int *fds, unsigned n, struct file **files);
int fd_install_at(struct proc *child, const int *fds, unsigned n, struct file **files);
/* Drops the references fd_get_refs took. */
void fd_put_refs(struct file **files, unsigned n);

/* Process exit (proc_hooks.c): closes every descriptor, frees the table. */
void fd_release_proc(struct proc *p);
/* Open descriptors in p's table (tests). */
unsigned fd_count(struct proc *p);

#endif
