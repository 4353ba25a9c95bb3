/* pools.c - the values arguments are drawn from: boundary numbers, good and
 * bad pointers, lengths, and ids of every object type - our own live and
 * stale ones, the other processes' (from the board), and guesses near ours.
 * All randomness comes from one xorshift64* state seeded from the run's
 * seed and the fuzzer's index, so a seed replays the same calls. */
#include "user/progs/t_fuzz/fuzz.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

uint64_t
rnd(void)
{
	uint64_t x = fz.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	fz.rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t
rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

int
one_in(uint64_t n)
{
	return rnd_below(n) == 0;
}

static const uint64_t boundary_ints[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024,
	4095, 4096, 4097, 65535, 65536, 65537, 1u << 20, (1u << 20) + 1,
	0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
	0xfffffffffffffffeull, 0xffffffff80000000ull, 0x0000800000000000ull,
};

uint64_t
pick_int(void)
{
	switch (rnd_below(8)) {
	case 0:  return rnd();
	case 1:  return rnd_below(64);
	case 2:  return -(uint64_t)rnd_below(64);
	default: return boundary_ints[rnd_below(COUNT(boundary_ints))];
	}
}

/* Pointers the kernel must refuse (or fault on part of the way). */
uint64_t
pick_bad_ptr(void)
{
	static const uint64_t fixed[] = {
		0, 1, 0xfff,
		0xffffffff80000000ull,        /* kernel text */
		0xffff800000000000ull,        /* direct map of physical memory */
		0x0000800000000000ull,        /* first non-canonical address */
		0x8000000000000000ull, 0xdead000000000000ull,
		0xffffffffffffffffull, 0x00007fffffffffffull, 0x00007ffffffff000ull,
		0x0000000500000000ull,        /* user address, nothing mapped */
		USER_STACK_TOP,               /* just above our stack */
	};
	switch (rnd_below(4)) {
	case 0:  /* straddles the guard page after the arena */
		return fz.arena + ARENA_BYTES - (1 + rnd_below(64));
	case 1:  /* our read-only text: the kernel may read but never write */
		return (uint64_t)&pick_bad_ptr + rnd_below(64);
	case 2:  /* a mapping of ours, often one unmapped since */
		return pick_mapping();
	default:
		return fixed[rnd_below(COUNT(fixed))];
	}
}

/* The start of a scratch mapping, live or unmapped since (the map area is
 * never reused, so an old address stays empty), or an empty place. */
uint64_t
pick_mapping(void)
{
	struct id_pool *m = &fz.pool[POOL_MAPPING];
	unsigned nstale = m->nstale < POOL_STALE ? m->nstale : POOL_STALE;

	if (m->nlive && one_in(2))
		return (uint64_t)m->live[rnd_below(m->nlive)];
	if (nstale)
		return (uint64_t)m->stale[rnd_below(nstale)];
	return 0x0000000500000000ull;
}

/* A pointer into memory the kernel may read and write at will. */
uint64_t
pick_valid_ptr(void)
{
	struct id_pool *m = &fz.pool[POOL_MAPPING];

	if (m->nlive && one_in(4)) {
		unsigned i = (unsigned)rnd_below(m->nlive);
		return (uint64_t)m->live[i] + rnd_below(fz.scratch_len[i]);
	}
	uint64_t off = rnd_below(ARENA_BYTES);
	return fz.arena + (one_in(2) ? off & ~7ull : off);
}

uint64_t
pick_ptr(void)
{
	return one_in(2) ? pick_valid_ptr() : pick_bad_ptr();
}

uint64_t
pick_len(void)
{
	static const uint64_t lens[] = {
		0, 1, 7, 8, 63, 64, 255, 256, 4095, 4096, 4097, 65535, 65536, 65537,
		1u << 20, (1u << 20) + 1, 0x80000000ull, 0x100000000ull,
		0x7fffffffffffffffull, 0xffffffffffffffffull, 1ull << 62,
	};
	return one_in(3) ? rnd_below(8192) : lens[rnd_below(COUNT(lens))];
}

/* ---- ids ---------------------------------------------------------------- */

static struct fuzz_slot *
other_slot(void)
{
	uint64_t n = fz.board->nprocs;
	uint64_t i = rnd_below(n + 1);

	return i == n ? &fz.board->victim : &fz.board->fuzzer[i];
}

static int64_t
others_id(int kind)
{
	if (kind >= FUZZ_OBJ_COUNT)
		return 0;
	return other_slot()->ids[kind][rnd_below(FUZZ_IDS)];
}

static int64_t
guess_near(int64_t id)
{
	return id + (int64_t)rnd_below(9) - 4;
}

int64_t
pick_id(int kind)
{
	struct id_pool *p = &fz.pool[kind];
	uint64_t how = rnd_below(20);
	int64_t id = 0;

	if (how < 7 && p->nlive)
		id = p->live[rnd_below(p->nlive)];
	else if (how < 10 && p->nstale)
		id = p->stale[rnd_below(p->nstale < POOL_STALE ? p->nstale : POOL_STALE)];
	else if (how < 15)
		id = others_id(kind);
	else if (how < 17 && p->nlive)
		id = guess_near(p->live[rnd_below(p->nlive)]);
	if (id == 0)
		id = (int64_t)pick_int();
	/* The board is the test's instrument, not a target (fuzz_abi.h). */
	if (kind == FUZZ_OBJ_SHM && id == fz.board_handle)
		id = -1;
	return id;
}

uint64_t
pick_pid(void)
{
	switch (rnd_below(8)) {
	case 0:  return (uint64_t)fz.pid;
	case 1:
	case 2:  return (uint64_t)pick_id(POOL_CHILD);
	case 3:
	case 4:  return (uint64_t)other_slot()->pid;
	case 5:  return (uint64_t)guess_near(fz.pid);
	default: return pick_int();
	}
}

/* ---- bookkeeping ---------------------------------------------------------- */

void
pool_add(int kind, int64_t id)
{
	struct id_pool *p = &fz.pool[kind];

	for (unsigned i = 0; i < p->nlive; i++)
		if (p->live[i] == id)
			return;            /* msgget may find a queue we have */
	if (p->nlive == POOL_LIVE)
		return;                /* keep_pools_bounded makes room first */
	p->live[p->nlive++] = id;
	pool_publish(kind);
}

void
pool_kill(int kind, int64_t id)
{
	struct id_pool *p = &fz.pool[kind];

	for (unsigned i = 0; i < p->nlive; i++) {
		if (p->live[i] != id)
			continue;
		p->stale[p->nstale++ % POOL_STALE] = id;
		p->live[i] = p->live[--p->nlive];
		if (kind == POOL_MAPPING)
			fz.scratch_len[i] = fz.scratch_len[p->nlive];
		pool_publish(kind);
		return;
	}
}

int64_t
pool_oldest(int kind)
{
	struct id_pool *p = &fz.pool[kind];

	return p->nlive == POOL_LIVE ? p->live[0] : 0;
}

void
pool_publish(int kind)
{
	if (kind >= FUZZ_OBJ_COUNT)
		return;
	for (unsigned i = 0; i < FUZZ_IDS; i++)
		fz.me->ids[kind][i] = i < fz.pool[kind].nlive ? fz.pool[kind].live[i] : 0;
}
