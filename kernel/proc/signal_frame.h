/*
 * signal_frame.h - the signal frame on the user stack (contract:
 * common/signal_abi.h): entering a handler, and sigreturn's way back.
 *
 * Process machinery: it knows trap frames, user stacks, the red zone and
 * what ring 3 may set in rflags.  Which signal goes, to which handler, with
 * which mask, is the signal mechanism's business (ipc/kernel/signal.c),
 * which calls these and decides what a failure costs the process.
 * Both run on the calling thread's own syscall or trap frame; both leave
 * every register to be restored, so they set full_restore when f is a
 * syscall frame (SYSRET cannot restore rcx and r11).
 */
#ifndef KERNEL_PROC_SIGNAL_FRAME_H
#define KERNEL_PROC_SIGNAL_FRAME_H

#include <stdint.h>

struct trap_frame;

/* Writes a struct sig_frame (restorer, the whole of f, old_mask, sig) below
 * the red zone of f's rsp and points f at handler(sig, frame): 0, or
 * -EFAULT when the frame cannot be written there (f unchanged). */
int sigframe_push(struct trap_frame *f, int sig, uint64_t handler, uint64_t restorer,
		  uint64_t old_mask);

/* Reads the frame back at f's rsp - 8 into f, sanitized (user selectors,
 * only the arithmetic flags and DF from the user's rflags, IF on), and its
 * mask into *mask: 0, -EFAULT (unreadable) or -EINVAL (rip or rsp not a
 * user address); f is unchanged on an error. */
int sigframe_pop(struct trap_frame *f, uint64_t *mask);

#endif
