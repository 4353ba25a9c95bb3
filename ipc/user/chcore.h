/*
 * chcore.h - ChCore-style IPC from user space: typed syscall wrappers
 * (arguments and results in registers, see ipc/kernel/sys_chcore_ipc.c),
 * the lecture's server loop (ipc_register_server / ipc_return, here
 * chcore_serve), and the `chcore` mechanism of the one IPC interface.
 *
 * Server:  svc = usys_chcore_register(id); pid = usys_chcore_listen(svc, t);
 *          conn = usys_chcore_accept(svc, pid, 1, &buf)   (0: reject);
 *          chcore_serve(conn, handler)  -- each call runs handler(request at
 *          the server's VA of the buffer, len, a0..a2, client pid) and its
 *          return value (ret0, and ret1..ret3 it sets) goes back in
 *          registers.
 * Client:  conn = usys_chcore_connect(id, buf_len, t, &buf);
 *          ret0 = usys_chcore_call(conn, buf + off, len, a0, a1, a2, ret)
 *          (ret[0..2] = ret1..ret3), or with msg NULL a message of len <=
 *          CHCORE_REG_MSG_MAX bytes in a0..a2 (chcore_abi.h): the request's
 *          msg is then NULL too and its bytes are in a[] (chcore_reg_load /
 *          chcore_reg_store convert).
 */
#ifndef IPC_USER_CHCORE_H
#define IPC_USER_CHCORE_H

#include <stddef.h>
#include <stdint.h>
#include "user/lib/sys.h"
#include "common/chcore_abi.h"

/* What reply_recv hands the server: the request, in registers. */
struct chcore_req {
	void *msg;                   /* at the SERVER's VA of the buffer; NULL:
					the message is the first len bytes of a[] */
	uint64_t len, a[3];
	long badge;                  /* the client's pid */
};

/* A message of len <= CHCORE_REG_MSG_MAX bytes as the three words of a
 * call in registers (the rest zero: no stack bytes leave), and back.
 * Whole words move as words, a tail of up to 7 bytes byte by byte, so
 * neither reads nor writes past the message; the words are indexed by
 * constants only, so they stay in registers. */
static inline uint64_t
chcore_reg_tail_load(const unsigned char *s, size_t n)
{
	uint64_t t = 0;

	while (n--)
		t = t << 8 | s[n];
	return t;
}

static inline void
chcore_reg_load(uint64_t w[3], const void *msg, size_t len)
{
	const unsigned char *s = msg;

	w[1] = w[2] = 0;
	if (__builtin_expect(len == 8, 1)) {   /* one word: the common case, no ladder */
		__builtin_memcpy(&w[0], s, 8);
		return;
	}
	if (len == 0) {                        /* none: nor for the empty message */
		w[0] = 0;
		return;
	}
	if (len < 8) {
		w[0] = chcore_reg_tail_load(s, len);
		return;
	}
	__builtin_memcpy(&w[0], s, 8);
	if (len < 16) {
		w[1] = chcore_reg_tail_load(s + 8, len - 8);
		return;
	}
	__builtin_memcpy(&w[1], s + 8, 8);
	if (len < 24)
		w[2] = chcore_reg_tail_load(s + 16, len - 16);
	else
		__builtin_memcpy(&w[2], s + 16, 8);
}

static inline void
chcore_reg_tail_store(unsigned char *d, uint64_t w, size_t n)
{
	for (size_t i = 0; i < n; i++, w >>= 8)
		d[i] = (unsigned char)w;
}

static inline void
chcore_reg_store(void *msg, const uint64_t w[3], size_t len)
{
	unsigned char *d = msg;

	if (__builtin_expect(len == 8, 1)) {   /* one word: see chcore_reg_load */
		__builtin_memcpy(d, &w[0], 8);
		return;
	}
	if (len == 0)
		return;
	if (len < 8) {
		chcore_reg_tail_store(d, w[0], len);
		return;
	}
	__builtin_memcpy(d, &w[0], 8);
	if (len < 16) {
		chcore_reg_tail_store(d + 8, w[1], len - 8);
		return;
	}
	__builtin_memcpy(d + 8, &w[1], 8);
	if (len < 24)
		chcore_reg_tail_store(d + 16, w[2], len - 16);
	else
		__builtin_memcpy(d + 16, &w[2], 8);
}

static inline long
usys_chcore_register(long id)
{
	return syscall1(SYS_CHCORE_REGISTER, id);
}

static inline long
usys_chcore_listen(long svc, uint64_t timeout_ns)
{
	return syscall2(SYS_CHCORE_LISTEN, svc, (long)timeout_ns);
}

/* syscall4 that also returns rdx (the kernel's second result). */
static inline long
chcore_syscall4_rdx(long nr, long a1, long a2, long a3, long a4, uint64_t *rdx_out)
{
	long ret;
	register long rdx __asm__("rdx") = a3;
	register long r10 __asm__("r10") = a4;

	__asm__ volatile("syscall" : "=a"(ret), "+d"(rdx) : "a"(nr), "D"(a1), "S"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	*rdx_out = (uint64_t)rdx;
	return ret;
}

static inline long
usys_chcore_accept(long svc, long client_pid, int yes, void **buf)
{
	uint64_t va;
	long r = chcore_syscall4_rdx(SYS_CHCORE_ACCEPT, svc, client_pid, yes, 0, &va);

	if (buf)
		*buf = (void *)va;
	return r;
}

/* flags: 0 or CHCORE_CONN_SLOWPATH (no fast path on this connection). */
static inline long
usys_chcore_connect_flags(long id, size_t buf_len, uint64_t timeout_ns, unsigned flags, void **buf)
{
	uint64_t va;
	long r = chcore_syscall4_rdx(SYS_CHCORE_CONNECT, id, (long)buf_len, (long)timeout_ns,
				     (long)flags, &va);

	if (buf)
		*buf = (void *)va;
	return r;
}

static inline long
usys_chcore_connect(long id, size_t buf_len, uint64_t timeout_ns, void **buf)
{
	return usys_chcore_connect_flags(id, buf_len, timeout_ns, 0, buf);
}

/* One SYSCALL: the kernel switches to the server and back.  Returns ret0;
 * ret (may be NULL) gets ret1..ret3. */
static inline long
usys_chcore_call(long cap, const void *msg, size_t len, uint64_t a0, uint64_t a1, uint64_t a2,
	    uint64_t ret[CHCORE_NRET - 1])
{
	long r0;
	register uint64_t rdx __asm__("rdx") = len;
	register uint64_t r10 __asm__("r10") = a0;
	register uint64_t r8 __asm__("r8") = a1;
	register uint64_t r9 __asm__("r9") = a2;

	__asm__ volatile("syscall" : "=a"(r0), "+r"(rdx), "+r"(r10), "+r"(r8)
			 : "a"((long)SYS_CHCORE_CALL), "D"(cap), "S"(msg), "r"(r9)
			 : "rcx", "r11", "memory");
	if (ret) {
		ret[0] = rdx;
		ret[1] = r10;
		ret[2] = r8;
	}
	return r0;
}

/* flags CHCORE_REPLY (answer the last request with ret[0..3], NULL: all
 * 0) and/or CHCORE_RECV (then wait for the next one, filled into *req; it
 * describes a request only when the result is >= 0, but is filled either
 * way so that a caller may test it and the result in any order). */
static inline long
usys_chcore_reply_recv(long cap, unsigned flags, const uint64_t ret[CHCORE_NRET],
		       struct chcore_req *req)
{
	long r;
	register uint64_t rdi __asm__("rdi") = (uint64_t)cap;
	register uint64_t rsi __asm__("rsi") = flags;
	register uint64_t rdx __asm__("rdx") = ret ? ret[0] : 0;
	register uint64_t r10 __asm__("r10") = ret ? ret[1] : 0;
	register uint64_t r8 __asm__("r8") = ret ? ret[2] : 0;
	register uint64_t r9 __asm__("r9") = ret ? ret[3] : 0;

	__asm__ volatile("syscall"
			 : "=a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "a"((long)SYS_CHCORE_REPLY_RECV)
			 : "rcx", "r11", "memory");
	if (req && (flags & CHCORE_RECV)) {
		req->msg = (void *)rdi;
		req->len = rsi;
		req->a[0] = rdx;
		req->a[1] = r10;
		req->a[2] = r8;
		req->badge = (long)r9;
	}
	return r;
}

static inline long
usys_chcore_close(long cap)
{
	return syscall1(SYS_CHCORE_CLOSE, cap);
}

/* The lecture's ipc_dispatcher: returns ret0 (ret1..ret3 through ret[],
 * zero unless it sets them). */
typedef uint64_t (*chcore_handler)(const struct chcore_req *req, uint64_t ret[CHCORE_NRET - 1]);
/* Serves calls on conn until it fails (-ECONNRESET once the client is
 * gone); each handler return is the ipc_return that also waits for the
 * next call. */
long chcore_serve(long conn, chcore_handler h);

#endif
