/* user_return.h - work done on every return to ring 3 (syscalls, interrupts
 * and exceptions from user mode): die if killed, deliver signals, refuse a
 * frame that SYSRET/IRET could not safely return to. */
#ifndef KERNEL_SYS_USER_RETURN_H
#define KERNEL_SYS_USER_RETURN_H

struct trap_frame;

void user_return_work(struct trap_frame *f);

/* ipc/kernel/signal.c: signal_work says whether p may have a signal to
 * deliver; signal_deliver then rewrites f to enter a handler when a
 * deliverable signal is pending. */
struct proc;
int signal_work(const struct proc *p);
void signal_deliver(struct trap_frame *f);

#endif
