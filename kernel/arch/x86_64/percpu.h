/*
 * percpu.h - the per-CPU area reached through GS in kernel mode.
 *
 * In kernel mode GS_BASE points here; in user mode the CPU holds this
 * address in KERNEL_GS_BASE and SWAPGS exchanges the two on every
 * user<->kernel transition (traps.S, syscall_entry.S).  The assembly uses
 * the PERCPU_* offsets, checked against the struct below.
 */
#ifndef KERNEL_ARCH_PERCPU_H
#define KERNEL_ARCH_PERCPU_H

#define PERCPU_KERNEL_RSP 0
#define PERCPU_USER_RSP   8
#define PERCPU_FULL_RESTORE 16

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct thread;

struct percpu {
	uint64_t kernel_rsp;       /* top of the current thread's kernel stack */
	uint64_t user_rsp;         /* scratch: user rsp during syscall entry */
	uint64_t full_restore;     /* 1: leave this syscall by IRET, restoring
				      every register (sigreturn, signal entry) */
	struct thread *current;
	struct thread *idle;
	struct thread *dead;       /* exited thread whose stack awaits freeing */
	int ncli;                  /* depth of push_off() nesting */
	int intena;                /* were interrupts on before the first push_off? */
};

_Static_assert(offsetof(struct percpu, kernel_rsp) == PERCPU_KERNEL_RSP, "syscall_entry.S");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "syscall_entry.S");
_Static_assert(offsetof(struct percpu, full_restore) == PERCPU_FULL_RESTORE, "syscall_entry.S");

extern struct percpu cpu0;

static inline struct percpu *this_cpu(void) { return &cpu0; }
static inline struct thread *current_thread(void) { return cpu0.current; }

/* Points GS_BASE at the per-CPU area (KERNEL_GS_BASE = 0 for user). */
void percpu_init(void);
#endif

#endif
