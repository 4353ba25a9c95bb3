/*
 * syscall_entry.S - the SYSCALL entry and SYSRET exit.
 *
 * Hardware contract (SDM Vol. 2B SYSCALL, SYSRET):
 *   on SYSCALL:  rcx <- user rip, r11 <- user rflags, rflags &= ~FMASK,
 *                CS/SS from STAR[47:32]; rsp is NOT changed (still user).
 *   on SYSRET:   rip <- rcx, rflags <- r11, CS/SS from STAR[63:48] (+16/+8).
 * FMASK clears IF, DF, TF and AC, so we start with interrupts off, string
 * ops forward and SMAP enforcing.  We build a struct trap_frame (the same
 * layout as traps.S) so syscalls, signals and faults share one frame type;
 * vector = -1 marks a syscall frame.
 *
 * Lean syscalls (SYSCALL_ROW_LEAN, syscall.h: getpid-class handlers that
 * neither block nor look at the frame) skip the frame's register part: the
 * entry saves only the registers the C ABI lets the handler clobber (rdi,
 * rsi, rdx, r8-r10, pushed so that they form the handler's struct
 * sys_args; the handler keeps rbx, rbp and r12-r15 itself) and calls it
 * with interrupts off.  The exit asks user_return_idle's question (killed,
 * return work, rip below USER_TOP); only if user_return_work has something
 * to do does it complete the frame exactly as the full entry builds it and
 * leave by the general exit.  The user sees the same registers either way:
 * its own except rax (the result), rcx (rip) and r11 (rflags).
 *
 * The general path hands the frame itself to the handler: its lowest six
 * slots are the argument registers in struct sys_args' order
 * (trap_frame.h).  It calls the handler straight from syscall_table,
 * stores the result in the frame and asks user_return_idle's question
 * (and whether full_restore is set) with interrupts off; only when the
 * answer is "work" does it call user_return_work (interrupts on, as for
 * the handler) and look at full_restore.
 *
 * Syscalls with a fast path (syscall_fast[] in syscall.c) try it first:
 * chcore's may leave to another thread's user context straight from here
 * (switch.S's switch_to_user_frame, which leaves by SYSRET from that
 * thread's frame).
 *
 * A SYSRET to a non-canonical rip would fault in ring 0 with the user's
 * rsp (the Intel SYSRET erratum); user_return_work never lets a frame
 * leave with rip >= USER_TOP, and the exit re-checks before SYSRET that
 * the rip is canonical (bits 47..63 clear).
 */
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/sched/thread.h"
#include "common/errno.h"

/* The register part of the frame, and a stack frame that ends backtraces
 * at the user rip; rdi = the trap frame for the C code (and, for the
 * general path, the handler's struct sys_args). */
.macro FULL_FRAME
	PUSH_GPRS			/* ->rax (the syscall number) .. ->rdi */
	mov	%rsp, %rdi
	push	%rcx			/* fake return address: user rip */
	push	$0			/* ends the backtrace here */
	mov	%rsp, %rbp
.endm

/* user_return_idle's question with interrupts off: jumps to \work unless
 * the thread is not killed, has no return work and its frame's rip (at
 * \rip_at) may go to SYSRET; with restore=1 also if an IRET is asked for
 * (full_restore: a handler may set it; a lean one never does).  rcx and
 * r11 are free: the exit loads them from the frame. */
.macro IF_WORK rip_at, work, restore=1
	mov	%gs:PERCPU_CURRENT, %rcx
	mov	THREAD_KILLED_OFF(%rcx), %r11d
	or	THREAD_RETURN_WORK_OFF(%rcx), %r11d
	.if \restore
	or	%gs:PERCPU_FULL_RESTORE, %r11
	.endif
	jnz	\work
	movabs	$USER_TOP, %rcx
	cmp	%rcx, \rip_at
	jae	\work
.endm

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	mov	%rsp, %gs:PERCPU_USER_RSP
	mov	%gs:PERCPU_KERNEL_RSP, %rsp
	pushq	$USER_SS		/* trap_frame->ss */
	pushq	%gs:PERCPU_USER_RSP	/* ->rsp */
	pushq	%r11			/* ->rflags */
	pushq	$USER_CS		/* ->cs */
	pushq	%rcx			/* ->rip */
	pushq	$0			/* ->error */
	pushq	$-1			/* ->vector: a syscall */
	/* One jump through syscall_path (syscall.c): the fast, lean or
	 * general path of this number.  Memory operands only: every register
	 * still holds the user's value, which the frame must get. */
	cmp	syscall_count(%rip), %rax
	jae	.Lnosys
	jmp	*syscall_path(,%rax,8)
	.globl syscall_path_full
syscall_path_full:
	FULL_FRAME
.Lgeneral:				/* rax: a number below SYS_COUNT */
	sti				/* syscalls are preemptible */
	addq	$1, %gs:PERCPU_COUNT_SYSCALLS
	call	*syscall_table(,%rax,8)	/* (const struct sys_args *) frame */
	mov	%rax, 16+TF_RAX(%rsp)
.Lcheck:
	cli
	IF_WORK	16+TF_RIP(%rsp), 6f
	add	$16, %rsp
	.globl syscall_return
syscall_return:
	POP_GPRS
	add	$16, %rsp		/* vector, error */
	/* A non-canonical rip must never reach SYSRET: bits 47..63 clear.
	 * A canonical one at or above USER_TOP (below 2^47) only faults in
	 * ring 3, as any jump there does (nothing is mapped there for ring
	 * 3); user_return_work refuses one in the frames it looks at. */
	testl	$0xffff8000, 4(%rsp)	/* rip's bits 47..63 */
	jnz	2f
.Lsysret:				/* rsp at ->rip, a checked one */
	popq	%rcx			/* rip */
	add	$8, %rsp		/* cs */
	popq	%r11			/* rflags */
	popq	%rsp			/* user rsp (ss is implied) */
	swapgs
	sysretq
2:	/* A non-canonical rip, in a frame user_return_work did not look
	 * at: an IPC fast path's partner (it asks user_return_idle_thread, not
	 * the rip; switch.S's exit sends such a one here too).  No SYSCALL
	 * leaves one (user code lies below USER_TOP), so this is a guard
	 * against a kernel bug.  rcx and r11 are clobbered by the syscall ABI
	 * anyway.  IRET's own checks fault in ring 0, so the kernel reports
	 * the bad rip instead of running user code. */
	swapgs
	iretq
6:	/* Work before ring 3 (signals, a kill, a mechanism's row), or an
	 * IRET asked for by a sigreturn. */
	sti				/* as the handler runs */
	lea	16(%rsp), %rdi
	call	user_return_work
.Lexit:
	cli
	add	$16, %rsp
	/* A frame rewritten by the kernel (signal delivery, sigreturn) needs
	 * rcx and r11 restored too, which SYSRET cannot do: leave by IRET. */
	cmpq	$0, %gs:PERCPU_FULL_RESTORE
	je	syscall_return
.Lrestore:
	movq	$0, %gs:PERCPU_FULL_RESTORE
	jmp	trap_return		/* same frame layout; swaps GS for ring 3 */

/* A number without a row: -ENOSYS, through the general exit. */
.Lnosys:
	FULL_FRAME
	sti
	addq	$1, %gs:PERCPU_COUNT_SYSCALLS
	movq	$-ENOSYS, 16+TF_RAX(%rsp)
	jmp	.Lcheck

	/* IPC fast paths, before the general decode and with interrupts
	 * still off (syscall.c's syscall_fast table: chcore, lrpc, sem).  1
	 * back: done, and the fast path ran user_return_work if it had work
	 * (it knows when it cannot); 0: a guard failed and nothing changed,
	 * so the general path runs. */
	.globl syscall_path_fast
syscall_path_fast:
	PUSH_GPRS
	mov	%rsp, %rdi		/* the frame, without the backtrace words: */
	xor	%ebp, %ebp		/* a backtrace ends here all the same */
	call	*syscall_fast(,%rax,8)
	test	%eax, %eax
	jz	7f
	/* Done, user_return_work included (also switch.S's parked threads
	 * that a switch ran again, after their resume function). */
	.globl syscall_fast_done
syscall_fast_done:
	cli
	cmpq	$0, %gs:PERCPU_FULL_RESTORE
	je	syscall_return
	jmp	.Lrestore
7:	pushq	TF_RIP(%rsp)		/* the general path's backtrace words */
	pushq	$0
	mov	%rsp, %rbp
	lea	16(%rsp), %rdi		/* the frame again */
	mov	16+TF_RAX(%rsp), %rax	/* and the number */
	jmp	.Lgeneral

/* The lean path: rsp is at ->vector, the hardware part of the frame is in
 * place (so thread_user_frame and the exit find rip, rflags and rsp where
 * they always are); of the register slots only the arguments' are written
 * (they are the handler's struct sys_args), the others stay unwritten
 * unless the slow exit needs them.  Interrupts stay off throughout, so
 * nothing else runs on this CPU while the frame is incomplete. */
	.globl syscall_path_lean
syscall_path_lean:
	sub	$(TF_VECTOR - TF_ARGS_END), %rsp	/* the slots above the arguments */
	pushq	%r9			/* ->r9 = struct sys_args a[5] .. */
	pushq	%r8
	pushq	%r10
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi			/* .. ->rdi = a[0] */
	addq	$1, %gs:PERCPU_COUNT_SYSCALLS
	mov	%rsp, %rdi
	call	*syscall_lean(,%rax,8)	/* result in rax */
	popq	%rdi			/* the user's again */
	popq	%rsi
	popq	%rdx
	popq	%r10
	popq	%r8
	popq	%r9
	/* rsp at the frame's end of the arguments (TF_ARGS_END). */
	IF_WORK	(TF_RIP - TF_ARGS_END)(%rsp), 4f, 0
	add	$(TF_RIP - TF_ARGS_END), %rsp
	jmp	.Lsysret
4:	/* Work for user_return_work: build the frame the full entry would
	 * have (the user's registers, rcx = rip and r11 = rflags as SYSCALL
	 * left them, rax = the result) and leave by the general exit. */
	mov	(TF_RIP - TF_ARGS_END)(%rsp), %rcx
	mov	(TF_RFLAGS - TF_ARGS_END)(%rsp), %r11
	add	$(TF_VECTOR - TF_ARGS_END), %rsp
	FULL_FRAME
	sti				/* as the general path runs it */
	call	user_return_work
	jmp	.Lexit
