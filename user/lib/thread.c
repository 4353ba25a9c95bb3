/* thread.c - thread_start(): a thread whose function may return, on top of
 * the raw usys_thread_create. */
#include "user/lib/ipcbench.h"

/* Left at the top of the new thread's stack for thread_trampoline. */
struct thread_boot {
	void (*fn)(void *);     /* offset 0, read by thread.S */
	void *arg;              /* offset 8, read by thread.S */
};

_Static_assert(sizeof(struct thread_boot) == 16, "thread.S offsets; keeps the stack 16-aligned");

void thread_trampoline(void *boot);

long
thread_start(void (*fn)(void *), void *stack_top, void *arg)
{
	struct thread_boot *boot;

	boot = (struct thread_boot *)((uintptr_t)stack_top & ~(uintptr_t)15) - 1;
	boot->fn = fn;
	boot->arg = arg;
	/* The new thread's stack starts just below the boot record, which it
	 * reads before it pushes anything. */
	return usys_thread_create(thread_trampoline, boot, boot);
}
