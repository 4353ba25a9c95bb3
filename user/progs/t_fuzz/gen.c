/* gen.c - what to call and with what: every system call number has a row
 * saying what each argument is; an argument is drawn from the pool of its
 * kind, or (one time in eight) from the raw boundary numbers whatever its
 * kind.  Then the filters run: the only arguments they change are those
 * that would end this fuzzer (or hang it) legitimately.  Each filter says
 * which rule of docs/RELIABILITY.md ("What is excluded") it applies. */
#include "user/progs/t_fuzz/fuzz.h"
#include "ipc/user/signal.h"
#include "common/sysv_abi.h"
#include "common/msg_abi.h"
#include "common/chcore_abi.h"
#include "common/lrpc_abi.h"

enum kind {
	A_RAW = 0,      /* unused register: anything (the kernel must not read it) */
	A_INT, A_PTR, A_LEN, A_PID, A_TIMEOUT, A_FLAGS, A_PROT, A_SIG, A_UID,
	A_FD, A_PIPE, A_SHM, A_SEM, A_MSQ, A_MBOX, A_LSVC, A_LKEY, A_LBIND,
	A_CCID, A_CAP, A_KEY, A_NAME, A_CODE, A_TID,
};

struct row {
	unsigned char arg[6];
};

/* What each argument of each call is (common/syscall_abi.h). */
static const struct row rows[SYS_COUNT] = {
	[SYS_EXIT]          = { { A_INT } },
	[SYS_YIELD]         = { { 0 } },
	[SYS_GETPID]        = { { 0 } },
	[SYS_WRITE]         = { { A_PTR, A_LEN } },
	[SYS_SLEEP_NS]      = { { A_TIMEOUT } },
	[SYS_CLOCK_NS]      = { { 0 } },
	[SYS_SPAWN]         = { { A_NAME, A_PTR, A_LEN } },
	[SYS_WAIT]          = { { A_PID, A_PTR } },
	[SYS_MAP_ANON]      = { { A_LEN, A_PROT } },
	[SYS_UNMAP]         = { { A_PTR, A_LEN } },
	[SYS_SHM_CREATE]    = { { A_LEN } },
	[SYS_SHM_MAP]       = { { A_SHM, A_PROT } },
	[SYS_SHM_DESTROY]   = { { A_SHM } },
	[SYS_COUNTERS]      = { { A_PTR } },
	[SYS_THREAD_CREATE] = { { A_CODE, A_PTR, A_INT } },
	[SYS_THREAD_EXIT]   = { { 0 } },
	[SYS_KILL_PROC]     = { { A_PID } },
	[SYS_TEST_REPORT]   = { { A_INT, A_PTR } },
	[SYS_SYSINFO]       = { { A_PTR } },
	[SYS_PIPE_CREATE]   = { { 0 } },
	[SYS_PIPE_OPEN]     = { { A_PIPE, A_FLAGS } },
	[SYS_FD_READ]       = { { A_FD, A_PTR, A_LEN, A_TIMEOUT } },
	[SYS_FD_WRITE]      = { { A_FD, A_PTR, A_LEN, A_TIMEOUT } },
	[SYS_FD_CLOSE]      = { { A_FD } },
	[SYS_MSGGET]        = { { A_KEY, A_FLAGS } },
	[SYS_MSGSND]        = { { A_MSQ, A_PTR, A_LEN, A_FLAGS } },
	[SYS_MSGRCV]        = { { A_MSQ, A_PTR, A_LEN, A_INT, A_FLAGS } },
	[SYS_MSGCTL]        = { { A_MSQ, A_INT, A_PTR } },
	[SYS_SETUID]        = { { A_UID } },
	[SYS_GETUID]        = { { 0 } },
	[SYS_FUTEX_WAIT]    = { { A_PTR, A_INT, A_TIMEOUT } },
	[SYS_FUTEX_WAKE]    = { { A_PTR, A_INT } },
	[SYS_SIGACTION]     = { { A_SIG, A_CODE, A_CODE } },
	[SYS_KILL]          = { { A_PID, A_SIG } },
	[SYS_SIGRETURN]     = { { 0 } },
	[SYS_SIGPROCMASK]   = { { A_INT, A_FLAGS, A_PTR } },
	[SYS_SIGWAIT]       = { { A_TIMEOUT } },
	[SYS_SEM_CREATE]    = { { A_INT } },
	[SYS_SEM_P]         = { { A_SEM, A_TIMEOUT } },
	[SYS_SEM_V]         = { { A_SEM } },
	[SYS_SEM_DESTROY]   = { { A_SEM } },
	[SYS_PIPE_RELEASE]  = { { A_PIPE } },
	[SYS_SOCKET]        = { { A_INT } },
	[SYS_BIND]          = { { A_FD, A_NAME } },
	[SYS_LISTEN]        = { { A_FD, A_INT } },
	[SYS_CONNECT]       = { { A_FD, A_NAME, A_TIMEOUT } },
	[SYS_ACCEPT]        = { { A_FD, A_TIMEOUT } },
	[SYS_SENDTO]        = { { A_FD, A_PTR, A_LEN, A_NAME, A_TIMEOUT } },
	[SYS_RECVFROM]      = { { A_FD, A_PTR, A_LEN, A_PTR, A_TIMEOUT } },
	[SYS_MSG_SEND]      = { { A_PID, A_PTR, A_LEN, A_TIMEOUT, A_FLAGS } },
	[SYS_MSG_RECV]      = { { A_PID, A_PTR, A_LEN, A_TIMEOUT, A_PTR } },
	[SYS_MBOX_CREATE]   = { { A_INT, A_INT } },
	[SYS_MBOX_DESTROY]  = { { A_MBOX } },
	[SYS_MBOX_SEND]     = { { A_MBOX, A_PTR, A_LEN, A_TIMEOUT, A_FLAGS } },
	[SYS_MBOX_RECV]     = { { A_MBOX, A_PTR, A_LEN, A_TIMEOUT, A_PTR } },
	[SYS_MBOX_STAT]     = { { A_MBOX, A_PTR } },
	[SYS_LRPC_REGISTER] = { { A_LKEY, A_PTR, A_INT, A_LEN, A_INT } },
	[SYS_LRPC_UNREGISTER] = { { A_LSVC } },
	[SYS_LRPC_SERVE]    = { { A_LSVC, A_TIMEOUT } },
	[SYS_LRPC_CONNECT]  = { { A_LKEY, A_PTR, A_FLAGS } },
	[SYS_LRPC_DISCONNECT] = { { A_LBIND } },
	[SYS_LRPC_CALL]     = { { A_LBIND, A_INT, A_INT, A_INT } },
	[SYS_LRPC_RETURN]   = { { A_INT } },
	[SYS_CHCORE_REGISTER] = { { A_CCID } },
	[SYS_CHCORE_LISTEN] = { { A_CAP, A_TIMEOUT } },
	[SYS_CHCORE_ACCEPT] = { { A_CAP, A_PID, A_INT } },
	[SYS_CHCORE_CONNECT] = { { A_CCID, A_LEN, A_TIMEOUT, A_FLAGS } },
	[SYS_CHCORE_CALL]   = { { A_CAP, A_PTR, A_LEN, A_INT, A_INT, A_INT } },
	[SYS_CHCORE_REPLY_RECV] = { { A_CAP, A_FLAGS, A_INT, A_INT } },
	[SYS_CHCORE_CLOSE]  = { { A_CAP } },
	[SYS_THREAD_JOIN]   = { { A_TID } },
	[SYS_PIPE]          = { { A_PTR } },
	[SYS_SPAWN_FDS]     = { { A_NAME, A_PTR, A_LEN, A_PTR, A_INT } },
	[SYS_SET_AFFINITY]  = { { A_PID, A_INT } },
	[SYS_GETCPU]        = { { 0 } },
};
_Static_assert(SYS_COUNT == SYS_GETCPU + 1, "a call without a row: add it above");

/* Timeouts never wait long: IPC_TIMEOUT_FOREVER, or centuries, would let
 * a fuzzer block for good - legitimately (rule "bounded waits"). */
static uint64_t
pick_timeout(void)
{
	static const uint64_t t[] = { 0, 0, 1, 1000, 100000, 1000000, 2000000 };
	return t[rnd_below(sizeof t / sizeof t[0])];
}

/* Small bit sets around the defined flags of every call. */
static uint64_t
pick_flags(void)
{
	switch (rnd_below(6)) {
	case 0:  return rnd_below(4);                  /* FD_READ/WRITE, REPLY/RECV, SYNC */
	case 1:  return IPC_CREAT | rnd_below(0777 + 1) | (one_in(2) ? IPC_EXCL : 0);
	case 2:  return IPC_NOWAIT | (one_in(2) ? MSG_NOERROR : 0);
	case 3:  return 1ull << rnd_below(64);
	default: return pick_int();
	}
}

/* Program names: only programs that end on their own and report no test
 * (rule "spawn"); the rest are names the kernel must refuse. */
/* Also a socket name; as a program name it spawns a kamikaze child. */
static const char kamikaze_name[] = "fz-sock";

static uint64_t
pick_name(void)
{
	static char longname[64] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	static const char *const names[] = { "hello", kamikaze_name, "fz-sock2", "", "no-such-program" };

	switch (rnd_below(4)) {
	case 0:  return (uint64_t)longname;       /* 63 bytes: too long */
	case 1:  return pick_bad_ptr();
	default: return (uint64_t)names[rnd_below(sizeof names / sizeof names[0])];
	}
}

/* Code addresses: ours (safe on any stack), or ones the kernel must refuse. */
static uint64_t
pick_code(void)
{
	switch (rnd_below(6)) {
	case 0:  return SIG_HANDLER_DEFAULT;
	case 1:  return SIG_HANDLER_IGNORE;
	case 2:  return (uint64_t)fz_thread_stub;
	case 3:  return (uint64_t)sig_restorer;
	default: return pick_bad_ptr();
	}
}

static uint64_t
draw(enum kind k)
{
	if (k != A_RAW && k != A_TIMEOUT && one_in(8))
		return pick_int();
	switch (k) {
	case A_RAW:     return rnd();
	case A_INT:     return pick_int();
	case A_PTR:     return pick_ptr();
	case A_LEN:     return pick_len();
	case A_PID:     return pick_pid();
	case A_TIMEOUT: return pick_timeout();
	case A_FLAGS:   return pick_flags();
	case A_PROT:    return one_in(4) ? pick_int() : rnd_below(4);
	case A_SIG:     return rnd_below(SIG_MAX + 3);
	case A_UID:     return one_in(2) ? (uint64_t)fz.uid : pick_int();
	case A_FD:      return (uint64_t)pick_id(FUZZ_OBJ_FD);
	case A_PIPE:    return (uint64_t)pick_id(FUZZ_OBJ_PIPE);
	case A_SHM:     return (uint64_t)pick_id(FUZZ_OBJ_SHM);
	case A_SEM:     return (uint64_t)pick_id(FUZZ_OBJ_SEM);
	case A_MSQ:     return (uint64_t)pick_id(FUZZ_OBJ_MSQ);
	case A_MBOX:    return (uint64_t)pick_id(FUZZ_OBJ_MBOX);
	case A_LSVC:    return (uint64_t)pick_id(FUZZ_OBJ_LRPC_SVC);
	case A_LKEY:    return (uint64_t)pick_id(FUZZ_OBJ_LRPC_KEY);
	case A_LBIND:   return (uint64_t)pick_id(POOL_BINDING);
	case A_CCID:    return (uint64_t)pick_id(FUZZ_OBJ_CHCORE_ID);
	case A_CAP:     return (uint64_t)pick_id(FUZZ_OBJ_CAP);
	case A_KEY:     return one_in(3) ? 0 : 0x66000000u + rnd_below(16);
	case A_NAME:    return pick_name();
	case A_CODE:    return pick_code();
	case A_TID:     return (uint64_t)pick_id(POOL_THREAD);
	}
	return 0;
}

/* The call number: every defined one, sometimes one past the table. */
static uint64_t
pick_nr(void)
{
	static const uint64_t out_of_range[] = {
		SYS_COUNT, SYS_COUNT + 1, 255, 256, 999, 0x7fffffff, 0x80000000ull,
		0xffffffffull, 0x100000000ull + SYS_GETPID, 0xffffffffffffffffull,
		0x8000000000000000ull,
	};
	if (one_in(64))
		return out_of_range[rnd_below(sizeof out_of_range / sizeof out_of_range[0])];
	return rnd_below(SYS_COUNT);
}

/* ---- filters: the documented exclusions (docs/RELIABILITY.md) ------------ */

#define USER_TOP_ADDR 0x00007fffffffffffull

static int
is_bad_code(uint64_t v)
{
	return v > USER_TOP_ADDR;    /* non-canonical or kernel: refused */
}

/* Calls that end the calling thread are made by kamikaze children and by
 * the stubs, never by the fuzzer's main thread (rule "self-ending calls"). */
static int
ends_me(uint64_t nr)
{
	return nr == SYS_EXIT || nr == SYS_THREAD_EXIT || nr == SYS_SIGRETURN;
}

/* rule "signals to self": a signal we may send ourselves always has our
 * handler or is ignored; any other one is never sent to us (the other
 * fuzzers have other uids), so its disposition is free. */
static void
filter_signals(uint64_t nr, uint64_t a[6])
{
	int self_sig = a[nr == SYS_KILL] <= SIG_MAX && (SELF_SIGS & (1ull << a[nr == SYS_KILL]));

	if (nr == SYS_KILL && (int64_t)a[0] == fz.pid && !self_sig)
		a[1] = 0;
	if (nr != SYS_SIGACTION)
		return;
	if (a[1] > SIG_HANDLER_IGNORE && !is_bad_code(a[1]))
		a[1] = (uint64_t)fz_on_signal;
	if (self_sig && a[1] == SIG_HANDLER_DEFAULT)
		a[1] = one_in(2) ? SIG_HANDLER_IGNORE : (uint64_t)fz_on_signal;
	if (a[1] == (uint64_t)fz_on_signal && !is_bad_code(a[2]))
		a[2] = (uint64_t)sig_restorer;   /* the handler returns through it */
}

/* rule "thread entry": our stub, which ends the thread at once, or an
 * address the kernel refuses; a stack the kernel accepts is one of ours
 * (a signal to self may be handled on it). */
static void
filter_threads(uint64_t nr, uint64_t a[6])
{
	if (nr != SYS_THREAD_CREATE)
		return;
	if (a[0] && !is_bad_code(a[0]))
		a[0] = (uint64_t)fz_thread_stub;
	if (a[1] && a[1] <= USER_TOP_ADDR && !(a[1] & 15))
		a[1] = fz.stacks + (STACKS_BYTES / 8) * (1 + rnd_below(8));
}

/* rule "own memory": unmap removes whole regions only, so a page-aligned
 * user address is made one of our scratch mappings (or a place with
 * nothing mapped): never our text, stack, arena, stacks or the board. */
static void
filter_unmap(uint64_t nr, uint64_t a[6])
{
	if (nr != SYS_UNMAP || is_bad_code(a[0]) || (a[0] & 4095))
		return;
	a[0] = pick_mapping();
}

static void
filter_misc(uint64_t nr, uint64_t a[6])
{
	/* rule "no hidden output": a report or console write never carries
	 * readable text, so the log stays the kernel's (and no fuzzer can
	 * print "not ok"). */
	if (nr == SYS_TEST_REPORT)
		a[1] = pick_bad_ptr() | 0xffff000000000000ull;
	if (nr == SYS_WRITE && !is_bad_code(a[0]) && a[1] <= (1u << 20))
		a[1] = 0;
	/* rule "bounded waits": SysV calls have no timeout. */
	if (nr == SYS_MSGSND)
		a[3] |= IPC_NOWAIT;
	if (nr == SYS_MSGRCV)
		a[4] |= IPC_NOWAIT;
	if (nr == SYS_SLEEP_NS && a[0] >= 3600ull * 1000000000ull)
		a[0] = 3600ull * 1000000000ull + 1;   /* refused: over an hour */
	/* The board is the test's instrument (fuzz_abi.h). */
	if ((nr == SYS_SHM_MAP || nr == SYS_SHM_DESTROY) && (int64_t)a[0] == fz.board_handle)
		a[0] = (uint64_t)-1;
	/* rule "kill": never ourselves (our children are fine). */
	if (nr == SYS_KILL_PROC && (int64_t)a[0] == fz.pid)
		a[0] = 0;
	/* rule "bounded waits": the watchdog never ends before we do. */
	if (nr == SYS_THREAD_JOIN && (int64_t)a[0] == fz.watchdog_tid)
		a[0] = (uint64_t)-1;
	/* rule "spawn": a kamikaze child gets its own argument. */
	if ((nr == SYS_SPAWN || nr == SYS_SPAWN_FDS) && a[0] == (uint64_t)kamikaze_name) {
		snformat(fz.kamikaze_arg, sizeof fz.kamikaze_arg, "k %lu", (unsigned long)(rnd() >> 1));
		a[0] = (uint64_t)"t_fuzz";
		a[1] = (uint64_t)fz.kamikaze_arg;
		a[2] = strlen(fz.kamikaze_arg);
	}
	/* rule "LRPC procedures": entries are our stub (a bad entry kills
	 * the server - us - by design); bad pointers stay bad. */
	if (nr == SYS_LRPC_REGISTER && !is_bad_code(a[1]))
		a[1] = (uint64_t)fz.lrpc_entries;
	/* rule "bounded waits": a call through a thread-mode binding waits
	 * for a server thread, and no fuzzer serves while it calls. */
	if (nr == SYS_LRPC_CONNECT)
		a[2] &= ~(uint64_t)LRPC_BIND_THREAD;
}

void
gen_call(uint64_t *nr, uint64_t a[6])
{
	do
		*nr = pick_nr();
	while (ends_me(*nr));
	const struct row *r = *nr < SYS_COUNT ? &rows[*nr] : &rows[SYS_YIELD];
	for (int i = 0; i < 6; i++)
		a[i] = draw((enum kind)r->arg[i]);
	filter_signals(*nr, a);
	filter_threads(*nr, a);
	filter_unmap(*nr, a);
	filter_misc(*nr, a);
}
