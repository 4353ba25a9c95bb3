/* syscall.c - the syscall table, the bounds-checked dispatcher, and the
 * checks on the way back to user mode. */
#include "kernel/sys/syscall.h"
#include "kernel/sys/user_return.h"
#include "ipc/kernel/chcore_ipc.h"
#include "ipc/kernel/lrpc.h"
#include "kernel/sched/thread.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/mm/pagetable.h"
#include "kernel/stats/counters.h"
#include "common/errno.h"
#include "common/syscall_abi.h"

static const sys_handler table[SYS_COUNT] = {
	[SYS_EXIT]          = sys_exit,
	[SYS_YIELD]         = sys_yield,
	[SYS_GETPID]        = sys_getpid,
	[SYS_WRITE]         = sys_write,
	[SYS_SLEEP_NS]      = sys_sleep_ns,
	[SYS_CLOCK_NS]      = sys_clock_ns,
	[SYS_SPAWN]         = sys_spawn,
	[SYS_WAIT]          = sys_wait,
	[SYS_MAP_ANON]      = sys_map_anon,
	[SYS_UNMAP]         = sys_unmap,
	[SYS_SHM_CREATE]    = sys_shm_create,
	[SYS_SHM_MAP]       = sys_shm_map,
	[SYS_SHM_DESTROY]   = sys_shm_destroy,
	[SYS_COUNTERS]      = sys_counters,
	[SYS_THREAD_CREATE] = sys_thread_create,
	[SYS_THREAD_EXIT]   = sys_thread_exit,
	[SYS_THREAD_JOIN]   = sys_thread_join,
	[SYS_PIPE]          = sys_pipe,
	[SYS_SPAWN_FDS]     = sys_spawn_fds,
	[SYS_KILL_PROC]     = sys_kill_proc,
	[SYS_SET_AFFINITY]  = sys_set_affinity,
	[SYS_TEST_REPORT]   = sys_test_report,
	[SYS_SYSINFO]       = sys_sysinfo,
	[SYS_PIPE_CREATE]   = sys_pipe_create,
	[SYS_PIPE_OPEN]     = sys_pipe_open,
	[SYS_FD_READ]       = sys_fd_read,
	[SYS_FD_WRITE]      = sys_fd_write,
	[SYS_FD_CLOSE]      = sys_fd_close,
	[SYS_MSGGET]        = sys_msgget,
	[SYS_MSGSND]        = sys_msgsnd,
	[SYS_MSGRCV]        = sys_msgrcv,
	[SYS_MSGCTL]        = sys_msgctl,
	[SYS_SETUID]        = sys_setuid,
	[SYS_GETUID]        = sys_getuid,
	[SYS_FUTEX_WAIT]    = sys_futex_wait,
	[SYS_FUTEX_WAKE]    = sys_futex_wake,
	[SYS_SIGACTION]     = sys_sigaction,
	[SYS_KILL]          = sys_kill,
	[SYS_SIGRETURN]     = sys_sigreturn,
	[SYS_SIGPROCMASK]   = sys_sigprocmask,
	[SYS_SIGWAIT]       = sys_sigwait,
	[SYS_SEM_CREATE]    = sys_sem_create,
	[SYS_SEM_P]         = sys_sem_p,
	[SYS_SEM_V]         = sys_sem_v,
	[SYS_SEM_DESTROY]   = sys_sem_destroy,
	[SYS_PIPE_RELEASE]  = sys_pipe_release,
	[SYS_MSG_SEND]      = sys_msg_send,
	[SYS_MSG_RECV]      = sys_msg_recv,
	[SYS_MBOX_CREATE]   = sys_mbox_create,
	[SYS_MBOX_DESTROY]  = sys_mbox_destroy,
	[SYS_MBOX_SEND]     = sys_mbox_send,
	[SYS_MBOX_RECV]     = sys_mbox_recv,
	[SYS_MBOX_STAT]     = sys_mbox_stat,
	[SYS_SOCKET]        = sys_socket,
	[SYS_BIND]          = sys_bind,
	[SYS_LISTEN]        = sys_listen,
	[SYS_CONNECT]       = sys_connect,
	[SYS_ACCEPT]        = sys_accept,
	[SYS_SENDTO]        = sys_sendto,
	[SYS_RECVFROM]      = sys_recvfrom,
	[SYS_LRPC_REGISTER]   = sys_lrpc_register,
	[SYS_LRPC_UNREGISTER] = sys_lrpc_unregister,
	[SYS_LRPC_SERVE]      = sys_lrpc_serve,
	[SYS_LRPC_CONNECT]    = sys_lrpc_connect,
	[SYS_LRPC_DISCONNECT] = sys_lrpc_disconnect,
	[SYS_LRPC_CALL]       = sys_lrpc_call,
	[SYS_LRPC_RETURN]     = sys_lrpc_return,
	[SYS_CHCORE_REGISTER] = sys_chcore_register,
	[SYS_CHCORE_LISTEN]   = sys_chcore_listen,
	[SYS_CHCORE_ACCEPT]   = sys_chcore_accept,
	[SYS_CHCORE_CONNECT]  = sys_chcore_connect,
	[SYS_CHCORE_CALL]     = sys_chcore_call,
	[SYS_CHCORE_REPLY_RECV] = sys_chcore_reply_recv,
	[SYS_CHCORE_CLOSE]    = sys_chcore_close,
};

/* Fast paths syscall_entry.S tries before syscall_dispatch, with the frame
 * and interrupts still off: 0 back means "not taken, nothing changed". */
typedef int (*sys_fast_handler)(struct trap_frame *f);
const sys_fast_handler syscall_fast[SYS_COUNT] = {
	[SYS_CHCORE_CALL]       = chcore_fastpath_call,
	[SYS_CHCORE_REPLY_RECV] = chcore_fastpath_reply_recv,
	[SYS_LRPC_CALL]         = lrpc_fastpath_call,
	[SYS_LRPC_RETURN]       = lrpc_fastpath_return,
};
const uint64_t syscall_fast_count = SYS_COUNT;

void syscall_entry(void);

void
syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* STAR[47:32] = kernel CS (SS = +8); STAR[63:48] + 16/+8 = user CS/SS. */
	wrmsr(MSR_STAR, ((uint64_t)(GDT_USER_DATA - 8) << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Cleared on entry: IF (we enable it once on the kernel stack), TF,
	 * DF (the ABI wants it clear) and AC (so SMAP is enforced). */
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_AC | (1u << 8) | (1u << 10));
}

void
syscall_dispatch(struct trap_frame *f)
{
	struct sys_args args = { { f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9 } };
	uint64_t nr = f->rax;

	COUNT(syscalls);
	f->rax = nr < SYS_COUNT && table[nr] ? (uint64_t)table[nr](&args) : (uint64_t)-ENOSYS;
	user_return_work(f);
}
