/* proc_hooks.c - the table of per-process release hooks: one row per
 * subsystem that keeps per-process state (add a row, not a call in proc.c). */
#include "kernel/proc/proc_hooks.h"
#include "ipc/kernel/signal.h"
#include "ipc/kernel/sem.h"
#include "ipc/kernel/fd.h"
#include "ipc/kernel/pipe.h"
#include "ipc/kernel/lrpc.h"
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/mailbox.h"
#include "ipc/kernel/chcore_ipc.h"

static const struct proc_hook hooks[] = {
	{ "signal", signal_release },  /* handlers, mask, pending signals */
	{ "sem",  sem_proc_release },    /* semaphores it created: waiters get -EIDRM */
	{ "fd",   fd_release_proc },     /* close every descriptor: peers see EOF/EPIPE */
	{ "pipe", pipe_release_proc },   /* pipes it created can no longer be opened */
	{ "msg-direct", msg_direct_release }, /* its inbox: blocked senders -ESRCH */
	{ "mailbox", mbox_release_proc }, /* mailboxes it created: waiters -EIDRM */
	{ "lrpc", lrpc_proc_release },   /* bindings; its service: calls inside unwind */
	{ "chcore", chcore_release_proc }, /* caps: services go, peers of its connections -ECONNRESET */
};

void
proc_hooks_release(struct proc *p)
{
	for (unsigned i = 0; i < sizeof hooks / sizeof hooks[0]; i++)
		if (hooks[i].release)
			hooks[i].release(p);
}
