/*
 * unix_socket.h - Unix domain sockets (the lecture's 域套接字): named local
 * sockets, stream (listen/connect/accept, byte stream, EOF, reset) and
 * datagram (boundaries kept).  Sockets are struct files in the fd layer
 * (fd.h), so fd_read/fd_write/fd_close work on them.
 *
 * Names: there is no file system, so names live in a kernel namespace of
 * short strings (1..SOCK_NAME_MAX-1 printable ASCII bytes, no space), like
 * Linux's abstract namespace.  A name belongs to the socket bound to it and
 * is free again the moment that socket closes (or its process exits).
 *
 * Stream (SOCK_STREAM):
 *   listen  a bound socket takes connections into an accept queue of at
 *           most `backlog` (1..USOCK_BACKLOG_MAX) not-yet-accepted ones.
 *   connect makes the server end at once and queues it on the listener:
 *           the client is connected (it may write) before accept.  Nothing
 *           listening on the name -> -ECONNREFUSED; a datagram socket
 *           there -> -EPROTOTYPE; a full backlog -> wait for room until
 *           the timeout, then -ECONNREFUSED (at once when it is 0).
 *   accept  takes the oldest queued connection as a new descriptor.
 *   data    each connected socket has a receive ring of USOCK_STREAM_BUF
 *           bytes; the peer's writes go into it.  read returns what is
 *           there (partial reads), write blocks until every byte is in.
 *   close   clean (nothing unread in the closer's ring): the peer reads
 *           what is left, then 0 (EOF) for ever; its writes get -EPIPE.
 *           Reset (the closer left bytes unread, or it was a connection
 *           still queued when its listener closed): the peer's next read
 *           once its ring is empty, or its next write, returns
 *           -ECONNRESET, once; after that EOF and -EPIPE as above.
 * Datagram (SOCK_DGRAM):
 *   A datagram goes to the socket bound to a name (sendto with a name) or
 *   to the default peer set by connect.  Only bound sockets can receive;
 *   each has a queue (ring) of USOCK_DGRAM_QUEUE bytes, where a datagram
 *   takes its length plus USOCK_DGRAM_HDR.  A datagram goes in whole or
 *   not at all: the sender waits for room (timeout 0: -EAGAIN).  More than
 *   SOCK_DGRAM_MAX bytes: -EMSGSIZE.  recvfrom returns one datagram: a
 *   buffer shorter than it gets the first len bytes and the rest is
 *   discarded (Linux's rule without MSG_TRUNC).  Nothing bound to the name
 *   (or the default peer closed) -> -ECONNREFUSED.
 *
 * Waits end with -EAGAIN (timeout 0), -ETIMEDOUT, or -EINTR when the
 * thread is killed.  Sockets not yet accepted belong to their listener and
 * close with it; everything else closes with its last descriptor.
 */
#ifndef IPC_KERNEL_UNIX_SOCKET_H
#define IPC_KERNEL_UNIX_SOCKET_H

#include <stdint.h>
#include "common/syscall_abi.h"

#define USOCK_MAX          64           /* sockets in the system, queued ones too: -ENFILE */
#define USOCK_BACKLOG_MAX  16           /* largest listen backlog */
#define USOCK_STREAM_BUF   (64u << 10)  /* receive ring of a connected stream socket */
#define USOCK_DGRAM_HDR    40u          /* per queued datagram: length + sender name */
#define USOCK_DGRAM_QUEUE  (128u << 10) /* receive ring of a bound datagram socket */

_Static_assert(SOCK_DGRAM_MAX + USOCK_DGRAM_HDR <= USOCK_DGRAM_QUEUE,
	       "the largest datagram fits an empty queue");

struct file;
struct usock;

/* A new socket of type SOCK_STREAM or SOCK_DGRAM (already checked) as a
 * descriptor of the current process; -ENFILE, -EMFILE, -ENOMEM. */
long usock_create(int type);
/* The socket behind descriptor fd, with the file referenced through *fp
 * (file_put it when done); NULL with -EBADF or -ENOTSOCK in *err. */
struct usock *usock_fd_get(int64_t fd, struct file **fp, int *err);

/* name: a checked kernel copy (usock_name_ok). */
int usock_bind(struct usock *s, const char *name);
int usock_listen(struct usock *s, int backlog);
int usock_connect(struct usock *s, const char *name, uint64_t timeout_ns);
long usock_accept(struct usock *s, uint64_t timeout_ns);
/* name NULL: the default peer.  ubuf/ufrom already range-checked. */
long usock_sendto(struct usock *s, const char *name, uint64_t ubuf, uint64_t len,
		  uint64_t timeout_ns);
long usock_recvfrom(struct usock *s, uint64_t ubuf, uint64_t len, uint64_t ufrom,
		    uint64_t timeout_ns);

/* 1 when name (NUL-terminated, fewer than SOCK_NAME_MAX bytes) is a
 * valid socket name: non-empty, printable ASCII without space. */
int usock_name_ok(const char *name);
/* Sockets not yet freed (tests, leak checks). */
unsigned usock_live_count(void);

#endif
