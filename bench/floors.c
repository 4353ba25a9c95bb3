/*
 * floors.c - the reference costs every mechanism is compared with, measured
 * in the same boot: the timer itself, a null syscall, a thread switch
 * (yield ping-pong inside one process), an address-space switch (yield
 * ping-pong between two processes), a user memcpy of each size, and the
 * stream pattern's own work on a message of each size (touch.c: write every
 * byte, then sum every byte), with no IPC between.
 */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

#define PARTNER_STACK 16384

struct floor_run {
	const struct bench_args *a;
	uint64_t *samples;
	uint32_t n;
	struct phase ph;
};

static volatile int partner_stop;

static void
begin(struct floor_run *f)
{
	phase_begin(&f->ph);
}

static void
floor_finish(struct floor_run *f, const char *mech, const char *pattern, uint32_t size)
{
	struct bench_stats st;
	struct kcounters ev;
	struct pmu_delta pmu;

	phase_end(&f->ph, &ev, &pmu);
	csv_samples(f->samples, f->n);
	stats_compute(f->samples, f->n, &st);
	csv_row(f->a, mech, "", pattern, size, f->n, &st, 0, &ev, &pmu, f->n);
}

static void
floor_timer(struct floor_run *f)
{
	begin(f);
	for (uint32_t i = 0; i < f->n; i++) {
		uint64_t t0 = cycles_now();
		f->samples[i] = cycles_now() - t0;
	}
	floor_finish(f, "floor-timer", "timer", 0);
}

static void
floor_syscall(struct floor_run *f)
{
	for (uint32_t i = 0; i < f->a->warmup; i++)
		usys_getpid();
	begin(f);
	for (uint32_t i = 0; i < f->n; i++) {
		uint64_t t0 = cycles_now();
		usys_getpid();
		f->samples[i] = cycles_now() - t0;
	}
	floor_finish(f, "floor-syscall", "null", 0);
}

/* Round trips of usys_yield while exactly one partner is runnable.  The
 * partner adds one to *turns each time it runs, so a round trip that did
 * not give it exactly one turn is seen.  Warm-up is the plan's count, then
 * as long as it takes to see SETTLE_RUN alternating round trips in a row
 * (at most SETTLE_MAX yields): a scheduler may keep a freshly started
 * partner waiting for thousands of yields (Linux's does).  The counts are
 * reported on a "bench:" line; the turns are read outside the timed part. */
#define SETTLE_RUN 200
#define SETTLE_MAX 200000

static void
yield_roundtrips(struct floor_run *f, const char *mech, volatile uint32_t *turns)
{
	uint32_t i, run = 0, missed = 0;

	for (i = 0; i < f->a->warmup || (run < SETTLE_RUN && i < SETTLE_MAX); i++) {
		uint32_t before = *turns;
		usys_yield();
		run = *turns == before + 1 ? run + 1 : 0;
	}
	begin(f);
	for (uint32_t k = 0; k < f->n; k++) {
		uint32_t before = *turns;
		uint64_t t0 = cycles_now();
		usys_yield();
		f->samples[k] = cycles_now() - t0;
		missed += *turns != before + 1;
	}
	floor_finish(f, mech, "pingpong", 0);
	uprintf("bench: %s alternation: %u of %u round trips gave the partner exactly one turn "
		"(warm-up %u yields, settled: %s)\n", mech, f->n - missed, f->n, i,
		run >= SETTLE_RUN ? "yes" : "no");
}

static volatile uint32_t partner_turns;

static void
partner_thread(void *unused)
{
	while (!partner_stop) {
		usys_yield();
		partner_turns++;
	}
}

static void
floor_yield(struct floor_run *f)
{
	long stack = usys_map_anon(PARTNER_STACK, PROT_READ | PROT_WRITE);

	if (stack < 0)
		return;
	partner_stop = 0;
	partner_turns = 0;
	long tid = thread_start(partner_thread, (void *)(stack + PARTNER_STACK), 0);
	if (tid >= 0) {
		yield_roundtrips(f, "floor-yield", &partner_turns);
		partner_stop = 1;
		/* Not a flag set by the partner: it would still be on the
		 * stack (its return, the call to thread_user_exit) when we unmap. */
		usys_thread_join(tid);
	}
	usys_unmap((void *)stack, PARTNER_STACK);
}

/* The partner is a second process: "bench partner <handle> [<cpu>]" yields
 * until the shared flag (word 0) is set, counting its turns in word 1, so
 * every yield switches address spaces.  With a cpu it first pins itself
 * there, the driver's CPU: a yield floor needs its partner on its own CPU. */
static void
floor_as_switch(struct floor_run *f, int cpu)
{
	int64_t h = usys_shm_create(4096);
	long va = h > 0 ? usys_shm_map(h, PROT_READ | PROT_WRITE) : -1;
	char arg[48];
	int status;

	if (va < 0)
		return;
	snformat(arg, sizeof arg, cpu >= 0 ? "partner %ld %d" : "partner %ld", (long)h, cpu);
	long pid = usys_spawn("bench", arg);
	if (pid > 0) {
		while (!*(volatile int *)va)        /* partner announces itself */
			usys_yield();
		yield_roundtrips(f, "floor-as-switch", (volatile uint32_t *)va + 1);
		*(volatile int *)va = 2;
		usys_wait(pid, &status);
	}
	usys_unmap((void *)va, 4096);
	usys_shm_destroy(h);
}

int
floors_partner(const char *arg)
{
	long h = 0, cpu = -1;

	while (*arg == ' ')
		arg++;
	while (*arg >= '0' && *arg <= '9')
		h = h * 10 + (*arg++ - '0');
	arg_next_long(arg, &cpu);           /* absent: not pinned */
	long va = usys_shm_map(h, PROT_READ | PROT_WRITE);
	if (va < 0)
		return 1;
	/* The driver waits for the flag below, so a refusal is said, not fatal. */
	long err = bench_pin_self((int)cpu);
	if (err < 0)
		uprintf("bench: warning: floor partner not pinned to CPU %ld: %ld\n", cpu, err);
	volatile uint32_t *flag = (volatile uint32_t *)va;
	*flag = 1;
	while (*flag != 2) {
		usys_yield();
		flag[1]++;
	}
	return 0;
}

static void
floor_memcpy(struct floor_run *f, uint32_t size)
{
	long buf = usys_map_anon(2ull * size + 4096, PROT_READ | PROT_WRITE);

	if (buf < 0)
		return;
	char *src = (char *)buf, *dst = (char *)buf + size;
	memset(src, 0x5a, size);
	for (uint32_t i = 0; i < f->a->warmup; i++)
		memcpy(dst, src, size);
	begin(f);
	for (uint32_t i = 0; i < f->n; i++) {
		uint64_t t0 = cycles_now();
		memcpy(dst, src, size);
		__asm__ volatile("" ::: "memory");   /* keep the copy in the loop */
		f->samples[i] = cycles_now() - t0;
	}
	floor_finish(f, "floor-memcpy", "copy", size);
	usys_unmap((void *)buf, 2ull * size + 4096);
}

/* What a stream message costs on its bytes alone: the sender's fill and the
 * receiver's sum, here in one process on one buffer.  A lending stream is
 * this plus the mechanism's own cost; a copy-through one adds its copies. */
static void
floor_touch(struct floor_run *f, uint32_t size)
{
	long buf = usys_map_anon((uint64_t)size + 4096, PROT_READ | PROT_WRITE);
	uint64_t bad = 0, seq = 0;

	if (buf < 0)
		return;
	void *p = (void *)buf;
	for (uint32_t i = 0; i < f->a->warmup; i++, seq++) {
		touch_fill(p, size, seq);
		bad |= touch_sum(p, size) ^ touch_expected(size, seq);
	}
	begin(f);
	for (uint32_t i = 0; i < f->n; i++, seq++) {
		uint64_t t0 = cycles_now();
		touch_fill(p, size, seq);
		uint64_t sum = touch_sum(p, size);
		f->samples[i] = cycles_now() - t0;
		bad |= sum ^ touch_expected(size, seq);   /* also keeps the sum */
	}
	floor_finish(f, "floor-touch", "touch", size);
	if (bad)
		uprintf("bench: floor-touch %u: the sums do not match (bench/touch.c is broken)\n", size);
	usys_unmap(p, (uint64_t)size + 4096);
}

void
floors_run(const struct bench_args *a, int cpu)
{
	static const uint32_t sizes[] = { 8, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576 };
	struct floor_run f = { .a = a, .n = a->iters < BENCH_MAX_SAMPLES ? a->iters : BENCH_MAX_SAMPLES };
	long va = usys_map_anon((uint64_t)f.n * 8, PROT_READ | PROT_WRITE);

	if (va < 0) {
		uprintf("bench: no memory for floor samples\n");
		return;
	}
	f.samples = (uint64_t *)va;
	floor_timer(&f);
	floor_syscall(&f);
	floor_yield(&f);
	floor_as_switch(&f, cpu);
	const uint32_t *list = a->size_count ? a->sizes : sizes;
	unsigned n = a->size_count ? a->size_count : sizeof sizes / sizeof sizes[0];
	for (unsigned i = 0; i < n; i++)
		if (list[i])
			floor_memcpy(&f, list[i]);
	for (unsigned i = 0; i < n; i++)
		if (list[i])
			floor_touch(&f, list[i]);
	usys_unmap((void *)va, (uint64_t)f.n * 8);
}

/* The floors alone, as their own CSV block (the selftests print them so
 * every boot reports its reference costs). */
int
floors_main(const char *arg)
{
	struct bench_args a;

	if (bench_parse_args(arg, &a))
		return 2;
	csv_begin(&a);
	floors_run(&a, -1);
	csv_end();
	return 0;
}
