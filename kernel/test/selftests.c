/* selftests.c - the registry of in-guest selftests: one row per test.
 * Adding a test is adding a row (and its function, in its own file when it
 * belongs to a subsystem). */
#include "kernel/test/ktest.h"

void test_boot_info(void);
void test_frames(void);
void test_heap(void);
void test_paging(void);
void test_clock(void);
void test_tlb(void);
void test_tlb_smp(void);
void test_pmu(void);
void test_leak_baseline(void);
void test_proc_basic(void);
void test_proc_isolation(void);
void test_proc_badargs(void);
void test_proc_preempt(void);
void test_proc_kill(void);
void test_proc_exit_window(void);
void test_proc_threads(void);
void test_proc_orphans(void);
void test_cpu_state_ac(void);
void test_cpu_state_fpu(void);
void test_sleep_wakeup(void);
void test_leak_check(void);
void test_signal_basic(void), test_signal_pingpong(void), test_signal_frame(void), test_signal_mech(void);
void test_shm_futex(void), test_shm_poll(void), test_shm_notify(void);
void test_sysv_basic(void), test_sysv_badargs(void), test_sysv_memory(void), test_sysv_perm(void), test_sysv_block(void), test_sysv_iface(void);
void test_sem_basic(void), test_sem_wake(void), test_sem_owner(void), test_sem_bb(void), test_sem_ipc(void);
void test_pipe_stream(void), test_pipe_rules(void), test_pipe_writers(void), test_pipe_kill(void);
void test_pipe_timeout(void), test_pipe_exit(void), test_pipe_bad(void), test_pipe_ipc(void);
void test_pipe_anon(void);
void test_msgmem(void);
void test_msg_direct_basic(void), test_msg_direct_block(void), test_msg_direct_bad(void), test_msg_direct_iface(void);
void test_mailbox_basic(void), test_mailbox_policy(void), test_mailbox_block(void), test_mailbox_bad(void), test_mailbox_iface(void);
void test_usock_stream(void), test_usock_rules(void), test_usock_refused(void), test_usock_dgram(void);
void test_usock_timeout(void), test_usock_kill(void), test_usock_exit(void), test_usock_bad(void), test_usock_ipc(void);
void test_lrpc_basic(void), test_lrpc_many(void), test_lrpc_busy(void), test_lrpc_nested(void);
void test_lrpc_fail(void), test_lrpc_blocked(void), test_lrpc_ipc(void);
void test_lrpc_thread_basic(void), test_lrpc_thread_many(void), test_lrpc_thread_fail(void);
void test_lrpc_thread_nested(void);
void test_floors(void);
void test_smp(void);
void test_lock_order(void);
void test_irqoff(void);
void test_perm_proc(void), test_perm_signal(void), test_perm_shm(void), test_perm_pipe(void);
void test_perm_sem(void), test_perm_mailbox(void), test_perm_futex(void), test_perm_sysv(void);
void test_perm_msg(void), test_perm_usock(void), test_perm_lrpc(void), test_perm_chcore(void);
void test_perm_cut(void);
void test_fuzz(void);

void test_chcore_basic(void), test_chcore_slowpath(void), test_chcore_server_death(void), test_chcore_client_kill(void), test_chcore_ipc(void);
void test_ipc_lend(void);

const struct ktest ktest_table[] = {
	{ "boot",   test_boot_info },   /* loader hand-over is sane */
	{ "frames", test_frames },      /* frame allocator balances */
	{ "heap",   test_heap },        /* kmalloc/kfree and counters */
	{ "paging", test_paging },      /* kernel protections are in force */
	{ "clock",  test_clock },       /* TSC clock and LAPIC tick advance */
	{ "tlb",    test_tlb },         /* PCID mode, CR3 switches, remaps */
	{ "tlb-smp", test_tlb_smp },    /* remaps seen on another CPU (IPI), release */
	{ "pmu",    test_pmu },         /* fixed counters iff CPUID.0AH */
	{ "leak-baseline",  test_leak_baseline },  /* frames/heap before processes */
	{ "proc-basic",     test_proc_basic },     /* spawn, exit status, wait */
	{ "proc-isolation", test_proc_isolation }, /* private memory, faults kill */
	{ "proc-badargs",   test_proc_badargs },   /* bad pointers/lengths/ids */
	{ "proc-preempt",   test_proc_preempt },   /* timer preemption */
	{ "proc-kill",      test_proc_kill },      /* kill wakes a sleeper */
	{ "proc-exit-window", test_proc_exit_window }, /* no tick between zombie and switch */
	{ "proc-threads",   test_proc_threads },   /* threads share a process */
	{ "proc-orphans",   test_proc_orphans },   /* orphans and their zombies are freed */
	{ "cpu-ac",         test_cpu_state_ac },   /* user/thread EFLAGS.AC never reaches kernel code */
	{ "cpu-fpu",        test_cpu_state_fpu },  /* x87/SSE registers per thread, clean at start */
	{ "sleep-wakeup",   test_sleep_wakeup },   /* 100,000 round trips */
	{ "shm-futex",      test_shm_futex },      /* futex wait/wake contract, kill */
	{ "shm-poll",       test_shm_poll },       /* ring, spin/yield/periodic, 1,000,000 msgs */
	{ "shm-notify",     test_shm_notify },     /* ring + futex sleep, 1,000,000 msgs */
	{ "pipe-stream",    test_pipe_stream },    /* 1 MiB through PIPESIZE, checksum */
	{ "pipe-rules",     test_pipe_rules },     /* partial reads, EOF, EPIPE */
	{ "pipe-writers",   test_pipe_writers },   /* two writers, one reader */
	{ "pipe-kill",      test_pipe_kill },      /* kill unblocks reader and writer */
	{ "pipe-timeout",   test_pipe_timeout },   /* -EAGAIN, -ETIMEDOUT */
	{ "pipe-exit",      test_pipe_exit },      /* exit closes ends, releases pipes */
	{ "pipe-bad",       test_pipe_bad },       /* bad values, -EMFILE, -ENFILE */
	{ "pipe-anon",      test_pipe_anon },      /* pipe(fd[2]), spawn_fds, EOF/EPIPE, -EFAULT */
	{ "pipe-ipc",       test_pipe_ipc },       /* struct ipc_mech ping-pong */
	{ "sem-basic",      test_sem_basic },      /* P/V counting, timeouts, bad ids, limits */
	{ "sem-wake",       test_sem_wake },       /* V wakes one, destroy -EIDRM, kill */
	{ "sem-owner",      test_sem_owner },      /* creator exit destroys, -ENOSPC */
	{ "sem-bb",         test_sem_bb },         /* bounded buffer, 3 producers x 3 consumers */
	{ "sem-ipc",        test_sem_ipc },        /* struct ipc_mech ping-pong */
	{ "sysv-basic",     test_sysv_basic },     /* msgget, typed msgrcv, limits, msgctl */
	{ "sysv-badargs",   test_sysv_badargs },   /* bad ids, pointers, sizes, flags */
	{ "sysv-memory",    test_sysv_memory },    /* every message costs header + text: qbytes, MC_MEM_CAP */
	{ "sysv-perm",      test_sysv_perm },      /* uid 0 vs uid 1000, modes, setuid */
	{ "sysv-block",     test_sysv_block },     /* full queue, IPC_RMID -EIDRM, kill */
	{ "sysv-iface",     test_sysv_iface },     /* struct ipc_mech ping-pong */
	{ "signal-basic",   test_signal_basic },   /* handler, mask, ignore, default, SIGKILL, bad args */
	{ "signal-pingpong", test_signal_pingpong }, /* 10,000 signals each way, none lost */
	{ "signal-frame",   test_signal_frame },   /* every register kept; forged frames sanitized/killed */
	{ "signal-mech",    test_signal_mech },    /* struct ipc_mech ping-pong */
	{ "msgmem",         test_msgmem },         /* message memory: pool, heap beyond it, the cap */
	{ "msg-direct-basic", test_msg_direct_basic }, /* addressing by pid, order, timeouts */
	{ "msg-direct-block", test_msg_direct_block }, /* link capacity, MSG_SYNC, kill, exit */
	{ "msg-direct-bad",   test_msg_direct_bad },   /* bad pids, pointers, sizes, flags */
	{ "msg-direct-iface", test_msg_direct_iface }, /* struct ipc_mech ping-pong, both variants */
	{ "mailbox-basic",  test_mailbox_basic },  /* capacity 0 / N / unbounded, timeouts */
	{ "mailbox-policy", test_mailbox_policy }, /* the three sharing policies */
	{ "mailbox-block",  test_mailbox_block },  /* destroy -EIDRM, kill, creator exit */
	{ "mailbox-bad",    test_mailbox_bad },    /* bad values, limits */
	{ "mailbox-iface",  test_mailbox_iface },  /* struct ipc_mech ping-pong, every variant */
	{ "unix-stream",    test_usock_stream },   /* 1 MiB each way through 64 KiB rings, EOF */
	{ "unix-rules",     test_usock_rules },    /* partial reads, EOF, EPIPE, reset, wakeups */
	{ "unix-refused",   test_usock_refused },  /* -ECONNREFUSED, -EADDRINUSE, backlog */
	{ "unix-dgram",     test_usock_dgram },    /* boundaries, truncation, -EMSGSIZE, queue bound */
	{ "unix-timeout",   test_usock_timeout },  /* -EAGAIN, -ETIMEDOUT on every blocking call */
	{ "unix-kill",      test_usock_kill },     /* kill unblocks every blocking call */
	{ "unix-exit",      test_usock_exit },     /* exit closes sockets, frees names */
	{ "unix-bad",       test_usock_bad },      /* bad values, -EMFILE, -ENFILE */
	{ "unix-ipc",       test_usock_ipc },      /* struct ipc_mech ping-pong, both variants */
	{ "lrpc-basic",     test_lrpc_basic },     /* migrate into the server, bad values */
	{ "lrpc-many",      test_lrpc_many },      /* 10,000 calls and their counters */
	{ "lrpc-busy",      test_lrpc_busy },      /* the A-stack concurrency check */
	{ "lrpc-nested",    test_lrpc_nested },    /* A -> B -> C, depth limit */
	{ "lrpc-fail",      test_lrpc_fail },      /* fault in a procedure, server killed mid-call */
	{ "lrpc-blocked",   test_lrpc_blocked },   /* server killed while a call sleeps in a syscall inside it */
	{ "lrpc-ipc",       test_lrpc_ipc },       /* struct ipc_mech calls, both variants */
	{ "lrpc-thread-basic", test_lrpc_thread_basic }, /* a server thread runs the call, bad values */
	{ "lrpc-thread-many", test_lrpc_thread_many }, /* thread switches per call, same and other CPU */
	{ "lrpc-thread-fail", test_lrpc_thread_fail }, /* fault, server or client killed mid-call */
	{ "lrpc-thread-nested", test_lrpc_thread_nested }, /* calls from a server thread's procedure */
	{ "chcore-basic",   test_chcore_basic },   /* register/accept/reject, calls, caps, 10,000 direct switches */
	{ "chcore-slowpath", test_chcore_slowpath }, /* the same with the fast path off */
	{ "chcore-server-death", test_chcore_server_death }, /* server killed mid-call: -ECONNRESET */
	{ "chcore-client-kill", test_chcore_client_kill }, /* client killed mid-call: reply dropped */
	{ "chcore-ipc",     test_chcore_ipc },     /* struct ipc_mech ping-pong */
	{ "ipc-lend",       test_ipc_lend },       /* lent slots and views (chcore, lrpc), bad lengths */
	{ "irqoff",         test_irqoff },         /* big map, console flood, big shm: ticks keep coming */
	{ "perm-proc",      test_perm_proc },      /* kill_proc/wait: another uid refused */
	{ "perm-signal",    test_perm_signal },    /* kill(): another uid refused */
	{ "perm-shm",       test_perm_shm },       /* map/destroy: only the creator's line */
	{ "perm-pipe",      test_perm_pipe },      /* open/release: only the creator's line */
	{ "perm-sem",       test_perm_sem },       /* P/V/destroy: only the creator's line */
	{ "perm-mailbox",   test_perm_mailbox },   /* send/recv/stat/destroy: the creator's line */
	{ "perm-futex",     test_perm_futex },     /* keyed by physical page: a VA is not enough */
	{ "perm-sysv",      test_perm_sysv },      /* uid and mode bits */
	{ "perm-msg-direct", test_perm_msg },      /* send: root or the same uid */
	{ "perm-unix-socket", test_perm_usock },   /* connect/sendto a name: root or the binder's uid */
	{ "perm-lrpc",      test_perm_lrpc },      /* bind: root or the server's uid; bindings per domain */
	{ "perm-chcore",    test_perm_chcore },    /* caps per process; the buffer is the kernel's */
	{ "perm-cut",       test_perm_cut },       /* a remembered check forgotten when the line is cut */
	{ "smp",            test_smp },            /* placement; every mechanism across CPUs */
	{ "lock-order",     test_lock_order },     /* debug build: the order check learns and catches */
	{ "leak-check",     test_leak_check },     /* everything given back */
	{ "floors",         test_floors },         /* this boot's reference costs */
};
const unsigned ktest_table_len = sizeof ktest_table / sizeof ktest_table[0];

/* Not part of `tests = all`: each runs in a boot of its own, when the plan
 * names it (run after the rows above that are named too). */
const struct ktest ktest_named_only[] = {
	{ "fuzz",           test_fuzz },           /* fuzz_calls random syscalls beside a victim (./run.py fuzz) */
};
const unsigned ktest_named_only_len = sizeof ktest_named_only / sizeof ktest_named_only[0];
