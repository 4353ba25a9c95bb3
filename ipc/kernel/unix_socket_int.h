/*
 * unix_socket_int.h - what the three parts of the Unix socket code share:
 * unix_socket_table.c (the table, names, the lock, the wait),
 * unix_socket.c (connection set-up, close) and unix_socket_data.c (the
 * rings, stream read/write, datagrams); both build on the table, and
 * unix_socket.c on the data paths (never the other way round).
 *
 * One lock, usock_lock, covers every socket, the table and every ring.
 * A connection ties two sockets and a listener together, and close must
 * update all of them at once; one lock needs no ordering rules, and on
 * this single-CPU kernel it costs nothing in contention.  It may be held
 * when taking sched_lock (wakeup, sleep) and the heap lock (kfree).
 *
 * Sleep channels, one per condition, all addresses inside the socket the
 * condition is about (so close knows what to wake):
 *   &s->rx.nwrite   data (or EOF, or a reset) for s's readers
 *   &s->rx.nread    room in s's ring, for whoever writes or sends to s
 *   &s->qlen        a connection queued on listener s, for accept
 *   &s->backlog     room in listener s's queue, for connect
 * A sleeper on another socket's channel holds no reference to it: it
 * wakes, then finds that socket again (its peer pointer, a name, an id),
 * since close wakes the channels before freeing and clears every pointer
 * to the closing socket under the lock.
 */
#ifndef IPC_KERNEL_UNIX_SOCKET_INT_H
#define IPC_KERNEL_UNIX_SOCKET_INT_H

#include <stdint.h>
#include "ipc/kernel/unix_socket.h"
#include "kernel/sync/spinlock.h"

enum usock_state {
	US_OPEN,                     /* new: may bind, listen or connect (dgram: always) */
	US_LISTENING,                /* stream: takes connections into its queue */
	US_QUEUED,                   /* stream: server end waiting in a listener's queue */
	US_CONNECTED,                /* stream: has a peer, or had one */
};

/* Free-running counters, indexed modulo size: nwrite - nread bytes used. */
struct usock_ring {
	uint8_t *data;               /* NULL until the socket can receive */
	uint32_t size;
	uint64_t nread, nwrite;
};

struct usock {
	int type;                    /* SOCK_STREAM or SOCK_DGRAM, fixed at creation */
	/* usock_lock must be held when using everything below: */
	enum usock_state state;
	int64_t id;                  /* generation * USOCK_MAX + slot + 1 */
	char name[SOCK_NAME_MAX];    /* "" = not bound */
	unsigned owner_uid;          /* the binder's uid: who may reach the name */
	struct usock_ring rx;        /* what others sent to this socket */
	/* stream */
	struct usock *peer;          /* the other end; NULL once it closed */
	int err;                     /* -ECONNRESET to report once, or 0 */
	/* listening */
	int backlog;                 /* most connections queued at once */
	int qlen;                    /* connections queued now */
	struct usock *q_head, *q_tail;
	struct usock *q_next;        /* US_QUEUED: link in its listener's queue */
	/* datagram */
	int64_t dpeer;               /* default destination (connect), 0 = none */
};

extern struct spinlock usock_lock;

/* unix_socket_table.c */
struct usock *usock_alloc(int type);
void usock_free(struct usock *s);           /* its ring too; s may be NULL */
/* Gives s a slot and an id whose generation makes a stale id miss;
 * -ENFILE when the table is full. */
int usock_insert_locked(struct usock *s);
/* Takes s off the table: its id and its name stop finding it. */
void usock_remove_locked(struct usock *s);
struct usock *usock_by_name_locked(const char *name);
struct usock *usock_by_id_locked(int64_t id);
/* The permission model: a bound socket is reached (connect, sendto) only by
 * root and by processes of its binder's uid; others get -EACCES. */
int usock_may_reach_locked(const struct usock *s);

/* unix_socket_data.c: the descriptor read/write of a socket. */
long usock_file_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns);
long usock_file_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t timeout_ns);
uint64_t usock_ring_used(const struct usock_ring *r);

#endif
