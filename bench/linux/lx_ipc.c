/*
 * lx_ipc.c - the IPC system calls of the ipcbench emulation on Linux (see
 * lx.h): each ipcbench object becomes its Linux counterpart, so the
 * portable mechanisms in ipc/user/ measure Linux's pipes, SysV queues,
 * futexes, POSIX semaphores and Unix domain sockets.
 *
 *   pipe        pipe(2) itself
 *   SysV queue  msgget/msgsnd/msgrcv; ids are Linux's + 1 (Linux may hand
 *               out 0, which ipcbench code treats as "none")
 *   futex       FUTEX_WAIT/FUTEX_WAKE, shared (not private): two processes
 *   semaphore   POSIX sem_t (process-shared) in a memfd pool; id = slot + 1
 *   sockets     AF_UNIX in the abstract namespace, "ipcbench." + the name
 * Timeouts follow ipc.h: IPC_FOREVER blocks in the Linux call itself,
 * 0 and finite times wait with poll() or the call's timed form first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bench/linux/lx.h"

#define FOREVER      UINT64_MAX
#define NAME_PREFIX  "ipcbench."
#define NAME_MAX_LEN 32                 /* ipcbench's SOCK_NAME_MAX */
#define DGRAM_MAX    (64u << 10)        /* ipcbench's SOCK_DGRAM_MAX */
#define QUEUE_BYTES  (128u << 10)       /* ipcbench's MSGMNB */
#define SEM_SLOTS    64
#define SEM_POOL_ENV "IPCBENCH_SEM_POOL"

static long
neg_errno(void)
{
	return -(long)errno;
}

/* 0 when fd is ready for `events`; -EAGAIN (timeout 0) or -ETIMEDOUT. */
static long
wait_ready(long fd, short events, uint64_t timeout_ns)
{
	struct pollfd p = { (int)fd, events, 0 };
	int ms = timeout_ns >= (uint64_t)INT32_MAX * 1000000ull ? INT32_MAX
		 : (int)((timeout_ns + 999999) / 1000000);

	if (timeout_ns == FOREVER)
		return 0;
	int r = poll(&p, 1, ms);
	if (r < 0)
		return neg_errno();
	return r ? 0 : (timeout_ns ? -ETIMEDOUT : -EAGAIN);
}

/* ------------------------------------------------------------- pipes */

long
lx_pipe(int fd[2])
{
	return pipe(fd) ? neg_errno() : 0;
}

/* A zero-byte read or write never waits: it only checks the descriptor
 * and its direction (ipcbench's fd layer, which pipe.c's open relies on). */
long
lx_fd_read(long fd, void *buf, size_t len, uint64_t timeout_ns)
{
	long r = len ? wait_ready(fd, POLLIN, timeout_ns) : 0;

	if (r)
		return r;
	ssize_t n = read((int)fd, buf, len);
	return n < 0 ? neg_errno() : n;
}

long
lx_fd_write(long fd, const void *buf, size_t len, uint64_t timeout_ns)
{
	long r = len ? wait_ready(fd, POLLOUT, timeout_ns) : 0;

	if (r)
		return r;
	ssize_t n = write((int)fd, buf, len);
	return n < 0 ? neg_errno() : n;
}

long
lx_fd_close(long fd)
{
	return close((int)fd) ? neg_errno() : 0;
}

/* ------------------------------------------------------- SysV queues */

long
lx_msgget(long key, unsigned flags)
{
	int id = msgget((key_t)key, (int)flags);
	struct msqid_ds ds;

	if (id < 0)
		return neg_errno();
	/* ipcbench's per-queue byte limit; Linux allows raising it above
	 * msgmnb only to root, so elsewhere the default stays. */
	if (!msgctl(id, IPC_STAT, &ds) && ds.msg_qbytes < QUEUE_BYTES) {
		ds.msg_qbytes = QUEUE_BYTES;
		msgctl(id, IPC_SET, &ds);
	}
	return (long)id + 1;
}

long
lx_msgsnd(long id, const void *msgp, size_t size, unsigned flags)
{
	return msgsnd((int)id - 1, msgp, size, (int)flags) ? neg_errno() : 0;
}

long
lx_msgrcv(long id, void *msgp, size_t size, long type, unsigned flags)
{
	ssize_t n = msgrcv((int)id - 1, msgp, size, type, (int)flags);

	return n < 0 ? neg_errno() : n;
}

long
lx_msgctl(long id, int cmd, void *ds, size_t ds_size)
{
	struct msqid_ds lds;

	if (cmd == IPC_RMID)
		return msgctl((int)id - 1, IPC_RMID, 0) ? neg_errno() : 0;
	if (cmd != IPC_STAT)
		return -EINVAL;
	if (msgctl((int)id - 1, IPC_STAT, &lds))
		return neg_errno();
	memset(ds, 0, ds_size);
	return 0;
}

/* ------------------------------------------------------------ futexes */

static struct timespec
relative(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	return ts;
}

long
lx_futex_wait(const volatile uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
	struct timespec ts = relative(timeout_ns);

	if (syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout_ns == FOREVER ? 0 : &ts, 0, 0))
		return neg_errno();
	return 0;
}

long
lx_futex_wake(const volatile uint32_t *word, int n)
{
	long r = syscall(SYS_futex, word, FUTEX_WAKE, n, 0, 0, 0);

	return r < 0 ? neg_errno() : r;
}

/* ------------------------------------------------- POSIX semaphores */

/* One pool per benchmark run, made by the first process that needs it
 * (the driver, in prepare) before it spawns the ends, which find it
 * through the inherited descriptor named in the environment. */
struct sem_pool {
	uint32_t used[SEM_SLOTS];
	sem_t sem[SEM_SLOTS];
};

static struct sem_pool *pool;

static struct sem_pool *
sem_pool(int create)
{
	const char *env = getenv(SEM_POOL_ENV);
	int fd = env ? atoi(env) : -1;

	if (pool)
		return pool;
	if (fd < 0 && create) {
		if ((fd = memfd_create("ipcbench-sem", 0)) < 0 ||
		    ftruncate(fd, sizeof(struct sem_pool)))
			return 0;
		char text[16];
		snprintf(text, sizeof text, "%d", fd);
		setenv(SEM_POOL_ENV, text, 1);
	}
	if (fd < 0)
		return 0;
	void *p = mmap(0, sizeof(struct sem_pool), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pool = p == MAP_FAILED ? 0 : p;
	return pool;
}

static sem_t *
sem_of(long id)
{
	struct sem_pool *p = sem_pool(0);

	if (!p || id < 1 || id > SEM_SLOTS || !p->used[id - 1])
		return 0;
	return &p->sem[id - 1];
}

long
lx_sem_create(long initial)
{
	struct sem_pool *p = sem_pool(1);

	if (!p)
		return -ENOMEM;
	for (int i = 0; i < SEM_SLOTS; i++) {
		if (p->used[i])
			continue;
		if (sem_init(&p->sem[i], 1, (unsigned)initial))
			return neg_errno();
		p->used[i] = 1;
		return i + 1;
	}
	return -ENOSPC;
}

long
lx_sem_p(long id, uint64_t timeout_ns)
{
	sem_t *s = sem_of(id);
	struct timespec abs;
	int r;

	if (!s)
		return -EINVAL;
	if (timeout_ns == FOREVER) {
		r = sem_wait(s);
	} else if (timeout_ns == 0) {
		r = sem_trywait(s);
	} else {
		clock_gettime(CLOCK_MONOTONIC, &abs);
		uint64_t end = (uint64_t)abs.tv_nsec + timeout_ns % 1000000000ull;
		abs.tv_sec += (time_t)(timeout_ns / 1000000000ull + end / 1000000000ull);
		abs.tv_nsec = (long)(end % 1000000000ull);
		r = sem_clockwait(s, CLOCK_MONOTONIC, &abs);
	}
	return r ? neg_errno() : 0;
}

long
lx_sem_v(long id)
{
	sem_t *s = sem_of(id);

	if (!s)
		return -EINVAL;
	return sem_post(s) ? neg_errno() : 0;
}

long
lx_sem_destroy(long id)
{
	sem_t *s = sem_of(id);

	if (!s)
		return -EINVAL;
	sem_destroy(s);
	pool->used[id - 1] = 0;
	return 0;
}

/* ------------------------------------------------------------ sockets */

/* An ipcbench socket name as a Linux abstract address. */
static long
address_of(const char *name, struct sockaddr_un *a, socklen_t *len)
{
	size_t n = strnlen(name, NAME_MAX_LEN);

	if (n == 0 || n == NAME_MAX_LEN)
		return -EINVAL;
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, NAME_PREFIX, sizeof NAME_PREFIX - 1);
	memcpy(a->sun_path + sizeof NAME_PREFIX, name, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof NAME_PREFIX + n);
	return 0;
}

long
lx_socket(int dgram)
{
	int fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);

	return fd < 0 ? neg_errno() : fd;
}

long
lx_bind(long fd, const char *name)
{
	struct sockaddr_un a;
	socklen_t len;
	long r = address_of(name, &a, &len);

	if (r)
		return r;
	return bind((int)fd, (struct sockaddr *)&a, len) ? neg_errno() : 0;
}

long
lx_listen(long fd, int backlog)
{
	return listen((int)fd, backlog) ? neg_errno() : 0;
}

long
lx_connect(long fd, const char *name, uint64_t timeout_ns)
{
	struct sockaddr_un a;
	socklen_t len;
	long r = address_of(name, &a, &len);

	if (r)
		return r;
	return connect((int)fd, (struct sockaddr *)&a, len) ? neg_errno() : 0;
}

long
lx_accept(long fd, uint64_t timeout_ns)
{
	long r = wait_ready(fd, POLLIN, timeout_ns);

	if (r)
		return r;
	int c = accept((int)fd, 0, 0);
	return c < 0 ? neg_errno() : c;
}

static int
is_dgram(long fd)
{
	int type = 0;
	socklen_t len = sizeof type;

	getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len);
	return type == SOCK_DGRAM;
}

long
lx_sendto(long fd, const void *buf, size_t len, const char *name, uint64_t timeout_ns)
{
	struct sockaddr_un a;
	socklen_t alen = 0;
	long r;

	if (len > DGRAM_MAX && is_dgram(fd))
		return -EMSGSIZE;           /* ipcbench's datagram limit */
	if (name && (r = address_of(name, &a, &alen)))
		return r;
	if ((r = wait_ready(fd, POLLOUT, timeout_ns)))
		return r;
	ssize_t n = sendto((int)fd, buf, len, 0, name ? (struct sockaddr *)&a : 0, alen);
	return n < 0 ? neg_errno() : n;
}

long
lx_recvfrom(long fd, void *buf, size_t len, char *from, uint64_t timeout_ns)
{
	struct sockaddr_un a;
	socklen_t alen = sizeof a;
	long r = wait_ready(fd, POLLIN, timeout_ns);

	if (r)
		return r;
	ssize_t n = recvfrom((int)fd, buf, len, 0, (struct sockaddr *)&a, &alen);
	if (n < 0)
		return neg_errno();
	if (from) {
		size_t skip = offsetof(struct sockaddr_un, sun_path) + sizeof NAME_PREFIX;
		size_t name_len = alen > skip ? alen - skip : 0;
		if (name_len >= NAME_MAX_LEN)
			name_len = NAME_MAX_LEN - 1;
		memcpy(from, a.sun_path + sizeof NAME_PREFIX, name_len);
		from[name_len] = '\0';
	}
	return n;
}
