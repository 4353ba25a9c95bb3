/*
 * t_msg_iface.c - can the benchmark harness drive msg-direct and mailbox,
 * in every variant, with no special case?  Everything here goes through
 * struct ipc_mech: for each variant the driver prepares, spawns a server
 * and a client with ipc_opts_format'ed arguments, they ping-pong 100
 * checksummed messages of 0 bytes to max_msg (the server answers with a
 * different pattern, both sides check every byte), then close, and the
 * driver unprepares.  The client first checks the interface's timeout and
 * size rules on the live channel.
 *
 *   t_msg_iface MECH                   the driver
 *   t_msg_iface server MECH OPTS       echo side
 *   t_msg_iface client MECH OPTS       ping side
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/mailbox.h"
#include "user/lib/iface_round.h"

#define ROUNDS 100

static const uint64_t sizes[] = { 0, 1, 8, 64, 1000, 4096, 16384, MSG_MAX };
#define NSIZES (sizeof sizes / sizeof sizes[0])

static uint8_t out[MSG_MAX], in[MSG_MAX];

/* The interface's rules, on the client's end before any traffic: the
 * server sends nothing until it has received, so the client's receives
 * find nothing. */
static int
rules(const struct ipc_mech *m, struct ipc_chan *ch)
{
	int ok = check(m->recv(ch, in, 16, 0) == -EAGAIN, "%s/%s: recv with timeout 0 on nothing: -EAGAIN",
		       m->name, ch->opts.variant);
	uint64_t t0 = usys_clock_ns();
	long r = m->recv(ch, in, 16, 3000000);
	uint64_t waited = usys_clock_ns() - t0;
	ok &= check(r == -ETIMEDOUT && waited >= 3000000, "%s/%s: recv with a 3 ms timeout: -ETIMEDOUT after %lu us",
		    m->name, ch->opts.variant, (unsigned long)(waited / 1000));
	ok &= check(m->send(ch, out, m->max_msg + 1, 0) == -E2BIG, "%s/%s: a send above max_msg: -E2BIG",
		    m->name, ch->opts.variant);
	return ok;
}

/* One side of the ping-pong; returns 1 when every message checked out. */
static int
pingpong(const struct ipc_mech *m, const struct ipc_opts *o, enum ipc_role role)
{
	const char *who = role == IPC_SERVER ? "server" : "client";
	struct ipc_chan ch;
	struct iface_round r = { m, &ch, role, ipc_send_all, out, in, o->max_msg, 0 };
	int bad = 0;

	if (m->open(&ch, o, role) < 0)
		return check(0, "%s/%s: %s open", m->name, o->variant, who);
	if (ch.mech != m || ch.role != role)
		bad = 1;
	if (role == IPC_CLIENT && !rules(m, &ch))
		bad = 1;
	for (int i = 0; i < ROUNDS && !bad; i++) {
		uint64_t n = sizes[i % NSIZES] < o->max_msg ? sizes[i % NSIZES] : o->max_msg;
		bad |= !iface_round_run(&r, i, n);
	}
	m->close(&ch);
	return check(!bad, "%s/%s: %s: %d messages of 0..%lu bytes arrived whole (checksums %x)", m->name,
		     o->variant, who, ROUNDS, (unsigned long)o->max_msg, r.sum);
}

static long
spawn_end(const char *role, const struct ipc_mech *m, const struct ipc_opts *o)
{
	char arg[256];
	int n = snformat(arg, sizeof arg, "%s %s ", role, m->name);

	if (ipc_opts_format(o, arg + n, sizeof arg - (size_t)n) < 0)
		return -E2BIG;
	return usys_spawn("t_msg_iface", arg);
}

/* The objects prepare made are gone after unprepare. */
static int
gone(const struct ipc_mech *m, const struct ipc_opts *was)
{
	struct mbox_stat st;

	if (!strcmp(m->name, "mailbox"))
		return usys_mbox_stat(was->h[0], &st) == -EINVAL && usys_mbox_stat(was->h[1], &st) == -EINVAL;
	return usys_shm_map(was->h[0], PROT_READ) < 0;
}

static int
one_variant(const struct ipc_mech *m, const char *variant)
{
	struct ipc_opts o;

	memset(&o, 0, sizeof o);
	strncpy_bounded(o.variant, variant, sizeof o.variant);
	o.max_msg = m->max_msg;
	int ok = check(m->prepare(&o) == 0, "%s/%s: prepare", m->name, variant);
	long server = spawn_end("server", m, &o), client = spawn_end("client", m, &o);
	int s1 = wait_status(server), s2 = wait_status(client);
	ok &= check(s1 == 0 && s2 == 0, "%s/%s: server and client processes both succeeded (%d, %d)", m->name,
		    variant, s1, s2);
	struct ipc_opts was = o;
	m->unprepare(&o);
	ok &= check(gone(m, &was), "%s/%s: unprepare removed what prepare made", m->name, variant);
	return ok;
}

static int
driver(const char *name)
{
	const struct ipc_mech *m = ipc_find(name);
	struct ipc_opts o;

	if (!check(m != 0, "%s is registered", name))
		return 0;
	int ok = check(m->caps == (IPC_CAP_MESSAGE | IPC_CAP_TIMEOUT) && !m->call && m->max_msg == MSG_MAX &&
		       m->variants && m->variants[0] && ipc_has_variant(m, "") && !ipc_has_variant(m, "nope"),
		       "%s: caps MESSAGE|TIMEOUT, no call, max_msg %u, variants listed", name, MSG_MAX);
	memset(&o, 0, sizeof o);
	o.max_msg = m->max_msg + 1;
	ok &= check(m->prepare(&o) == -EINVAL, "%s: prepare refuses max_msg above %u", name, MSG_MAX);
	o.max_msg = 8;
	strncpy_bounded(o.variant, "nope", sizeof o.variant);
	ok &= check(m->prepare(&o) == -EINVAL, "%s: prepare refuses an unknown variant", name);
	for (const char *const *v = m->variants; *v; v++)
		ok &= one_variant(m, *v);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	struct ipc_opts o;
	char name[32];
	size_t n = 0;

	if (!strncmp(arg, "server ", 7) || !strncmp(arg, "client ", 7)) {
		const char *p = arg + 7;
		while (p[n] && p[n] != ' ' && n + 1 < sizeof name)
			n++;
		memcpy(name, p, n);
		name[n] = 0;
		const struct ipc_mech *m = ipc_find(name);
		if (!m || ipc_opts_parse(p + n, &o) < 0)
			return 2;
		return pingpong(m, &o, arg[0] == 's' ? IPC_SERVER : IPC_CLIENT) ? 0 : 1;
	}
	return driver(arg) ? 0 : 1;
}
