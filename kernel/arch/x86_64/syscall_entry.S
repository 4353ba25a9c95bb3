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
 * Syscalls with a fast path (syscall_fast[] in syscall.c) try it first:
 * chcore's may leave to another thread's user context straight from here
 * (switch.S's context_switch_user, which enters syscall_return on that
 * thread's stack).
 *
 * A SYSRET to a non-canonical rip would fault in ring 0 with the user's
 * rsp (the Intel SYSRET erratum); syscall_dispatch never lets a frame
 * leave with rip >= USER_TOP, and the exit path re-checks before SYSRET.
 */
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/mm/pagetable.h"

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
	PUSH_GPRS			/* ->rax (the syscall number) .. ->r15 */
	mov	%rsp, %rdi
	push	%rcx			/* fake return address: user rip */
	push	$0			/* ends the backtrace here */
	mov	%rsp, %rbp
	/* IPC fast paths first, before the general decode and with
	 * interrupts still off (syscall.c's syscall_fast table: chcore,
	 * lrpc).  0 back: a guard failed and nothing changed, so the general
	 * path runs. */
	cmp	syscall_fast_count(%rip), %rax
	jae	.Lgeneral
	mov	syscall_fast(,%rax,8), %r11
	test	%r11, %r11
	jnz	3f
.Lgeneral:
	sti				/* syscalls are preemptible */
	call	syscall_dispatch	/* result goes into frame->rax */
.Lexit:
	cli
	add	$16, %rsp
	/* A frame rewritten by the kernel (signal delivery, sigreturn) needs
	 * rcx and r11 restored too, which SYSRET cannot do: leave by IRET. */
	cmpq	$0, %gs:PERCPU_FULL_RESTORE
	jne	1f
	.globl syscall_return
syscall_return:
	POP_GPRS
	add	$16, %rsp		/* vector, error */
	/* Non-canonical or kernel rip must never reach SYSRET. */
	movabs	$USER_TOP, %rcx
	cmp	%rcx, 0(%rsp)
	jae	2f
	popq	%rcx			/* rip */
	add	$8, %rsp		/* cs */
	popq	%r11			/* rflags */
	popq	%rsp			/* user rsp (ss is implied) */
	swapgs
	sysretq
2:	/* Unreachable while syscall_dispatch checks rip; rcx and r11 are
	 * clobbered by the syscall ABI anyway.  IRET's own checks fault in
	 * ring 0, so the kernel reports it instead of running user code. */
	swapgs
	iretq
1:	movq	$0, %gs:PERCPU_FULL_RESTORE
	jmp	trap_return		/* same frame layout; swaps GS for ring 3 */
3:	call	*%r11
	test	%eax, %eax
	jnz	.Lexit
	lea	16(%rsp), %rdi		/* the frame again */
	jmp	.Lgeneral
