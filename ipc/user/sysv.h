/*
 * sysv.h - System V IPC for user programs: typed wrappers for msgget,
 * msgsnd, msgrcv, msgctl, setuid and getuid, and ftok (sysv.c).
 * Each wrapper returns what the kernel returns: >= 0, or -errno.
 * Contract and limits: common/sysv_abi.h.
 */
#ifndef IPC_USER_SYSV_H
#define IPC_USER_SYSV_H

#include <stddef.h>
#include "common/sysv_abi.h"
#include "user/lib/sys.h"

/*
 * A key from a name and an id, with no filesystem: the id's low 8 bits
 * (ids must be 1..255) in bits 24..31, and a 32-bit FNV-1a hash of the
 * name folded into 1..0xfffffe in bits 0..23.  The same inputs always
 * give the same key, different ids always give different keys, and a key
 * is never IPC_PRIVATE (0) or -1.  Returns (key_t)-1 for a NULL name or
 * an id outside 1..255.
 */
key_t ftok(const char *name, int id);

static inline long
usys_msgget(key_t key, unsigned flags)
{
	return syscall2(SYS_MSGGET, (long)key, (long)flags);
}

/* msgp points to { long mtype; char mtext[size]; }. */
static inline long
usys_msgsnd(long msqid, const void *msgp, size_t size, unsigned flags)
{
	return syscall4(SYS_MSGSND, msqid, (long)msgp, (long)size, (long)flags);
}

static inline long
usys_msgrcv(long msqid, void *msgp, size_t size, long type, unsigned flags)
{
	return syscall5(SYS_MSGRCV, msqid, (long)msgp, (long)size, type, (long)flags);
}

static inline long
usys_msgctl(long msqid, int cmd, struct msqid_ds *buf)
{
	return syscall3(SYS_MSGCTL, msqid, (long)cmd, (long)buf);
}

static inline long
usys_setuid(unsigned uid)
{
	return syscall1(SYS_SETUID, (long)uid);
}

static inline long
usys_getuid(void)
{
	return syscall0(SYS_GETUID);
}

#endif
