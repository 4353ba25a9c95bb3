/* learn.c - what a call's result teaches the pools: a create that worked
 * gives a live id, a destroy that worked makes one stale.  And the
 * housekeeping that keeps every pool (and so the kernel objects we hold)
 * bounded: when a pool is full, its oldest entry is destroyed by a call of
 * its own, which counts as a fuzzed call like any other. */
#include "user/progs/t_fuzz/fuzz.h"
#include "common/sysv_abi.h"

static void
add_mapping(long va, uint64_t len)
{
	struct id_pool *m = &fz.pool[POOL_MAPPING];

	if (m->nlive < POOL_LIVE)
		fz.scratch_len[m->nlive] = len ? len : 1;
	pool_add(POOL_MAPPING, va);
}

/* Calls that make an object: the kind of pool their result goes to. */
static int
created_kind(uint64_t nr)
{
	switch (nr) {
	case SYS_SHM_CREATE:      return FUZZ_OBJ_SHM;
	case SYS_SPAWN:
	case SYS_SPAWN_FDS:       return POOL_CHILD;
	case SYS_THREAD_CREATE:   return POOL_THREAD;
	case SYS_PIPE_CREATE:     return FUZZ_OBJ_PIPE;
	case SYS_PIPE_OPEN:
	case SYS_SOCKET:
	case SYS_ACCEPT:          return FUZZ_OBJ_FD;
	case SYS_MSGGET:          return FUZZ_OBJ_MSQ;
	case SYS_SEM_CREATE:      return FUZZ_OBJ_SEM;
	case SYS_MBOX_CREATE:     return FUZZ_OBJ_MBOX;
	case SYS_LRPC_REGISTER:   return FUZZ_OBJ_LRPC_SVC;
	case SYS_LRPC_CONNECT:    return POOL_BINDING;
	case SYS_CHCORE_REGISTER:
	case SYS_CHCORE_CONNECT:
	case SYS_CHCORE_ACCEPT:   return FUZZ_OBJ_CAP;
	default:                  return -1;
	}
}

/* Calls that end an object named by their first argument. */
static int
destroyed_kind(uint64_t nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_SHM_DESTROY:     return FUZZ_OBJ_SHM;
	case SYS_PIPE_RELEASE:    return FUZZ_OBJ_PIPE;
	case SYS_FD_CLOSE:        return FUZZ_OBJ_FD;
	case SYS_MSGCTL:          return a[1] == IPC_RMID ? FUZZ_OBJ_MSQ : -1;
	case SYS_SEM_DESTROY:     return FUZZ_OBJ_SEM;
	case SYS_MBOX_DESTROY:    return FUZZ_OBJ_MBOX;
	case SYS_LRPC_UNREGISTER: return FUZZ_OBJ_LRPC_SVC;
	case SYS_LRPC_DISCONNECT: return POOL_BINDING;
	case SYS_CHCORE_CLOSE:    return FUZZ_OBJ_CAP;
	case SYS_UNMAP:           return POOL_MAPPING;
	case SYS_THREAD_JOIN:     return POOL_THREAD;
	default:                  return -1;   /* a killed child is reaped by wait */
	}
}

void
learn(uint64_t nr, const uint64_t a[6], long r, uint64_t rdx)
{
	int kind;

	if (r < 0)
		return;
	if (nr == SYS_MAP_ANON && r > 0)
		add_mapping(r, (a[0] + 4095) & ~4095ull);
	if (nr == SYS_SHM_MAP && r > 0)
		add_mapping(r, 4096);          /* at least one page, whose ever it is */
	if ((nr == SYS_CHCORE_CONNECT || (nr == SYS_CHCORE_ACCEPT && r > 0)) && rdx)
		add_mapping((long)rdx, 4096);  /* the connection's message buffer */
	if (nr == SYS_WAIT && r > 0)
		pool_kill(POOL_CHILD, r);
	if (nr == SYS_PIPE && r == 0 && a[0] >= fz.arena && a[0] + 8 <= fz.arena + ARENA_BYTES) {
		const int *fd = (const int *)a[0];
		pool_add(FUZZ_OBJ_FD, fd[0]);
		pool_add(FUZZ_OBJ_FD, fd[1]);
	}
	if (nr == SYS_LRPC_REGISTER)
		pool_add(FUZZ_OBJ_LRPC_KEY, (int64_t)a[0]);
	if (nr == SYS_CHCORE_REGISTER)
		pool_add(FUZZ_OBJ_CHCORE_ID, (int64_t)a[0]);
	if ((kind = created_kind(nr)) >= 0 && !(nr == SYS_CHCORE_ACCEPT && r == 0))
		pool_add(kind, r);
	if (r == 0 && (kind = destroyed_kind(nr, a)) >= 0)
		pool_kill(kind, (int64_t)a[0]);
}

/* The call that gives back an id of this kind (0: none, just forget it). */
static uint64_t
destroyer(int kind)
{
	switch (kind) {
	case FUZZ_OBJ_SHM:       return SYS_SHM_DESTROY;
	case FUZZ_OBJ_PIPE:      return SYS_PIPE_RELEASE;
	case FUZZ_OBJ_FD:        return SYS_FD_CLOSE;
	case FUZZ_OBJ_MSQ:       return SYS_MSGCTL;
	case FUZZ_OBJ_SEM:       return SYS_SEM_DESTROY;
	case FUZZ_OBJ_MBOX:      return SYS_MBOX_DESTROY;
	case FUZZ_OBJ_LRPC_SVC:  return SYS_LRPC_UNREGISTER;
	case POOL_BINDING:       return SYS_LRPC_DISCONNECT;
	case FUZZ_OBJ_CAP:       return SYS_CHCORE_CLOSE;
	case POOL_MAPPING:       return SYS_UNMAP;
	case POOL_CHILD:         return SYS_WAIT;
	case POOL_THREAD:        return SYS_THREAD_JOIN;
	default:                 return 0;
	}
}

/* Gives back one id of the kind; it leaves the pool whatever the result
 * (someone else may have destroyed it already). */
static void
give_back(int kind, int64_t id)
{
	uint64_t nr = destroyer(kind), rdx, a[6] = { (uint64_t)id, 0, 0, 0, 0, 0 };

	if (kind == POOL_MAPPING)
		a[1] = fz.scratch_len[0];
	if (kind == FUZZ_OBJ_MSQ)
		a[1] = IPC_RMID;
	if (nr)
		fuzz_syscall(nr, a, &rdx);
	pool_kill(kind, id);
}

void
keep_pools_bounded(void)
{
	for (int kind = 0; kind < POOL_KINDS; kind++) {
		int64_t id = pool_oldest(kind);
		if (id || fz.pool[kind].nlive == POOL_LIVE)
			give_back(kind, id);
	}
}

/* At the end: everything we still hold goes back, children are reaped. */
void
give_back_all(void)
{
	for (int kind = 0; kind < POOL_KINDS; kind++)
		while (fz.pool[kind].nlive)
			give_back(kind, fz.pool[kind].live[0]);
	while (usys_wait(-1, 0) > 0)
		;
}
