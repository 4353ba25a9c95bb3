/* t_lrpc_thread.c - does a binding made with LRPC_BIND_THREAD keep
 * LRPC's binding, A-stacks and procedures while a thread of the server,
 * not the caller's, runs each call -- with the same checks, real thread
 * switches, and nothing left behind when either side dies mid-call?
 *   basic        bad flags; a call runs in the server's space on the
 *                server's own thread; eight register arguments; bad
 *                bindings and indexes; a busy server thread queues the
 *                next call; a process that is not the service's server
 *                cannot serve it
 *   many N CPU   N calls from CPU 0, the server pinned to CPU CPU:
 *                results, two thread switches and two wakeups per call,
 *                two address-space switches on one CPU (none on two), no
 *                kernel data copy
 *   fail         a procedure that faults (-EFAULT, server killed); a
 *                server killed with a call running and one queued
 *                (-ECONNRESET for both); the service unregistered with a
 *                call running (-ECONNRESET; its server thread unwound); a
 *                client killed with a call running and one queued (the
 *                server frees both and serves on)
 *   nested       a server thread's procedure calls on: into a third
 *                process through a migrating and through a thread-mode
 *                binding (results and who runs pass through); the depth
 *                limit counts from the server thread's own call; a
 *                procedure calling its own thread-mode binding is served
 *                by another server thread, and with none free waits until
 *                the server is killed (both calls -ECONNRESET, nothing left)
 *   server KEY THREADS CPU DOWN SELF   a server with THREADS threads in
 *                lrpc_serve, bound onwards to service DOWN (0: none) in
 *                both modes, and to itself in both modes when SELF is 1
 *   victim KEY SHM           the client fail kills mid-call */
#include "user/lib/ipcbench.h"
#include "ipc/user/lrpc.h"
#include "user/progs/t_lrpc_procs.h"     /* p_private, p_args, p_echo, p_wait, p_fault, p_spin */

enum { P_PRIVATE, P_ARGS, P_ECHO, P_WAIT, P_GATE, P_OPEN, P_BUMP, P_COUNT, P_FAULT, P_SPIN,
       P_DOWN, P_DEEP, P_TSELF, NPROCS };

#define ASTACK  4096
#define MS      1000000ull

/* ---- the server --------------------------------------------------------- */

static volatile long gate_open, bumps;

/* Holds its server thread until another call runs p_open. */
static __attribute__((used)) void
p_gate(void *astack, uint64_t arg)
{
	((volatile uint64_t *)astack)[0] = 1;          /* "I am running" */
	__atomic_add_fetch(&bumps, 1000, __ATOMIC_SEQ_CST);
	while (!gate_open)
		usys_yield();
	lrpc_proc_return((long)arg);
}

static __attribute__((used)) void
p_open(void *astack)
{
	(void)astack;
	gate_open = 1;
	lrpc_proc_return(0);
}

static __attribute__((used)) void
p_bump(void *astack)
{
	(void)astack;
	lrpc_proc_return(__atomic_add_fetch(&bumps, 1, __ATOMIC_SEQ_CST));
}

static __attribute__((used)) void
p_count(void *astack)
{
	(void)astack;
	lrpc_proc_return(bumps);
}

/* The bindings a nested call goes through: [0] migrating, [1] thread
 * mode, onwards (down) or to this server itself (self), with their
 * A-stacks in our space.  The server's main thread writes them before
 * `bound`; a procedure run earlier answers -EAGAIN (the client retries). */
static long down_b[2], self_b[2];
static uint64_t *down_as[2], *self_as[2];
static volatile long bound;

/* Copies what p_private wrote on the A-stack `from` (the secret of the
 * space it ran in, the index, the pid of the thread that ran it) up to
 * ours, for the client to check. */
static void
pass_up(uint64_t *astack, const volatile uint64_t *from)
{
	for (int i = 0; i < 3; i++)
		astack[i] = from[i];
}

/* Calls P_PRIVATE(arg) onwards through binding [mode] on our own A-stack
 * index: a call made by a procedure a server thread runs. */
static __attribute__((used)) void
p_down(void *astack, uint64_t mode, uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4,
       uint64_t a5, uint64_t a6, uint64_t a7, uint64_t index)
{
	(void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7;
	if (!bound)
		lrpc_proc_return(-EAGAIN);
	long r = usys_lrpc_call(down_b[mode & 1], P_PRIVATE, index, arg);
	pass_up(astack, down_as[mode & 1] + index * ASTACK / 8);
	lrpc_proc_return(r);
}

/* Depth k+1 of this server thread's linkage stack calls itself through
 * the migrating self-binding on A-stack k; the call one too deep gets
 * -ELOOP and that level reports its depth. */
static __attribute__((used)) void
p_deep(void *astack, uint64_t k)
{
	(void)astack;
	if (!bound)
		lrpc_proc_return(-EAGAIN);
	long r = usys_lrpc_call(self_b[0], P_DEEP, k, k + 1);
	lrpc_proc_return(r == -ELOOP ? (long)k + 1 : r);
}

/* Calls P_PRIVATE(arg) on this same service through the thread-mode
 * self-binding, A-stack `which`: another server thread must take it. */
static __attribute__((used)) void
p_tself(void *astack, uint64_t which, uint64_t arg)
{
	((volatile uint64_t *)astack)[3] = 1;          /* "I am running" */
	if (!bound)
		lrpc_proc_return(-EAGAIN);
	long r = usys_lrpc_call(self_b[1], P_PRIVATE, which, arg);
	pass_up(astack, self_as[1] + which * ASTACK / 8);
	lrpc_proc_return(r);
}

LRPC_ENTRY(p_gate);
LRPC_ENTRY(p_open);
LRPC_ENTRY(p_bump);
LRPC_ENTRY(p_count);
LRPC_ENTRY(p_down);
LRPC_ENTRY(p_deep);
LRPC_ENTRY(p_tself);

static long service;
static volatile long extra_status;

static void
extra_server(void *unused)
{
	(void)unused;
	extra_status = usys_lrpc_serve(service, IPC_TIMEOUT_FOREVER);
}

/* The unregistering thread of a server started with THREADS < 0: it
 * unregisters the service once a call has run p_open. */
static void
unregisterer(void *unused)
{
	(void)unused;
	while (!gate_open)
		usys_sleep_ns(MS);
	usys_lrpc_unregister(service);
}

/* Its two serving threads then end, one with -ECONNRESET (it was running
 * a procedure: unwound back to its lrpc_serve), one with -EINVAL (it was
 * waiting in lrpc_serve for a call). */
static int
unregistered_ok(long r, long r2)
{
	return (r == -ECONNRESET && r2 == -EINVAL) || (r == -EINVAL && r2 == -ECONNRESET);
}

/* A connect that waits (up to 10 s) for service key to be registered. */
static long
connect_until(uint64_t key, struct lrpc_bind_info *info, unsigned flags)
{
	uint64_t until = usys_clock_ns() + 10000 * MS;
	long b;

	while ((b = usys_lrpc_connect_mode(key, info, flags)) == -ECONNREFUSED && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	return b;
}

/* Binds to key in both modes: b[0] migrating, b[1] thread mode. */
static int
bind_both(uint64_t key, long b[2], uint64_t *as[2])
{
	struct lrpc_bind_info info;

	for (unsigned mode = 0; mode < 2; mode++) {
		b[mode] = connect_until(key, &info, mode ? LRPC_BIND_THREAD : 0);
		if (b[mode] < 0)
			return -1;
		as[mode] = (uint64_t *)info.astack_va;
	}
	return 0;
}

static int
server(const char *arg)
{
	long key, threads, cpu, down, self;
	const uint64_t entries[NPROCS] = {
		(uint64_t)p_private_lrpc, (uint64_t)p_args_lrpc, (uint64_t)p_echo_lrpc, (uint64_t)p_wait_lrpc,
		(uint64_t)p_gate_lrpc, (uint64_t)p_open_lrpc, (uint64_t)p_bump_lrpc, (uint64_t)p_count_lrpc,
		(uint64_t)p_fault_lrpc, (uint64_t)p_spin_lrpc, (uint64_t)p_down_lrpc, (uint64_t)p_deep_lrpc,
		(uint64_t)p_tself_lrpc,
	};

	arg = arg_next_long(arg_next_long(arg_next_long(arg, &key), &threads), &cpu);
	if (!arg || !arg_next_long(arg_next_long(arg, &down), &self))
		return 8;
	secret = secret_of(usys_getpid());
	if (cpu >= 0 && usys_set_affinity(0, (int)cpu))
		return 9;
	service = usys_lrpc_register((uint64_t)key, entries, NPROCS, ASTACK, LRPC_MAX_ASTACKS);
	if (service < 0)
		return 10;
	if ((down && bind_both((uint64_t)down, down_b, down_as)) || (self && bind_both((uint64_t)key, self_b, self_as)))
		return 11;
	bound = 1;
	long tid = -1, utid = -1;
	if (threads > 1 || threads < 0)
		tid = thread_start(extra_server, (void *)(usys_map_anon(16384, PROT_READ | PROT_WRITE) + 16384), 0);
	if (threads < 0)
		utid = thread_start(unregisterer, (void *)(usys_map_anon(16384, PROT_READ | PROT_WRITE) + 16384), 0);
	long r = usys_lrpc_serve(service, IPC_TIMEOUT_FOREVER);
	if (tid > 0)
		usys_thread_join(tid);
	if (utid > 0) {
		usys_thread_join(utid);
		return unregistered_ok(r, extra_status) ? 0 : 14;
	}
	return r == 0 && (tid < 0 || extra_status == 0) ? 0 : 13;
}

/* ---- client helpers ------------------------------------------------------ */

static long next_key_n;

/* A server of `threads` threads (pinned to cpu, -1: anywhere; threads < 0:
 * two, and one that unregisters after p_open) and a thread-mode binding
 * to it. */
static long
server_bind_to(long threads, long cpu, uint64_t down, int self, long *pid, struct lrpc_bind_info *info,
	       uint64_t *key)
{
	char a[96];

	*key = ((uint64_t)usys_getpid() << 16) | (uint64_t)++next_key_n;
	snformat(a, sizeof a, "server %lu %ld %ld %lu %d", (unsigned long)*key, threads, cpu, (unsigned long)down, self);
	*pid = usys_spawn("t_lrpc_thread", a);
	if (*pid < 0)
		return *pid;
	return connect_until(*key, info, LRPC_BIND_THREAD);
}

static long
server_bind(long threads, long cpu, long *pid, struct lrpc_bind_info *info, uint64_t *key)
{
	return server_bind_to(threads, cpu, 0, 0, pid, info, key);
}

/* Disconnects: the server's threads, with its only client gone, end their
 * lrpc_serve with 0 and it exits 0. */
static int
server_unbind(long b, long pid, const char *what)
{
	int ok = check(usys_lrpc_disconnect(b) == 0, "lrpc thread %s: disconnect", what);
	int st = wait_status(pid);
	return ok & check(st == 0, "lrpc thread %s: the server's serve ends with its client gone and it exits 0 (%x)",
			  what, st);
}

struct bg_call {
	long binding;
	uint64_t proc, astack, arg;
	volatile long result, done;
};

static void
bg_call_run(void *p)
{
	struct bg_call *c = p;

	c->result = usys_lrpc_call(c->binding, c->proc, c->astack, c->arg);
	c->done = 1;
}

/* Starts c on a new thread of ours. */
static void
bg_start(struct bg_call *c)
{
	c->done = 0;
	thread_start(bg_call_run, (void *)(usys_map_anon(16384, PROT_READ | PROT_WRITE) + 16384), c);
}

/* Waits up to 5 s for c. */
static int
bg_wait(struct bg_call *c)
{
	uint64_t until = usys_clock_ns() + 5000 * MS;

	while (!c->done && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	return c->done;
}

/* ---- basic ------------------------------------------------------------------ */

static int
bad_values(long b, uint64_t key)
{
	struct lrpc_bind_info info;
	int ok = check(usys_lrpc_connect_mode(key, &info, 2) == -EINVAL && usys_lrpc_connect_mode(key, &info, 3) == -EINVAL &&
		       syscall3(SYS_LRPC_CONNECT, (long)key, (long)&info, -1) == -EINVAL &&
		       syscall3(SYS_LRPC_CONNECT, (long)key, (long)&info, 1l << 32 | LRPC_BIND_THREAD) == -EINVAL,
		       "lrpc thread: connect flags other than 0 and LRPC_BIND_THREAD give -EINVAL");
	ok &= check(usys_lrpc_call(0, 0, 0, 0) == -EBADF && usys_lrpc_call(-1, 0, 0, 0) == -EBADF &&
		    usys_lrpc_call(b - LRPC_MAX_BINDINGS, P_ECHO, 0, 0) == -EBADF &&
		    usys_lrpc_call(b + LRPC_MAX_BINDINGS, P_ECHO, 0, 0) == -EBADF && usys_lrpc_call(b ^ 1, P_ECHO, 0, 0) == -EBADF,
		    "lrpc thread: calls through binding 0, -1, its slot's other generations and another slot give -EBADF");
	ok &= check(usys_lrpc_call(b, NPROCS, 0, 0) == -EINVAL && usys_lrpc_call(b, (uint64_t)-1, 0, 0) == -EINVAL,
		    "lrpc thread: a procedure index past the service's gives -EINVAL");
	ok &= check(usys_lrpc_call(b, P_ECHO, LRPC_MAX_ASTACKS, 0) == -EINVAL && usys_lrpc_call(b, P_ECHO, 1ull << 40, 0) == -EINVAL,
		    "lrpc thread: an A-stack index past the binding's gives -EINVAL");
	ok &= check(usys_lrpc_return(5) == -EINVAL, "lrpc thread: lrpc_return outside a call gives -EINVAL");
	return ok;
}

static int
who_runs(long b, long pid, const struct lrpc_bind_info *info)
{
	uint64_t *w3 = (uint64_t *)info->astack_va + 3 * ASTACK / 8, *w5 = (uint64_t *)info->astack_va + 5 * ASTACK / 8;
	long r = usys_lrpc_call(b, P_PRIVATE, 3, 41);
	int ok = check(r == 42 && w3[0] == secret_of(pid) && secret == 0 && w3[1] == 3,
		       "lrpc thread: a call runs the procedure in the server's space on the A-stack it named "
		       "(%ld, secret %lx, index %lu)", r, (unsigned long)w3[0], (unsigned long)w3[1]);
	ok &= check(w3[2] == (uint64_t)pid, "lrpc thread: on a thread of the server, not the caller's (getpid %lu, server %ld)",
		    (unsigned long)w3[2], pid);
	uint64_t a[LRPC_NARGS];
	for (unsigned i = 0; i < LRPC_NARGS; i++)
		a[i] = 0x1111111100000001ull * (i + 1) + ((uint64_t)i << 40);
	r = lrpc_call8(b, P_ARGS, 5, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
	unsigned right = 0;
	while (right < LRPC_NARGS && w5[right] == a[right])
		right++;
	uint64_t want = 0;
	for (unsigned i = 0; i < LRPC_NARGS; i++)
		want ^= a[i];
	ok &= check(r == (long)(want & 0x7fffffffffffffffull) && right == LRPC_NARGS && w5[8] == 5,
		    "lrpc thread: all eight register arguments and the A-stack index reach the server thread "
		    "(%u right, index %lu)", right, (unsigned long)w5[8]);
	return ok;
}

/* One server thread, busy with a call: the next one waits in the queue;
 * a process that does not own the service cannot serve it. */
static int
queued(long b, const struct lrpc_bind_info *info, uint64_t key)
{
	volatile uint64_t *w0 = (uint64_t *)info->astack_va;
	struct bg_call hold = { b, P_WAIT, 0, 7, 0, 0 }, next = { b, P_ECHO, 1, 8, 0, 0 };
	uint64_t e[1] = { (uint64_t)p_echo_lrpc };

	w0[0] = w0[1] = 0;
	bg_start(&hold);
	while (!w0[0])
		usys_yield();
	bg_start(&next);
	usys_sleep_ns(20 * MS);
	int ok = check(!hold.done && !next.done, "lrpc thread: while the server thread runs one call, another waits for it");
	long mine = usys_lrpc_register(key + 1000, e, 1, 64, 1);
	ok &= check(mine > 0 && usys_lrpc_serve(mine, 0) == -EAGAIN && !next.done,
		    "lrpc thread: a thread of another process serving its own service does not take the waiting call");
	ok &= check(usys_lrpc_serve(mine + 1, 0) == -EINVAL && usys_lrpc_serve(-3, 0) == -EINVAL && usys_lrpc_serve(0, 0) == -EINVAL,
		    "lrpc thread: lrpc_serve of a service that is not the caller's gives -EINVAL");
	usys_lrpc_unregister(mine);
	w0[1] = 1;
	int both = bg_wait(&hold) & bg_wait(&next);
	ok &= check(both && hold.result == 7 && next.result == 8,
		    "lrpc thread: then both calls return (%ld, %ld)", (long)hold.result, (long)next.result);
	return ok;
}

static int
basic(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid, b = server_bind(1, -1, &pid, &info, &key);

	if (!check(b > 0, "lrpc thread: a thread-mode binding to a fresh service (%ld)", b))
		return 1;
	int ok = who_runs(b, pid, &info);
	ok &= bad_values(b, key);
	ok &= queued(b, &info, key);
	ok &= server_unbind(b, pid, "basic");
	return ok ? 0 : 1;
}

/* ---- many -------------------------------------------------------------------- */

static int
many(const char *arg)
{
	struct lrpc_bind_info info;
	struct kcounters before, after;
	struct sysinfo si;
	uint64_t key;
	long n, cpu, pid, bad = 0;

	arg_next_long(arg_next_long(arg, &n), &cpu);
	if (usys_sysinfo(&si) == 0 && cpu >= (long)si.cpu_count)
		return check(1, "lrpc thread many: no CPU %ld here (%u CPUs): nothing to do", cpu, si.cpu_count) ? 0 : 1;
	usys_set_affinity(0, 0);                 /* the client on CPU 0, the server on cpu */
	long b = server_bind(1, cpu, &pid, &info, &key);
	if (!check(b > 0, "lrpc thread many: connect (%ld)", b))
		return 1;
	usys_counters(&before);
	for (long i = 0; i < n; i++)
		bad += usys_lrpc_call(b, P_ECHO, (uint64_t)i % LRPC_MAX_ASTACKS, (uint64_t)i) != i;
	usys_counters(&after);
	int ok = check(bad == 0, "lrpc thread many: %ld calls, server on CPU %ld, each returns its argument (%ld wrong)",
		       n, cpu, bad);
	uint64_t as = after.as_switches - before.as_switches, cs = after.context_switches - before.context_switches;
	uint64_t wk = after.wakeups - before.wakeups, kc = after.kcopy_bytes - before.kcopy_bytes;
	ok &= check(cs >= 2 * (uint64_t)n && wk >= 2 * (uint64_t)n,
		    "lrpc thread many: at least two thread switches and two wakeups per call (%lu, %lu for %ld calls)",
		    (unsigned long)cs, (unsigned long)wk, n);
	/* On one CPU the two threads take turns, each with its own space; on
	 * two each CPU keeps its space (it idles in between). */
	if (cpu == 0)
		ok &= check(as >= 2 * (uint64_t)n, "lrpc thread many: two address-space switches per call on one CPU (%lu)",
			    (unsigned long)as);
	else
		ok &= check(as <= (uint64_t)n / 10, "lrpc thread many: none on two, each CPU keeps its space (%lu)",
			    (unsigned long)as);
	ok &= check(kc <= 256, "lrpc thread many: the kernel copies no argument data (%lu bytes: the counter reads)",
		    (unsigned long)kc);
	ok &= server_unbind(b, pid, "many");
	return ok ? 0 : 1;
}

/* ---- nested --------------------------------------------------------------- */

/* A call through b, retried while the server has not bound onwards yet. */
static long
call_bound(long b, uint64_t proc, uint64_t astack, uint64_t a0, uint64_t a1)
{
	long r;

	for (int tries = 0; (r = lrpc_call8(b, proc, astack, a0, a1, 0, 0, 0, 0, 0, 0)) == -EAGAIN && tries < 5000; tries++)
		usys_sleep_ns(MS);
	return r;
}

/* A -> B (thread mode) -> C, through B's migrating and its thread-mode
 * binding to C: C's result and words come back through B; the first runs
 * in C's space on B's server thread, the second on C's own thread. */
static int
nested_down(void)
{
	struct lrpc_bind_info info;
	uint64_t kc, kb;
	long pc, pb, bc = server_bind(1, -1, &pc, &info, &kc);
	long b = bc > 0 ? server_bind_to(1, -1, kc, 0, &pb, &info, &kb) : -1;
	const volatile uint64_t *w = (uint64_t *)info.astack_va + 2 * ASTACK / 8;

	if (!check(bc > 0 && b > 0, "lrpc thread nested: servers B -> C and a thread-mode binding to B (%ld)", b))
		return 0;
	long r = call_bound(b, P_DOWN, 2, 0, 40);
	usys_lrpc_disconnect(bc);                 /* B is bound: C's clients are B's two bindings */
	int ok = check(r == 41 && w[0] == secret_of(pc) && w[1] == 2 && w[2] == (uint64_t)pb,
		       "lrpc thread nested: B's server thread calls C through a migrating binding: C's result, "
		       "run in C's space by B's thread (%ld, %lx, pid %lu)", r, (unsigned long)w[0], (unsigned long)w[2]);
	r = call_bound(b, P_DOWN, 2, 1, 50);
	ok &= check(r == 51 && w[0] == secret_of(pc) && w[1] == 2 && w[2] == (uint64_t)pc,
		    "lrpc thread nested: and through a thread-mode binding: C's result, run by C's own thread "
		    "(%ld, %lx, pid %lu)", r, (unsigned long)w[0], (unsigned long)w[2]);
	r = usys_lrpc_call(b, P_PRIVATE, 2, 60);
	ok &= check(r == 61 && w[0] == secret_of(pb) && w[2] == (uint64_t)pb,
		    "lrpc thread nested: after them B's server thread runs in B's space again (%ld)", r);
	ok &= server_unbind(b, pb, "nested B");   /* B's exit drops its bindings to C */
	int st = wait_status(pc);
	return ok & check(st == 0, "lrpc thread nested: C, whose only client B exited, ends too (%x)", st);
}

/* D, of two server threads, bound to itself in both modes. */
static int
nested_self(void)
{
	struct lrpc_bind_info info;
	uint64_t kd;
	long pd, b = server_bind_to(2, -1, 0, 1, &pd, &info, &kd);
	volatile uint64_t *w0 = (uint64_t *)info.astack_va, *w1 = w0 + ASTACK / 8;

	if (!check(b > 0, "lrpc thread nested: a server bound to itself (%ld)", b))
		return 0;
	long r = call_bound(b, P_DEEP, 0, 0, 0);
	int ok = check(r == LRPC_MAX_DEPTH,
		       "lrpc thread nested: a server thread's procedure calling its own service through the migrating "
		       "binding gets -ELOOP at depth %d of that thread, the served call being depth 1 (deepest %ld)",
		       LRPC_MAX_DEPTH + 1, r);
	ok &= check(usys_lrpc_call(b, P_ECHO, 0, 9) == 9, "lrpc thread nested: and every A-stack was released on the way out");
	r = call_bound(b, P_TSELF, 0, 3, 70);
	ok &= check(r == 71 && w0[0] == secret_of(pd) && w0[1] == 3 && w0[2] == (uint64_t)pd,
		    "lrpc thread nested: through its own thread-mode binding, the other server thread serves it (%ld)", r);
	/* Now the other server thread is held: the self-call has no thread. */
	struct bg_call hold = { b, P_WAIT, 1, 5, 0, 0 }, self = { b, P_TSELF, 0, 3, 0, 0 };
	w1[0] = w1[1] = w0[3] = 0;
	bg_start(&hold);
	while (!w1[0])
		usys_yield();
	bg_start(&self);
	while (!w0[3])
		usys_yield();
	usys_sleep_ns(50 * MS);
	ok &= check(!hold.done && !self.done && usys_kill_proc(pd) == 0,
		    "lrpc thread nested: with no server thread free the self-call waits; the server is killed");
	ok &= check(wait_status(pd) == WAIT_KILLED, "lrpc thread nested: the self-calling server exits killed");
	int both = bg_wait(&hold) & bg_wait(&self);
	ok &= check(both && hold.result == -ECONNRESET && self.result == -ECONNRESET,
		    "lrpc thread nested: both calls come back with -ECONNRESET (%ld, %ld)", (long)hold.result,
		    (long)self.result);
	return ok & check(usys_lrpc_disconnect(b) == 0, "lrpc thread nested: and the binding is disconnected");
}

/* ---- fail --------------------------------------------------------------------- */

static int
fail_fault(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid, b = server_bind(1, -1, &pid, &info, &key);
	long r = usys_lrpc_call(b, P_FAULT, 0, 0);
	int ok = check(b > 0 && r == -EFAULT, "lrpc thread fail: a procedure that faults on the server thread: -EFAULT (%ld)", r);
	int st = wait_status(pid);
	ok &= check(st & WAIT_KILLED, "lrpc thread fail: and the server is killed (%x)", st);
	ok &= check(usys_lrpc_call(b, P_ECHO, 0, 1) == -ECONNRESET && usys_lrpc_disconnect(b) == 0,
		    "lrpc thread fail: later calls give -ECONNRESET; the binding can still be disconnected");
	return ok;
}

/* The server dies with one call running in its only thread and one
 * queued behind it. */
static int
fail_server_killed(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid, b = server_bind(1, -1, &pid, &info, &key);
	volatile uint64_t *w0 = (uint64_t *)info.astack_va;
	struct bg_call run = { b, P_SPIN, 0, 0, 0, 0 }, wait = { b, P_ECHO, 1, 5, 0, 0 };

	bg_start(&run);
	while (!w0[0])
		usys_yield();
	bg_start(&wait);
	usys_sleep_ns(20 * MS);
	int ok = check(b > 0 && !run.done && !wait.done && usys_kill_proc(pid) == 0,
		       "lrpc thread fail: the server is killed with a call spinning in it and one queued");
	ok &= check(wait_status(pid) == WAIT_KILLED, "lrpc thread fail: the server exits killed");
	int both = bg_wait(&run) & bg_wait(&wait);
	ok &= check(both && run.result == -ECONNRESET && wait.result == -ECONNRESET,
		    "lrpc thread fail: both calls come back with -ECONNRESET (%ld, %ld)", (long)run.result,
		    (long)wait.result);
	ok &= check(usys_lrpc_disconnect(b) == 0, "lrpc thread fail: and the binding is disconnected");
	return ok;
}

/* The service is unregistered (by another thread of the server) while
 * one server thread runs a call and the other waits for one: the call
 * comes back -ECONNRESET at once, the running procedure is unwound back to
 * its lrpc_serve (-ECONNRESET there), the waiting thread's lrpc_serve ends
 * with -EINVAL. */
static int
fail_unregistered(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid, b = server_bind(-2, -1, &pid, &info, &key);
	volatile uint64_t *w0 = (uint64_t *)info.astack_va;
	struct bg_call hold = { b, P_WAIT, 0, 4, 0, 0 };

	bg_start(&hold);
	while (!w0[0])
		usys_yield();
	int ok = check(b > 0 && usys_lrpc_call(b, P_OPEN, 1, 0) == 0,
		       "lrpc thread fail: one server thread runs a call, the other lets the server unregister");
	int back = bg_wait(&hold);
	ok &= check(back && hold.result == -ECONNRESET,
		    "lrpc thread fail: unregistered, the running call comes back with -ECONNRESET (%ld)", (long)hold.result);
	ok &= check(usys_lrpc_call(b, P_ECHO, 1, 1) == -ECONNRESET, "lrpc thread fail: later calls give -ECONNRESET");
	ok &= check(usys_lrpc_disconnect(b) == 0, "lrpc thread fail: and the binding is disconnected");
	int st = wait_status(pid);
	ok &= check(st == 0, "lrpc thread fail: the server's threads left lrpc_serve, the running one unwound "
		    "(-ECONNRESET), the waiting one -EINVAL (exit %x)", st);
	return ok;
}

/* A client that dies mid-call: one call running (held at the gate by one
 * server thread) and one queued (the other server thread is held by our
 * own call); the queued one never runs, the running one is freed when its
 * procedure returns, and the server serves on. */
static int
fail_client_killed(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	char a[64];
	long pid, b = server_bind(2, -1, &pid, &info, &key), h = usys_shm_create(4096);
	volatile uint64_t *w0 = (uint64_t *)info.astack_va;
	struct bg_call hold = { b, P_WAIT, 0, 4, 0, 0 };

	bg_start(&hold);                          /* one server thread */
	while (!w0[0])
		usys_yield();
	long wva = h > 0 ? usys_shm_map(h, PROT_READ | PROT_WRITE) : -1;
	volatile int64_t *word = wva > 0 ? (volatile int64_t *)wva : 0;
	snformat(a, sizeof a, "victim %lu %ld", (unsigned long)key, h);
	long child = usys_spawn("t_lrpc_thread", a);
	uint64_t until = usys_clock_ns() + 5000 * MS;
	while (word && !word[0] && usys_clock_ns() < until)
		usys_sleep_ns(MS);                /* its gate call runs on the other one */
	usys_sleep_ns(20 * MS);                   /* and its second call is queued */
	int ok = check(b > 0 && child > 0 && word && word[0] == 1 && usys_kill_proc(child) == 0,
		       "lrpc thread fail: a client is killed with a call running in the server and one queued");
	ok &= check(wait_status(child) == WAIT_KILLED, "lrpc thread fail: the client exits killed");
	w0[1] = 1;
	int back = bg_wait(&hold);
	ok &= check(back && hold.result == 4, "lrpc thread fail: the server serves its other client (%ld)",
		    (long)hold.result);
	ok &= check(usys_lrpc_call(b, P_OPEN, 1, 0) == 0, "lrpc thread fail: the dead client's running call is let go");
	long count = usys_lrpc_call(b, P_COUNT, 1, 0);
	ok &= check(count == 1000, "lrpc thread fail: its queued call never ran (%ld)", count);
	usys_shm_destroy(h);
	ok &= server_unbind(b, pid, "fail");             /* both server threads end */
	return ok;
}

/* The client of fail_client_killed: a call held at the gate; once it
 * runs, word 0 of shm H = 1 and another call, which waits in the queue. */
static int
victim(const char *arg)
{
	struct lrpc_bind_info info;
	long key, h;

	arg_next_long(arg_next_long(arg, &key), &h);
	long b = usys_lrpc_connect_mode((uint64_t)key, &info, LRPC_BIND_THREAD);
	long va = usys_shm_map(h, PROT_READ | PROT_WRITE);
	if (b < 0 || va < 0)
		return 3;
	static struct bg_call gate;
	gate = (struct bg_call){ b, P_GATE, 0, 0, 0, 0 };
	bg_start(&gate);
	while (!((volatile uint64_t *)info.astack_va)[0])
		usys_yield();
	*(volatile int64_t *)va = 1;
	usys_lrpc_call(b, P_BUMP, 1, 0);
	return 4;                                 /* never: killed before */
}

int
main(const char *arg, unsigned long arglen)
{
	(void)arglen;
	if (!strncmp(arg, "server ", 7))
		return server(arg + 7);
	if (!strncmp(arg, "victim ", 7))
		return victim(arg + 7);
	if (!strcmp(arg, "basic"))
		return basic();
	if (!strncmp(arg, "many ", 5))
		return many(arg + 5);
	if (!strcmp(arg, "nested"))
		return nested_down() & nested_self() ? 0 : 1;
	if (!strcmp(arg, "fail"))
		return fail_fault() & fail_server_killed() & fail_unregistered() & fail_client_killed() ? 0 : 1;
	uprintf("t_lrpc_thread: unknown mode '%s'\n", arg);
	return 2;
}
