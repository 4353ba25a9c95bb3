/* t_sem_bb.c - does the semaphore bounded buffer lose, duplicate, reorder
 * or tear anything when three producer and three consumer processes share
 * one buffer of four slots?
 *   classic | msglock     the driver: one-slot items through the classic
 *                         empty/full/mutex buffer, or three-slot items
 *                         through the buffer with message locks
 *   prod|cons MODE SHM EMPTY FULL MUTEX PUT GET INDEX   one party
 * Each producer puts ITEMS numbered items; consumers count every item they
 * get in shared memory; afterwards each must have been consumed once. */
#include "user/lib/ipcbench.h"
#include "ipc/user/ipc.h"
#include "ipc/user/sem.h"

#define PRODUCERS 3
#define CONSUMERS 3
#define SLOTS     4
#define MAX_ITEMS 200
#define STOP      0xffu
#define OP_TIMEOUT (30ull * 1000000000ull)   /* a deadlock fails, never hangs */

struct mode {
	const char *name;
	int msglocks;
	uint32_t slot_bytes, item_bytes, items;
};

static const struct mode modes[] = {
	{ "classic", 0, 16, 16, 200 },   /* an item is one slot */
	{ "msglock", 1, 32, 80, 100 },   /* an item spans three slots */
};

/* After the buffer in the shared object. */
struct results {
	uint32_t seen[PRODUCERS][MAX_ITEMS];   /* times each item was consumed */
	uint32_t got[CONSUMERS];
	uint32_t disorder[CONSUMERS];          /* a producer's items out of order */
	uint32_t torn[CONSUMERS];              /* wrong length or content */
	int32_t error[PRODUCERS + CONSUMERS];  /* first -errno a party saw */
};

struct setup {
	const struct mode *m;
	long shm;
	struct bb_sems s;
};

static size_t
results_offset(const struct mode *m)
{
	return (bb_bytes(SLOTS, m->slot_bytes) + 63) & ~(size_t)63;
}

static uint8_t
pattern(uint32_t p, uint32_t seq, uint32_t j)
{
	return (uint8_t)(p * 73 + seq * 13 + j);
}

static void
make_item(uint8_t *item, const struct mode *m, uint32_t p, uint32_t seq)
{
	memcpy(item, &p, 4);
	memcpy(item + 4, &seq, 4);
	for (uint32_t j = 8; j < m->item_bytes; j++)
		item[j] = pattern(p, seq, j);
}

static int
producer(const struct setup *su, struct bbuf *b, struct results *res, uint32_t me)
{
	uint8_t item[128];

	for (uint32_t seq = 0; seq < su->m->items; seq++) {
		make_item(item, su->m, me, seq);
		long r = bb_put(b, item, su->m->item_bytes, OP_TIMEOUT);
		if (r != (long)su->m->item_bytes) {
			res->error[me] = (int32_t)r;
			return 1;
		}
	}
	return 0;
}

/* Checks one item: 0 good, 1 torn, 2 out of order; records it as seen. */
static int
judge_item(const struct mode *m, struct results *res, const uint8_t *item, long len, int64_t *last)
{
	uint32_t p, seq;

	memcpy(&p, item, 4);
	memcpy(&seq, item + 4, 4);
	if (len != (long)m->item_bytes || p >= PRODUCERS || seq >= m->items)
		return 1;
	for (uint32_t j = 8; j < m->item_bytes; j++)
		if (item[j] != pattern(p, seq, j))
			return 1;
	__atomic_add_fetch(&res->seen[p][seq], 1, __ATOMIC_SEQ_CST);
	int ordered = (int64_t)seq > last[p];
	last[p] = seq;
	return ordered ? 0 : 2;
}

static int
consumer(const struct setup *su, struct bbuf *b, struct results *res, uint32_t me)
{
	int64_t last[PRODUCERS] = { -1, -1, -1 };
	uint8_t item[128];

	for (;;) {
		long r = bb_get(b, item, sizeof item, OP_TIMEOUT);
		if (r < 0) {
			res->error[PRODUCERS + me] = (int32_t)r;
			return 1;
		}
		if (r >= 4 && item[0] == STOP)
			return 0;
		int verdict = judge_item(su->m, res, item, r, last);
		res->got[me]++;
		res->torn[me] += verdict == 1;
		res->disorder[me] += verdict == 2;
	}
}

static const char *
next_num(const char *s, long *out)
{
	long v = 0;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	*out = v;
	return s;
}

static const struct mode *
find_mode(const char *name, size_t n)
{
	for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strlen(modes[i].name) == n && !strncmp(modes[i].name, name, n))
			return &modes[i];
	return 0;
}

/* "prod|cons MODE SHM EMPTY FULL MUTEX PUT GET INDEX" */
static int
party(const char *arg)
{
	int prod = arg[0] == 'p';
	const char *s = arg + 5, *end = s;
	long v[7];
	struct setup su;
	struct bbuf b;

	while (*end && *end != ' ')
		end++;
	if (!(su.m = find_mode(s, (size_t)(end - s))))
		return 90;
	for (int i = 0; i < 7; i++)
		if (!(end = next_num(end, &v[i])))
			return 91;
	su.shm = v[0];
	su.s = (struct bb_sems){ v[1], v[2], v[3], v[4], v[5] };
	long va = usys_shm_map(su.shm, PROT_READ | PROT_WRITE);
	if (va < 0 || v[6] >= (prod ? PRODUCERS : CONSUMERS))
		return 92;
	if (bb_attach(&b, (void *)va, SLOTS, su.m->slot_bytes, &su.s, (uint32_t)v[6] + 1))
		return 93;
	struct results *res = (struct results *)(va + results_offset(su.m));
	return prod ? producer(&su, &b, res, (uint32_t)v[6]) : consumer(&su, &b, res, (uint32_t)v[6]);
}

static long
spawn_party(const struct setup *su, const char *role, int index)
{
	char arg[160];

	snformat(arg, sizeof arg, "%s %s %ld %ld %ld %ld %ld %ld %d", role, su->m->name, su->shm,
		 (long)su->s.empty, (long)su->s.full, (long)su->s.mutex, (long)su->s.put_lock,
		 (long)su->s.get_lock, index);
	return usys_spawn("t_sem_bb", arg);
}

static int
verify(const struct mode *m, const struct results *res)
{
	uint32_t once = 0, got = 0, torn = 0, disorder = 0;

	for (int p = 0; p < PRODUCERS; p++)
		for (uint32_t i = 0; i < m->items; i++)
			once += res->seen[p][i] == 1;
	for (int c = 0; c < CONSUMERS; c++) {
		got += res->got[c];
		torn += res->torn[c];
		disorder += res->disorder[c];
	}
	int ok = check(once == PRODUCERS * m->items && got == once,
		       "%s: all %u items consumed exactly once (%u once, %u got: %u/%u/%u per consumer)",
		       m->name, PRODUCERS * m->items, once, got, res->got[0], res->got[1], res->got[2]);
	ok &= check(!torn, "%s: every item arrived whole, %u bytes in %u slot(s) (%u torn)", m->name,
		    m->item_bytes, (m->item_bytes + m->slot_bytes - 1) / m->slot_bytes, torn);
	ok &= check(!disorder, "%s: each consumer got each producer's items in order (%u out of order)",
		    m->name, disorder);
	return ok;
}

/* Producers first, then one stop item per consumer from the driver. */
static int
drive_mode(const struct mode *m)
{
	struct setup su = { m, 0, { 0 } };
	size_t bytes = results_offset(m) + sizeof(struct results);
	long pids[PRODUCERS + CONSUMERS];
	int statuses_ok = 1, status;
	struct bbuf b;

	su.shm = usys_shm_create(bytes);
	long va = su.shm > 0 ? usys_shm_map(su.shm, PROT_READ | PROT_WRITE) : -1;
	if (va < 0 || bb_sems_create(&su.s, SLOTS, m->msglocks) < 0)
		return !check(0, "%s: shared memory and semaphores", m->name);
	bb_format((void *)va, SLOTS, m->slot_bytes);
	bb_attach(&b, (void *)va, SLOTS, m->slot_bytes, &su.s, 99);
	for (int i = 0; i < CONSUMERS; i++)
		pids[PRODUCERS + i] = spawn_party(&su, "cons", i);
	for (int i = 0; i < PRODUCERS; i++)
		pids[i] = spawn_party(&su, "prod", i);
	for (int i = 0; i < PRODUCERS; i++)
		statuses_ok &= usys_wait(pids[i], &status) == pids[i] && status == 0;
	uint8_t stop[128] = { STOP };
	for (int i = 0; i < CONSUMERS; i++)
		statuses_ok &= bb_put(&b, stop, m->item_bytes, OP_TIMEOUT) == (long)m->item_bytes;
	for (int i = 0; i < CONSUMERS; i++)
		statuses_ok &= usys_wait(pids[PRODUCERS + i], &status) == pids[PRODUCERS + i] && status == 0;
	struct results *res = (struct results *)(va + results_offset(m));
	int ok = check(statuses_ok, "%s: 3 producers and 3 consumers finished cleanly (first errors %d %d %d / %d %d %d)",
		       m->name, res->error[0], res->error[1], res->error[2], res->error[3], res->error[4],
		       res->error[5]);
	ok &= verify(m, res);
	bb_sems_destroy(&su.s);
	usys_unmap((void *)va, bytes);
	usys_shm_destroy(su.shm);
	return ok;
}

int
main(const char *arg, unsigned long arglen)
{
	if (!strncmp(arg, "prod ", 5) || !strncmp(arg, "cons ", 5))
		return party(arg);
	const struct mode *m = find_mode(arg, strlen(arg));
	if (!m) {
		uprintf("t_sem_bb: unknown argument '%s'\n", arg);
		return 100;
	}
	return drive_mode(m) ? 0 : 1;
}
