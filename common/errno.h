/* errno.h - error numbers returned (negated) by every syscall; values
 * follow Linux so they read familiarly in logs. */
#ifndef IPCBENCH_ERRNO_H
#define IPCBENCH_ERRNO_H

#define EPERM         1
#define ENOENT        2
#define ESRCH         3
#define EINTR         4
#define EIO           5
#define E2BIG         7
#define EBADF         9
#define ECHILD       10
#define EAGAIN       11
#define ENOMEM       12
#define EACCES       13
#define EFAULT       14
#define EBUSY        16
#define EEXIST       17
#define EINVAL       22
#define ENFILE       23
#define EMFILE       24
#define ENOSPC       28
#define EPIPE        32
#define ERANGE       34
#define EDEADLK      35
#define ENAMETOOLONG 36
#define ENOSYS       38
#define ELOOP        40
#define ENOMSG       42
#define EIDRM        43
#define ENOTSOCK     88
#define EMSGSIZE     90
#define EPROTOTYPE   91
#define EOPNOTSUPP   95
#define EADDRINUSE   98
#define EISCONN     106
#define ENOTCONN    107
#define ETIMEDOUT   110
#define ECONNREFUSED 111
#define ECONNRESET  104

#endif
