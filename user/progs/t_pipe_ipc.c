/*
 * t_pipe_ipc.c - can the benchmark harness drive a mechanism with no
 * special case?  Only struct ipc_mech is used: the driver prepares, spawns
 * a server and a client with ipc_opts_format'ed arguments, they open and
 * ping-pong 100 messages of sizes from 1 byte to max_msg (the server
 * answers each byte XOR 0xa5, both sides check every byte), then close;
 * the driver unprepares.
 *
 * arg: "driver MECH" | "server MECH OPTS" | "client MECH OPTS"
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"

#define ROUNDS 100
#define TIMEOUT (20ull * 1000000000ull)

static const uint64_t sizes[] = { 1, 7, 64, 511, 512, 513, 4096, 65536 };

/* Message i's size: the list, and max_msg every 25th round. */
static uint64_t
msg_size(const struct ipc_mech *m, int i)
{
	uint64_t n = i % 25 == 24 ? m->max_msg : sizes[i % 8];
	return n < m->max_msg ? n : m->max_msg;
}

static uint8_t
msg_byte(int i, uint64_t j)
{
	return (uint8_t)(j * 7 + (uint64_t)i * 13 + (j >> 8));
}

static int
run_end(const struct ipc_mech *m, const char *opts_text, enum ipc_role role)
{
	struct ipc_opts o;
	struct ipc_chan ch;
	long mem = usys_map_anon(m->max_msg + 4096, PROT_READ | PROT_WRITE);
	uint8_t *buf = (uint8_t *)mem;
	uint8_t key = role == IPC_SERVER ? 0 : 0xa5;   /* what the received bytes carry */
	int bad = 0, i;

	memset(&ch, 0, sizeof ch);
	if (mem < 0 || ipc_opts_parse(opts_text, &o) || m->open(&ch, &o, role))
		return check(0, "%s: %s could not open its end", m->name, role ? "server" : "client") ? 0 : 1;
	for (i = 0; i < ROUNDS && !bad; i++) {
		uint64_t n = msg_size(m, i);
		if (role == IPC_CLIENT) {
			for (uint64_t j = 0; j < n; j++)
				buf[j] = msg_byte(i, j);
			bad |= ipc_send_all(&ch, buf, n, TIMEOUT) != (long)n;
		}
		bad |= ipc_recv_all(&ch, buf, n, TIMEOUT) != (long)n;
		for (uint64_t j = 0; j < n && !bad; j++)
			bad |= buf[j] != (msg_byte(i, j) ^ key);
		if (role == IPC_SERVER && !bad) {
			for (uint64_t j = 0; j < n; j++)
				buf[j] ^= 0xa5;
			bad |= ipc_send_all(&ch, buf, n, TIMEOUT) != (long)n;
		}
	}
	m->close(&ch);
	int ok = check(!bad, "%s %s: %d round trips of 1 B .. %lu B, every byte checked%s", m->name,
		       role ? "server" : "client", bad ? i - 1 : i, (unsigned long)m->max_msg,
		       bad ? " - FAILED" : "");
	return ok ? 0 : 1;
}

static long
spawn_end(const struct ipc_mech *m, const struct ipc_opts *o, const char *role, const char *opts_text)
{
	char arg[USER_ARG_MAX];

	snformat(arg, sizeof arg, "%s %s %s", role, m->name, opts_text);
	return ipc_spawn(m, o, "t_pipe_ipc", arg);
}

static int
driver(const struct ipc_mech *m)
{
	struct ipc_opts o;
	char text[256];
	int st_s = -1, st_c = -1;

	memset(&o, 0, sizeof o);
	o.max_msg = m->max_msg;
	int ok = check(m->prepare(&o) == 0, "%s (caps %x, max_msg %lu): prepare made its kernel objects",
		       m->name, m->caps, (unsigned long)m->max_msg);
	ok &= check(ipc_opts_format(&o, text, sizeof text) > 0, "%s: opts as text: \"%s\"", m->name, text);
	long server = spawn_end(m, &o, "server", text), client = spawn_end(m, &o, "client", text);
	int waited = server > 0 && client > 0 && usys_wait(server, &st_s) == server &&
		     usys_wait(client, &st_c) == client;
	ok &= check(waited && st_s == 0 && st_c == 0,
		    "%s: server and client both finished cleanly (%x, %x)", m->name, st_s, st_c);
	m->unprepare(&o);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	char role[16], mech[32];
	const char *s = arg;
	size_t n;

	for (n = 0; s[n] && s[n] != ' ' && n < sizeof role - 1; n++)
		role[n] = s[n];
	role[n] = 0;
	s += n + (s[n] == ' ');
	for (n = 0; s[n] && s[n] != ' ' && n < sizeof mech - 1; n++)
		mech[n] = s[n];
	mech[n] = 0;
	s += n + (s[n] == ' ');
	const struct ipc_mech *m = ipc_find(mech);
	if (!m)
		return check(0, "mechanism \"%s\" is registered", mech) ? 0 : 1;
	if (!strcmp(role, "driver"))
		return driver(m) ? 0 : 1;
	return run_end(m, s, strcmp(role, "server") ? IPC_CLIENT : IPC_SERVER);
}
