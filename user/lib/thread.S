/*
 * thread.S - first instructions of a thread made by thread_start() (thread.c).
 *
 * Entered like a process (rdi = the usys_thread_create argument, rsp = the
 * stack top it was given), with rdi pointing at the struct thread_boot that
 * thread_start() left at the top of the new stack.  Calls fn(arg) and ends
 * the thread when fn returns, so a thread function may simply return.
 */
	.text
	.globl thread_trampoline
	.type thread_trampoline, @function
thread_trampoline:
	xorl	%ebp, %ebp		/* end of the frame-pointer chain */
	andq	$-16, %rsp		/* SysV alignment whatever the kernel left */
	movq	0(%rdi), %rax		/* thread_boot->fn */
	movq	8(%rdi), %rdi		/* thread_boot->arg */
	call	*%rax
	call	thread_user_exit		/* sys.c; does not return */
	ud2
	.size thread_trampoline, . - thread_trampoline

	.section .note.GNU-stack, "", @progbits
