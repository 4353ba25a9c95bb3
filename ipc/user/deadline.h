/* deadline.h - time left until an absolute deadline (from ipc_deadline,
 * ipc.h), as the relative timeout the kernel and the mechanisms take; 0
 * once it has passed.  Inline, in its own header: the blocking paths call
 * it before each wait, where IPC_FOREVER must cost no call and no clock
 * read, and only the files that wait include sys.h through it. */
#ifndef IPC_USER_DEADLINE_H
#define IPC_USER_DEADLINE_H

#include "ipc/user/ipc.h"
#include "user/lib/sys.h"

static inline uint64_t
ipc_time_left(uint64_t deadline)
{
	uint64_t now;

	if (deadline == IPC_FOREVER)
		return IPC_FOREVER;
	now = usys_clock_ns();
	return deadline > now ? deadline - now : 0;
}

#endif
