/*
 * timed_wait.h - judging a wait with a timeout by how long it took.
 *
 * A wait that times out must last its timeout and not much more.  The
 * lower bound is the kernel's promise and holds on any host.  The upper
 * bound is not only the kernel's: under TCG on a loaded host, QEMU's vCPU
 * thread can be descheduled for a few hundred milliseconds, and the guest
 * clock goes on.  A kernel that oversleeps does so every time it waits;
 * a host stall hits one wait.  So the wait runs up to TIMED_WAIT_TRIES
 * times: every try must return what it should, no sooner than lo_ns, and
 * one try must also end before hi_ns.  (kernel/test/test_irqoff.c judges
 * its interrupts-off bound the same way.)
 */
#ifndef USER_LIB_TIMED_WAIT_H
#define USER_LIB_TIMED_WAIT_H

#include <stdint.h>

#define TIMED_WAIT_TRIES 3

struct timed_wait {
	long (*op)(void *arg);       /* the wait; must be repeatable */
	void *arg;
	long want;                   /* what op returns when it times out */
	uint64_t lo_ns, hi_ns;       /* it lasts >= lo_ns, and < hi_ns once */
	/* Out: the last try's result and duration, and how many ran. */
	long r;
	uint64_t ns;
	int tries;
};

/* 1 when the wait kept its contract (above), else 0; w->r, w->ns and
 * w->tries describe the last try, for the check's message. */
int timed_wait_ok(struct timed_wait *w);

#endif
