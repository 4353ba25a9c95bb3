/* t_sem_pp.c - can the benchmark harness drive `sem` with no special case?
 * Everything here goes through struct ipc_mech only.
 *   ""                     driver: prepare, spawn server and client, wait,
 *                          unprepare
 *   server|client OPTS     one end: ROUNDS ping-pong messages of sizes up
 *                          to max_msg, content checked byte by byte with a
 *                          checksum; then the interface's error cases
 *   orphan                 driver whose lone server blocks in recv; the
 *                          unprepare must wake it with an error
 *   lonely READY OPTS      that server */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/sem.h"

#define ROUNDS 100
#define MS     1000000ull
#define SLOT   SEM_MECH_SLOT_BYTES
#define BIG_ONE 5000                 /* the message recv first refuses */

static const size_t sizes[] = {
	0, 1, 7, 64, SLOT - 1, SLOT, SLOT + 1, 3 * SLOT + 5,
	SEM_MECH_SLOTS * SLOT, SEM_MECH_SLOTS * SLOT + 1, SEM_MECH_MAX_MSG,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static uint8_t *bufs[2];             /* send, receive: max_msg each */

static uint8_t
pattern(unsigned round, int from_server, size_t j)
{
	return (uint8_t)(round * 131 + (unsigned)from_server * 71 + j * 7 + (j >> 8));
}

static uint32_t
fill(uint8_t *p, size_t n, unsigned round, int from_server)
{
	for (size_t j = 0; j < n; j++)
		p[j] = pattern(round, from_server, j);
	return checksum(p, n);
}

/* One round at one end: the client sends first, the server echoes a
 * reply of the same size with its own pattern.  Returns 1 if all matched. */
static int
round_trip(struct ipc_chan *ch, unsigned round, int server)
{
	size_t n = sizes[round % NSIZES];
	uint32_t want;

	if (!server) {
		fill(bufs[0], n, round, 0);
		if (ch->mech->send(ch, bufs[0], n, IPC_FOREVER) != (long)n)
			return 0;
	}
	long r = ch->mech->recv(ch, bufs[1], SEM_MECH_MAX_MSG, IPC_FOREVER);
	want = fill(bufs[0], n, round, !server);     /* what the peer sent */
	if (r != (long)n || checksum(bufs[1], n) != want || memcmp(bufs[0], bufs[1], n))
		return 0;
	if (server) {
		fill(bufs[0], n, round, 1);
		if (ch->mech->send(ch, bufs[0], n, IPC_FOREVER) != (long)n)
			return 0;
	}
	return 1;
}

static int
client_errors_before(struct ipc_chan *ch)
{
	int ok = check(ch->mech->recv(ch, bufs[1], 64, 0) == -EAGAIN, "sem: recv with timeout 0 on an empty buffer gives -EAGAIN");
	uint64_t t0 = usys_clock_ns();
	long r = ch->mech->recv(ch, bufs[1], 64, 20 * MS);
	uint64_t ms = (usys_clock_ns() - t0) / MS;
	ok &= check(r == -ETIMEDOUT && ms >= 20, "sem: recv with a 20 ms timeout gives -ETIMEDOUT after %lu ms",
		    (unsigned long)ms);
	ok &= check(ch->mech->send(ch, bufs[0], SEM_MECH_MAX_MSG + 1, 0) == -E2BIG,
		    "sem: send of max_msg + 1 bytes gives -E2BIG");
	return ok;
}

/* After the server stopped reading: fill the client->server buffer. */
static int
client_fill(struct ipc_chan *ch)
{
	int n = 0;

	while (n <= SEM_MECH_SLOTS && ch->mech->send(ch, bufs[0], SLOT, 0) == SLOT)
		n++;
	int ok = check(n == SEM_MECH_SLOTS, "sem: %d one-slot messages fill the buffer without blocking (%d)",
		       SEM_MECH_SLOTS, n);
	ok &= check(ch->mech->send(ch, bufs[0], 1, 0) == -EAGAIN, "sem: send with timeout 0 to a full buffer gives -EAGAIN");
	long r = ch->mech->send(ch, bufs[0], 1, 20 * MS);
	ok &= check(r == -ETIMEDOUT, "sem: send with a 20 ms timeout to a full buffer gives -ETIMEDOUT (%ld)", r);
	return ok;
}

static int
client(struct ipc_chan *ch)
{
	int ok = client_errors_before(ch), good = 0;

	for (unsigned i = 0; i < ROUNDS; i++)
		good += round_trip(ch, i, 0);
	ok &= check(good == ROUNDS, "sem: client: %d of %d round trips of sizes 0..%u bytes matched", good, ROUNDS,
		    SEM_MECH_MAX_MSG);
	fill(bufs[0], BIG_ONE, 7, 0);
	ok &= ch->mech->send(ch, bufs[0], BIG_ONE, IPC_FOREVER) == BIG_ONE;
	ok &= check(ch->mech->recv(ch, bufs[1], 8, 10000 * MS) == 1 && bufs[1][0] == 'k',
		    "sem: the server acknowledged the end of its part");
	ok &= client_fill(ch);
	return ok;
}

static int
server(struct ipc_chan *ch)
{
	int good = 0;

	for (unsigned i = 0; i < ROUNDS; i++)
		good += round_trip(ch, i, 1);
	int ok = check(good == ROUNDS, "sem: server: %d of %d messages arrived whole and were echoed", good, ROUNDS);
	long r = ch->mech->recv(ch, bufs[1], 100, IPC_FOREVER);
	ok &= check(r == -E2BIG, "sem: recv into a buffer smaller than the message gives -E2BIG (%ld)", r);
	r = ch->mech->recv(ch, bufs[1], SEM_MECH_MAX_MSG, 0);
	fill(bufs[0], BIG_ONE, 7, 0);
	ok &= check(r == BIG_ONE && !memcmp(bufs[0], bufs[1], BIG_ONE),
		    "sem: the refused message stayed in the buffer and comes whole next time");
	ok &= ch->mech->send(ch, "k", 1, IPC_FOREVER) == 1;
	return ok;
}

static int
end(const char *role, const char *opts_text)
{
	const struct ipc_mech *m = ipc_find("sem");
	struct ipc_opts o;
	struct ipc_chan ch;
	long mem = usys_map_anon(2 * SEM_MECH_MAX_MSG, PROT_READ | PROT_WRITE);
	int is_server = !strcmp(role, "server");

	if (!m || mem < 0 || ipc_opts_parse(opts_text, &o) || m->open(&ch, &o, is_server ? IPC_SERVER : IPC_CLIENT))
		return !check(0, "sem: %s opens the channel", role);
	bufs[0] = (uint8_t *)mem;
	bufs[1] = (uint8_t *)mem + SEM_MECH_MAX_MSG;
	int ok = is_server ? server(&ch) : client(&ch);
	m->close(&ch);
	return ok ? 0 : 1;
}

/* open must refuse handles that do not name a prepared channel. */
static void
ok_bad_open(const struct ipc_mech *m, const struct ipc_opts *good)
{
	struct ipc_opts o = *good;
	struct ipc_chan ch;

	o.h[0] = 0;
	check(m->open(&ch, &o, IPC_CLIENT) == -EINVAL, "sem: open with a missing handle gives -EINVAL");
	o = *good;
	o.h[0] = 999999;
	check(m->open(&ch, &o, IPC_CLIENT) == -EINVAL, "sem: open with an unknown shared-memory handle gives -EINVAL");
	o = *good;
	long shm = usys_shm_create(4096);
	o.h[0] = shm;
	check(m->open(&ch, &o, IPC_CLIENT) == -EINVAL, "sem: open of shared memory that holds no buffer gives -EINVAL");
	usys_shm_destroy(shm);
}

static int
driver(void)
{
	const struct ipc_mech *m = ipc_find("sem");
	struct ipc_opts o;
	char opts[160], arg[200];
	int status[2] = { -1, -1 };
	long pid[2];

	if (!check(m && m->caps == (IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT) && m->max_msg == SEM_MECH_MAX_MSG && !m->call,
		   "sem: registered with caps MESSAGE|TIMEOUT, max_msg 1 MiB, no call"))
		return 1;
	memset(&o, 0, sizeof o);
	o.max_msg = m->max_msg;
	strncpy_bounded(o.variant, "nonesuch", sizeof o.variant);
	check(m->prepare(&o) == -EINVAL, "sem: prepare refuses an unknown variant");
	o.variant[0] = 0;
	if (!check(m->prepare(&o) == 0, "sem: prepare makes the shared buffers and six semaphores"))
		return 1;
	ok_bad_open(m, &o);
	ipc_opts_format(&o, opts, sizeof opts);
	const char *roles[2] = { "server", "client" };
	for (int i = 0; i < 2; i++) {
		snformat(arg, sizeof arg, "%s %s", roles[i], opts);
		pid[i] = usys_spawn("t_sem_pp", arg);
	}
	for (int i = 0; i < 2; i++)
		usys_wait(pid[i], &status[i]);
	m->unprepare(&o);
	return check(status[0] == 0 && status[1] == 0, "sem: both ends finished (%d, %d)", status[0], status[1]) ? 0 : 1;
}

static int
orphan(void)
{
	const struct ipc_mech *m = ipc_find("sem");
	struct ipc_opts o;
	char opts[160], arg[220];
	int status = -1;

	memset(&o, 0, sizeof o);
	long ready = usys_sem_create(0);
	if (!m || ready <= 0 || m->prepare(&o))
		return 1;
	ipc_opts_format(&o, opts, sizeof opts);
	snformat(arg, sizeof arg, "lonely %ld %s", ready, opts);
	long pid = usys_spawn("t_sem_pp", arg);
	usys_sem_p(ready, 10000 * MS);       /* it has opened */
	usys_sleep_ns(30 * MS);              /* and is asleep in recv */
	m->unprepare(&o);
	usys_wait(pid, &status);
	usys_sem_destroy(ready);
	return check(status == 0, "sem: the server blocked in recv got an error once the driver unprepared (%d)", status)
		? 0 : 1;
}

static int
lonely(const char *arg)
{
	const struct ipc_mech *m = ipc_find("sem");
	struct ipc_opts o;
	struct ipc_chan ch;
	long ready = 0;
	char c;

	while (*arg >= '0' && *arg <= '9')
		ready = ready * 10 + (*arg++ - '0');
	if (ipc_opts_parse(arg, &o) || m->open(&ch, &o, IPC_SERVER))
		return 2;
	usys_sem_v(ready);
	long r = m->recv(&ch, &c, 1, IPC_FOREVER);
	uprintf("t_sem_pp: lonely server's recv returned %ld\n", r);
	m->close(&ch);
	return r == -EIDRM || r == -EINVAL ? 0 : 3;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!arg[0])
		return driver();
	if (!strcmp(arg, "orphan"))
		return orphan();
	if (!strncmp(arg, "lonely ", 7))
		return lonely(arg + 7);
	if (!strncmp(arg, "server ", 7))
		return end("server", arg + 7);
	if (!strncmp(arg, "client ", 7))
		return end("client", arg + 7);
	uprintf("t_sem_pp: unknown argument '%s'\n", arg);
	return 100;
}
