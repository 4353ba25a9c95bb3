/*
 * syscall.h - the syscall table and the argument helpers handlers share.
 *
 * Handlers only fetch and check their arguments (through these helpers and
 * kernel/mm/uaccess.h) and then call the owning module; each is static in
 * its file, which also holds its table row (SYSCALL_ROW).
 */
#ifndef KERNEL_SYS_SYSCALL_H
#define KERNEL_SYS_SYSCALL_H

#include <stdint.h>

struct sys_args {
	uint64_t a[6];               /* rdi, rsi, rdx, r10, r8, r9 */
};

typedef long (*sys_handler)(const struct sys_args *args);

struct trap_frame;
/* A fast path syscall_entry.S tries before the general path, with the
 * frame and interrupts still off: 0 back means "not taken, nothing
 * changed"; 1: done, the result is in the frame and user_return_work has
 * run if user_return_idle said there was work (the exit only looks at
 * full_restore). */
typedef int (*sys_fast_handler)(struct trap_frame *f);

/* One row of the syscall table, written beside its handler in the file that
 * owns it (the mechanisms' own sys_*.c, kernel/sys/sys_*.c for the rest):
 *   SYSCALL_ROW(SYS_PIPE, sys_pipe);
 *   SYSCALL_ROW_FAST(SYS_LRPC_CALL, sys_lrpc_call, lrpc_fastpath_call);
 * The linker gathers the rows in one section (kernel.ld) and
 * syscall_table_init copies them into syscall_table, so the dispatcher's
 * file names no handler family and dispatch stays one indexed call in
 * syscall_entry.S (the handler's args are the trap frame's first six
 * slots). */
struct syscall_row {
	uint64_t nr;                 /* enum sys_number */
	sys_handler handler;         /* the general path */
	sys_fast_handler fast;       /* tried first at entry, or NULL */
	uint64_t lean;               /* 1: handler runs on the lean entry (below) */
};

#define SYSCALL_ROW_ANY(nr, handler, fast, lean)                                   \
	static const struct syscall_row syscall_row_##handler                      \
	__attribute__((used, section(".syscall_rows"), aligned(8))) =              \
		{ (nr), (handler), (fast), (lean) }
#define SYSCALL_ROW_FAST(nr, handler, fast) SYSCALL_ROW_ANY(nr, handler, fast, 0)
#define SYSCALL_ROW(nr, handler) SYSCALL_ROW_ANY(nr, handler, 0, 0)
/* A handler for the lean entry (syscall_entry.S): it saves only what the C
 * ABI lets the handler clobber (rdi, rsi, rdx, r8-r10; the handler itself
 * keeps rbx, rbp, r12-r15) and calls it with interrupts off, without a
 * complete trap frame: the frame's register slots are filled only if
 * user_return_work has something to do on the way out.  So the handler must
 * not block, sleep, yield, take a sleeping lock, touch user memory or read
 * or write the trap frame (current_user_frame); it may post return work
 * (the exit checks it).  getpid is one; anything that waits is not. */
#define SYSCALL_ROW_LEAN(nr, handler) SYSCALL_ROW_ANY(nr, handler, 0, 1)

/* Fills the table from the rows; panics on a number with no row, two rows
 * or one out of range.  Called before kvm_init, which maps the table (in
 * the kernel's read-only data) read-only for good. */
void syscall_table_init(void);
void syscall_init(void);        /* EFER.SCE, STAR, LSTAR, FMASK */

/* Argument helpers: an int that must lie in [lo, hi]; -EINVAL otherwise. */
int arg_int_range(uint64_t raw, int64_t lo, int64_t hi, int64_t *out);

#endif
