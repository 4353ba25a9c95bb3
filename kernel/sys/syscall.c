/* syscall.c - the syscall table (built from the handlers' own rows:
 * SYSCALL_ROW in syscall.h), the bounds-checked dispatcher, and the
 * SYSCALL MSRs. */
#include "kernel/sys/syscall.h"
#include "kernel/sys/user_return.h"
#include "kernel/sched/thread.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/stats/counters.h"
#include "kernel/panic.h"
#include "common/errno.h"
#include "common/syscall_abi.h"
#include <stddef.h>

/* The table syscall_entry.S's general path calls through (every number
 * below SYS_COUNT has a handler; the entry answers -ENOSYS above), and the
 * fast paths it tries first: filled from the rows by syscall_table_init,
 * then read-only (.ro_after_init lies in the kernel's read-only data,
 * kernel.ld). */
sys_handler syscall_table[SYS_COUNT] __attribute__((section(".ro_after_init")));
sys_fast_handler syscall_fast[SYS_COUNT] __attribute__((section(".ro_after_init")));
sys_handler syscall_lean[SYS_COUNT] __attribute__((section(".ro_after_init")));
/* Where syscall_entry.S goes for each number once the hardware part of the
 * frame is pushed: one indexed jump instead of a test per kind of path. */
const void *syscall_path[SYS_COUNT] __attribute__((section(".ro_after_init")));
/* The bound of every table above, for the entry's one compare. */
const uint64_t syscall_count = SYS_COUNT;

/* syscall_entry.S's three paths (labels, not functions: jumped to). */
extern const char syscall_path_fast[], syscall_path_lean[], syscall_path_full[];

/* The general path hands the frame to the handler as its arguments. */
_Static_assert(offsetof(struct trap_frame, rdi) == 0 * 8 && offsetof(struct trap_frame, rsi) == 1 * 8 &&
	       offsetof(struct trap_frame, rdx) == 2 * 8 && offsetof(struct trap_frame, r10) == 3 * 8 &&
	       offsetof(struct trap_frame, r8) == 4 * 8 && offsetof(struct trap_frame, r9) == 5 * 8 &&
	       sizeof(struct sys_args) == TF_ARGS_END, "struct sys_args is the frame's start");

/* The offsets the entry (syscall_entry.S) uses. */
_Static_assert(KCOUNTER_OFFSET(syscalls) == PERCPU_COUNT_SYSCALLS, "syscall_entry.S");
_Static_assert(offsetof(struct thread, killed) == THREAD_KILLED_OFF, "syscall_entry.S");
_Static_assert(offsetof(struct thread, return_work) == THREAD_RETURN_WORK_OFF, "syscall_entry.S");
_Static_assert(sizeof(((struct thread *)0)->killed) == 4 &&
	       sizeof(((struct thread *)0)->return_work) == 4, "syscall_entry.S");

extern const struct syscall_row __syscall_rows_start[], __syscall_rows_end[];

void
syscall_table_init(void)
{
	for (const struct syscall_row *r = __syscall_rows_start; r < __syscall_rows_end; r++) {
		if (r->nr >= SYS_COUNT || !r->handler || syscall_table[r->nr] || (r->lean && r->fast))
			panic("syscall: row for number %lu is out of range, empty, a second one "
			      "or both lean and fast", r->nr);
		syscall_table[r->nr] = r->handler;
		syscall_fast[r->nr] = r->fast;
		syscall_lean[r->nr] = r->lean ? r->handler : 0;
		syscall_path[r->nr] = r->fast ? syscall_path_fast
				    : r->lean ? syscall_path_lean : syscall_path_full;
	}
	for (unsigned nr = 0; nr < SYS_COUNT; nr++)
		if (!syscall_table[nr])
			panic("syscall: number %u has no SYSCALL_ROW", nr);
}

void syscall_entry(void);

void
syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* STAR[47:32] = kernel CS (SS = +8); STAR[63:48] + 16/+8 = user CS/SS. */
	wrmsr(MSR_STAR, ((uint64_t)(GDT_USER_DATA - 8) << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Cleared on entry: IF (we enable it once on the kernel stack), TF,
	 * DF (the ABI wants it clear) and AC (so SMAP is enforced). */
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_AC | (1u << 8) | (1u << 10));
}
