/* main.c - t_fuzz: one fuzzer process of the fuzz selftest.
 *
 * Argument "SEED INDEX CALLS BOARD": draw CALLS random and adversarial
 * system calls from a PRNG seeded by SEED and INDEX, publishing progress
 * and the ids we hold in slot INDEX of the board (shared-memory handle
 * BOARD, common/fuzz_abi.h).  Argument "k SEED": a kamikaze child
 * (kamikaze.c).  Exit status 0 when every call came back; a kernel that
 * kills or hangs us is what the kernel-side test looks for.
 */
#include "user/progs/t_fuzz/fuzz.h"
#include "ipc/user/signal.h"
#include "common/sysv_abi.h"
#include "common/msg_abi.h"

struct fuzzer fz;

void
fz_on_signal(int sig, struct sig_frame *frame)
{
}

long
fuzz_syscall(uint64_t nr, uint64_t a[6], uint64_t *rdx)
{
	struct fuzz_slot *me = fz.me;

	me->cur_nr = nr;
	for (int i = 0; i < 6; i++)
		me->cur_args[i] = a[i];
	me->in_call = 1;
	*rdx = 0;
	long r = fz_syscall6(nr, a, rdx);
	me->in_call = 0;
	me->calls++;
	me->succeeded += r >= 0;
	/* FNV-1a over (number, result): two runs agree iff every call did. */
	me->digest = ((me->digest ? me->digest : 14695981039346656037ull) ^ nr ^ (uint64_t)r * 31) *
		     1099511628211ull;
	learn(nr, a, r, *rdx);
	return r;
}

static long
call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t rdx, a[6] = { a0, a1, a2, a3, a4, 0 };

	return fuzz_syscall(nr, a, &rdx);
}

/* splitmix64 of the seed and the index: a different stream per fuzzer. */
static uint64_t
seed_of(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}

/* One object of every type first, and a second one destroyed at once, so
 * the pools hold live and stale ids before the random calls begin. */
static void
make_objects(void)
{
	static const char *const names[2] = { "fz-sock", "fz-sock2" };
	uint64_t key = 0x66000000u + (uint64_t)fz.index;

	for (int i = 0; i < 2; i++) {
		long shm = call(SYS_SHM_CREATE, 4096, 0, 0, 0, 0);
		long pipe = call(SYS_PIPE_CREATE, 0, 0, 0, 0, 0);
		call(SYS_PIPE_OPEN, (uint64_t)pipe, FD_READ, 0, 0, 0);
		call(SYS_PIPE_OPEN, (uint64_t)pipe, FD_WRITE, 0, 0, 0);
		long sem = call(SYS_SEM_CREATE, 1, 0, 0, 0, 0);
		long msq = call(SYS_MSGGET, IPC_PRIVATE, IPC_CREAT | 0600, 0, 0, 0);
		long mbox = call(SYS_MBOX_CREATE, 4, MBOX_ANY_RECEIVER, 0, 0, 0);
		long sock = call(SYS_SOCKET, i ? SOCK_DGRAM : SOCK_STREAM, 0, 0, 0, 0);
		call(SYS_BIND, (uint64_t)sock, (uint64_t)names[i], 0, 0, 0);
		call(SYS_LISTEN, (uint64_t)sock, 4, 0, 0, 0);
		long svc = call(SYS_LRPC_REGISTER, key + 16 * (uint64_t)i, (uint64_t)fz.lrpc_entries, 2, 4096, 2);
		call(SYS_CHCORE_REGISTER, key + 16 * (uint64_t)i, 0, 0, 0, 0);
		if (i == 0)
			continue;
		call(SYS_SHM_DESTROY, (uint64_t)shm, 0, 0, 0, 0);
		call(SYS_PIPE_RELEASE, (uint64_t)pipe, 0, 0, 0, 0);
		call(SYS_SEM_DESTROY, (uint64_t)sem, 0, 0, 0, 0);
		call(SYS_MSGCTL, (uint64_t)msq, IPC_RMID, 0, 0, 0);
		call(SYS_MBOX_DESTROY, (uint64_t)mbox, 0, 0, 0, 0);
		call(SYS_LRPC_UNREGISTER, (uint64_t)svc, 0, 0, 0, 0);
	}
}

static int
setup(long seed, long index, long handle)
{
	fz.rng = seed_of((uint64_t)seed, (uint64_t)index);
	fz.index = index;
	fz.board_handle = handle;
	fz.uid = 1000 + index;         /* a stranger to everyone else */
	if (syscall1(SYS_SETUID, fz.uid) < 0)
		return 0;
	long arena = usys_map_anon(ARENA_BYTES, PROT_READ | PROT_WRITE);
	long stacks = usys_map_anon(STACKS_BYTES, PROT_READ | PROT_WRITE);
	long board = usys_shm_map(handle, PROT_READ | PROT_WRITE);
	if (arena < 0 || stacks < 0 || board < 0)
		return 0;
	fz.arena = (uint64_t)arena;
	fz.stacks = (uint64_t)stacks;
	fz.board = (struct fuzz_board *)board;
	if (fz.board->magic != FUZZ_MAGIC || index >= FUZZ_MAX_PROCS)
		return 0;
	fz.me = &fz.board->fuzzer[index];
	fz.pid = usys_getpid();
	fz.me->uid = fz.uid;
	fz.me->pid = fz.pid;
	for (int i = 0; i < 16; i++)
		fz.lrpc_entries[i] = (uint64_t)fz_lrpc_stub;
	for (int sig = 1; sig <= SIG_MAX; sig++)
		if (SELF_SIGS & (1ull << sig))
			sig_action(sig, fz_on_signal);
	return 1;
}

static int
fuzz_main(long seed, long index, long calls, long handle)
{
	uint64_t nr, rdx, a[6];

	if (!setup(seed, index, handle))
		return 3;
	make_objects();
	if (watchdog_start() < 0)
		return 4;
	while (fz.me->calls < (uint64_t)calls) {
		keep_pools_bounded();
		gen_call(&nr, a);
		fuzz_syscall(nr, a, &rdx);
		if (syscall0(SYS_GETUID) != fz.uid || usys_getpid() != fz.pid)
			return 5;               /* the kernel changed who we are */
	}
	fz.finished = 1;
	give_back_all();
	fz.me->done = 1;
	return 0;
}

int
main(const char *arg, unsigned long arglen)
{
	long v[4];
	const char *s = arg;

	if (arg[0] == 'k')
		return kamikaze_main(arg + 1);
	for (int i = 0; i < 4; i++)
		if (!(s = arg_next_long(s, &v[i])))
			return 2;
	return fuzz_main(v[0], v[1], v[2], v[3]);
}
