/*
 * switch.S - context_switch(uint64_t *save_rsp, uint64_t next_rsp).
 *
 * Saves on the current kernel stack what travels with a kernel context:
 * the callee-saved registers (SysV ABI: rbx, rbp, r12-r15), RFLAGS, and
 * two words of the per-CPU area, full_restore and the ncli/intena pair;
 * stores rsp in *save_rsp, loads next_rsp and pops the next thread's.
 * RFLAGS travels so that one thread's AC (SMAP off while it copies user
 * memory) or DF never reaches another; IF is 0 on both sides (sched_lock
 * is held).  intena (were interrupts on before sched_lock was taken?) and
 * full_restore (leave this syscall by IRET: a sigreturn preempted before
 * its exit) belong to the thread that set them; ncli is 1 on both sides
 * (sched_lock and nothing else), so the pair is moved as one word.  A new
 * thread's stack is prepared by prepare_switch_frame (sched.c, the same
 * layout) so that the final `ret` lands in its trampoline.
 */
#include "kernel/arch/x86_64/percpu.h"

.macro SAVE_CONTEXT save_rsp
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushfq
	pushq	%gs:PERCPU_FULL_RESTORE
	pushq	%gs:PERCPU_NCLI		/* ncli, intena */
	mov	%rsp, (\save_rsp)
.endm

	.text
	.globl context_switch
context_switch:
	SAVE_CONTEXT %rdi
	mov	%rsi, %rsp
	popq	%gs:PERCPU_NCLI
	popq	%gs:PERCPU_FULL_RESTORE
	popfq
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/*
 * context_switch_user(uint64_t *save_rsp, struct trap_frame *next_frame):
 * saves the current context like context_switch, then runs the next thread
 * straight out of its syscall frame (sched_handoff_user): on its stack it
 * releases sched_lock and leaves by the syscall exit's SYSRET.  Interrupts
 * are off throughout: the release (sched_handoff_user_tail) leaves them
 * off whatever intena says (the saved one is the previous thread's), and
 * full_restore is cleared so that the next thread's next syscall leaves
 * by SYSRET as this one does.
 */
	.globl context_switch_user
context_switch_user:
	SAVE_CONTEXT %rdi
	mov	%rsi, %rsp
	movq	$0, %gs:PERCPU_FULL_RESTORE
	call	sched_handoff_user_tail
	jmp	syscall_return

/* A new kernel thread: r12 = function, r13 = its argument. */
	.globl thread_trampoline_kernel
thread_trampoline_kernel:
	call	sched_after_switch
	mov	%r13, %rdi
	call	*%r12
	call	thread_exit

/* A new user thread: a struct trap_frame for IRET sits at rsp. */
	.globl thread_trampoline_user
thread_trampoline_user:
	call	sched_after_switch
	cli
	jmp	trap_return
