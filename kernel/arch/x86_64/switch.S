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
#include "kernel/arch/x86_64/trap_frame.h"

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
 * switch_to_user_frame(struct tlb_asid *asid, uint64_t root): the last
 * step of sched_park_handoff_user, which made next the current thread
 * (kernel_rsp is the top of its kernel stack, its syscall frame just
 * below).  The current thread saved nothing here (its park frame is its
 * saved context).  On the next thread's stack, below its frame (its kernel
 * context is gone, so the stack is free), its address space is loaded
 * (tlb_switch_to, aspace_activate's call), sched_lock is let go, and the
 * next thread leaves to ring 3 by SYSRET from its frame.
 * Interrupts are off throughout and stay off (the lock was taken without
 * the nesting count, which is 0 as in user mode).  full_restore is 0 and
 * stays 0: it is set only inside a syscall that leaves by IRET, and the
 * fast path that comes here entered from ring 3 and set nothing.
 *
 * The exit is syscall_entry.S's syscall_return without its two reloads:
 * next is blocked in a chcore syscall, and nothing rewrites the rip or
 * rflags of a blocked thread's frame (only the thread's own syscall or
 * user_return_work do, and the fast path's guards found no work), so the
 * frame's rcx and r11 still hold what SYSCALL put there, which its rip
 * and rflags slots are copies of (the debug build checks it:
 * sched_park_handoff_user).  POP_GPRS loads them as SYSRET wants them.
 * The rip is checked as the general exit does: bits 47..63 clear, a
 * canonical lower-half address (SYSRET to a non-canonical one would fault
 * in ring 0 on the user's stack: the SYSRET erratum); a canonical one at
 * or above USER_TOP faults in ring 3, as any jump there does.  Only a
 * SYSCALL that ended at 2^47 could leave a non-canonical one; the general
 * exit refuses it.
 */
	.globl switch_to_user_frame
switch_to_user_frame:
	mov	%gs:PERCPU_KERNEL_RSP, %rsp
	sub	$TRAP_FRAME_SIZE, %rsp	/* at next's frame: 16-byte aligned, as a call wants */
	call	tlb_switch_to		/* (asid, root): already in rdi, rsi */
#ifdef IPCBENCH_DEBUG
	call	sched_park_unlock	/* the store below, and the lock-order check */
#else
	movl	$0, sched_lock(%rip)	/* sched_lock.locked: a store releases on x86 */
#endif
	/* The exit to ring 3 (its own symbol, so `run.py profile` counts it
	 * with the syscall entry and exit, not with the switch). */
	.globl syscall_sysret_parked
syscall_sysret_parked:
	testl	$0xffff8000, TF_RCX+4(%rsp)	/* bits 47..63 of the rip */
	jnz	syscall_return
	POP_GPRS			/* rcx = rip, r11 = rflags */
	mov	(TF_RSP - TF_VECTOR)(%rsp), %rsp	/* the user's (ss is implied) */
	swapgs
	sysretq

/*
 * A thread parked by sched_park_handoff_user that a switch runs again:
 * context_switch's pops came from its park frame (struct thread's, not a
 * stack), so rbx = chan and r12 = its resume function.  Of its kernel
 * stack only the syscall frame at the top is live: it starts afresh just
 * below it, with the general path's backtrace words, in
 * sched_park_resumed, and leaves as a fast path that returned 1 does.
 */
	.globl thread_trampoline_parked
thread_trampoline_parked:
	mov	%gs:PERCPU_KERNEL_RSP, %rsp
	sub	$TRAP_FRAME_SIZE, %rsp	/* at the syscall frame */
	mov	%rsp, %rdx		/* its frame, resume's argument */
	pushq	TF_RIP(%rdx)		/* backtrace words: a return address, */
	pushq	$0			/* and the end of the chain */
	mov	%rsp, %rbp
	mov	%rbx, %rdi		/* chan */
	mov	%r12, %rsi		/* resume */
	call	sched_park_resumed
	add	$16, %rsp
	jmp	syscall_fast_done

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
