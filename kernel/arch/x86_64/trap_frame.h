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
 * single slots (syscall_entry.S); checked below. */
#define TF_ARGS_END 48     /* rdi .. r9: struct sys_args (kernel/sys/syscall.h) */
#define TF_R11     80
#define TF_RCX     96
#define TF_RAX     112
#define TF_VECTOR  120
#define TF_RIP     136
#define TF_RFLAGS  152
#define TF_RSP     160
#define TRAP_FRAME_SIZE (22 * 8)

#ifdef __ASSEMBLY__
/* The general registers in struct trap_frame's order: rax is pushed first,
 * so rdi sits lowest, at the frame's start, and the six syscall argument
 * registers form a struct sys_args there.  traps.S and syscall_entry.S
 * build and leave their frames with these two, so the order is written once. */
.macro PUSH_GPRS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rbp
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%r9
	pushq	%r8
	pushq	%r10
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
.endm

.macro POP_GPRS
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%r10
	popq	%r8
	popq	%r9
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%rbp
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm
#else
#include <stdint.h>

struct trap_frame {
	/* The syscall arguments first, in struct sys_args' order: the general
	 * syscall path hands the frame itself to the handler as its args. */
	uint64_t rdi, rsi, rdx, r10, r8, r9;
	uint64_t r15, r14, r13, r12, r11, rbp, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "traps.S layout");
_Static_assert(__builtin_offsetof(struct trap_frame, r9) + 8 == TF_ARGS_END, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, r11) == TF_R11, "switch.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rcx) == TF_RCX, "switch.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rax) == TF_RAX, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rflags) == TF_RFLAGS, "syscall_entry.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rsp) == TF_RSP, "switch.S");

static inline int
trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

#endif /* __ASSEMBLY__ */

#endif
