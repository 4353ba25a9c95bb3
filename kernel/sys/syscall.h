/*
 * syscall.h - the syscall table and the argument helpers handlers share.
 *
 * Handlers only fetch and check their arguments (through these helpers and
 * kernel/mm/uaccess.h) and then call the owning module.
 */
#ifndef KERNEL_SYS_SYSCALL_H
#define KERNEL_SYS_SYSCALL_H

#include <stdint.h>

struct sys_args {
	uint64_t a[6];               /* rdi, rsi, rdx, r10, r8, r9 */
};

typedef long (*sys_handler)(const struct sys_args *args);

struct trap_frame;
void syscall_dispatch(struct trap_frame *f);
void syscall_init(void);        /* EFER.SCE, STAR, LSTAR, FMASK */

/* Argument helpers: an int that must lie in [lo, hi]; -EINVAL otherwise. */
int arg_int_range(uint64_t raw, int64_t lo, int64_t hi, int64_t *out);

/* Handler families, one file each. */
long sys_exit(const struct sys_args *a);
long sys_yield(const struct sys_args *a);
long sys_getpid(const struct sys_args *a);
long sys_spawn(const struct sys_args *a);
long sys_wait(const struct sys_args *a);
long sys_kill_proc(const struct sys_args *a);
long sys_set_affinity(const struct sys_args *a);
long sys_thread_create(const struct sys_args *a);
long sys_thread_exit(const struct sys_args *a);
long sys_thread_join(const struct sys_args *a);
long sys_map_anon(const struct sys_args *a);
long sys_unmap(const struct sys_args *a);
long sys_shm_create(const struct sys_args *a);
long sys_shm_map(const struct sys_args *a);
long sys_shm_destroy(const struct sys_args *a);
long sys_write(const struct sys_args *a);
long sys_sleep_ns(const struct sys_args *a);
long sys_clock_ns(const struct sys_args *a);
long sys_counters(const struct sys_args *a);
long sys_test_report(const struct sys_args *a);
long sys_sysinfo(const struct sys_args *a);
long sys_pipe_create(const struct sys_args *a);
long sys_pipe_open(const struct sys_args *a);
long sys_fd_read(const struct sys_args *a);
long sys_fd_write(const struct sys_args *a);
long sys_fd_close(const struct sys_args *a);
long sys_msgget(const struct sys_args *a);
long sys_msgsnd(const struct sys_args *a);
long sys_msgrcv(const struct sys_args *a);
long sys_msgctl(const struct sys_args *a);
long sys_setuid(const struct sys_args *a);
long sys_getuid(const struct sys_args *a);
long sys_futex_wait(const struct sys_args *a);
long sys_futex_wake(const struct sys_args *a);
long sys_sigaction(const struct sys_args *a);
long sys_kill(const struct sys_args *a);
long sys_sigreturn(const struct sys_args *a);
long sys_sigprocmask(const struct sys_args *a);
long sys_sigwait(const struct sys_args *a);
long sys_sem_create(const struct sys_args *a);
long sys_sem_p(const struct sys_args *a);
long sys_sem_v(const struct sys_args *a);
long sys_sem_destroy(const struct sys_args *a);
long sys_pipe_release(const struct sys_args *a);
long sys_pipe(const struct sys_args *a);
long sys_spawn_fds(const struct sys_args *a);
long sys_msg_send(const struct sys_args *a);
long sys_msg_recv(const struct sys_args *a);
long sys_mbox_create(const struct sys_args *a);
long sys_mbox_destroy(const struct sys_args *a);
long sys_mbox_send(const struct sys_args *a);
long sys_mbox_recv(const struct sys_args *a);
long sys_mbox_stat(const struct sys_args *a);
long sys_socket(const struct sys_args *a);
long sys_bind(const struct sys_args *a);
long sys_listen(const struct sys_args *a);
long sys_connect(const struct sys_args *a);
long sys_accept(const struct sys_args *a);
long sys_sendto(const struct sys_args *a);
long sys_recvfrom(const struct sys_args *a);

long sys_lrpc_register(const struct sys_args *a);
long sys_lrpc_unregister(const struct sys_args *a);
long sys_lrpc_serve(const struct sys_args *a);
long sys_lrpc_connect(const struct sys_args *a);
long sys_lrpc_disconnect(const struct sys_args *a);
long sys_lrpc_call(const struct sys_args *a);
long sys_lrpc_return(const struct sys_args *a);
long sys_chcore_register(const struct sys_args *a);
long sys_chcore_listen(const struct sys_args *a);
long sys_chcore_accept(const struct sys_args *a);
long sys_chcore_connect(const struct sys_args *a);
long sys_chcore_call(const struct sys_args *a);
long sys_chcore_reply_recv(const struct sys_args *a);
long sys_chcore_close(const struct sys_args *a);
#endif
