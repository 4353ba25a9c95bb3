/*
 * trap_frame.h - the register frame traps.S builds on the kernel stack.
 *
 * Hardware contract (SDM Vol. 3A 6.14): on an interrupt or exception the CPU
 * pushes SS, RSP, RFLAGS, CS, RIP and, for some vectors, an error code.
 * traps.S pushes a dummy error code where the CPU does not, then the vector
 * number, then the general registers, so every handler sees one layout.
 */
#ifndef KERNEL_ARCH_TRAP_FRAME_H
#define KERNEL_ARCH_TRAP_FRAME_H

/* Byte offsets of struct trap_frame's slots, for the assembly that reads
 * single slots (syscall_entry.S's lean path); checked below. */
#define TF_VECTOR  120
#define TF_RIP     136
#define TF_RFLAGS  152

#ifdef __ASSEMBLY__
/* The general registers in struct trap_frame's order: rax is pushed first,
 * so r15 sits lowest, at the frame's start.  traps.S and syscall_entry.S
 * build and leave their frames with these two, so the order is written once. */
.macro PUSH_GPRS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro POP_GPRS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm
#else
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

#define TRAP_FRAME_SIZE (22 * 8)
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "traps.S layout");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rflags) == TF_RFLAGS, "syscall_entry.S");

static inline int
trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

#endif /* __ASSEMBLY__ */

#endif
