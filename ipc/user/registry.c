/* registry.c - the list of IPC mechanisms: one row per mechanism.
 * Adding a mechanism is adding its extern and its row. */
#include "ipc/user/ipc.h"
#include "common/string.h"

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

unsigned
ipc_count(void)
{
	unsigned n = 0;

	while (ipc_at(n))
		n++;
	return n;
}

const struct ipc_mech *
ipc_find(const char *name)
{
	for (unsigned i = 0; ipc_at(i); i++)
		if (!strcmp(ipc_at(i)->name, name))
			return ipc_at(i);
	return 0;
}

int
ipc_has_variant(const struct ipc_mech *m, const char *variant)
{
	if (!variant[0])
		return 1;
	for (const char *const *v = m->variants; v && *v; v++)
		if (!strcmp(*v, variant))
			return 1;
	return 0;
}
