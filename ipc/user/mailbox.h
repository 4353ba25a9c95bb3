/*
 * mailbox.h - mailboxes for user programs: typed wrappers for the mbox_*
 * calls (contract: common/msg_abi.h), and the `mailbox` ipc_mech
 * (mailbox.c).  Each wrapper returns what the kernel returns: >= 0, or
 * -errno.
 */
#ifndef IPC_USER_MAILBOX_H
#define IPC_USER_MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include "common/msg_abi.h"
#include "user/lib/sys.h"

/* capacity: 0, 1..MBOX_CAP_MAX or MBOX_UNBOUNDED; policy: MBOX_PAIR,
 * MBOX_ONE_RECEIVER or MBOX_ANY_RECEIVER.  Returns the id. */
static inline long
usys_mbox_create(long capacity, int policy)
{
	return syscall2(SYS_MBOX_CREATE, capacity, (long)policy);
}

static inline long
usys_mbox_destroy(long id)
{
	return syscall1(SYS_MBOX_DESTROY, id);
}

/* 0: buffered; > 0: the pid of the receiver that took it while we waited
 * (capacity 0 or MSG_SYNC: always). */
static inline long
usys_mbox_send(long id, const void *buf, size_t len, uint64_t timeout_ns, unsigned flags)
{
	return syscall5(SYS_MBOX_SEND, id, (long)buf, (long)len, (long)timeout_ns, (long)flags);
}

static inline long
usys_mbox_recv(long id, void *buf, size_t len, uint64_t timeout_ns, int *sender)
{
	return syscall5(SYS_MBOX_RECV, id, (long)buf, (long)len, (long)timeout_ns, (long)sender);
}

static inline long
usys_mbox_stat(long id, struct mbox_stat *out)
{
	return syscall2(SYS_MBOX_STAT, id, (long)out);
}

#endif
