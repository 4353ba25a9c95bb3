/*
 * switch.S - context_switch(uint64_t *save_rsp, uint64_t next_rsp).
 *
 * Saves the callee-saved registers (SysV ABI: rbx, rbp, r12-r15) and
 * RFLAGS on the current kernel stack, stores rsp in *save_rsp, loads
 * next_rsp and pops the next thread's.  RFLAGS travels with the thread so
 * that one thread's AC (SMAP off while it copies user memory) or DF never
 * reaches another; IF is 0 on both sides (sched_lock is held).  A new
 * thread's stack is prepared by prepare_switch_frame (sched.c, same
 * layout) so that the final `ret` lands in its trampoline.
 */
/* Pushes the callee-saved registers and RFLAGS; stores rsp in *save_rsp. */
.macro SAVE_CONTEXT save_rsp
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushfq
	mov	%rsp, (\save_rsp)
.endm

	.text
	.globl context_switch
context_switch:
	SAVE_CONTEXT %rdi
	mov	%rsi, %rsp
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
 * are off throughout.
 */
	.globl context_switch_user
context_switch_user:
	SAVE_CONTEXT %rdi
	mov	%rsi, %rsp
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
