/* timed_wait.c - see timed_wait.h. */
#include "user/lib/ipcbench.h"
#include "user/lib/timed_wait.h"

int
timed_wait_ok(struct timed_wait *w)
{
	for (w->tries = 1; w->tries <= TIMED_WAIT_TRIES; w->tries++) {
		uint64_t t0 = usys_clock_ns();
		w->r = w->op(w->arg);
		w->ns = usys_clock_ns() - t0;
		if (w->r != w->want || w->ns < w->lo_ns)
			return 0;        /* wrong on any host: no second try */
		if (w->ns < w->hi_ns)
			return 1;
	}
	w->tries = TIMED_WAIT_TRIES;
	return 0;
}
