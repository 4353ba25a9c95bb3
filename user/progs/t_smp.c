/* t_smp.c - several CPUs: placement, and every mechanism across cores.
 *   ""                 rules, then every mechanism and variant with its two
 *                      ends pinned to different CPUs (the same CPU when
 *                      there is one), then a long cross-core ping-pong
 *   end SERVER CPU ROUNDS MECH OPTS   one end of a channel, pinned to CPU
 *   nap                sleeps a little, exits with the CPU it ended on
 *   stranger PID       as uid 1000, tries to pin root's process PID
 * A lost cross-core wakeup shows as an operation that times out (10 s):
 * the end fails instead of hanging the boot. */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/sysv.h"

#define MS          1000000ull
#define OP_TIMEOUT  (10000 * MS)
#define ROUNDS      64
#define WAKE_ROUNDS 1000
#define MAX_SIZE    4096u

static const size_t sizes[] = { 8, 1, 64, 1000, MAX_SIZE };
#define NSIZES (sizeof sizes / sizeof sizes[0])
static uint8_t out[MAX_SIZE], in[MAX_SIZE];

static long set_affinity(long pid, long cpu) { return syscall2(SYS_SET_AFFINITY, pid, cpu); }
static long getcpu(void) { return syscall0(SYS_GETCPU); }

static int
cpu_count(void)
{
	struct sysinfo si;

	return usys_sysinfo(&si) == 0 && si.cpu_count ? (int)si.cpu_count : 1;
}

/* ---- rules ------------------------------------------------------------ */

static int
pins_self(int cpus)
{
	int ok = 1;

	for (int c = 0; c < cpus; c++) {
		long r = set_affinity(0, c);
		int here = 1;
		for (int k = 0; k < 20; k++) {          /* stays there across yields */
			usys_yield();
			here &= getcpu() == c;
		}
		ok &= check(r == 0 && here, "smp: pinned to CPU %d, runs there (set %ld)", c, r);
	}
	return ok & check(set_affinity(0, -1) == 0, "smp: unpinned again");
}

static int
refuses_bad_values(int cpus)
{
	long cpu_big = set_affinity(0, cpus), cpu_neg = set_affinity(0, -2),
	     cpu_huge = set_affinity(0, 1l << 40), pid_none = set_affinity(99999, 0),
	     pid_neg = set_affinity(-3, 0);

	return check(cpu_big == -EINVAL && cpu_neg == -EINVAL && cpu_huge == -EINVAL,
		     "smp: a CPU that does not run threads is refused (%ld %ld %ld)",
		     cpu_big, cpu_neg, cpu_huge) &
	       check(pid_none == -ESRCH && pid_neg == -ESRCH,
		     "smp: no such process: -ESRCH (%ld %ld)", pid_none, pid_neg);
}

static int
pins_child(int cpus)
{
	long pid = usys_spawn("t_smp", "nap");
	long set = set_affinity(pid, cpus - 1);
	long st = wait_status(pid);

	return check(set == 0 && st == cpus - 1,
		     "smp: a child pinned by its parent ends on CPU %d (set %ld, status %ld)",
		     cpus - 1, set, st);
}

static int
refuses_stranger(void)
{
	char arg[32];

	snformat(arg, sizeof arg, "stranger %ld", usys_getpid());
	return check(wait_status(usys_spawn("t_smp", arg)) == 0,
		     "smp: another uid may not pin root's process (-EPERM)");
}

/* ---- one end ---------------------------------------------------------- */

static uint8_t
pattern(unsigned round, int from_server, size_t j)
{
	return (uint8_t)(round * 29 + (unsigned)from_server * 113 + j * 5 + (j >> 7));
}

static size_t
size_of(const struct ipc_mech *m, const struct ipc_opts *o, unsigned round)
{
	size_t n = sizes[round % NSIZES];

	return n > o->max_msg ? (size_t)o->max_msg : n;
}

static uint64_t
op_timeout(const struct ipc_mech *m)
{
	return m->caps & IPC_CAP_TIMEOUT ? OP_TIMEOUT : IPC_FOREVER;
}

static int
matches(const uint8_t *p, size_t n, unsigned round, int from_server)
{
	for (size_t j = 0; j < n; j++)
		if (p[j] != pattern(round, from_server, j))
			return 0;
	return 1;
}

static void
fill(size_t n, unsigned round, int from_server)
{
	for (size_t j = 0; j < n; j++)
		out[j] = pattern(round, from_server, j);
}

/* The client sends round's pattern; the server checks it and echoes it
 * (an LRPC procedure can only echo: lrpc runs no server thread). */
static int
client_round(struct ipc_chan *ch, unsigned round)
{
	const struct ipc_mech *m = ch->mech;
	size_t n = size_of(m, &ch->opts, round);
	long r;

	fill(n, round, 0);
	if (m->call)
		r = m->call(ch, out, n, in, n);
	else if ((r = ipc_send_all(ch, out, n, op_timeout(m))) >= 0)
		r = ipc_recv_all(ch, in, n, op_timeout(m));
	return r == (long)n && matches(in, n, round, 0);
}

/* 1: echoed; 0: failed; 2: the mechanism has no server thread (lrpc's
 * server recv sleeps in lrpc_serve until the client leaves: -EPIPE). */
static int
server_round(struct ipc_chan *ch, unsigned round)
{
	const struct ipc_mech *m = ch->mech;
	size_t n = size_of(m, &ch->opts, round);
	long r = ipc_recv_all(ch, in, n, op_timeout(m));

	if (r == -EPIPE && round == 0 && !strcmp(m->name, "lrpc"))
		return 2;
	if (r != (long)n || !matches(in, n, round, 0))
		return 0;
	return ipc_send_all(ch, in, n, op_timeout(m)) == (long)n;
}

/* Copies the next space-delimited word of s into w; the rest, or 0. */
static const char *
next_word(const char *s, char *w, size_t size)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (*s && *s != ' ' && n + 1 < size)
		w[n++] = *s++;
	w[n] = 0;
	return n && (!*s || *s == ' ') ? s : 0;
}

/* Exit status: 0 ok, 2 not on its CPU, 3 open failed, 4 a round failed,
 * 5 bad arguments. */
static int
run_end(const char *arg)
{
	long server, cpu, rounds;
	char name[32];
	struct ipc_opts o;
	struct ipc_chan ch;

	arg = arg_next_long(arg, &server);
	arg = arg ? arg_next_long(arg, &cpu) : 0;
	arg = arg ? arg_next_long(arg, &rounds) : 0;
	arg = arg ? next_word(arg, name, sizeof name) : 0;
	const struct ipc_mech *m = arg ? ipc_find(name) : 0;
	if (!m || ipc_opts_parse(arg, &o))
		return 5;
	if (set_affinity(0, cpu) || getcpu() != cpu)
		return 2;
	if (m->open(&ch, &o, server ? IPC_SERVER : IPC_CLIENT))
		return 3;
	int ok = 1;
	for (unsigned i = 0; i < (unsigned)rounds && ok == 1; i++)
		ok = server ? server_round(&ch, i) : client_round(&ch, i);
	ok = ok != 0;
	ok &= getcpu() == cpu;
	m->close(&ch);
	return ok ? 0 : 4;
}

/* ---- the driver -------------------------------------------------------- */

/* Polling with both ends on one CPU waits out time slices (issue 12):
 * those variants run only across cores. */
static int
needs_two_cpus(const struct ipc_mech *m, const char *variant)
{
	return !strcmp(m->name, "shm-poll") && (!variant[0] || !strcmp(variant, "spin") ||
						 !strncmp(variant, "periodic", 8));
}

static int
one_channel(const struct ipc_mech *m, const char *variant, int ccpu, int scpu, long rounds)
{
	struct ipc_opts o;
	char opts[256], arg[320];

	memset(&o, 0, sizeof o);
	strncpy_bounded(o.variant, variant, sizeof o.variant);
	o.max_msg = m->max_msg < MAX_SIZE ? m->max_msg : MAX_SIZE;
	if (m->prepare(&o) || ipc_opts_format(&o, opts, sizeof opts) < 0)
		return check(0, "smp: %s/%s: prepare", m->name, variant);
	snformat(arg, sizeof arg, "end 1 %d %ld %s %s", scpu, rounds, m->name, opts);
	uint64_t t0 = usys_clock_ns();
	long sp = ipc_spawn(m, &o, "t_smp", arg);
	snformat(arg, sizeof arg, "end 0 %d %ld %s %s", ccpu, rounds, m->name, opts);
	long cp = ipc_spawn(m, &o, "t_smp", arg);
	long cs = cp > 0 ? wait_status(cp) : cp, ss = sp > 0 ? wait_status(sp) : sp;
	m->unprepare(&o);
	uint64_t us = (usys_clock_ns() - t0) / 1000;
	return check(cs == 0 && ss == 0, "smp: %s/%s: %ld round trips, client on CPU %d, "
		     "server on CPU %d, every byte right (status %ld, %ld; %lu us)",
		     m->name, variant[0] ? variant : "-", rounds, ccpu, scpu, cs, ss, (unsigned long)us);
}

static int
every_mechanism(int cpus)
{
	int ok = 1, scpu = cpus > 1 ? 1 : 0;

	for (unsigned i = 0; i < ipc_count(); i++) {
		const struct ipc_mech *m = ipc_at(i);
		for (unsigned v = 0; m->variants && m->variants[v]; v++) {
			if (scpu == 0 && needs_two_cpus(m, m->variants[v]))
				continue;
			ok &= one_channel(m, m->variants[v], 0, scpu, ROUNDS);
		}
		if (!m->variants)
			ok &= one_channel(m, "", 0, scpu, ROUNDS);
	}
	return ok;
}

/* Many sleeps and wakeups across CPUs: a lost one times out. */
static int
wake_stress(int cpus)
{
	static const char *const mechs[] = { "pipe", "shm-notify", "sem", "chcore" };
	int ok = 1;

	for (unsigned i = 0; i < sizeof mechs / sizeof mechs[0]; i++) {
		const struct ipc_mech *m = ipc_find(mechs[i]);
		if (m)
			ok &= one_channel(m, m->variants ? m->variants[0] : "", 0,
					  cpus > 1 ? 1 : 0, WAKE_ROUNDS);
	}
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	long pid;

	(void)arglen;
	if (!strncmp(arg, "end ", 4))
		return run_end(arg + 4);
	if (!strcmp(arg, "nap")) {
		usys_sleep_ns(20 * MS);
		return (int)getcpu();
	}
	if (!strncmp(arg, "stranger ", 9) && arg_next_long(arg + 9, &pid)) {
		usys_setuid(1000);
		return set_affinity(pid, 0) == -EPERM ? 0 : 1;
	}
	int cpus = cpu_count();
	int ok = refuses_bad_values(cpus) & pins_self(cpus) & pins_child(cpus) & refuses_stranger();
	ok &= every_mechanism(cpus);
	ok &= wake_stress(cpus);
	return ok ? 0 : 1;
}
