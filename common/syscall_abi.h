/*
 * syscall_abi.h - the user/kernel system call contract.
 *
 * Calling convention (SYSCALL instruction): rax = number; arguments in rdi,
 * rsi, rdx, r10, r8, r9 (r10 replaces rcx, which SYSCALL overwrites with the
 * return rip; r11 gets rflags).  Result in rax: >= 0 success, -errno on
 * failure (common/errno.h).  Every other register is preserved.
 *
 * Numbers are append-only.
 */
#ifndef IPCBENCH_SYSCALL_ABI_H
#define IPCBENCH_SYSCALL_ABI_H

#include <stdint.h>

enum sys_number {
	SYS_EXIT = 0,         /* exit(status)                        noreturn   */
	SYS_YIELD,            /* yield()                             0          */
	SYS_GETPID,           /* getpid()                            pid        */
	SYS_WRITE,            /* write(buf, len): console            bytes      */
	SYS_SLEEP_NS,         /* sleep_ns(ns)                        0          */
	SYS_CLOCK_NS,         /* clock_ns()                          ns         */
	SYS_SPAWN,            /* spawn(name, arg, arglen)            pid        */
	SYS_WAIT,             /* wait(pid, int *status)              pid        */
	SYS_MAP_ANON,         /* map_anon(len, prot)                 address    */
	SYS_UNMAP,            /* unmap(addr, len)                    0          */
	SYS_SHM_CREATE,       /* shm_create(len)                     handle     */
	SYS_SHM_MAP,          /* shm_map(handle, prot)               address    */
	SYS_SHM_DESTROY,      /* shm_destroy(handle)                 0          */
	SYS_COUNTERS,         /* counters(struct kcounters *)        0          */
	SYS_THREAD_CREATE,    /* thread_create(entry, stack_top, arg) tid       */
	SYS_THREAD_EXIT,      /* thread_exit()                       noreturn   */
	SYS_KILL_PROC,        /* kill_proc(pid)                      0          */
	SYS_TEST_REPORT,      /* test_report(ok, name): TAP line     0          */
	SYS_SYSINFO,          /* sysinfo(struct sysinfo *)           0          */
	/* pipe + file descriptors (ipc/kernel/pipe.c, kernel/file/fd.c) */
	SYS_PIPE_CREATE,      /* pipe_create()                       pipe id    */
	SYS_PIPE_OPEN,        /* pipe_open(id, mode FD_READ|FD_WRITE) fd        */
	SYS_FD_READ,          /* fd_read(fd, buf, len, timeout_ns)   bytes      */
	SYS_FD_WRITE,         /* fd_write(fd, buf, len, timeout_ns)  bytes      */
	SYS_FD_CLOSE,         /* fd_close(fd)                        0          */
	/* System V message queues (ipc/kernel/sysv_msgq.c) */
	SYS_MSGGET,           /* msgget(key, flags)                  msqid      */
	SYS_MSGSND,           /* msgsnd(msqid, msgp, size, flags)    0          */
	SYS_MSGRCV,           /* msgrcv(msqid, msgp, size, type, flags) bytes   */
	SYS_MSGCTL,           /* msgctl(msqid, cmd, struct msqid_ds *) 0        */
	SYS_SETUID,           /* setuid(uid): root may set any uid   0          */
	SYS_GETUID,           /* getuid()                            uid        */
	/* futex-like wait/wake on a shared word (ipc/kernel/futex.c) */
	SYS_FUTEX_WAIT,       /* futex_wait(addr, expected, timeout_ns) 0       */
	SYS_FUTEX_WAKE,       /* futex_wake(addr, n)                 woken      */
	/* signals (ipc/kernel/signal.c) */
	SYS_SIGACTION,        /* sigaction(sig, handler, restorer)   0          */
	SYS_KILL,             /* kill(pid, sig)                      0          */
	SYS_SIGRETURN,        /* sigreturn()  (from the restorer)    -          */
	SYS_SIGPROCMASK,      /* sigprocmask(how, set, uint64_t *old) 0         */
	SYS_SIGWAIT,          /* sigwait(timeout_ns): sleep until a signal is handled 0 */
	/* counting semaphores (ipc/kernel/sem.c) */
	SYS_SEM_CREATE,       /* sem_create(initial)                 sem id     */
	SYS_SEM_P,            /* sem_p(id, timeout_ns)               0          */
	SYS_SEM_V,            /* sem_v(id)                           0          */
	SYS_SEM_DESTROY,      /* sem_destroy(id)                     0          */
	SYS_PIPE_RELEASE,     /* pipe_release(id): creator drops it  0          */
	/* Unix domain sockets (ipc/kernel/unix_socket.c) */
	SYS_SOCKET,           /* socket(type SOCK_STREAM|SOCK_DGRAM)  fd         */
	SYS_BIND,             /* bind(fd, name)                      0          */
	SYS_LISTEN,           /* listen(fd, backlog)                 0          */
	SYS_CONNECT,          /* connect(fd, name, timeout_ns)       0          */
	SYS_ACCEPT,           /* accept(fd, timeout_ns)              fd         */
	SYS_SENDTO,           /* sendto(fd, buf, len, name or 0, timeout_ns) bytes */
	SYS_RECVFROM,         /* recvfrom(fd, buf, len, char from[SOCK_NAME_MAX] or 0, timeout_ns) bytes */
	/* message passing (ipc/kernel/msg_direct.c, mailbox.c; common/msg_abi.h) */
	SYS_MSG_SEND,         /* msg_send(pid, buf, len, timeout_ns, flags) 0 | receiver pid */
	SYS_MSG_RECV,         /* msg_recv(from, buf, len, timeout_ns, int *sender) bytes */
	SYS_MBOX_CREATE,      /* mbox_create(capacity, policy)       mailbox id */
	SYS_MBOX_DESTROY,     /* mbox_destroy(id)                    0          */
	SYS_MBOX_SEND,        /* mbox_send(id, buf, len, timeout_ns, flags) 0 | receiver pid */
	SYS_MBOX_RECV,        /* mbox_recv(id, buf, len, timeout_ns, int *sender) bytes */
	SYS_MBOX_STAT,        /* mbox_stat(id, struct mbox_stat *)   0          */
	/* LRPC (ipc/kernel/lrpc.c; common/lrpc_abi.h) */
	SYS_LRPC_REGISTER,    /* lrpc_register(key, const uint64_t *entries, nprocs, astack_size, nastacks) service id */
	SYS_LRPC_UNREGISTER,  /* lrpc_unregister(service)            0          */
	SYS_LRPC_SERVE,       /* lrpc_serve(service, timeout_ns): until its clients are gone 0 */
	SYS_LRPC_CONNECT,     /* lrpc_connect(key, struct lrpc_bind_info *, flags) binding id */
	SYS_LRPC_DISCONNECT,  /* lrpc_disconnect(binding)            0          */
	SYS_LRPC_CALL,        /* lrpc_call(binding, proc, astack; arg0..7 in r10 r8 r9 rbx r12-r15) result */
	SYS_LRPC_RETURN,      /* lrpc_return(result): back to the caller (-EINVAL outside a call) */
	/* ChCore IPC (ipc/kernel/chcore_ipc.c; common/chcore_abi.h) */
	SYS_CHCORE_REGISTER,  /* chcore_register(id)                 service cap */
	SYS_CHCORE_LISTEN,    /* chcore_listen(svc_cap, timeout_ns)  client pid */
	SYS_CHCORE_ACCEPT,    /* chcore_accept(svc_cap, pid, yes)    conn cap (rdx = buffer VA) | 0 */
	SYS_CHCORE_CONNECT,   /* chcore_connect(id, buf_len, timeout_ns, flags) conn cap (rdx = buffer VA) */
	SYS_CHCORE_CALL,      /* chcore_call(cap, msg_va, len, a0, a1, a2) ret0 (rdx/r10/r8 = ret1..3; msg_va 0: len <= 24 bytes in a0..a2) */
	SYS_CHCORE_REPLY_RECV, /* chcore_reply_recv(cap, flags, ret0, ret1, ret2, ret3) request length (+ registers) */
	SYS_CHCORE_CLOSE,     /* chcore_close(cap)                   0          */
	SYS_THREAD_JOIN,      /* thread_join(tid): until that thread of this process has exited 0 */
	SYS_PIPE,             /* pipe(int fd[2]): fd[0] read end, fd[1] write end 0 */
	SYS_SPAWN_FDS,        /* spawn_fds(name, arg, arglen, const int *fds, nfds): the child gets them, same numbers  pid */
	SYS_SET_AFFINITY,     /* set_affinity(pid, cpu): pid 0 = self, cpu -1 = any  0 */
	SYS_GETCPU,           /* getcpu(): the CPU the caller ran on at the call  cpu */
	SYS_COUNT             /* keep last */
};

/* pipe_open modes */
#define FD_READ  1u
#define FD_WRITE 2u

/* Unix domain sockets: types and limits (ipc/kernel/unix_socket.h). */
#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_NAME_MAX  32u                 /* name bytes with the NUL */
#define SOCK_DGRAM_MAX (64u << 10)         /* largest datagram: more is -EMSGSIZE */

/* Timeouts: 0 = do not block, IPC_TIMEOUT_FOREVER = block. */
#define IPC_TIMEOUT_FOREVER 0xffffffffffffffffull

/* Protection bits for map_anon/shm_map. */
#define PROT_READ  1u
#define PROT_WRITE 2u

/* User address-space layout. */
#define USER_PROGRAM_BASE 0x0000000000400000ull   /* programs are linked here */
#define USER_MAP_BASE     0x0000100000000000ull   /* map_anon / shm_map area */
#define USER_STACK_TOP    0x00007fffffe00000ull   /* main thread stack top */
#define USER_STACK_SIZE   (256ull << 10)
#define USER_ARG_MAX      1024u                   /* spawn argument bytes */
#define USER_NAME_MAX     32u                     /* program name bytes */

/* Wait status: exit(status) & 0xff, or killed by the kernel (fault/kill). */
#define WAIT_KILLED 0x100

/* Kernel event counters (monotonic since boot), read with SYS_COUNTERS. */
struct kcounters {
	uint64_t syscalls;
	uint64_t context_switches;   /* thread switches by the scheduler */
	uint64_t as_switches;        /* CR3 loads that changed address space */
	uint64_t tlb_flushes;        /* CR3 loads that flushed + full invalidations */
	uint64_t tlb_page_invalidations; /* INVLPG / INVPCID individual address */
	uint64_t kcopy_bytes;        /* bytes copied between user and kernel */
	uint64_t wakeups;            /* threads made runnable by wakeup() */
	uint64_t timer_ticks;
	uint64_t user_faults;        /* processes killed for faults */
	uint64_t tlb_shootdowns;     /* TLB shootdown IPIs sent (tlb.c) */
};

/* Machine facts for benchmark metadata, read with SYS_SYSINFO. */
struct sysinfo {
	uint64_t tsc_hz;
	uint32_t pcid_active;        /* 1 when PCIDs tag the TLB */
	uint32_t invpcid;            /* 1 when INVPCID is used */
	uint32_t timeslice_us;
	uint32_t pmu_fixed;          /* fixed PMU counters readable with RDPMC (0 or 2) */
	char cpu_vendor[16];
	char pcid_reason[64];
	uint32_t cpu_count;          /* CPUs running threads (1 without SMP) */
	uint32_t reserved;
};

#endif
