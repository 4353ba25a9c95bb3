/*
 * driver.c - walks the benchmark cases and prints one CSV row per case.
 *
 * Cases: every selected mechanism x each of its variants x each selected
 * pattern it supports x each size it can carry.  A case that cannot run
 * (size above the mechanism's max_msg, call on a mechanism without
 * IPC_CAP_CALL, an end that failed) gets an @csv-skip line saying why, so
 * a missing row is never silent.
 */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

static const uint32_t default_sizes[] = { 8, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576 };
static const uint32_t empty_only[] = { 0 };

static int
selected_name(const char list[][BENCH_NAME_MAX], unsigned count, const char *name)
{
	if (!count)
		return 1;
	for (unsigned i = 0; i < count; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

/* Length of the mechanism part of a mech list entry ("shm-poll/yield" -> 8). */
static size_t
mech_part(const char *entry)
{
	size_t n = 0;

	while (entry[n] && entry[n] != '/')
		n++;
	return n;
}

/* Is mechanism `name` in the mech list, as "name" or as "name/variant"? */
static int
selected_mech(const struct bench_args *a, const char *name)
{
	if (!a->mech_count)
		return 1;
	for (unsigned i = 0; i < a->mech_count; i++) {
		size_t n = mech_part(a->mech[i]);
		if (n == strlen(name) && !strncmp(a->mech[i], name, n))
			return 1;
	}
	return 0;
}

/* Does the mech list ask for this variant?  "name" alone means every
 * variant; "name/variant" entries pick single ones. */
static int
selected_variant(const struct bench_args *a, const char *name, const char *variant)
{
	int whole = !a->mech_count, picked = 0;

	for (unsigned i = 0; i < a->mech_count; i++) {
		const char *e = a->mech[i];
		size_t n = mech_part(e);
		if (n != strlen(name) || strncmp(e, name, n))
			continue;
		if (!e[n])
			whole = 1;
		else if (!strcmp(e + n + 1, variant[0] ? variant : "-"))
			picked = 1;
	}
	return whole || picked;
}

/* Why no size of this variant and pattern can run, or NULL.  Variant
 * "lend" is the stream pattern filling and reading in place (ipc.h). */
static const char *
pattern_obstacle(const struct bench_case *c)
{
	if (c->pattern == PATTERN_CALL && !(c->mech->caps & IPC_CAP_CALL))
		return "no-call-operation";
	if (!strcmp(c->variant, IPC_VARIANT_LEND) && c->pattern != PATTERN_STREAM)
		return "lend-is-stream-only";
	return 0;
}

/* Why a case cannot run, or NULL when it can. */
static const char *
case_obstacle(const struct bench_case *c)
{
	const char *why = pattern_obstacle(c);

	if (why)
		return why;
	if (!strcmp(c->variant, IPC_VARIANT_LEND) && (c->size == 0 || !c->mech->send_lend))
		return c->size ? "no-lend-operations" : "an-empty-message-has-nothing-to-lend";
	if (c->size > c->mech->max_msg)
		return "size-above-max_msg";
	if (c->size == 0 && (c->mech->caps & IPC_CAP_STREAM))
		return "a-byte-stream-cannot-carry-empty-messages";
	return 0;
}

static int
spawn_end(const struct bench_case *c, const char *role, int64_t result, const struct ipc_opts *o)
{
	char arg[USER_ARG_MAX], opts[256];

	if (ipc_opts_format(o, opts, sizeof opts) < 0)
		return -E2BIG;
	int cpu = !strcmp(role, "server") ? c->server_cpu : c->client_cpu;
	snformat(arg, sizeof arg, "end %s %s %s %u %u %u %ld %d %s", role, c->mech->name,
		 pattern_name(c->pattern), c->size, c->iters, c->warmup, (long)result, cpu, opts);
	return (int)ipc_spawn(c->mech, o, "bench", arg);
}

/* Starts both ends and waits for them.  The client decides: when it has
 * its samples the server has nothing left to do (a round-trip case may
 * have stopped early on its time budget), so it is killed; when the server
 * fails first, the client is killed at once instead of sitting out its
 * timeout on a dead partner. */
static int
run_ends(const struct bench_case *c, int64_t result, const struct ipc_opts *o)
{
	int status, client_status = -1;
	int server = spawn_end(c, "server", result, o);
	if (server < 0)
		return server;
	int client = spawn_end(c, "client", result, o);
	if (client < 0) {
		usys_kill_proc(server);
		usys_wait(server, &status);
		return client;
	}
	for (int left = 2; left > 0; left--) {
		long pid = usys_wait(-1, &status);
		if (pid < 0)
			return (int)pid;
		if (pid == client) {
			client_status = status;
			if (left == 2)
				usys_kill_proc(server);
		} else if (status != 0 && left == 2) {
			usys_kill_proc(client);
		}
	}
	return client_status == 0 ? 0 : -EIO;
}

static uint64_t
mbps_milli(const struct bench_result *r)
{
	uint64_t hz = tsc_hz();

	if (!r->total_cycles)
		return 0;
	/* bytes * hz / cycles = bytes/s; / 1000 gives MB/s x 1000. */
	return r->bytes * (hz / 1000) / r->total_cycles;
}

static void
report_result(const struct bench_args *a, const struct bench_case *c, struct bench_result *r)
{
	struct bench_stats st;

	csv_samples(r->sample, r->samples);
	stats_compute(r->sample, r->samples, &st);
	csv_row(a, c->mech->name, c->variant, pattern_name(c->pattern), c->size, r->iters_done, &st,
		c->pattern == PATTERN_STREAM ? mbps_milli(r) : 0, &r->events, &r->pmu, r->iters_done);
}

static int
run_case(const struct bench_args *a, const struct bench_case *c)
{
	struct ipc_opts o;
	uint32_t samples = c->iters < BENCH_MAX_SAMPLES ? c->iters : BENCH_MAX_SAMPLES;
	uint64_t bytes = sizeof(struct bench_result) + (uint64_t)samples * 8;
	char why[48];
	int err;

	memset(&o, 0, sizeof o);
	strncpy_bounded(o.variant, c->variant, sizeof o.variant);
	o.max_msg = c->size;
	if ((err = c->mech->prepare(&o)) < 0) {
		/* max_msg is per mechanism; a variant with a smaller limit (a
		 * datagram) refuses the size in prepare: a skip, not a failure. */
		int too_big = err == -EMSGSIZE || err == -E2BIG;
		if (too_big)
			snformat(why, sizeof why, "size-above-variant-limit");
		else
			snformat(why, sizeof why, "prepare-failed:%d", err);
		csv_skip(c->mech->name, c->variant, pattern_name(c->pattern), c->size, why);
		return too_big ? 0 : -1;
	}
	int64_t handle = usys_shm_create(bytes);
	long va = handle > 0 ? usys_shm_map(handle, PROT_READ | PROT_WRITE) : -ENOMEM;
	struct bench_result *r = (struct bench_result *)va;
	err = va < 0 ? (int)va : run_ends(c, handle, &o);
	/* The client's own error says more than "an end failed" (-EIO). */
	if ((!err || err == -EIO) && r->status)
		err = r->status;
	if (!err)
		report_result(a, c, r);
	else {
		snformat(why, sizeof why, "failed:%d", err);
		csv_skip(c->mech->name, c->variant, pattern_name(c->pattern), c->size, why);
	}
	c->mech->unprepare(&o);
	if (va >= 0)
		usys_unmap((void *)va, bytes);
	if (handle > 0)
		usys_shm_destroy(handle);
	return err ? -1 : 0;
}

/* One case at each of the boot's placements: a case's same-core and
 * cross-core rows are measured back to back, so host drift between them
 * is as small as it can be. */
static int
run_placements(const struct bench_args *a, const struct placement_set *ps, struct bench_case *c)
{
	unsigned failures = 0;
	char buf[48];

	for (unsigned k = 0; k < ps->count; k++) {
		c->placement = ps->list[k];
		csv_set_placement(ps->labelled ? placement_label(c->placement) : "");
		const char *why = placement_obstacle(ps, c, buf, sizeof buf);
		if (why) {
			csv_skip(c->mech->name, c->variant, pattern_name(c->pattern), c->size, why);
			failures += ps->pin_error != 0;
			continue;
		}
		placement_cpus(ps, c);
		uprintf("bench: %s/%s %s %u bytes x %u%s%s\n", c->mech->name,
			c->variant[0] ? c->variant : "-", pattern_name(c->pattern), c->size, c->iters,
			ps->labelled ? " " : "", ps->labelled ? placement_label(c->placement) : "");
		failures += run_case(a, c) != 0;
	}
	return (int)failures;
}

static int
run_sizes(const struct bench_args *a, const struct placement_set *ps, struct bench_case *c)
{
	const uint32_t *sizes = a->sizes;
	unsigned n = a->size_count, failures = 0;

	if (c->mech->max_msg == 0) {
		sizes = empty_only;     /* its only size, whatever the list says */
		n = 1;
	} else if (!n) {
		sizes = default_sizes;
		n = sizeof default_sizes / sizeof default_sizes[0];
	}
	for (unsigned i = 0; i < n; i++) {
		c->size = sizes[i];
		const char *why = case_obstacle(c);
		if (why) {
			/* Not the placement's fault: one skip, whatever it is.
			 * A pattern the variant lacks is said per size only
			 * when the sizes were asked for. */
			csv_set_placement("");
			if (a->size_count || !pattern_obstacle(c))
				csv_skip(c->mech->name, c->variant, pattern_name(c->pattern), c->size, why);
			continue;
		}
		failures += (unsigned)run_placements(a, ps, c);
	}
	return (int)failures;
}

static int
run_mech(const struct bench_args *a, const struct placement_set *ps, const struct ipc_mech *m)
{
	static const char *const no_variants[] = { "", 0 };
	const char *const *variants = m->variants ? m->variants : no_variants;
	struct bench_case c = { .mech = m, .iters = a->iters, .warmup = a->warmup };
	int failures = 0;

	for (; *variants; variants++) {
		if (!selected_variant(a, m->name, *variants))
			continue;
		strncpy_bounded(c.variant, *variants, sizeof c.variant);
		for (int p = 0; p < PATTERN_COUNT; p++) {
			if (!selected_name((const char (*)[BENCH_NAME_MAX])a->pattern, a->pattern_count,
					   pattern_name((enum bench_pattern)p)))
				continue;
			c.pattern = (enum bench_pattern)p;
			failures += run_sizes(a, ps, &c);
		}
	}
	return failures;
}

/* A mech list entry naming no mechanism, or no variant of it, is
 * reported (run.py checks names first; this catches a plan from a stick). */
static void
warn_unknown(const struct bench_args *a)
{
	for (unsigned i = 0; i < a->mech_count; i++) {
		char name[BENCH_NAME_MAX];
		const char *e = a->mech[i];
		size_t n = mech_part(e);
		memcpy(name, e, n);
		name[n] = '\0';
		const struct ipc_mech *m = ipc_find(name);
		if (!strncmp(e, "floor", 5))
			continue;
		if (!m) {
			uprintf("bench: warning: no mechanism named '%s' (have %u)\n", name, ipc_count());
			continue;
		}
		if (!e[n])
			continue;
		static const char *const none[] = { "", 0 };
		int found = 0;
		for (const char *const *v = m->variants ? m->variants : none; *v; v++)
			found |= !strcmp(e + n + 1, (*v)[0] ? *v : "-");
		if (!found)
			uprintf("bench: warning: %s has no variant '%s'\n", name, e + n + 1);
	}
}

int
driver_main(const char *arg)
{
	struct bench_args a;
	struct placement_set ps;
	int failures = 0;

	if (bench_parse_args(arg, &a))
		return 2;
	warn_unknown(&a);
	placement_setup(&a, &ps);       /* pins the driver to its home CPU */
	csv_begin(&a);
	/* The floors run where the driver runs: one CPU (two threads or two
	 * processes taking turns), so they are same-core rows. */
	csv_set_placement(ps.labelled ? placement_label(PLACEMENT_SAME) : "");
	floors_run(&a, ps.cross_ok ? ps.home : -1);
	for (unsigned i = 0; ipc_at(i); i++)
		if (selected_mech(&a, ipc_at(i)->name))
			failures += run_mech(&a, &ps, ipc_at(i));
	csv_end();
	uprintf("bench: done, %d case(s) failed\n", failures);
	return failures ? 1 : 0;
}
