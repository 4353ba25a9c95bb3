/* trap.h - interrupt/exception dispatch and the hooks other layers set. */
#ifndef KERNEL_ARCH_TRAP_H
#define KERNEL_ARCH_TRAP_H

#include "kernel/arch/x86_64/trap_frame.h"

typedef void (*trap_handler_fn)(struct trap_frame *f);
typedef void (*user_fault_fn)(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f);
void trap_set_handler(int vector, trap_handler_fn fn);
void trap_set_user_fault_handler(user_fault_fn fn);
/* "#PF page fault", "spurious", "interrupt" (vector_name.c). */
const char *trap_vector_name(uint64_t vector);
/* How many interrupts/exceptions reached trap_dispatch with RFLAGS.AC set. */
uint64_t trap_entries_with_ac(void);

/* Called after the timer's EOI with interrupts still off: the scheduler's
 * preemption point (weak default does nothing). */
void trap_after_timer(struct trap_frame *f);
/* After a resched IPI (smp.h VEC_IPI_RESCHED): run what was queued. */
void trap_after_resched(struct trap_frame *f);

#endif
