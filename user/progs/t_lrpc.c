/* t_lrpc.c - does an LRPC call run the server's procedure on the caller's
 * thread, in the server's address space, and come back exactly where it
 * left — with every check and failure the kernel promises?
 *   basic        one server: a procedure reads server-private memory and
 *                writes it into the A-stack; all eight register arguments
 *                arrive and the result comes back; bad bindings, indexes,
 *                pointers, registrations; register/unregister rules; a
 *                signal sent to the client inside a call waits for its
 *                return home
 *   many N       N calls: results, and the counters per call
 *   busy         two threads of the client on one A-stack: -EBUSY
 *   nested       A -> B -> C, and the depth limit through a server that
 *                calls itself
 *   fail         a procedure that faults (-EFAULT, server killed), a
 *                server killed while a call runs in it (-ECONNRESET), a
 *                client killed while its call runs in the server
 *   blocked SHM  a server killed while a call is blocked in a system call
 *                inside it (-ECONNRESET); then writes 1 (all passed) or 2 to
 *                word 0 of shm SHM and waits for word 1, so the kernel can
 *                look for the server's remains while we are alive
 *   server KEY DOWN SELF   a server (spawned by the modes above) */
#include "user/lib/ipcbench.h"
#include "ipc/user/lrpc.h"
#include "ipc/user/pipe.h"
#include "ipc/user/fd.h"
#include "ipc/user/signal.h"
#include "user/progs/t_lrpc_procs.h"

enum { P_PRIVATE, P_ECHO, P_FAULT, P_NESTED, P_DEEP, P_SPIN, P_WAIT, P_SPINNERS, P_ARGS, P_BLOCK,
       P_SIGNAL, P_DIRTY, NPROCS };

#define ASTACK  4096
#define MS      1000000ull

/* ---- the server --------------------------------------------------------- */

/* Written by the server's own thread while client threads run its
 * procedures: the A-stack first, the binding last (volatile, in order). */
static long down_wanted;
static volatile long down_binding, self_binding;
static uint64_t *volatile down_astack;

/* With a downstream server: call its P_NESTED and add 1; else the secret. */
static __attribute__((used)) void
p_nested(void *astack, uint64_t arg)
{
	uint64_t *w = astack;

	if (down_wanted && !down_binding)
		lrpc_proc_return(-EAGAIN);            /* not bound onwards yet: retry */
	if (!down_binding) {
		w[0] = secret;
		lrpc_proc_return((long)(secret & 0xffffffff));
	}
	down_astack[0] = 0;
	long r = usys_lrpc_call(down_binding, P_NESTED, 0, arg);
	w[0] = down_astack[0];               /* pass the leaf's word up */
	lrpc_proc_return(r < 0 ? r : r + 1);
}

/* Depth k+1 calls itself on A-stack k; the call that is one too deep
 * gets -ELOOP and that level reports its depth. */
static __attribute__((used)) void
p_deep(void *astack, uint64_t k)
{
	(void)astack;
	long r = usys_lrpc_call(self_binding, P_DEEP, k, k + 1);
	lrpc_proc_return(r == -ELOOP ? (long)k + 1 : r);
}

/* Blocks in a system call: a read of descriptor arg (the calling thread's
 * process's table: the client's) that no one writes. */
static __attribute__((used)) void
p_block(void *astack, uint64_t arg)
{
	volatile uint64_t *w = astack;
	char c;

	w[0] = 1;
	lrpc_proc_return(usys_fd_read((long)arg, &c, 1, IPC_TIMEOUT_FOREVER));
}

static __attribute__((used)) void
p_spinners(void *astack)
{
	(void)astack;
	lrpc_proc_return(spinners);
}

/* SIGUSR1 runs in whichever process's copy of this program the thread is
 * in when it is delivered: the client's count, or the server's. */
static volatile long usr1_runs;

static void
on_usr1(int sig, struct sig_frame *f)
{
	(void)sig, (void)f;
	usr1_runs++;
}

/* Sends SIGUSR1 to the calling thread's process (the client) and makes
 * more system calls, each a return to user mode here in the server: the
 * client's handler must wait for the thread's return home. */
static __attribute__((used)) void
p_signal(void *astack, uint64_t arg)
{
	uint64_t *w = astack;

	w[1] = (uint64_t)usys_kill(usys_getpid(), SIGUSR1);
	usys_yield();
	usys_yield();
	w[0] = (uint64_t)usr1_runs;          /* the server's copy: 0 unless delivered here */
	lrpc_proc_return((long)arg);
}

/* Returns 77 with every general register it may set holding a marker
 * (rcx and r11 are SYSCALL's own), rbp and rsp included: none of it may
 * reach the caller (regs_probe). */
static __attribute__((used)) const uint64_t return_nr = SYS_LRPC_RETURN;
__asm__(".pushsection .text\n"
	"p_dirty_lrpc:\n"
	"	movabs $0x5151515151515151, %rbx\n"
	"	mov %rbx, %rdx\n	mov %rbx, %rsi\n	mov %rbx, %rbp\n	mov %rbx, %r8\n"
	"	mov %rbx, %r9\n	mov %rbx, %r10\n	mov %rbx, %r12\n	mov %rbx, %r13\n"
	"	mov %rbx, %r14\n	mov %rbx, %r15\n	mov %rbx, %rsp\n"
	"	mov $77, %edi\n"
	"	mov return_nr(%rip), %rax\n"
	"	syscall\n"
	"	ud2\n"
	".popsection\n");
extern const char p_dirty_lrpc[];

LRPC_ENTRY(p_nested);
LRPC_ENTRY(p_deep);
LRPC_ENTRY(p_block);
LRPC_ENTRY(p_spinners);
LRPC_ENTRY(p_signal);

static long
server_connect_wait(uint64_t key, struct lrpc_bind_info *info)
{
	uint64_t until = usys_clock_ns() + 10000 * MS;
	long b;

	while ((b = usys_lrpc_connect(key, info)) == -ECONNREFUSED && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	return b;
}

static int
server(const char *arg)
{
	long key, down, self;
	uint64_t entries[NPROCS] = {
		(uint64_t)p_private_lrpc, (uint64_t)p_echo_lrpc, (uint64_t)p_fault_lrpc,
		(uint64_t)p_nested_lrpc, (uint64_t)p_deep_lrpc, (uint64_t)p_spin_lrpc,
		(uint64_t)p_wait_lrpc, (uint64_t)p_spinners_lrpc, (uint64_t)p_args_lrpc, (uint64_t)p_block_lrpc,
		(uint64_t)p_signal_lrpc, (uint64_t)p_dirty_lrpc,
	};
	struct lrpc_bind_info info = { 0 };

	arg = arg_next_long(arg_next_long(arg_next_long(arg, &key), &down), &self);
	secret = secret_of(usys_getpid());
	down_wanted = down;
	long s = usys_lrpc_register((uint64_t)key, entries, NPROCS, ASTACK, LRPC_MAX_ASTACKS);
	if (s < 0)
		return 10;
	if (down) {
		long b = server_connect_wait((uint64_t)down, &info);
		if (b < 0)
			return 11;
		down_astack = (uint64_t *)info.astack_va;
		down_binding = b;
	}
	if (self && (self_binding = server_connect_wait((uint64_t)key, &info)) < 0)
		return 12;
	long r = usys_lrpc_serve(s, IPC_TIMEOUT_FOREVER);
	return r == 0 ? 0 : 13;
}

/* ---- client helpers ----------------------------------------------------- */

static long next_key_n;

static uint64_t
new_key(void)
{
	return ((uint64_t)usys_getpid() << 16) | (uint64_t)++next_key_n;
}

static long
spawn_server(uint64_t key, uint64_t down, int self)
{
	char a[80];

	snformat(a, sizeof a, "server %lu %lu %d", (unsigned long)key, (unsigned long)down, self);
	return usys_spawn("t_lrpc", a);
}

/* A server and a binding to it. */
static long
server_start(uint64_t *key, long *pid, struct lrpc_bind_info *info)
{
	*key = new_key();
	*pid = spawn_server(*key, 0, 0);
	return *pid < 0 ? *pid : server_connect_wait(*key, info);
}

/* Disconnects and checks that the server, with no client left, ends by itself. */
static int
server_finish(long b, long pid, const char *what)
{
	int ok = check(usys_lrpc_disconnect(b) == 0, "lrpc %s: disconnect", what);
	int st = wait_status(pid);
	return ok & check(st == 0, "lrpc %s: with its only client gone the server's serve returns and it exits 0 (%d)",
			  what, st);
}

/* ---- basic --------------------------------------------------------------- */

/* Eight distinct words, each with bits in both halves, through A-stack 5. */
static int
register_args(long b, const struct lrpc_bind_info *info)
{
	uint64_t a[LRPC_NARGS], want = 0, *w = (uint64_t *)info->astack_va + 5 * ASTACK / 8;
	int ok = 1;

	for (unsigned i = 0; i < LRPC_NARGS; i++)
		want ^= a[i] = 0x1111111100000001ull * (i + 1) + ((uint64_t)i << 40);
	want &= 0x7fffffffffffffffull;
	long r = lrpc_call8(b, P_ARGS, 5, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
	ok &= check(r == (long)want, "lrpc: the result of an 8-argument call comes back (%lx, want %lx)",
		    (unsigned long)r, (unsigned long)want);
	for (unsigned i = 0; i < LRPC_NARGS; i++)
		ok &= check(w[i] == a[i], "lrpc: register argument a%u arrives in the procedure (%lx, sent %lx)",
			    i, (unsigned long)w[i], (unsigned long)a[i]);
	ok &= check(w[8] == 5, "lrpc: the procedure is told its A-stack index (%lu)", (unsigned long)w[8]);
	r = usys_lrpc_call(b, P_ARGS, 5, 7);
	ok &= check(r == 7 && w[0] == 7 && w[1] == 0 && w[7] == 0,
		    "lrpc: the one-word call passes a0 and zeroes a1..a7 (%ld; %lu %lu %lu)", r,
		    (unsigned long)w[0], (unsigned long)w[1], (unsigned long)w[7]);
	return ok;
}

/* regs_probe(nr, binding, proc, out): the call of procedure proc on
 * A-stack 0 with rbp and the eight argument registers set to a marker
 * (0x27..); after it out[] holds rbx, rcx, rdx, rsi, rdi, rbp, r8..r15,
 * then rsp before and after the call.  Returns rax. */
long regs_probe(uint64_t nr, long binding, uint64_t proc, uint64_t *out);
__asm__(".pushsection .text\n"
	"regs_probe:\n"
	"	push %rbp\n	push %rbx\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	push %rcx\n"                   /* out, at 0(%rsp) through the call */
	"	mov %rsp, 112(%rcx)\n"
	"	mov %rdi, %rax\n	mov %rsi, %rdi\n	mov %rdx, %rsi\n	xor %edx, %edx\n"
	"	movabs $0x2727272727272727, %rbp\n"
	"	mov %rbp, %rbx\n	mov %rbp, %r8\n	mov %rbp, %r9\n	mov %rbp, %r10\n"
	"	mov %rbp, %r12\n	mov %rbp, %r13\n	mov %rbp, %r14\n	mov %rbp, %r15\n"
	"	syscall\n"
	"	push %rax\n	mov 8(%rsp), %rax\n"
	"	mov %rbx, 0(%rax)\n	mov %rcx, 8(%rax)\n	mov %rdx, 16(%rax)\n	mov %rsi, 24(%rax)\n"
	"	mov %rdi, 32(%rax)\n	mov %rbp, 40(%rax)\n	mov %r8, 48(%rax)\n	mov %r9, 56(%rax)\n"
	"	mov %r10, 64(%rax)\n	mov %r11, 72(%rax)\n	mov %r12, 80(%rax)\n	mov %r13, 88(%rax)\n"
	"	mov %r14, 96(%rax)\n	mov %r15, 104(%rax)\n"
	"	lea 8(%rsp), %rcx\n	mov %rcx, 120(%rax)\n"
	"	pop %rax\n	add $8, %rsp\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbx\n	pop %rbp\n"
	"	ret\n"
	".popsection\n");

/* The return gives the caller its rbp and rsp back and nothing of the
 * server's registers: every other general register but rax (and rcx, r11,
 * which SYSRET sets) is 0 (the linkage record keeps only what the return
 * needs: docs/mech/lrpc.md). */
static int
return_registers(long b)
{
	static const char *const name[14] = { "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9",
					      "r10", "r11", "r12", "r13", "r14", "r15" };
	uint64_t out[16] = { 0 };
	long r = regs_probe(SYS_LRPC_CALL, b, P_DIRTY, out);
	int ok = check(r == 77, "lrpc: a procedure that dirties every register returns its result (%ld)", r);

	ok &= check(out[5] == 0x2727272727272727ull && out[15] == out[14],
		    "lrpc: the caller gets its own rbp and rsp back (rbp %lx, rsp %lx, was %lx)",
		    (unsigned long)out[5], (unsigned long)out[15], (unsigned long)out[14]);
	unsigned bad = 0;
	for (unsigned i = 0; i < 14; i++)
		if (i != 1 && i != 5 && i != 9 && out[i] && !out[bad])
			bad = i;
	return ok & check(!out[bad], "lrpc: every other register comes back 0, neither the caller's "
			  "nor the server's (%s = %lx)", name[bad], (unsigned long)out[bad]);
}

static int
basic_call(long b, long pid, const struct lrpc_bind_info *info)
{
	uint64_t *w = (uint64_t *)info->astack_va;
	int ok = check(info->nastacks == LRPC_MAX_ASTACKS && info->astack_size == ASTACK && info->nprocs == NPROCS,
		       "lrpc: connect reports %lu A-stacks of %lu bytes and %lu procedures",
		       (unsigned long)info->nastacks, (unsigned long)info->astack_size, (unsigned long)info->nprocs);
	long r = usys_lrpc_call(b, P_PRIVATE, 3, 41);
	ok &= check(r == 42, "lrpc: a call returns the procedure's result (%ld)", r);
	uint64_t *w3 = w + 3 * ASTACK / 8;
	ok &= check(w3[0] == secret_of(pid) && secret == 0,
		    "lrpc: the procedure read the server's private memory (%lx; the client's copy is %lx)",
		    (unsigned long)w3[0], (unsigned long)secret);
	ok &= check(w3[1] == 3, "lrpc: and wrote into the A-stack the call named (index %lu)", (unsigned long)w3[1]);
	ok &= check(w3[2] == (uint64_t)usys_getpid(), "lrpc: the migrated thread still belongs to the client (getpid %lu)",
		    (unsigned long)w3[2]);
	ok &= register_args(b, info);
	return ok & return_registers(b);
}

/* A signal sent to the client while its thread runs in the server. */
static int
signal_in_call(long b, const struct lrpc_bind_info *info)
{
	uint64_t *w = (uint64_t *)info->astack_va + 2 * ASTACK / 8;
	int ok = check(sig_action(SIGUSR1, on_usr1) == 0, "lrpc signal: the client handles SIGUSR1");
	long r = usys_lrpc_call(b, P_SIGNAL, 2, 9);
	long runs = usr1_runs;
	ok &= check(r == 9 && w[1] == 0,
		    "lrpc signal: a procedure sends the client SIGUSR1 (kill %ld) and the call returns (%ld)",
		    (long)w[1], r);
	ok &= check(w[0] == 0, "lrpc signal: the handler did not run in the server, over three returns to user mode there (%lu)",
		    (unsigned long)w[0]);
	ok &= check(runs == 1, "lrpc signal: it ran in the client on the thread's way home, before the call's caller went on (%ld)",
		    runs);
	sig_action(SIGUSR1, SIG_DFL);
	return ok;
}

static int
bad_calls(long b)
{
	int ok = check(usys_lrpc_call(0, 0, 0, 0) == -EBADF && usys_lrpc_call(-1, 0, 0, 0) == -EBADF &&
		       usys_lrpc_call(b - LRPC_MAX_BINDINGS, 0, 0, 0) == -EBADF &&
		       usys_lrpc_call(b + LRPC_MAX_BINDINGS, 0, 0, 0) == -EBADF && usys_lrpc_call(b ^ 1, 0, 0, 0) == -EBADF,
		       "lrpc: calls through binding 0, -1, its slot's earlier and later generation and another slot give -EBADF");
	ok &= check(usys_lrpc_call(b, NPROCS, 0, 0) == -EINVAL && usys_lrpc_call(b, (uint64_t)-1, 0, 0) == -EINVAL,
		    "lrpc: a procedure index past the service's gives -EINVAL");
	ok &= check(usys_lrpc_call(b, 0, LRPC_MAX_ASTACKS, 0) == -EINVAL && usys_lrpc_call(b, 0, 1ull << 40, 0) == -EINVAL,
		    "lrpc: an A-stack index past the binding's gives -EINVAL");
	ok &= check(usys_lrpc_return(5) == -EINVAL, "lrpc: lrpc_proc_return outside a call gives -EINVAL");
	return ok;
}

static int
bad_setup(uint64_t key, long server_pid)
{
	struct lrpc_bind_info info;
	uint64_t e[2] = { (uint64_t)p_echo_lrpc, (uint64_t)p_echo_lrpc };
	uint64_t kern[1] = { 0xffff800000000000ull };
	int ok = check(usys_lrpc_connect(key, 0) == -EFAULT && usys_lrpc_connect(key, (void *)0xffff800000001000ull) == -EFAULT,
		       "lrpc: connect with a NULL or kernel info pointer gives -EFAULT");
	ok &= check(usys_lrpc_connect(key + 1000, &info) == -ECONNREFUSED && usys_lrpc_connect(0, &info) == -EINVAL,
		    "lrpc: connect to an unregistered key gives -ECONNREFUSED, to key 0 -EINVAL");
	ok &= check(usys_lrpc_register(key + 1, 0, 1, 64, 1) == -EFAULT &&
		    usys_lrpc_register(key + 1, (uint64_t *)0xffff800000000000ull, 1, 64, 1) == -EFAULT,
		    "lrpc: register with a NULL or kernel entry table gives -EFAULT");
	ok &= check(usys_lrpc_register(key + 1, e, 0, 64, 1) == -EINVAL && usys_lrpc_register(key + 1, e, LRPC_MAX_PROCS + 1, 64, 1) == -EINVAL &&
		    usys_lrpc_register(key + 1, e, 1, 0, 1) == -EINVAL && usys_lrpc_register(key + 1, e, 1, LRPC_MAX_ASTACK + 1, 1) == -EINVAL &&
		    usys_lrpc_register(key + 1, e, 1, 64, 0) == -EINVAL && usys_lrpc_register(key + 1, e, 1, 64, LRPC_MAX_ASTACKS + 1) == -EINVAL &&
		    usys_lrpc_register(key + 1, kern, 1, 64, 1) == -EINVAL && usys_lrpc_register(0, e, 1, 64, 1) == -EINVAL,
		    "lrpc: register with 0 or too many procedures, A-stacks, bytes, a kernel entry or key 0 gives -EINVAL");
	ok &= check(usys_lrpc_register(key, e, 1, 64, 1) == -EEXIST, "lrpc: registering a key in use gives -EEXIST");
	long s = usys_lrpc_register(key + 1, e, 2, 64, 1);
	ok &= check(s > 0 && usys_lrpc_register(key + 2, e, 1, 64, 1) == -EEXIST,
		    "lrpc: one service per process (%ld, then -EEXIST)", s);
	ok &= check(usys_lrpc_serve(s, 0) == -EAGAIN, "lrpc: serve with timeout 0 and no client gone yet gives -EAGAIN");
	ok &= check(usys_lrpc_unregister(s) == 0 && usys_lrpc_unregister(s) == -EINVAL && usys_lrpc_serve(s, 0) == -EINVAL,
		    "lrpc: unregister once; again, or serve after it, gives -EINVAL");
	ok &= check(usys_lrpc_unregister(0) == -EINVAL && usys_lrpc_unregister(-5) == -EINVAL &&
		    usys_lrpc_disconnect(0) == -EINVAL && usys_lrpc_disconnect(12345) == -EINVAL,
		    "lrpc: unregister and disconnect of bad ids give -EINVAL");
	(void)server_pid;
	return ok;
}

static int
basic(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid, b = server_start(&key, &pid, &info);

	if (!check(b > 0, "lrpc: a client connects to a freshly registered service (%ld)", b))
		return 1;
	int ok = basic_call(b, pid, &info);
	ok &= signal_in_call(b, &info);
	ok &= bad_calls(b);
	ok &= bad_setup(key, pid);
	ok &= server_finish(b, pid, "basic");
	return ok ? 0 : 1;
}

/* ---- many ----------------------------------------------------------------- */

static int
many(long n)
{
	struct lrpc_bind_info info;
	struct kcounters before, after;
	uint64_t key;
	long pid, b = server_start(&key, &pid, &info), bad = 0;

	if (!check(b > 0, "lrpc many: connect (%ld)", b))
		return 1;
	usys_counters(&before);
	for (long i = 0; i < n; i++)
		bad += usys_lrpc_call(b, P_ECHO, (uint64_t)i % LRPC_MAX_ASTACKS, (uint64_t)i) != i;
	usys_counters(&after);
	int ok = check(bad == 0, "lrpc many: %ld calls each return their argument (%ld wrong)", n, bad);
	uint64_t as = after.as_switches - before.as_switches;
	uint64_t cs = after.context_switches - before.context_switches;
	uint64_t wk = after.wakeups - before.wakeups;
	uint64_t kc = after.kcopy_bytes - before.kcopy_bytes;
	ok &= check(as >= 2 * (uint64_t)n && as <= 2 * (uint64_t)n + (uint64_t)n / 50,
		    "lrpc many: two address-space switches per call (%lu for %ld calls)", (unsigned long)as, n);
	ok &= check(cs <= (uint64_t)n / 100 && wk <= (uint64_t)n / 100,
		    "lrpc many: no thread switch and no wakeup per call (%lu switches, %lu wakeups: timer only)",
		    (unsigned long)cs, (unsigned long)wk);
	ok &= check(kc <= 256, "lrpc many: the kernel copies no argument data (%lu bytes: the counter reads)",
		    (unsigned long)kc);
	ok &= server_finish(b, pid, "many");
	return ok ? 0 : 1;
}

/* ---- busy ------------------------------------------------------------------ */

static volatile long waiter_result = 1, waiter_done;
static long busy_binding;

static void
waiter(void *unused)
{
	(void)unused;
	waiter_result = usys_lrpc_call(busy_binding, P_WAIT, 0, 77);
	waiter_done = 1;
}

static int
busy(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid;

	busy_binding = server_start(&key, &pid, &info);
	if (!check(busy_binding > 0, "lrpc busy: connect (%ld)", busy_binding))
		return 1;
	volatile uint64_t *a0 = (uint64_t *)info.astack_va;
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	a0[0] = a0[1] = 0;
	thread_start(waiter, (void *)(stack + 16384), 0);
	while (!a0[0])
		usys_yield();
	int ok = check(usys_lrpc_call(busy_binding, P_ECHO, 0, 5) == -EBUSY,
		       "lrpc busy: while another thread's call holds A-stack 0, a call on it gives -EBUSY");
	ok &= check(usys_lrpc_call(busy_binding, P_ECHO, 1, 5) == 5,
		    "lrpc busy: a call on A-stack 1 runs at the same time");
	a0[1] = 1;                           /* let the waiting procedure return */
	while (!waiter_done)
		usys_yield();
	ok &= check(waiter_result == 77, "lrpc busy: the first call then returns (%ld)", (long)waiter_result);
	ok &= check(usys_lrpc_call(busy_binding, P_ECHO, 0, 6) == 6, "lrpc busy: and A-stack 0 is free again");
	ok &= server_finish(busy_binding, pid, "busy");
	return ok ? 0 : 1;
}

/* ---- nested ---------------------------------------------------------------- */

static int
nested(void)
{
	struct lrpc_bind_info info;
	uint64_t kc = new_key(), kb = new_key(), kd = new_key();
	long pc = spawn_server(kc, 0, 0), pb = spawn_server(kb, kc, 0);
	long b = server_connect_wait(kb, &info);

	if (!check(pc > 0 && pb > 0 && b > 0, "lrpc nested: servers B -> C and a binding to B (%ld)", b))
		return 1;
	uint64_t *w = (uint64_t *)info.astack_va;
	long r;
	for (int tries = 0; (r = usys_lrpc_call(b, P_NESTED, 0, 0)) == -EAGAIN && tries < 5000; tries++)
		usys_sleep_ns(MS);
	int ok = check(r == (long)(secret_of(pc) & 0xffffffff) + 1 && w[0] == secret_of(pc),
		       "lrpc nested: A -> B -> C returns C's result through B (%ld, word %lx)", r, (unsigned long)w[0]);
	r = usys_lrpc_call(b, P_PRIVATE, 0, 1);
	ok &= check(r == 2 && w[0] == secret_of(pb), "lrpc nested: and after it a call to B runs in B's space again");
	ok &= server_finish(b, pb, "nested B");      /* B's exit drops its binding to C */
	int st = wait_status(pc);
	ok &= check(st == 0, "lrpc nested: C, whose only client B exited, ends too (%d)", st);

	long pd = spawn_server(kd, 0, 1);
	b = server_connect_wait(kd, &info);
	/* Until D has bound to itself, its nested call finds no binding (-EBADF). */
	for (int tries = 0; (r = usys_lrpc_call(b, P_DEEP, 0, 0)) == -EBADF && tries < 5000; tries++)
		usys_sleep_ns(MS);
	ok &= check(r == LRPC_MAX_DEPTH, "lrpc nested: a server calling itself gets -ELOOP at depth %d (deepest %ld)",
		    LRPC_MAX_DEPTH + 1, r);
	ok &= check(usys_lrpc_call(b, P_ECHO, 0, 9) == 9, "lrpc nested: and every A-stack was released on the way out");
	ok &= check(usys_lrpc_disconnect(b) == 0 && usys_kill_proc(pd) == 0, "lrpc nested: the self-bound server is killed");
	st = wait_status(pd);
	ok &= check(st == WAIT_KILLED, "lrpc nested: and exits killed (%x)", st);
	return ok ? 0 : 1;
}

/* ---- fail ------------------------------------------------------------------ */

static volatile long spinner_result = 1, spinner_done;
static long spin_binding;

static void
spinner(void *unused)
{
	(void)unused;
	spinner_result = usys_lrpc_call(spin_binding, P_SPIN, 0, 0);
	spinner_done = 1;
}

static int
fail_fault(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid, b = server_start(&key, &pid, &info);

	if (!check(b > 0, "lrpc fail: connect (%ld)", b))
		return 0;
	long r = usys_lrpc_call(b, P_FAULT, 0, 0);
	int ok = check(r == -EFAULT, "lrpc fail: a procedure that faults makes the call return -EFAULT (%ld)", r);
	int st = wait_status(pid);
	ok &= check(st & WAIT_KILLED, "lrpc fail: and its server is killed (%x)", st);
	ok &= check(usys_lrpc_call(b, P_ECHO, 0, 1) == -ECONNRESET, "lrpc fail: later calls give -ECONNRESET");
	ok &= check(usys_lrpc_disconnect(b) == 0, "lrpc fail: the binding can still be disconnected");
	return ok;
}

static int
fail_exit(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid;

	spin_binding = server_start(&key, &pid, &info);
	if (!check(spin_binding > 0, "lrpc fail: connect (%ld)", spin_binding))
		return 0;
	volatile uint64_t *a0 = (uint64_t *)info.astack_va;
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	thread_start(spinner, (void *)(stack + 16384), 0);
	while (!a0[0])
		usys_yield();
	int ok = check(usys_kill_proc(pid) == 0, "lrpc fail: the server is killed while a call spins inside it");
	int st = wait_status(pid);
	ok &= check(st == WAIT_KILLED, "lrpc fail: the server exits (%x) with the call still inside", st);
	uint64_t until = usys_clock_ns() + 5000 * MS;
	while (!spinner_done && usys_clock_ns() < until)
		usys_yield();
	ok &= check(spinner_done && spinner_result == -ECONNRESET,
		    "lrpc fail: the call comes back to its client with -ECONNRESET (%ld)", (long)spinner_result);
	ok &= check(usys_lrpc_disconnect(spin_binding) == 0, "lrpc fail: and the binding is disconnected");
	return ok;
}

static volatile long blocked_result = 1, blocked_done;
static long blocked_binding;
static int blocked_fd[2];

static void
blocked_caller(void *unused)
{
	(void)unused;
	blocked_result = usys_lrpc_call(blocked_binding, P_BLOCK, 0, (uint64_t)blocked_fd[0]);
	blocked_done = 1;
}

/* What if the server dies while a call is blocked in a system call inside
 * it (a pipe read no one will answer)?  The call must come back at once
 * with -ECONNRESET, and the server's space go with it (the kernel row
 * checks no service is left).  The pipe stays open: closing it would end
 * the read by itself. */
static int
fail_blocked(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	long pid;

	blocked_binding = server_start(&key, &pid, &info);
	if (!check(blocked_binding > 0 && usys_pipe(blocked_fd) == 0, "lrpc fail: connect (%ld) and a pipe",
		   blocked_binding))
		return 0;
	volatile uint64_t *a0 = (uint64_t *)info.astack_va;
	long stack = usys_map_anon(16384, PROT_READ | PROT_WRITE);
	thread_start(blocked_caller, (void *)(stack + 16384), 0);
	while (!a0[0])
		usys_yield();
	usys_sleep_ns(20 * MS);                /* into the read, and asleep there */
	int ok = check(!blocked_done && usys_kill_proc(pid) == 0,
		       "lrpc fail: the server is killed while a call is blocked in a pipe read inside it");
	ok &= check(wait_status(pid) == WAIT_KILLED, "lrpc fail: the server exits");
	uint64_t t0 = usys_clock_ns(), until = t0 + 5000 * MS;
	while (!blocked_done && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	ok &= check(blocked_done && blocked_result == -ECONNRESET,
		    "lrpc fail: the blocked call comes back with -ECONNRESET (%ld) after %lu ms", (long)blocked_result,
		    (unsigned long)((usys_clock_ns() - t0) / MS));
	ok &= check(usys_lrpc_disconnect(blocked_binding) == 0, "lrpc fail: and the binding is disconnected");
	return ok;
}

static int
blocked(const char *arg)
{
	long h;

	if (!arg_next_long(arg, &h))
		return 2;
	long va = usys_shm_map(h, PROT_READ | PROT_WRITE);
	if (va < 0)
		return 3;
	volatile int64_t *word = (volatile int64_t *)va;
	int ok = fail_blocked();
	word[0] = ok ? 1 : 2;
	uint64_t until = usys_clock_ns() + 20000 * MS;
	while (!word[1] && usys_clock_ns() < until)
		usys_sleep_ns(MS);
	usys_fd_close(blocked_fd[0]);
	usys_fd_close(blocked_fd[1]);
	return ok ? 0 : 1;
}

/* A client killed while its thread runs a procedure: the thread's exit
 * pops the linkage, the binding goes, and the server sees no client left. */
static int
fail_client_killed(void)
{
	struct lrpc_bind_info info;
	uint64_t key;
	char a[40];
	long pid, b = server_start(&key, &pid, &info);

	snformat(a, sizeof a, "spincall %lu", (unsigned long)key);
	long child = usys_spawn("t_lrpc", a);
	uint64_t until = usys_clock_ns() + 10000 * MS;
	while (usys_lrpc_call(b, P_SPINNERS, 0, 0) != 1 && usys_clock_ns() < until)
		usys_sleep_ns(MS);                /* until the child's call spins inside */
	int ok = check(b > 0 && child > 0 && usys_lrpc_call(b, P_SPINNERS, 0, 0) == 1 && usys_kill_proc(child) == 0,
		       "lrpc fail: a client is killed while its call spins in the server");
	int st = wait_status(child);
	ok &= check(st == WAIT_KILLED, "lrpc fail: the client exits killed (%x)", st);
	ok &= check(usys_lrpc_call(b, P_ECHO, 0, 3) == 3, "lrpc fail: the server still serves its other client");
	ok &= server_finish(b, pid, "fail");
	return ok;
}

/* The client of fail_client_killed. */
static int
spincall(const char *arg)
{
	struct lrpc_bind_info info;
	long key;

	arg_next_long(arg, &key);
	long b = server_connect_wait((uint64_t)key, &info);
	if (b < 0)
		return 3;
	usys_lrpc_call(b, P_SPIN, 0, 0);
	return 4;                            /* never: it is killed inside */
}

int
main(const char *arg, unsigned long arglen)
{
	long n;

	(void)arglen;
	if (!strncmp(arg, "server ", 7))
		return server(arg + 7);
	if (!strcmp(arg, "basic"))
		return basic();
	if (!strncmp(arg, "many ", 5)) {
		arg_next_long(arg + 5, &n);
		return many(n);
	}
	if (!strcmp(arg, "busy"))
		return busy();
	if (!strcmp(arg, "nested"))
		return nested();
	if (!strncmp(arg, "spincall ", 9))
		return spincall(arg + 9);
	if (!strcmp(arg, "fail"))
		return fail_fault() & fail_exit() & fail_client_killed() ? 0 : 1;
	if (!strncmp(arg, "blocked ", 8))
		return blocked(arg + 8);
	uprintf("t_lrpc: unknown mode '%s'\n", arg);
	return 2;
}
