/*
 * msg_direct.h - direct communication for user programs: typed wrappers
 * for msg_send and msg_recv (contract: common/msg_abi.h), and the
 * `msg-direct` ipc_mech (msg_direct.c).  Each wrapper returns what the
 * kernel returns: >= 0, or -errno.
 */
#ifndef IPC_USER_MSG_DIRECT_H
#define IPC_USER_MSG_DIRECT_H

#include <stddef.h>
#include <stdint.h>
#include "common/msg_abi.h"
#include "user/lib/sys.h"

/* Sends len bytes to process pid.  0: buffered; > 0: the pid of the
 * receiver that took it while we waited (flags MSG_SYNC: always). */
static inline long
usys_msg_send(long pid, const void *buf, size_t len, uint64_t timeout_ns, unsigned flags)
{
	return syscall5(SYS_MSG_SEND, pid, (long)buf, (long)len, (long)timeout_ns, (long)flags);
}

/* Receives the first message from `from` (MSG_ANY: from anyone) into buf;
 * *sender (if not NULL) gets its sender's pid.  Returns its length. */
static inline long
usys_msg_recv(long from, void *buf, size_t len, uint64_t timeout_ns, int *sender)
{
	return syscall5(SYS_MSG_RECV, from, (long)buf, (long)len, (long)timeout_ns, (long)sender);
}

#endif
