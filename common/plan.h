/*
 * plan.h - the run plan: a small "key = value" text file on the ESP
 * (\EFI\IPCBENCH\PLAN.TXT) saying what one boot does.
 *
 * Syntax: one "key = value" per line; '#' starts a comment; blank lines are
 * ignored; whitespace around key and value is ignored; keys are lower case.
 * Every unknown key and every bad value is reported with its line number and
 * the run stops with a nonzero status (the loader and the kernel both parse
 * the plan with this same code, so they cannot disagree).
 *
 * Freestanding: no libc.  Used by boot/, kernel/ and the host unit tests.
 */
#ifndef IPCBENCH_PLAN_H
#define IPCBENCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

enum plan_mode   { PLAN_MODE_SELFTEST = 0, PLAN_MODE_BENCH = 1 };
/* both: bench mode measures every case twice in one boot, PCID on then off
 * (once, off, on a CPU without PCID); the TLB layer itself starts as auto. */
enum plan_pcid   { PLAN_PCID_AUTO = 0, PLAN_PCID_ON = 1, PLAN_PCID_OFF = 2,
		   PLAN_PCID_BOTH = 3 };
enum plan_end    { PLAN_END_POWEROFF = 0, PLAN_END_HALT = 1 };
/* What a TSC tick means: cycles, or instructions under QEMU -icount. */
enum plan_unit   { PLAN_UNIT_CYCLES = 0, PLAN_UNIT_INSTRUCTIONS = 1 };
/* How the loader hands over: exit boot services, or lend the CPU and get
 * it back so the results can be written to the boot volume (borrow mode). */
enum plan_handoff { PLAN_HANDOFF_EXIT = 0, PLAN_HANDOFF_BORROW = 1 };
/* Deliberate kernel faults, to test the exception dump path end to end. */
enum plan_inject { PLAN_INJECT_NONE = 0, PLAN_INJECT_UD, PLAN_INJECT_PF,
		   PLAN_INJECT_GP, PLAN_INJECT_DE };
/* Where the two ends of a benchmark case run (bench/placement.c): one CPU,
 * two CPUs, or each case both ways; auto = both when the kernel runs two
 * or more CPUs, else same. */
enum plan_placement { PLAN_PLACEMENT_AUTO = 0, PLAN_PLACEMENT_SAME = 1,
		      PLAN_PLACEMENT_CROSS = 2, PLAN_PLACEMENT_BOTH = 3 };

#define PLAN_MAX_LIST      16   /* entries in a list value (mech, sizes, tests) */
#define PLAN_NAME_MAX      24   /* bytes in one name, including the NUL */
#define PLAN_MAX_ERRORS    8    /* errors kept; more are counted only */
#define PLAN_ERR_MSG_MAX   96

struct plan_error {
	unsigned line;                 /* 1-based line number */
	char msg[PLAN_ERR_MSG_MAX];    /* e.g. "unknown key 'foo'" */
};

struct plan {
	enum plan_mode mode;           /* mode = selftest | bench        (selftest) */
	uint32_t pool_mb;              /* pool_mb = N, 0 = most of free memory (0) */
	enum plan_pcid pcid;           /* pcid = on | off | auto | both   (auto) */
	uint32_t timeslice_us;         /* timeslice_us = 100..1000000     (10000) */
	enum plan_end end;             /* end = poweroff | halt           (poweroff) */
	enum plan_inject inject;       /* inject = none|ud|pf|gp|de       (none) */
	uint32_t pipesize;             /* pipesize = 16..1048576          (512) */
	uint32_t iters;                /* iters = 1..10000000             (1000) */
	uint32_t warmup;               /* warmup = 0..10000000            (100) */

	/* tests = all | name,name,...  (selftest filter; prefix match) */
	unsigned test_count;           /* 0 means all */
	char tests[PLAN_MAX_LIST][PLAN_NAME_MAX];

	/* mech = all | name,name,...   (benchmark mechanisms; 0 = all) */
	unsigned mech_count;
	char mech[PLAN_MAX_LIST][PLAN_NAME_MAX];

	/* patterns = all | pingpong,stream,call  (benchmark patterns; 0 = all) */
	unsigned pattern_count;
	char patterns[PLAN_MAX_LIST][PLAN_NAME_MAX];

	char run_id[PLAN_NAME_MAX];    /* run_id = NAME   (CSV column; "" = unset) */
	char accel[PLAN_NAME_MAX];     /* accel = NAME    (CSV column: tcg, kvm, bare) */
	enum plan_unit unit;           /* unit = cycles | instructions   (cycles) */
	uint32_t shake;                /* shake = 0..4294967295: seed of the timer
					* jitter that varies preemption points (0 = off) */
	enum plan_handoff handoff;     /* handoff = exit | borrow        (exit) */
	enum plan_placement placement; /* placement = auto|same|cross|both (auto) */

	/* The fuzz selftest (kernel/test/test_fuzz.c, docs/RELIABILITY.md). */
	uint32_t fuzz_calls;           /* fuzz_calls = 1..1000000000     (50000) */
	uint32_t fuzz_seed;            /* fuzz_seed = 0..4294967295      (1) */
	uint32_t fuzz_procs;           /* fuzz_procs = 1..8 fuzzers      (4) */

	/* sizes = 8,64,1K,4K,1M ...    (bytes; K and M suffixes; none = default list) */
	unsigned size_count;
	uint32_t sizes[PLAN_MAX_LIST];

	/* Filled by plan_parse on failure. */
	unsigned error_count;          /* total errors, may exceed PLAN_MAX_ERRORS */
	struct plan_error errors[PLAN_MAX_ERRORS];
};

/* Set every field to its default. */
void plan_defaults(struct plan *p);

/*
 * Parse `len` bytes of plan text into *p (defaults first, then each line).
 * Returns 0 when every line was valid, otherwise the number of bad lines;
 * p->errors holds the first PLAN_MAX_ERRORS of them.  Never reads past len;
 * NUL bytes and lines longer than 255 bytes are errors, not crashes.
 */
int plan_parse(const char *text, size_t len, struct plan *p);

/* Lower-case names for the enums (for logs and meta data). */
const char *plan_mode_name(enum plan_mode m);
const char *plan_pcid_name(enum plan_pcid m);
const char *plan_end_name(enum plan_end e);
const char *plan_inject_name(enum plan_inject i);
const char *plan_handoff_name(enum plan_handoff h);
const char *plan_placement_name(enum plan_placement m);

#endif
