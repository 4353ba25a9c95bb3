/* iface_round.c - one round of the interface tests' ping-pong (see
 * iface_round.h). */
#include "user/lib/iface_round.h"
#include "user/lib/ipcbench.h"

void
iface_fill(uint8_t *b, uint64_t n, unsigned seed)
{
	for (uint64_t j = 0; j < n; j++)
		b[j] = (uint8_t)(seed * 131u + j * 7u + (j >> 8));
}

int
iface_round_run(struct iface_round *r, int i, uint64_t n)
{
	unsigned rx_seed = r->role == IPC_SERVER ? (unsigned)i : (unsigned)i + 1000;
	int bad = 0;

	if (r->role == IPC_CLIENT) {
		iface_fill(r->out, n, (unsigned)i);
		bad |= r->send(r->ch, r->out, n, IPC_FOREVER) != (long)n;
	}
	long got = r->m->recv(r->ch, r->in, r->max_msg, IPC_FOREVER);
	iface_fill(r->out, n, rx_seed);
	bad |= got != (long)n || checksum(r->in, n) != checksum(r->out, n) || memcmp(r->in, r->out, n);
	r->sum += checksum(r->in, n);
	if (r->role == IPC_SERVER) {
		iface_fill(r->out, n, (unsigned)i + 1000);
		bad |= r->send(r->ch, r->out, n, IPC_FOREVER) != (long)n;
	}
	return !bad;
}
