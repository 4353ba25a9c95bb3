/*
 * test_plan.c - host unit tests of the plan parser (common/plan.c): every
 * key, every kind of bad line, and that it never reads past `len`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/plan.h"
#include "tests/host/check.h"

/* Parses s from a heap copy of exactly strlen(s) bytes, so ASan catches
 * any read past len (there is no NUL to stop on). */
static int
parse(const char *s, struct plan *p)
{
	size_t n = strlen(s);
	char *buf = malloc(n ? n : 1);
	int r;

	memcpy(buf, s, n);
	r = plan_parse(buf, n, p);
	free(buf);
	return r;
}

/* True when the plan has exactly one error, on `line`, reading `msg`. */
static int
one_error(const struct plan *p, unsigned line, const char *msg)
{
	return p->error_count == 1 && p->errors[0].line == line &&
	       strcmp(p->errors[0].msg, msg) == 0;
}

/* After a failed check: what the parser said instead (TAP diagnostics). */
static void
show_errors(const struct plan *p)
{
	unsigned i;

	printf("# %u error(s)\n", p->error_count);
	for (i = 0; i < p->error_count && i < PLAN_MAX_ERRORS; i++)
		printf("#   line %u: %s\n", p->errors[i].line, p->errors[i].msg);
}

static void
test_defaults(void)
{
	struct plan p;
	int r;

	plan_defaults(&p);
	CHECK(p.mode == PLAN_MODE_SELFTEST && p.pcid == PLAN_PCID_AUTO &&
	      p.end == PLAN_END_POWEROFF && p.inject == PLAN_INJECT_NONE,
	      "default enums");
	CHECK(p.pool_mb == 0 && p.timeslice_us == 10000 && p.pipesize == 512 &&
	      p.iters == 1000 && p.warmup == 100, "default numbers");
	CHECK(p.fuzz_calls == 50000 && p.fuzz_seed == 1 && p.fuzz_procs == 4,
	      "default fuzz: 50,000 calls, seed 1, 4 fuzzers");
	CHECK(p.test_count == 0 && p.mech_count == 0 && p.size_count == 0 &&
	      p.error_count == 0, "default lists are 'all' and no errors");
	r = parse("", &p);
	CHECK(r == 0 && p.timeslice_us == 10000, "empty text is the default plan");
	r = plan_parse(NULL, 0, &p);
	CHECK(r == 0 && p.iters == 1000, "NULL text with len 0 is fine");
}

static void
test_full_plan(void)
{
	static const char text[] =
		"# a full plan\n"
		"mode = bench\n"
		"pool_mb = 256   \n"
		"\tpcid=off\n"
		"timeslice_us = 2000 # trailing comment\n"
		"end = halt\n"
		"inject = pf\n"
		"\n"
		"pipesize = 4096\n"
		"iters = 10000000\n"
		"warmup = 0\n"
		"tests = pipe, sched/yield ,mm.vm\n"
		"mech = pipe,shm_futex\n"
		"sizes = 8, 64,1K,4k,1M,16M\n"
		"patterns = pingpong,stream\n"
		"run_id = 20261125-121022\n"
		"accel = tcg\n"
		"unit = instructions\n"
		"shake = 4294967295\n"
		"handoff = borrow\n"
		"fuzz_calls = 1000000000\n"
		"fuzz_seed = 4294967295\n"
		"fuzz_procs = 8\n"
		"placement = cross\n";
	struct plan p;
	int r = parse(text, &p);

	CHECK(r == 0 && p.error_count == 0, "full plan parses (r=%d)", r);
	CHECK(p.mode == PLAN_MODE_BENCH && p.pcid == PLAN_PCID_OFF &&
	      p.end == PLAN_END_HALT && p.inject == PLAN_INJECT_PF, "enums set");
	CHECK(p.pool_mb == 256 && p.timeslice_us == 2000 && p.pipesize == 4096 &&
	      p.iters == 10000000 && p.warmup == 0, "numbers set");
	CHECK(p.test_count == 3 && !strcmp(p.tests[0], "pipe") &&
	      !strcmp(p.tests[1], "sched/yield") && !strcmp(p.tests[2], "mm.vm"),
	      "tests list trimmed");
	CHECK(p.mech_count == 2 && !strcmp(p.mech[1], "shm_futex"), "mech list");
	CHECK(p.size_count == 6 && p.sizes[0] == 8 && p.sizes[1] == 64 &&
	      p.sizes[2] == 1024 && p.sizes[3] == 4096 &&
	      p.sizes[4] == 1048576 && p.sizes[5] == 16u << 20, "sizes with K/M");
	CHECK(p.pattern_count == 2 && !strcmp(p.patterns[1], "stream"), "patterns list");
	CHECK(!strcmp(p.run_id, "20261125-121022") && !strcmp(p.accel, "tcg") &&
	      p.unit == PLAN_UNIT_INSTRUCTIONS, "run_id, accel and unit");
	CHECK(p.fuzz_calls == 1000000000 && p.fuzz_seed == 4294967295u && p.fuzz_procs == 8,
	      "fuzz keys at their maximum");
	CHECK(p.handoff == PLAN_HANDOFF_BORROW, "handoff = borrow");
	CHECK(parse("pcid = both\n", &p) == 0 && p.pcid == PLAN_PCID_BOTH, "pcid = both");
	CHECK(parse(text, &p) == 0 && p.placement == PLAN_PLACEMENT_CROSS, "placement = cross");
	CHECK(parse("placement = same\n", &p) == 0 && p.placement == PLAN_PLACEMENT_SAME &&
	      parse("placement = both\n", &p) == 0 && p.placement == PLAN_PLACEMENT_BOTH,
	      "placement = same, both");
	CHECK(parse("", &p) == 0 && p.placement == PLAN_PLACEMENT_AUTO &&
	      !strcmp(plan_placement_name(p.placement), "auto"), "placement defaults to auto");
	CHECK(parse("", &p) == 0 && p.handoff == PLAN_HANDOFF_EXIT, "handoff defaults to exit");
	CHECK(parse("fuzz_seed = 0\nfuzz_calls = 1\nfuzz_procs = 1\n", &p) == 0 &&
	      p.fuzz_seed == 0 && p.fuzz_calls == 1 && p.fuzz_procs == 1, "fuzz keys at their minimum");
	CHECK(parse("sizes = 0,8\n", &p) == 0 && p.sizes[0] == 0, "size 0 is allowed (empty messages)");
	CHECK(p.shake == 0, "shake is off (0) by default");
	CHECK(parse(text, &p) == 0 && p.shake == 4294967295u, "shake takes the whole 32-bit seed range");
}

/* Each row: one line of plan text and the exact error it must produce. */
static const struct {
	const char *text;
	const char *msg;
} bad_values[] = {
	{ "mode = fast", "mode: 'fast' is not one of selftest, bench" },
	{ "mode = Bench", "mode: 'Bench' is not one of selftest, bench" },
	{ "pool_mb = lots", "pool_mb: 'lots' is not a number (use 0..1048576)" },
	{ "pool_mb = 1048577", "pool_mb: 1048577 is out of range 0..1048576" },
	{ "pcid = maybe", "pcid: 'maybe' is not one of on, off, auto, both" },
	{ "timeslice_us = 5", "timeslice_us: 5 is out of range 100..1000000" },
	{ "timeslice_us = -5", "timeslice_us: '-5' is not a number (use 100..1000000)" },
	{ "end = reboot", "end: 'reboot' is not one of poweroff, halt" },
	{ "inject = bp", "inject: 'bp' is not one of none, ud, pf, gp, de" },
	{ "pipesize = 8", "pipesize: 8 is out of range 16..1048576" },
	{ "shake = 4294967296", "shake: 4294967296 is out of range 0..4294967295" },
	{ "shake = -1", "shake: '-1' is not a number (use 0..4294967295)" },
	{ "pipesize = 4K", "pipesize: '4K' is not a number (use 16..1048576)" },
	{ "iters = 0", "iters: 0 is out of range 1..10000000" },
	{ "iters = 0x10", "iters: '0x10' is not a number (use 1..10000000)" },
	{ "iters = 1 2", "iters: '1 2' is not a number (use 1..10000000)" },
	{ "warmup = 10000001", "warmup: 10000001 is out of range 0..10000000" },
	{ "tests = a b", "tests: 'a b' is not a name (use a-z 0-9 _ - . /)" },
	{ "tests = all, pipe", "tests: 'all' cannot be mixed with names" },
	{ "mech = pipe,,shm", "mech: empty entry in list (use all or name,name,...)" },
	{ "mech = pipe,", "mech: empty entry in list (use all or name,name,...)" },
	{ "sizes = 12Q", "sizes: '12Q' is not a size (use bytes or K/M suffix)" },
	{ "sizes = K", "sizes: 'K' is not a size (use bytes or K/M suffix)" },
	{ "sizes = 1KB", "sizes: '1KB' is not a size (use bytes or K/M suffix)" },
	{ "sizes = 8,17M", "sizes: 17M is out of range 0..16M" },
	{ "unit = seconds", "unit: 'seconds' is not one of cycles, instructions" },
	{ "handoff = lend", "handoff: 'lend' is not one of exit, borrow" },
	{ "placement = far", "placement: 'far' is not one of same, cross, both, auto" },
	{ "placement = same,cross",
	  "placement: 'same,cross' is not one of same, cross, both, auto" },
	{ "run_id = a b", "run_id: 'a b' is not a name (use a-z 0-9 _ - . /)" },
	{ "sizes = 4096M", "sizes: 4096M is out of range 0..16M" },
	{ "fuzz_calls = 0", "fuzz_calls: 0 is out of range 1..1000000000" },
	{ "fuzz_calls = 1000000001", "fuzz_calls: 1000000001 is out of range 1..1000000000" },
	{ "fuzz_calls = 50k", "fuzz_calls: '50k' is not a number (use 1..1000000000)" },
	{ "fuzz_seed = 4294967296", "fuzz_seed: 4294967296 is out of range 0..4294967295" },
	{ "fuzz_seed = -1", "fuzz_seed: '-1' is not a number (use 0..4294967295)" },
	{ "fuzz_procs = 0", "fuzz_procs: 0 is out of range 1..8" },
	{ "fuzz_procs = 9", "fuzz_procs: 9 is out of range 1..8" },
	/* numeric overflow: far past 2^64, and just past 2^32 */
	{ "iters = 99999999999999999999",
	  "iters: 99999999999999999999 is out of range 1..10000000" },
	{ "pool_mb = 4294967296", "pool_mb: 4294967296 is out of range 0..1048576" },
	{ "sizes = 99999999999999999999K",
	  "sizes: 99999999999999999999K is out of range 0..16M" },
	{ "iters = 99999999999999999999x",
	  "iters: '99999999999999999999x' is not a number (use 1..10000000)" },
	/* line-level errors */
	{ "bogus = 1", "unknown key 'bogus'" },
	{ "Mode = bench", "unknown key 'Mode'" },
	{ "mode bench", "missing '=' in 'mode bench' (use key = value)" },
	{ "= bench", "missing key before '='" },
	{ "pcid =", "pcid: empty value (use one of on, off, auto, both)" },
	{ "iters =   # nothing", "iters: empty value (use 1..10000000)" },
	{ "sizes = ", "sizes: empty value (use sizes like 8,64,4K,1M)" },
};

static void
test_bad_values(void)
{
	struct plan p;
	size_t i;
	int r, ok;

	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		r = parse(bad_values[i].text, &p);
		ok = r == 1 && one_error(&p, 1, bad_values[i].msg);
		CHECK(ok, "'%s' -> %s", bad_values[i].text, bad_values[i].msg);
		if (!ok)
			show_errors(&p);
	}
}

static void
test_duplicate_and_lines(void)
{
	struct plan p;
	int r;

	r = parse("mode = bench\npcid = on\n\npcid = off\n", &p);
	CHECK(r == 1 && one_error(&p, 4, "duplicate key 'pcid' (first on line 2)"),
	      "duplicate key names the first line");
	CHECK(p.pcid == PLAN_PCID_ON, "the first value stands");
	r = parse("# comment\n\n   \n\t# indented comment\r\nbogus = 1\n", &p);
	CHECK(r == 1 && one_error(&p, 5, "unknown key 'bogus'"),
	      "line numbers count blank and comment lines");
	r = parse("mode = x\niters = 5\npcid = y\nend = z", &p);
	CHECK(r == 3 && p.error_count == 3 && p.errors[0].line == 1 &&
	      p.errors[1].line == 3 && p.errors[2].line == 4 && p.iters == 5,
	      "every bad line is reported, good lines still apply");
}

static void
test_byte_level(void)
{
	char line[300];
	struct plan p;
	int r;

	memset(line, 0, sizeof(line));
	memset(line, 'x', 255);
	line[0] = '#';
	r = parse(line, &p);
	CHECK(r == 0, "a 255-byte line is fine");
	line[255] = 'x';
	r = parse(line, &p);
	CHECK(r == 1 && one_error(&p, 1, "line is 256 bytes long (at most 255)"),
	      "a 256-byte line is an error");
	r = plan_parse("mode = bench\niters\0= 5\n", 22, &p);
	CHECK(r == 1 && one_error(&p, 2, "NUL byte at column 6"),
	      "NUL byte is an error with its column");
	r = plan_parse("\0\0\0\0", 4, &p);
	CHECK(r == 1 && p.errors[0].line == 1, "all-NUL text is one bad line");
	r = parse("mode = bench\r\npcid = off\r\nsizes = 8,1K\r\n", &p);
	CHECK(r == 0 && p.mode == PLAN_MODE_BENCH && p.pcid == PLAN_PCID_OFF &&
	      p.size_count == 2 && p.sizes[1] == 1024, "CRLF line endings");
	r = parse("\xef\xbb\xbfmode = bench\n", &p);
	CHECK(r == 0 && p.mode == PLAN_MODE_BENCH, "UTF-8 BOM is skipped");
	r = parse("# only\n# comments\n\n", &p);
	CHECK(r == 0 && p.mode == PLAN_MODE_SELFTEST, "comment-only plan");
	r = parse("mode = bench", &p);
	CHECK(r == 0 && p.mode == PLAN_MODE_BENCH, "no final newline");
}

static void
test_lists(void)
{
	struct plan p;
	int r;

	r = parse("tests = all\nmech = all\n", &p);
	CHECK(r == 0 && p.test_count == 0 && p.mech_count == 0, "all means 0");
	r = parse("sizes = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n", &p);
	CHECK(r == 0 && p.size_count == 16 && p.sizes[15] == 16, "16 entries fit");
	r = parse("sizes = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", &p);
	CHECK(r == 1 && one_error(&p, 1, "sizes: more than 16 entries") &&
	      p.size_count == 0, "17 entries is an error");
	r = parse("mech = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", &p);
	CHECK(r == 1 && one_error(&p, 1, "mech: more than 16 entries"),
	      "17 names is an error");
	r = parse("tests = abcdefghijklmnopqrstuvw\n", &p);
	CHECK(r == 0 && p.test_count == 1 &&
	      !strcmp(p.tests[0], "abcdefghijklmnopqrstuvw"), "23-byte name fits");
	r = parse("tests = abcdefghijklmnopqrstuvwx\n", &p);
	CHECK(r == 1 && one_error(&p, 1,
	      "tests: 'abcdefghijklmnopqrstuvwx' is longer than 23 bytes"),
	      "24-byte name is an error");
}

static void
test_len_respected(void)
{
	static const char text[] = "mode = bench\niters = 5";
	size_t n = strlen(text);
	char *buf = malloc(n + 8);
	struct plan p;
	int r;

	memcpy(buf, text, n);
	memcpy(buf + n, "0000\nx=y", 8);   /* garbage, no NUL */
	r = plan_parse(buf, n, &p);
	CHECK(r == 0 && p.iters == 5, "stops at len (iters=%u)", p.iters);
	r = plan_parse(buf, 10, &p);       /* "mode = ben" */
	CHECK(r == 1 && one_error(&p, 1, "mode: 'ben' is not one of selftest, bench"),
	      "len cuts a value short");
	free(buf);
}

static void
test_error_cap(void)
{
	char text[256] = "";
	struct plan p;
	int i, r;

	for (i = 0; i < PLAN_MAX_ERRORS + 3; i++)
		strcat(text, "x = 1\n");
	r = parse(text, &p);
	CHECK(r == PLAN_MAX_ERRORS + 3 && p.error_count == PLAN_MAX_ERRORS + 3,
	      "errors past the cap are counted (r=%d)", r);
	CHECK(p.errors[PLAN_MAX_ERRORS - 1].line == PLAN_MAX_ERRORS,
	      "the first PLAN_MAX_ERRORS are kept in order");
}

static void
test_long_message(void)
{
	struct plan p;
	int r = parse("timeslice_us = 123456789012345678901234567890123456789\n", &p);

	CHECK(r == 1 && strlen(p.errors[0].msg) < PLAN_ERR_MSG_MAX &&
	      strstr(p.errors[0].msg, "...") && strstr(p.errors[0].msg, "100..1000000"),
	      "a long value is cut with ... and the range still shows: %s",
	      p.errors[0].msg);
	r = parse("pcid = \x01\x1b[2J\n", &p);
	CHECK(r == 1 && !strcmp(p.errors[0].msg,
	      "pcid: '?\?[2J' is not one of on, off, auto, both"),
	      "control bytes are not echoed: %s", p.errors[0].msg);
}

static void
test_names(void)
{
	CHECK(!strcmp(plan_mode_name(PLAN_MODE_BENCH), "bench") &&
	      !strcmp(plan_mode_name(PLAN_MODE_SELFTEST), "selftest"), "mode names");
	CHECK(!strcmp(plan_pcid_name(PLAN_PCID_AUTO), "auto") &&
	      !strcmp(plan_pcid_name(PLAN_PCID_OFF), "off"), "pcid names");
	CHECK(!strcmp(plan_end_name(PLAN_END_HALT), "halt"), "end names");
	CHECK(!strcmp(plan_inject_name(PLAN_INJECT_DE), "de") &&
	      !strcmp(plan_inject_name(PLAN_INJECT_NONE), "none"), "inject names");
	CHECK(!strcmp(plan_mode_name((enum plan_mode)7), "?"), "unknown value");
}

/* What if the file is random junk?  ASan/UBSan judge; we check the counts. */
static void
test_random_text(void)
{
	static const char *const bits[] = {
		"mode", "sizes", "tests", "iters", " = ", "=", ",", "#", "\n",
		"\r\n", "\r", "\0", " ", "\t", "1K", "999999999999", "all", "on",
		"\xff", "M", "16M", "x",
	};
	char buf[600], *heap;
	struct plan p;
	unsigned seed = 12345, bad = 0;
	const char *b;
	int round, r;
	size_t n, bn;

	for (round = 0; round < 3000; round++) {
		for (n = 0; n < sizeof(buf) - 16; n += bn) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 40 == 0)
				break;
			b = bits[(seed >> 16) % (sizeof(bits) / sizeof(bits[0]))];
			bn = *b ? strlen(b) : 1;   /* "\0" is one NUL byte */
			memcpy(buf + n, b, bn);
		}
		heap = malloc(n ? n : 1);  /* exact size: ASan sees overreads */
		memcpy(heap, buf, n);
		r = plan_parse(heap, n, &p);
		free(heap);
		if (r != (int)p.error_count || r < 0)
			bad++;
	}
	CHECK(bad == 0, "3000 random plans parse without crashing");
}

int
main(void)
{
	test_defaults();
	test_full_plan();
	test_bad_values();
	test_duplicate_and_lines();
	test_byte_level();
	test_lists();
	test_len_respected();
	test_error_cap();
	test_long_message();
	test_names();
	test_random_text();
	return check_done();
}
