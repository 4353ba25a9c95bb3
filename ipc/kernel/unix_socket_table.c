/*
 * unix_socket_table.c - the table of Unix domain sockets by id and their
 * name space, and the lock that covers every socket (unix_socket_int.h).
 * unix_socket.c (set-up,
 * close) and unix_socket_data.c (the data paths) both build on it.
 */
#include "ipc/kernel/unix_socket_int.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/heap.h"
#include "kernel/time/clock.h"
#include "common/errno.h"
#include "kernel/lib/idtable.h"
#include "common/string.h"

struct spinlock usock_lock = SPINLOCK_INIT("usock");
/* usock_lock must be held when using socks (the id table). */
IDTABLE_DEFINE(socks, USOCK_MAX);

/* ---- the table and the name space ------------------------------------ */

struct usock *
usock_alloc(int type)
{
	struct usock *s = kmalloc(sizeof *s);

	if (s) {
		s->type = type;
		s->state = US_OPEN;
	}
	return s;
}

void
usock_free(struct usock *s)
{
	if (s)
		kfree(s->rx.data);
	kfree(s);
}

int
usock_insert_locked(struct usock *s)
{
	int64_t id = idtable_insert(&socks, s);

	if (id < 0)
		return (int)id;
	s->id = id;
	return 0;
}

void
usock_remove_locked(struct usock *s)
{
	idtable_remove(&socks, s->id);
}

struct usock *
usock_by_id_locked(int64_t id)
{
	return idtable_lookup(&socks, id);
}

/* A linear scan: USOCK_MAX is small, and the measured paths (stream I/O,
 * datagrams to the default peer) never look a name up. */
struct usock *
usock_by_name_locked(const char *name)
{
	for (unsigned i = 0; i < USOCK_MAX; i++) {
		struct usock *s = idtable_at(&socks, i);
		if (s && s->name[0] && !strcmp(s->name, name))
			return s;
	}
	return 0;
}

int
usock_may_reach_locked(const struct usock *s)
{
	return uid_may_act_on(current_proc()->uid, s->owner_uid);
}

int
usock_name_ok(const char *name)
{
	size_t n;

	for (n = 0; name[n]; n++)
		if ((unsigned char)name[n] < 0x21 || (unsigned char)name[n] > 0x7e ||
		    n + 1 >= SOCK_NAME_MAX)
			return 0;
	return n > 0;
}

unsigned
usock_live_count(void)
{
	spin_lock(&usock_lock);
	unsigned n = idtable_live(&socks);
	spin_unlock(&usock_lock);
	return n;
}
