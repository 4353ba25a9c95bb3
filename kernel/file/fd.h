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
 * fd_lock (fd.c) must be held when using: proc->fds (the pointer), every
 * table's slots, and every file's refs -- except that a process's only
 * thread may read its own table without it (fd_use).  It is never held across an ops
 * call, so objects may block and take their own locks freely.
 */
#ifndef IPC_KERNEL_FD_H
#define IPC_KERNEL_FD_H

#include <stdint.h>

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
	int refs;                    /* table slots + operations in flight */
};

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
/* One operation of the calling process on fd: as fd_get, but without
 * fd_lock or a reference when the process has a single thread (*counted
 * = 0: the table slot's reference suffices).  Pair with fd_done. */
struct file *fd_use(int64_t fd, unsigned mode, int *err, int *counted);
void fd_done(struct file *f, int counted);
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
