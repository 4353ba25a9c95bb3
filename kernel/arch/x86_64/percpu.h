/*
 * percpu.h - the per-CPU area reached through GS in kernel mode.
 *
 * In kernel mode GS_BASE points at this CPU's struct percpu; in user mode
 * the CPU holds that address in KERNEL_GS_BASE and SWAPGS exchanges the two
 * on every user<->kernel transition (traps.S, syscall_entry.S).  The
 * assembly uses the PERCPU_* offsets, checked against the struct below.
 *
 * this_cpu() reads the area's own address from %gs:PERCPU_SELF, so it is
 * one instruction and needs no CPU number.  A thread may move to another
 * CPU whenever interrupts are on: keep the pointer only while they are off
 * (any spinlock held) or when any CPU's area would do.
 */
#ifndef KERNEL_ARCH_PERCPU_H
#define KERNEL_ARCH_PERCPU_H

#define PERCPU_KERNEL_RSP 0
#define PERCPU_USER_RSP   8
#define PERCPU_FULL_RESTORE 16
#define PERCPU_SELF       24
#define PERCPU_CURRENT    32
/* ncli and intena, read and written as one word by switch.S: they travel
 * with a thread's kernel context (ncli is 1 on both sides of a switch). */
#define PERCPU_NCLI       56
#define PERCPU_INTENA     60
/* counters.syscalls (struct kcounters' first field): the lean syscall entry
 * counts with one add, like COUNT (checked in kernel/sys/syscall.c). */
#define PERCPU_COUNT_SYSCALLS 88

#define MAX_CPUS 8

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>
#include "common/syscall_abi.h"

struct thread;
struct tss;

struct percpu {
	uint64_t kernel_rsp;       /* top of the current thread's kernel stack */
	uint64_t user_rsp;         /* scratch: user rsp during syscall entry */
	uint64_t full_restore;     /* 1: leave this syscall by IRET, restoring
				      every register (sigreturn, signal entry) */
	struct percpu *self;       /* this area's address: this_cpu() */
	struct thread *current;
	struct thread *idle;
	struct thread *dead;       /* exited thread whose stack awaits freeing */
	int ncli;                  /* depth of push_off() nesting */
	int intena;                /* were interrupts on before the first push_off? */
	int id;                    /* 0 .. smp_cpu_count() - 1; 0 = the boot CPU */
	uint32_t apic_id;          /* its local APIC id (IPIs are sent to it) */
	volatile int online;       /* set by the CPU itself when it can run threads */
	struct tss *tss;           /* its own TSS (gdt.c) */
	struct kcounters counters; /* this CPU's share of the event counters */
	/* For the TLB switch, which runs on every change of address space:
	 * this CPU's bit in a CPU mask and its struct tlb_cpu (tlb.c), each
	 * one GS-relative load (tlb_hw.h); set by percpu_init. */
	uint32_t cpu_bit;
	void *tlb;
};

_Static_assert(offsetof(struct percpu, kernel_rsp) == PERCPU_KERNEL_RSP, "syscall_entry.S");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "syscall_entry.S");
_Static_assert(offsetof(struct percpu, full_restore) == PERCPU_FULL_RESTORE, "syscall_entry.S");
_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF, "this_cpu");
_Static_assert(offsetof(struct percpu, current) == PERCPU_CURRENT, "current_thread");
_Static_assert(offsetof(struct percpu, ncli) == PERCPU_NCLI &&
	       offsetof(struct percpu, intena) == PERCPU_NCLI + 4 &&
	       PERCPU_INTENA == PERCPU_NCLI + 4, "switch.S saves the pair as one word");

/* Every CPU's area, indexed by percpu.id (smp.c starts the others). */
extern struct percpu cpus[MAX_CPUS];

static inline struct percpu *
this_cpu(void)
{
	struct percpu *c;

	__asm__("mov %%gs:%c1, %0" : "=r"(c) : "i"(PERCPU_SELF));
	return c;
}

/* One field of this CPU's area in one GS-relative load (this_cpu()->field
 * takes two: the area's address, then the field).  volatile, as
 * current_thread: a context switch may move the caller to another CPU. */
#define this_cpu_read(field) ({                                               \
	__typeof__(((struct percpu *)0)->field) v__;                          \
	__asm__ volatile("mov %%gs:%c1, %0"                                   \
			 : "=r"(v__) : "i"(offsetof(struct percpu, field)));  \
	v__;                                                                  \
})

/* The same for a store: one GS-relative write of this CPU's field.  A
 * compiler barrier too ("memory"), as the two-step store through
 * this_cpu() is ordered with the code around it. */
#define this_cpu_write(field, val)                                            \
	__asm__ volatile("mov %0, %%gs:%c1"                                   \
			 :: "r"((__typeof__(((struct percpu *)0)->field))(val)), \
			    "i"(offsetof(struct percpu, field)) : "memory")

/* volatile: another CPU's switch does not change it, but our own does
 * (the compiler must not keep it across a context switch call). */
static inline struct thread *
current_thread(void)
{
	struct thread *t;

	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(PERCPU_CURRENT));
	return t;
}

/* Points GS_BASE at c (KERNEL_GS_BASE = 0 for user); c->self and c->id set. */
void percpu_init(struct percpu *c, int id);
#endif

#endif
