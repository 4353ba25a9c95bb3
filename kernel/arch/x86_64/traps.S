/*
 * traps.S - one entry stub per IDT vector and the common save/restore path.
 *
 * Vectors 8, 10-14, 17, 21, 29, 30 get an error code from the CPU; the rest
 * get a 0 pushed here so struct trap_frame has one layout.  Entry from ring
 * 3 swaps GS to the kernel's per-CPU base; the exit path swaps it back.
 * Every entry clears DF and (with SMAP) AC before any C code runs.
 */
#include "kernel/arch/x86_64/trap_frame.h"

	.text
	.macro VECTOR_STUB v
	.balign 16
trap_stub_\v:
	.if !(\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	pushq	$0			/* trap_frame->error (dummy) */
	.endif
	pushq	$\v			/* trap_frame->vector */
	jmp	trap_common
	.endm

	.altmacro
	.macro STUBS from, to
	VECTOR_STUB \from
	.if \to-\from
	STUBS %(\from+1), \to
	.endif
	.endm

	STUBS 0, 63
	STUBS 64, 127
	STUBS 128, 191
	STUBS 192, 255

trap_common:
	testb	$3, 24(%rsp)		/* CS: above vector, error code, rip */
	jz	1f
	swapgs
1:	PUSH_GPRS			/* trap_frame->rax .. ->r15 */
	cld
	/* SMAP: an interrupt gate clears IF and TF but not AC, which ring 3
	 * may set at will (and a stac window may be interrupted): no handler
	 * runs with it.  IRET restores the interrupted AC from the frame. */
	cmpb	$0, uaccess_smap(%rip)
	je	3f
	clac
3:	mov	%rsp, %rdi		/* trap_dispatch(struct trap_frame *) */
	/* Frame-pointer chain through the interrupted code for backtraces. */
	mov	17*8(%rsp), %rax	/* interrupted RIP */
	push	%rax
	push	%rbp
	mov	%rsp, %rbp
	call	trap_dispatch
	add	$16, %rsp
	.globl trap_return
trap_return:
	POP_GPRS
	add	$16, %rsp		/* drop vector and error code */
	testb	$3, 8(%rsp)
	jz	2f
	swapgs
2:	iretq

	/* Table of stub addresses for idt.c: stubs are 16-byte aligned. */
	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
	.macro STUB_ADDR v
	.quad trap_stub_\v
	.endm
	.macro ADDRS from, to
	STUB_ADDR \from
	.if \to-\from
	ADDRS %(\from+1), \to
	.endif
	.endm
	ADDRS 0, 63
	ADDRS 64, 127
	ADDRS 128, 191
	ADDRS 192, 255
