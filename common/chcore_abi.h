/* chcore_abi.h - user/kernel constants of the chcore IPC syscalls
 * (ipc/kernel/chcore_ipc.c, ipc/user/chcore.c). */
#ifndef COMMON_CHCORE_ABI_H
#define COMMON_CHCORE_ABI_H

#define CHCORE_NCAPS      16          /* capability slots per process */
#define CHCORE_ID_MAX     0x7fffffffll /* service ids are 1..CHCORE_ID_MAX */
#define CHCORE_BUF_MAX    (1ull << 20) /* largest message buffer */

/* A call whose msg_va is 0 carries its message in registers: len bytes,
 * at most CHCORE_REG_MSG_MAX, in a0..a2 (byte i of the message is byte
 * i % 8 of word i / 8, x86's order).  The server's reply_recv then returns
 * rdi = 0 and the words in rdx/r10/r8.  Larger messages go through the
 * connection's buffer. */
#define CHCORE_REG_MSG_MAX 24
#define CHCORE_NRET       4           /* reply words: ret0 (rax) .. ret3 */

/* chcore_reply_recv flags */
#define CHCORE_REPLY      1u          /* answer the call this thread took */
#define CHCORE_RECV       2u          /* then wait for the next call */

/* chcore_connect flags (4th argument) */
#define CHCORE_CONN_SLOWPATH 1u       /* no fast path on this connection: every
					 call and reply_recv takes the general
					 decode-then-invoke path (a baseline) */

#endif
