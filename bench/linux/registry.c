/*
 * registry.c (Linux build) - the mechanisms the Linux harness measures, in
 * ipcbench's order (ipc/user/registry.c) where a mechanism exists on both,
 * then the Linux-only ones.  The portable ones are ipcbench's own files
 * running on the Linux emulation of its system calls (lx_ipc.c); signal,
 * posix-mq and eventfd are native Linux code.  ipcbench's pipe variant is
 * named after its kernel ring ("xv6"); here the ring is Linux's, so the
 * same descriptor is listed under the variant name "linux"; sysv-msgq
 * keeps ipcbench's code with Linux's message size limit checked first.
 */
#include <errno.h>
#include <stdio.h>

#include "ipc/user/ipc.h"

extern const struct ipc_mech ipc_null, ipc_shm_poll, ipc_shm_notify, ipc_pipe, ipc_sysv_msgq,
	ipc_sem, ipc_unix_socket;                            /* ipc/user/ */
extern const struct ipc_mech lx_ipc_signal, lx_ipc_posix_mq, lx_ipc_eventfd;

static const char *const linux_pipe_variants[] = { "linux", 0 };
static struct ipc_mech linux_pipe;       /* ipc_pipe, renamed variant; set on first use */
static struct ipc_mech linux_msgq;       /* ipc_sysv_msgq with Linux's size limit */

/* Linux's largest SysV message (kernel.msgmax: 8 KiB unless root raised
 * it; the guest's init raises it to ipcbench's 64 KiB).  A larger size is
 * refused in prepare: a skip, not a failed case. */
static int
msgq_prepare_linux(struct ipc_opts *o)
{
	unsigned long msgmax = 8192;
	FILE *f = fopen("/proc/sys/kernel/msgmax", "r");

	if (f) {
		if (fscanf(f, "%lu", &msgmax) != 1)
			msgmax = 8192;
		fclose(f);
	}
	return o->max_msg > msgmax ? -EMSGSIZE : ipc_sysv_msgq.prepare(o);
}

static const struct ipc_mech *const mechanisms[] = {
	&ipc_shm_poll,      /* shared ring, polling */
	&ipc_shm_notify,    /* shared ring, futex sleep */
	&linux_pipe,        /* pipe(2) */
	&linux_msgq,        /* msgget/msgsnd/msgrcv */
	&lx_ipc_signal,     /* kill + handler, empty messages */
	&ipc_sem,           /* POSIX semaphores guarding a bounded buffer */
	&ipc_unix_socket,   /* AF_UNIX stream and dgram */
	&ipc_null,          /* not IPC: the harness's own cost */
	&lx_ipc_posix_mq,   /* mq_open/mq_send/mq_receive (Linux only) */
	&lx_ipc_eventfd,    /* eventfd notifications (Linux only) */
};

const struct ipc_mech *
ipc_at(unsigned i)
{
	if (!linux_pipe.name) {
		linux_pipe = ipc_pipe;
		linux_pipe.variants = linux_pipe_variants;
		linux_msgq = ipc_sysv_msgq;
		linux_msgq.prepare = msgq_prepare_linux;
	}
	return i < sizeof mechanisms / sizeof mechanisms[0] ? mechanisms[i] : 0;
}
