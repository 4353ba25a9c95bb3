/*
 * t_shm_local.c - what happens at the edges of the shared-memory ring:
 * empty, full, timeouts, a message that must not be torn, a buffer too
 * small, split messages, a closed peer, bad options?  One process opens
 * both ends of one channel (through struct ipc_mech only), so every step
 * is deterministic.  arg: "<mech> <variant|->".
 */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/shm_ring.h"
#include "user/lib/timed_wait.h"

#define MS 1000000ull
#define WAIT_NS (30 * MS)

static const struct ipc_mech *m;
static const char *vname;
static struct ipc_chan cli, srv;
static uint8_t *big, *back;          /* SHM_MAX_MSG + 1 bytes each */

/* A timed-out wait must last the timeout, and not much more: the kernel
 * wakes sleepers at timer ticks, so allow a few ticks of slack (and a
 * host stall of one try: timed_wait.h). */
static long
recv_empty(void *arg)
{
	(void)arg;
	return m->recv(&srv, back, 64, WAIT_NS);
}

static long
send_full(void *arg)
{
	(void)arg;
	return m->send(&cli, "x", 1, WAIT_NS);
}

static int
times_out(struct timed_wait *w, long (*op)(void *arg))
{
	struct sysinfo si;

	usys_sysinfo(&si);
	*w = (struct timed_wait){ .op = op, .want = -ETIMEDOUT, .lo_ns = WAIT_NS,
				  .hi_ns = WAIT_NS + 3ull * si.timeslice_us * 1000 + 50 * MS };
	return timed_wait_ok(w);
}

static int
empty_ring(void)
{
	struct timed_wait w;
	int ok;

	ok = check(m->recv(&srv, back, 64, 0) == -EAGAIN, "%s/%s: recv on an empty ring with timeout 0 is -EAGAIN", m->name, vname);
	ok &= check(times_out(&w, recv_empty), "%s/%s: recv with a 30 ms timeout is -ETIMEDOUT after %lu us (%ld, try %d)",
		    m->name, vname, (unsigned long)(w.ns / 1000), w.r, w.tries);
	return ok;
}

/* Fills the ring with 1-byte messages; a 2-slot message must wait for two
 * free slots rather than go out torn. */
static int
full_ring(void)
{
	struct timed_wait w;
	uint32_t n = 0;
	long r;
	int ok;

	while ((r = m->send(&cli, &n, 1, 0)) == 1 && n < 10000)
		n++;
	ok = check(r == -EAGAIN && n == SHM_RING_SLOTS, "%s/%s: the ring takes exactly BUFFER_SIZE=%u messages, then -EAGAIN (%u, %ld)",
		   m->name, vname, SHM_RING_SLOTS, n, r);
	ok &= check(times_out(&w, send_full), "%s/%s: send to a full ring with a 30 ms timeout is -ETIMEDOUT after %lu us (%ld, try %d)",
		    m->name, vname, (unsigned long)(w.ns / 1000), w.r, w.tries);
	ok &= m->recv(&srv, back, 64, 0) == 1 && back[0] == 0;
	memset(big, 0xab, 2 * SHM_SLOT_DATA);
	ok &= check(m->send(&cli, big, 2 * SHM_SLOT_DATA, 0) == -EAGAIN,
		    "%s/%s: a 2-slot message waits while only 1 slot is free", m->name, vname);
	ok &= m->recv(&srv, back, 64, 0) == 1 && back[0] == 1;
	ok &= check(m->send(&cli, big, 2 * SHM_SLOT_DATA, 0) == 2 * SHM_SLOT_DATA,
		    "%s/%s: it goes once 2 slots are free", m->name, vname);
	for (uint32_t i = 2; i < SHM_RING_SLOTS; i++)
		ok &= m->recv(&srv, back, 64, 0) == 1 && back[0] == (uint8_t)i;
	r = m->recv(&srv, back, SHM_MAX_MSG, 0);
	ok &= check(r == 2 * SHM_SLOT_DATA && back[0] == 0xab && back[r - 1] == 0xab,
		    "%s/%s: all %u queued messages come out in order, the split one whole", m->name, vname, SHM_RING_SLOTS + 1);
	return ok;
}

static int
sizes(void)
{
	static const uint32_t lens[] = { 0, 1, SHM_SLOT_DATA - 1, SHM_SLOT_DATA, SHM_SLOT_DATA + 1,
		2 * SHM_SLOT_DATA, 2 * SHM_SLOT_DATA + 1, 100000, SHM_RING_SLOTS * SHM_SLOT_DATA };
	int ok = 1;

	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint32_t len = lens[i];
		for (uint32_t j = 0; j < len; j++)
			big[j] = (uint8_t)(j * 13 + i);
		long s = m->send(&cli, big, len, 0);
		memset(back, 0, len + 1);
		long r = m->recv(&srv, back, len, 0);
		ok &= check(s == (long)len && r == (long)len && !memcmp(big, back, len),
			    "%s/%s: a %u-byte message (%u slots) reassembles exactly", m->name, vname, len,
			    len ? (len + SHM_SLOT_DATA - 1) / SHM_SLOT_DATA : 1);
	}
	ok &= check(m->send(&cli, big, SHM_MAX_MSG + 1, IPC_FOREVER) == -E2BIG,
		    "%s/%s: a message above max_msg is -E2BIG", m->name, vname);
	ok &= m->send(&cli, big, 100, 0) == 100;
	ok &= check(m->recv(&srv, back, 99, 0) == -E2BIG, "%s/%s: a buffer 1 byte short is -E2BIG", m->name, vname);
	ok &= check(m->recv(&srv, back, 100, 0) == 100, "%s/%s: and the message waits for a larger one", m->name, vname);
	return ok;
}

/* The fast path: a message that finds the ring ready costs no syscall. */
static int
fast_path(void)
{
	struct kcounters a, b;
	long s, r;

	usys_counters(&a);
	s = m->send(&cli, "ping", 4, IPC_FOREVER);
	r = m->recv(&srv, back, 64, IPC_FOREVER);
	usys_counters(&b);
	return check(s == 4 && r == 4 && b.syscalls - a.syscalls == 1,
		     "%s/%s: send + recv on a ready ring make no system call (%lu)", m->name, vname,
		     (unsigned long)(b.syscalls - a.syscalls - 1));
}

static int
closed_peer(void)
{
	int ok = m->send(&cli, "last", 4, 0) == 4;

	m->close(&cli);
	ok &= check(m->recv(&srv, back, 64, IPC_FOREVER) == 4, "%s/%s: after the peer closes, queued data still arrives", m->name, vname);
	ok &= check(m->recv(&srv, back, 64, IPC_FOREVER) == -EPIPE, "%s/%s: then recv is -EPIPE, not a hang", m->name, vname);
	ok &= check(m->send(&srv, "x", 1, IPC_FOREVER) == -EPIPE, "%s/%s: send to a closed peer is -EPIPE", m->name, vname);
	m->close(&srv);
	return ok;
}

static int
bad_options(const struct ipc_opts *good)
{
	struct ipc_opts o = *good;
	struct ipc_chan ch;
	int ok;

	memset(&ch, 0, sizeof ch);
	o.h[0] = 0;
	ok = check(m->open(&ch, &o, IPC_CLIENT) < 0, "%s: open with handle 0 fails", m->name);
	o.h[0] = 999999;
	ok &= check(m->open(&ch, &o, IPC_CLIENT) < 0, "%s: open with an unknown handle fails", m->name);
	long other = usys_shm_create(4096);
	o.h[0] = other;
	ok &= check(m->open(&ch, &o, IPC_CLIENT) == -EINVAL, "%s: open of a shm object that is not a ring is -EINVAL", m->name);
	usys_shm_destroy(other);
	o = *good;
	strncpy_bounded(o.variant, "bogus", sizeof o.variant);
	ok &= check(m->open(&ch, &o, IPC_CLIENT) == -EINVAL && m->prepare(&o) == -EINVAL,
		    "%s: an unknown variant is -EINVAL", m->name);
	o = *good;
	ok &= check(m->open(&ch, &o, (enum ipc_role)7) == -EINVAL, "%s: an unknown role is -EINVAL", m->name);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	char name[24];
	struct ipc_opts o;
	size_t n = 0;
	int ok;

	while (arg[n] && arg[n] != ' ' && n + 1 < sizeof name)
		name[n] = arg[n], n++;
	name[n] = 0;
	if (!(m = ipc_find(name)))
		return 10;
	memset(&o, 0, sizeof o);
	vname = arg[n] == ' ' ? arg + n + 1 : "-";
	if (strcmp(vname, "-"))
		strncpy_bounded(o.variant, vname, sizeof o.variant);
	long bufs = usys_map_anon(2 * (SHM_MAX_MSG + 4096), PROT_READ | PROT_WRITE);
	if (bufs < 0 || m->prepare(&o))
		return 11;
	big = (uint8_t *)bufs;
	back = big + SHM_MAX_MSG + 4096;
	if (m->open(&cli, &o, IPC_CLIENT) || m->open(&srv, &o, IPC_SERVER))
		return 12;
	ok = check(cli.mech == m && srv.mech == m && cli.role == IPC_CLIENT && srv.role == IPC_SERVER,
		   "%s/%s: open fills in ch->mech and ch->role", m->name, vname);
	ok &= empty_ring();
	ok &= full_ring();
	ok &= sizes();
	ok &= fast_path();
	ok &= closed_peer();
	ok &= bad_options(&o);
	m->unprepare(&o);
	return ok ? 0 : 1;
}
