/* sched_internal.h - scheduler functions shared by sched.c and wait.c only. */
#ifndef KERNEL_SCHED_SCHED_INTERNAL_H
#define KERNEL_SCHED_SCHED_INTERNAL_H

#include "kernel/sched/thread.h"

void rq_push(struct thread *t);                  /* sched_lock held */
int sched(void);                                /* sched_lock held, only it */
void wake_thread_locked(struct thread *t);       /* sched_lock held */

#endif
