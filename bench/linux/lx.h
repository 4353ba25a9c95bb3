/*
 * lx.h - the Linux side of the ipcbench system call emulation.
 *
 * The Linux build of the harness compiles bench/ and the portable
 * mechanisms of ipc/user/ unchanged; their system call wrappers end in
 * bench/linux/compat/user/lib/syscall.h, which turns each ipcbench call
 * into one of the functions below.  They are written against Linux headers
 * only (never the common/ headers, whose names clash with libc's), so every type
 * here is a plain integer or pointer; results are >= 0 or -errno, and
 * Linux's errno values are the ones common/errno.h uses.
 */
#ifndef BENCH_LINUX_LX_H
#define BENCH_LINUX_LX_H

#include <stddef.h>
#include <stdint.h>

/* Linux x86-64 system call numbers used raw (inline, no libc wrapper) on
 * the floors' measured paths. */
#define LX_NR_SCHED_YIELD 24
#define LX_NR_GETPID      39

/* struct kcounters fields lx_counters fills (index of the uint64_t). */
#define LX_KC_SYSCALLS 0
#define LX_KC_SWITCHES 1
#define LX_KC_WAKEUPS  6

/* lx_proc.c: processes, memory, time, console, counters. */
void lx_init(const char *role_arg);        /* once per process, from main */
long lx_write(const void *buf, size_t len);
long lx_sleep_ns(uint64_t ns);
uint64_t lx_clock_ns(void);
long lx_spawn(const char *name, const char *arg);
long lx_wait(long pid, int *status, int killed_status);
long lx_kill_proc(long pid);
long lx_map_anon(size_t len, unsigned prot);
long lx_unmap(void *addr, size_t len);
long lx_shm_create(size_t len);
long lx_shm_map(long handle, unsigned prot);
long lx_shm_destroy(long handle);
long lx_counters(uint64_t *fields, size_t n);
/* sched_setaffinity to one CPU (cpu -1: every CPU).  The Linux driver runs
 * without a placement word, so it never pins: IPCBENCH_CPUS does. */
long lx_set_affinity(long pid, int cpu);
unsigned lx_counters_known(void);          /* bit i: field i is counted */
uint64_t lx_tsc_hz(void);
int lx_pcid_state(void);                   /* 0 off, 1 pcid, 2 pcid + invpcid */
long lx_thread_join(long tid);             /* until a thread_start thread has exited */

/* lx_ipc.c: pipes, descriptors, SysV queues, futexes, semaphores, sockets. */
long lx_pipe(int fd[2]);
long lx_fd_read(long fd, void *buf, size_t len, uint64_t timeout_ns);
long lx_fd_write(long fd, const void *buf, size_t len, uint64_t timeout_ns);
long lx_fd_close(long fd);
long lx_msgget(long key, unsigned flags);
long lx_msgsnd(long id, const void *msgp, size_t size, unsigned flags);
long lx_msgrcv(long id, void *msgp, size_t size, long type, unsigned flags);
/* IPC_RMID, or IPC_STAT as a check that the queue exists and may be read
 * (ipcbench's struct msqid_ds differs from Linux's: it is only zeroed). */
long lx_msgctl(long id, int cmd, void *ds, size_t ds_size);
long lx_futex_wait(const volatile uint32_t *word, uint32_t expected, uint64_t timeout_ns);
long lx_futex_wake(const volatile uint32_t *word, int n);
long lx_sem_create(long initial);
long lx_sem_p(long id, uint64_t timeout_ns);
long lx_sem_v(long id);
long lx_sem_destroy(long id);
long lx_socket(int dgram);
long lx_bind(long fd, const char *name);
long lx_listen(long fd, int backlog);
long lx_connect(long fd, const char *name, uint64_t timeout_ns);
long lx_accept(long fd, uint64_t timeout_ns);
long lx_sendto(long fd, const void *buf, size_t len, const char *name, uint64_t timeout_ns);
long lx_recvfrom(long fd, void *buf, size_t len, char *from, uint64_t timeout_ns);

#endif
