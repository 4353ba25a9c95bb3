/* ipc.c - helpers shared by all mechanisms and their callers: the opts
 * text format passed to spawned ends, whole-message loops, deadlines. */
#include "ipc/user/ipc.h"
#include "ipc/user/deadline.h"
#include "user/lib/ipcbench.h"
#include "common/string.h"

/* Text form: "<variant or -> <max_msg> <h0> ... <h7>", decimal. */
int
ipc_opts_format(const struct ipc_opts *o, char *buf, size_t size)
{
	int n = snformat(buf, size, "%s %lu", o->variant[0] ? o->variant : "-",
			 (unsigned long)o->max_msg);
	for (int i = 0; i < IPC_MAX_HANDLES && n >= 0 && (size_t)n < size; i++)
		n += snformat(buf + n, size - n, " %ld", (long)o->h[i]);
	return (size_t)n < size ? n : -E2BIG;
}

long
ipc_spawn(const struct ipc_mech *m, const struct ipc_opts *o, const char *prog, const char *arg)
{
	int fds[IPC_MAX_HANDLES];

	if (m->inherit_fds > IPC_MAX_HANDLES)
		return -EINVAL;
	for (unsigned i = 0; i < m->inherit_fds; i++)
		fds[i] = (int)o->h[i];
	return m->inherit_fds ? usys_spawn_fds(prog, arg, fds, m->inherit_fds) : usys_spawn(prog, arg);
}

int
ipc_opts_parse(const char *text, struct ipc_opts *o)
{
	size_t n = 0;
	long v;

	memset(o, 0, sizeof *o);
	while (*text == ' ')
		text++;
	while (text[n] && text[n] != ' ')
		n++;
	if (!n || n >= IPC_VARIANT_MAX)
		return -EINVAL;
	if (!(n == 1 && text[0] == '-'))
		memcpy(o->variant, text, n);
	text += n;
	if (!(text = arg_next_long(text, &v)) || v < 0)
		return -EINVAL;
	o->max_msg = (uint64_t)v;
	for (int i = 0; i < IPC_MAX_HANDLES; i++) {
		long h;
		if (!(text = arg_next_long(text, &h)))
			return -EINVAL;
		o->h[i] = h;
	}
	return 0;
}

/* No clock read for IPC_FOREVER: the benchmark's blocking ends pass it
 * on every operation, and a syscall here would be counted as the
 * mechanism's own. */
uint64_t
ipc_deadline(uint64_t timeout_ns)
{
	if (timeout_ns == IPC_FOREVER)
		return IPC_FOREVER;
	uint64_t now = usys_clock_ns();
	return now + timeout_ns < now ? IPC_FOREVER : now + timeout_ns;
}

long
ipc_send_all(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = ipc_deadline(timeout_ns);
	size_t done = 0;

	do {
		long r = ch->mech->send(ch, (const char *)buf + done, len - done, ipc_time_left(deadline));
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
	} while (done < len);
	return (long)done;
}

long
ipc_recv_all(struct ipc_chan *ch, void *buf, size_t len, uint64_t timeout_ns)
{
	uint64_t deadline = ipc_deadline(timeout_ns);
	size_t done = 0;

	do {
		long r = ch->mech->recv(ch, (char *)buf + done, len - done, ipc_time_left(deadline));
		if (r < 0)
			return done ? (long)done : r;
		if (r == 0 && len)
			return (long)done;      /* end of stream */
		done += (size_t)r;
	} while (done < len);
	return (long)done;
}

/* Here, not in lookup.c: mechanisms ask it, and lookup.c reaches the
 * mechanisms through the registry. */
int
ipc_has_variant(const struct ipc_mech *m, const char *variant)
{
	if (!variant[0])
		return 1;
	for (const char *const *v = m->variants; v && *v; v++)
		if (!strcmp(*v, variant))
			return 1;
	return 0;
}

#define RV_WAIT_NS (10ull * 1000000000ull)       /* open gives up on the peer */
#define RV_POLL_NS 1000000ull

int
ipc_rv_create(struct ipc_opts *o)
{
	long h = usys_shm_create(IPC_RV_BYTES);

	if (h < 0)
		return (int)h;
	o->h[IPC_RV_HANDLE] = h;
	return 0;
}

void
ipc_rv_destroy(struct ipc_opts *o)
{
	if (o->h[IPC_RV_HANDLE] > 0)
		usys_shm_destroy(o->h[IPC_RV_HANDLE]);
	o->h[IPC_RV_HANDLE] = 0;
}

int64_t
ipc_rv_meet(int64_t pid[2], enum ipc_role role)
{
	uint64_t deadline;
	int64_t peer;

	__atomic_store_n(&pid[role], usys_getpid(), __ATOMIC_RELEASE);
	deadline = usys_clock_ns() + RV_WAIT_NS;
	while (!(peer = __atomic_load_n(&pid[!role], __ATOMIC_ACQUIRE))) {
		if (usys_clock_ns() >= deadline)
			return 0;
		usys_sleep_ns(RV_POLL_NS);
	}
	return peer;
}
