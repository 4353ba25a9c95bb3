/*
 * iface_round.h - one round of the checked ping-pong with which the
 * interface tests (t_msg_iface, t_sysv_iface) drive a mechanism through
 * struct ipc_mech only: the client sends n bytes of pattern i, the server
 * checks them and answers n bytes of pattern i + 1000, which the client
 * checks.  Every byte is compared, and the checksums of what arrived are
 * summed for the report.
 */
#ifndef USER_LIB_IFACE_ROUND_H
#define USER_LIB_IFACE_ROUND_H

#include <stdint.h>
#include "ipc/user/ipc.h"

struct iface_round {
	const struct ipc_mech *m;
	struct ipc_chan *ch;
	enum ipc_role role;
	/* m->send, or ipc_send_all where one call may take part of a message */
	long (*send)(struct ipc_chan *ch, const void *buf, size_t len, uint64_t timeout_ns);
	uint8_t *out, *in;           /* max_msg bytes each */
	uint64_t max_msg;
	uint32_t sum;                /* checksums of what arrived */
};

/* Pattern `seed` over n bytes. */
void iface_fill(uint8_t *b, uint64_t n, unsigned seed);
/* Round i with n bytes each way; 1 when both sends took n and what arrived
 * was n bytes of the expected pattern. */
int iface_round_run(struct iface_round *r, int i, uint64_t n);

#endif
