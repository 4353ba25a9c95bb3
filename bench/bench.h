/*
 * bench.h - the benchmark harness (the user program "bench").
 *
 * One program, two roles.  The *driver* (started by the kernel in plan mode
 * bench) walks the cases - every selected mechanism x variant x pattern x
 * size - and for each one prepares a channel through the one IPC interface,
 * spawns a server and a client *endpoint* (this same program with role
 * "end"), waits for both, turns the client's samples into statistics and
 * prints one CSV row.  Floors (null syscall, yield, address-space switch,
 * memcpy, timer overhead) are measured by the driver itself in the same boot.
 *
 * Nothing here knows any mechanism: bench talks to struct ipc_mech only.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include "common/syscall_abi.h"
#include "ipc/user/ipc.h"
#include "user/lib/timing.h"

#define BENCH_MAX_LIST   16
#define BENCH_NAME_MAX   24
#define BENCH_MAX_SAMPLES (1u << 20)   /* per-iteration timestamps kept */
/* Ends block without a timeout: a mechanism's timeout path may differ from
 * its blocking path (e.g. polling), and the blocking path is what is being
 * measured.  A dead peer is handled by the driver killing the survivor; a
 * hung mechanism by run.py's boot timeout. */
#define BENCH_OP_TIMEOUT_NS IPC_FOREVER
#define BENCH_CASE_BUDGET_S 5      /* round trips stop after this much time ... */
#define BENCH_MIN_ITERS     20     /* ... once they have this many samples */

enum bench_pattern { PATTERN_PINGPONG, PATTERN_STREAM, PATTERN_CALL, PATTERN_COUNT };
/* Where a case's two ends run: one CPU, or the server on another one. */
enum bench_placement { PLACEMENT_SAME, PLACEMENT_CROSS, PLACEMENT_COUNT };
/* The driver's placement word (the plan's key); NONE: no word given, the
 * caller places the processes (the Linux harness). */
enum bench_place_ask { PLACE_ASK_NONE, PLACE_ASK_AUTO, PLACE_ASK_SAME, PLACE_ASK_CROSS,
		       PLACE_ASK_BOTH };

/* What the kernel passed on the command line (see args.c). */
struct bench_args {
	unsigned mech_count;
	char mech[BENCH_MAX_LIST][BENCH_NAME_MAX];       /* 0 = all */
	unsigned pattern_count;
	char pattern[BENCH_MAX_LIST][BENCH_NAME_MAX];    /* 0 = all */
	unsigned size_count;
	uint32_t sizes[BENCH_MAX_LIST];                  /* 0 = default list */
	uint32_t iters, warmup;
	char run_id[BENCH_NAME_MAX];
	char accel[BENCH_NAME_MAX];
	char unit[16];                                   /* cycles | instructions */
	int placement;                                   /* enum bench_place_ask */
};

/* One measurement: what to run and what the client measured. */
struct bench_case {
	const struct ipc_mech *mech;
	char variant[IPC_VARIANT_MAX];
	enum bench_pattern pattern;
	uint32_t size;
	uint32_t iters, warmup;
	enum bench_placement placement;
	int client_cpu, server_cpu;  /* set_affinity of each end; -1 = not pinned */
};

/* placement.c: the placements a boot runs and their CPUs. */
struct placement_set {
	unsigned count;                            /* placements in list[] */
	enum bench_placement list[PLACEMENT_COUNT];
	int labelled;        /* rows carry the placement column (a word was given) */
	int cross_ok;        /* a second CPU runs threads and pinning works */
	int pin_error;       /* -errno: CPUs to place on, but set_affinity refused */
	int home, far;       /* CPUs: driver, floors, same-core ends and the
			      * cross-core client; the cross-core server (-1: none) */
};

/* PMU fixed-counter deltas over a phase (valid only when the kernel
 * enabled the counters: KVM with a vPMU, hardware). */
struct pmu_delta {
	uint64_t instructions;
	uint64_t unhalted;
	int32_t valid;
	uint32_t reserved;
};

/* phase.c: one measured phase. */
struct phase {
	struct kcounters before;
	uint64_t start, instructions, unhalted;
	int pmu_valid;
};
void phase_begin(struct phase *ph);
/* Returns the phase's TSC cycles; fills the event and PMU deltas. */
uint64_t phase_end(struct phase *ph, struct kcounters *events, struct pmu_delta *pmu);
/* out = after - before, less the one counters read that closed the phase. */
void counters_delta(const struct kcounters *before, const struct kcounters *after,
		    struct kcounters *out);

/* The TSC, ordered after every earlier instruction: each sample's clock. */
static inline uint64_t
cycles_now(void)
{
	return rdtsc_ordered();
}

/* Shared between driver and client endpoint: the result block. */
struct bench_result {
	int32_t status;              /* 0 ok, else -errno of the failing op */
	uint32_t samples;            /* entries in sample[] */
	uint32_t iters_done;         /* measured iterations (< iters if over budget) */
	uint32_t reserved;
	uint64_t total_cycles;       /* whole measured phase (stream: incl. ack) */
	uint64_t bytes;              /* payload bytes moved in the measured phase */
	struct kcounters events;     /* counter deltas over the measured phase */
	struct pmu_delta pmu;        /* PMU deltas over the same phase */
	uint64_t sample[];           /* per-iteration cycles */
};

struct bench_stats {
	uint64_t min, p50, p90, p99, max, mean, stddev;
};

/* args.c */
int bench_parse_args(const char *text, struct bench_args *a);
const char *pattern_name(enum bench_pattern p);
int pattern_from_name(const char *name);

/* placement.c */
void placement_setup(const struct bench_args *a, struct placement_set *ps);
const char *placement_obstacle(const struct placement_set *ps, const struct bench_case *c,
			       char *buf, size_t size);
void placement_cpus(const struct placement_set *ps, struct bench_case *c);
const char *placement_label(enum bench_placement p);
int placement_ask_from_name(const char *name);   /* enum bench_place_ask, or -1 */
int bench_pin_self(int cpu);                     /* cpu < 0: nothing; else 0 or -errno */

/* stats.c */
void stats_compute(uint64_t *samples, uint32_t n, struct bench_stats *out);

/* csv.c: framed rows on the console (see docs/CSV.md). */
void csv_begin(const struct bench_args *a);
void csv_row(const struct bench_args *a, const char *mech, const char *variant,
	     const char *pattern, uint32_t size, uint32_t iters,
	     const struct bench_stats *st, uint64_t mbps_milli,
	     const struct kcounters *ev, const struct pmu_delta *pmu, uint32_t ops);
void csv_samples(const uint64_t *samples, uint32_t n);
void csv_end(void);
void csv_skip(const char *mech, const char *variant, const char *pattern,
	      uint32_t size, const char *why);
/* The placement column of the rows and skips printed from now on ("" = none). */
void csv_set_placement(const char *label);

/* touch.c: the stream pattern's work on the bytes (docs/CSV.md): the
 * sender writes message seq, the receiver sums it and compares. */
void touch_fill(void *p, size_t len, uint64_t seq);
uint64_t touch_sum(const void *p, size_t len);
uint64_t touch_expected(size_t len, uint64_t seq);

/* endpoint.c: the role "end" (client or server of one case). */
int endpoint_main(const char *arg);

/* driver.c */
int driver_main(const char *arg);

/* roles.c: the program's roles by the argument's first word. */
int bench_role_main(const char *arg);

/* Which struct kcounters fields the system under test counts (bit i: the
 * i-th uint64_t); csv.c leaves the columns of the others empty.  Defined by
 * the platform: bench/platform.c (ipcbench's kernel: all of them) and
 * bench/linux/main.c (what Linux lets it count). */
unsigned bench_counters_known(void);

/* floors.c */
void floors_run(const struct bench_args *a, int cpu);   /* cpu: the partner's, -1 = any */
int floors_partner(const char *arg);     /* the "bench partner" process */
int floors_main(const char *arg);        /* "bench floors KEY=VALUE...": floors only */


#endif
