/* registry.c - the list of IPC mechanisms: one row per mechanism (lookup.c
 * finds them by name).
 * Adding a mechanism is adding its extern and its row. */
#include "ipc/user/ipc.h"

extern const struct ipc_mech ipc_shm_poll;     /* shm_poll.c */
extern const struct ipc_mech ipc_shm_notify;   /* shm_notify.c */
extern const struct ipc_mech ipc_pipe;         /* pipe.c */
extern const struct ipc_mech ipc_sysv_msgq;    /* sysv_msgq.c */
extern const struct ipc_mech ipc_signal;       /* signal.c */
extern const struct ipc_mech ipc_sem;          /* sem.c */
extern const struct ipc_mech ipc_msg_direct;   /* msg_direct.c */
extern const struct ipc_mech ipc_mailbox;      /* mailbox.c */
extern const struct ipc_mech ipc_unix_socket;  /* unix_socket.c */
extern const struct ipc_mech ipc_lrpc;         /* lrpc.c */
extern const struct ipc_mech ipc_chcore;       /* chcore.c */
extern const struct ipc_mech ipc_null;         /* null.c */

static const struct ipc_mech *const mechanisms[] = {
	&ipc_shm_poll,    /* shared ring, polling */
	&ipc_shm_notify,  /* shared ring, futex sleep */
	&ipc_pipe,        /* Unix pipe, xv6 ring */
	&ipc_sysv_msgq,   /* SysV message queue, typed */
	&ipc_signal,      /* kill + handler + sigreturn, empty messages */
	&ipc_sem,         /* semaphores guarding a bounded buffer */
	&ipc_msg_direct,  /* Send(P)/Recv(Q), addressed by pid */
	&ipc_mailbox,     /* Send(M)/Recv(M) through two mailboxes */
	&ipc_unix_socket, /* Unix domain sockets: stream and dgram */
	&ipc_lrpc,        /* LRPC: the caller's thread runs the server's procedure */
	&ipc_chcore,      /* ChCore: capability calls, direct switch, shared buffer */
	&ipc_null,        /* not IPC: returns at once; the harness's own floor */
};

const struct ipc_mech *
ipc_at(unsigned i)
{
	return i < sizeof mechanisms / sizeof mechanisms[0] ? mechanisms[i] : 0;
}
