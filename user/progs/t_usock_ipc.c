/*
 * t_usock_ipc.c - can the benchmark harness drive both unix-socket
 * variants with no special case?  Only struct ipc_mech is used: the
 * driver prepares, spawns a server and a client with ipc_opts_format'ed
 * arguments, they open and ping-pong 100 messages of 1 byte up to
 * max_msg (1 MiB for stream, SOCK_DGRAM_MAX for dgram; the server answers
 * each byte XOR 0xa5 and both sides check every byte), then close; the
 * driver unprepares.  For dgram the client then sends three messages back
 * to back and the server, asking for more each time, gets them one by one.
 *
 * arg: "driver VARIANT" | "server OPTS" | "client OPTS"
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/unix_socket.h"

#define ROUNDS 100
#define TIMEOUT (20ull * 1000000000ull)

static const uint64_t sizes[] = { 1, 7, 64, 511, 4096, 4097, 65535, 65536 };
static const uint64_t burst[] = { 3, 5, 7 };

/* Message i's size: the list, and max_msg every 25th round. */
static uint64_t
msg_size(uint64_t max, int i)
{
	uint64_t n = i % 25 == 24 ? max : sizes[i % 8];
	return n < max ? n : max;
}

static uint8_t
msg_byte(int i, uint64_t j)
{
	return (uint8_t)(j * 7 + (uint64_t)i * 13 + (j >> 8));
}

static int
pingpong(struct ipc_chan *ch, uint8_t *buf, uint64_t max, enum ipc_role role)
{
	uint8_t key = role == IPC_SERVER ? 0 : 0xa5;   /* what the received bytes carry */
	int bad = 0, i;

	for (i = 0; i < ROUNDS && !bad; i++) {
		uint64_t n = msg_size(max, i);
		if (role == IPC_CLIENT) {
			for (uint64_t j = 0; j < n; j++)
				buf[j] = msg_byte(i, j);
			bad |= ipc_send_all(ch, buf, n, TIMEOUT) != (long)n;
		}
		bad |= ipc_recv_all(ch, buf, n, TIMEOUT) != (long)n;
		for (uint64_t j = 0; j < n && !bad; j++)
			bad |= buf[j] != (msg_byte(i, j) ^ key);
		if (role == IPC_SERVER && !bad) {
			for (uint64_t j = 0; j < n; j++)
				buf[j] ^= 0xa5;
			bad |= ipc_send_all(ch, buf, n, TIMEOUT) != (long)n;
		}
	}
	return check(!bad, "unix-socket/%s %s: %d round trips of 1 B .. %lu B, every byte checked%s",
		     ch->opts.variant, role ? "server" : "client", bad ? i - 1 : i,
		     (unsigned long)max, bad ? " - FAILED" : "");
}

/* Datagram boundaries through the interface: 3, 5, 7 bytes sent back to
 * back come out as three messages even when recv asks for 100. */
static int
boundaries(struct ipc_chan *ch, uint8_t *buf, enum ipc_role role)
{
	long got[3];

	for (int k = 0; k < 3; k++) {
		if (role == IPC_CLIENT) {
			memset(buf, 'a' + k, burst[k]);
			got[k] = ch->mech->send(ch, buf, burst[k], TIMEOUT);
		} else {
			got[k] = ch->mech->recv(ch, buf, 100, TIMEOUT);
		}
	}
	if (role == IPC_CLIENT)
		return ch->mech->recv(ch, buf, 1, TIMEOUT) == 1;  /* the server is done */
	int ok = check(got[0] == 3 && got[1] == 5 && got[2] == 7,
		       "unix-socket/dgram: 3 messages sent back to back arrive as 3 (%ld, %ld, %ld)",
		       got[0], got[1], got[2]);
	return ch->mech->send(ch, "k", 1, TIMEOUT) == 1 && ok;
}

static int
run_end(const char *opts_text, enum ipc_role role)
{
	const struct ipc_mech *m = ipc_find("unix-socket");
	struct ipc_opts o;
	struct ipc_chan ch;
	long mem;

	memset(&ch, 0, sizeof ch);
	if (!m || ipc_opts_parse(opts_text, &o) ||
	    (mem = usys_map_anon(o.max_msg + 4096, PROT_READ | PROT_WRITE)) < 0 || m->open(&ch, &o, role))
		return check(0, "unix-socket: the %s could not open its end", role ? "server" : "client") ? 0 : 1;
	int ok = check(ch.mech == m && ch.role == role, "unix-socket/%s %s: open set ch->mech and ch->role",
		       o.variant, role ? "server" : "client");
	ok &= pingpong(&ch, (uint8_t *)mem, o.max_msg, role);
	if (ok && !strcmp(o.variant, "dgram"))
		ok &= boundaries(&ch, (uint8_t *)mem, role);
	m->close(&ch);
	return ok ? 0 : 1;
}

static long
spawn_end(const char *role, const char *opts_text)
{
	char arg[USER_ARG_MAX];

	snformat(arg, sizeof arg, "%s %s", role, opts_text);
	return usys_spawn("t_usock_ipc", arg);
}

static int
driver(const char *variant)
{
	const struct ipc_mech *m = ipc_find("unix-socket");
	struct ipc_opts o;
	char text[256];
	int st_s = -1, st_c = -1, dgram = !strcmp(variant, "dgram");

	if (!check(m && m->caps & IPC_CAP_TIMEOUT && !m->call && m->max_msg == (1u << 20) &&
		   ipc_has_variant(m, variant), "unix-socket is registered, variant %s, no call, "
		   "max_msg 1 MiB", variant))
		return 0;
	memset(&o, 0, sizeof o);
	strncpy_bounded(o.variant, variant, sizeof o.variant);
	o.max_msg = m->max_msg;
	int ok = 1;
	if (dgram) {
		ok &= check(m->prepare(&o) == -EMSGSIZE, "dgram: prepare refuses max_msg 1 MiB (-EMSGSIZE)");
		o.max_msg = SOCK_DGRAM_MAX;
	}
	int err = m->prepare(&o);
	ok &= check(err == 0, "%s: prepare picked the channel's name (h = %ld, %ld)", variant,
		    (long)o.h[0], (long)o.h[1]);
	ok &= check(ipc_opts_format(&o, text, sizeof text) > 0, "%s: opts as text: \"%s\"", variant, text);
	long client = spawn_end("client", text);   /* first: open must wait for the server */
	usys_sleep_ns(20000000);
	long server = spawn_end("server", text);
	int waited = server > 0 && client > 0 && usys_wait(server, &st_s) == server &&
		     usys_wait(client, &st_c) == client;
	ok &= check(waited && st_s == 0 && st_c == 0,
		    "%s: server and client both finished cleanly (%x, %x)", variant, st_s, st_c);
	m->unprepare(&o);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "driver ", 7))
		return driver(arg + 7) ? 0 : 1;
	if (!strncmp(arg, "server ", 7))
		return run_end(arg + 7, IPC_SERVER);
	if (!strncmp(arg, "client ", 7))
		return run_end(arg + 7, IPC_CLIENT);
	return 102;
}
