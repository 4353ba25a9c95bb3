/*
 * plan.c - parses the run plan ("key = value" lines) into struct plan and
 * reports every bad line with its number; the syntax is in plan.h and
 * docs/PLAN.md.
 *
 * Freestanding on purpose: the loader and the kernel link this same file,
 * so the helpers below stand in for the libc ones neither side has.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/plan.h"
#include "common/format.h"

#define LINE_MAX_BYTES  255u          /* longer lines are errors */
#define SIZE_MAX_BYTES  (16u << 20)   /* largest message size, 16M */
#define QUOTE_MAX       24u           /* longer values are cut in messages */

/* A piece of the plan text; never NUL-terminated, never read past n. */
struct span {
	const char *s;
	size_t n;
};

/* ---- small string helpers ------------------------------------------- */

static bool
is_space(char c)
{
	/* '\r' too: a stray CR inside a line is whitespace, not a value byte. */
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct span
trim(struct span v)
{
	while (v.n > 0 && is_space(v.s[0])) {
		v.s++;
		v.n--;
	}
	while (v.n > 0 && is_space(v.s[v.n - 1]))
		v.n--;
	return v;
}

/* Index of the first c in v, or v.n when absent. */
static size_t
find(struct span v, char c)
{
	size_t i = 0;

	while (i < v.n && v.s[i] != c)
		i++;
	return i;
}

static bool
span_is(struct span v, const char *word)
{
	size_t i = 0;

	for (; i < v.n; i++)
		if (word[i] != v.s[i])   /* word's NUL never matches a span byte */
			return false;
	return word[i] == '\0';
}

/* ---- error messages: appended to a struct strbuf (common/format.h) --- */

/* Plan bytes as typed, cut at QUOTE_MAX; unprintable bytes become '?' so
 * a binary file cannot put control codes on the console. */
static void
msg_span(struct strbuf *m, struct span v)
{
	size_t i;

	for (i = 0; i < v.n && i < QUOTE_MAX; i++)
		strbuf_char(m, v.s[i] >= 0x20 && v.s[i] < 0x7f ? v.s[i] : '?');
	if (v.n > QUOTE_MAX)
		strbuf_str(m, "...");
}

static void
msg_quoted(struct strbuf *m, struct span v)
{
	strbuf_char(m, '\'');
	msg_span(m, v);
	strbuf_char(m, '\'');
}

/* ---- the keys -------------------------------------------------------- */

enum key_id {
	K_MODE, K_POOL_MB, K_PCID, K_TIMESLICE_US, K_END, K_INJECT,
	K_PIPESIZE, K_ITERS, K_WARMUP, K_TESTS, K_MECH, K_SIZES, K_PATTERNS,
	K_RUN_ID, K_ACCEL, K_UNIT, K_SHAKE, K_HANDOFF, K_FUZZ_CALLS, K_FUZZ_SEED,
	K_FUZZ_PROCS, K_PLACEMENT, K_COUNT
};

enum kind {
	KIND_CHOICE,    /* one word from a table */
	KIND_NUMBER,    /* decimal in [min, max] */
	KIND_NAMES,     /* "all" or name,name,... */
	KIND_SIZES,     /* size,size,... each in [min, max], K/M suffixes */
	KIND_NAME,      /* exactly one name */
};

struct choice {
	const char *name;
	unsigned value;
};

struct key {
	const char *name;
	enum kind kind;
	uint32_t min, max;              /* KIND_NUMBER, KIND_SIZES */
	const struct choice *choices;   /* KIND_CHOICE; ends at a NULL name */
};

/* Listed in the order error messages name them. */
static const struct choice mode_choices[] = {
	{ "selftest", PLAN_MODE_SELFTEST },
	{ "bench",    PLAN_MODE_BENCH },
	{ NULL, 0 },
};
static const struct choice pcid_choices[] = {
	{ "on",   PLAN_PCID_ON },
	{ "off",  PLAN_PCID_OFF },
	{ "auto", PLAN_PCID_AUTO },
	{ "both", PLAN_PCID_BOTH },
	{ NULL, 0 },
};
static const struct choice end_choices[] = {
	{ "poweroff", PLAN_END_POWEROFF },
	{ "halt",     PLAN_END_HALT },
	{ NULL, 0 },
};
static const struct choice inject_choices[] = {
	{ "none", PLAN_INJECT_NONE },
	{ "ud",   PLAN_INJECT_UD },
	{ "pf",   PLAN_INJECT_PF },
	{ "gp",   PLAN_INJECT_GP },
	{ "de",   PLAN_INJECT_DE },
	{ NULL, 0 },
};

static const struct choice unit_choices[] = {
	{ "cycles",       PLAN_UNIT_CYCLES },
	{ "instructions", PLAN_UNIT_INSTRUCTIONS },
	{ NULL, 0 },
};

static const struct choice handoff_choices[] = {
	{ "exit",   PLAN_HANDOFF_EXIT },
	{ "borrow", PLAN_HANDOFF_BORROW },
	{ NULL, 0 },
};

static const struct choice placement_choices[] = {
	{ "same",  PLAN_PLACEMENT_SAME },
	{ "cross", PLAN_PLACEMENT_CROSS },
	{ "both",  PLAN_PLACEMENT_BOTH },
	{ "auto",  PLAN_PLACEMENT_AUTO },
	{ NULL, 0 },
};

/* One row per key; the ranges here are the documented ones (plan.h). */
static const struct key keys[K_COUNT] = {
	[K_MODE]         = { "mode",         KIND_CHOICE, 0, 0, mode_choices },
	[K_POOL_MB]      = { "pool_mb",      KIND_NUMBER, 0, 1048576, NULL },
	[K_PCID]         = { "pcid",         KIND_CHOICE, 0, 0, pcid_choices },
	[K_TIMESLICE_US] = { "timeslice_us", KIND_NUMBER, 100, 1000000, NULL },
	[K_END]          = { "end",          KIND_CHOICE, 0, 0, end_choices },
	[K_INJECT]       = { "inject",       KIND_CHOICE, 0, 0, inject_choices },
	[K_PIPESIZE]     = { "pipesize",     KIND_NUMBER, 16, 1048576, NULL },
	[K_ITERS]        = { "iters",        KIND_NUMBER, 1, 10000000, NULL },
	[K_WARMUP]       = { "warmup",       KIND_NUMBER, 0, 10000000, NULL },
	[K_TESTS]        = { "tests",        KIND_NAMES, 0, 0, NULL },
	[K_MECH]         = { "mech",         KIND_NAMES, 0, 0, NULL },
	[K_SIZES]        = { "sizes",        KIND_SIZES, 0, SIZE_MAX_BYTES, NULL },
	[K_PATTERNS]     = { "patterns",     KIND_NAMES, 0, 0, NULL },
	[K_RUN_ID]       = { "run_id",       KIND_NAME, 0, 0, NULL },
	[K_ACCEL]        = { "accel",        KIND_NAME, 0, 0, NULL },
	[K_UNIT]         = { "unit",         KIND_CHOICE, 0, 0, unit_choices },
	[K_SHAKE]        = { "shake",        KIND_NUMBER, 0, UINT32_MAX, NULL },
	[K_HANDOFF]      = { "handoff",      KIND_CHOICE, 0, 0, handoff_choices },
	[K_FUZZ_CALLS]   = { "fuzz_calls",   KIND_NUMBER, 1, 1000000000, NULL },
	[K_FUZZ_SEED]    = { "fuzz_seed",    KIND_NUMBER, 0, UINT32_MAX, NULL },
	[K_FUZZ_PROCS]   = { "fuzz_procs",   KIND_NUMBER, 1, 8, NULL },
	[K_PLACEMENT]    = { "placement",    KIND_CHOICE, 0, 0, placement_choices },
};

static const char *
choice_name(const struct choice *c, unsigned value)
{
	for (; c->name; c++)
		if (c->value == value)
			return c->name;
	return "?";
}

/* ---- parser state and error slots ------------------------------------ */

struct parser {
	struct plan *p;
	unsigned line;                  /* current 1-based line number */
	unsigned first_line[K_COUNT];   /* where each key was set; 0 = not yet */
	char overflow[PLAN_ERR_MSG_MAX];/* sink for errors past PLAN_MAX_ERRORS */
};

/* Counts one error on the current line and returns its empty message. */
static struct strbuf
error_begin(struct parser *ps)
{
	struct plan *p = ps->p;
	char *buf = ps->overflow;

	if (p->error_count < PLAN_MAX_ERRORS) {
		p->errors[p->error_count].line = ps->line;
		buf = p->errors[p->error_count].msg;
	}
	p->error_count++;
	struct strbuf m;
	strbuf_init(&m, buf, PLAN_ERR_MSG_MAX);
	return m;
}

/* "key: 'value' " or "key: value " - the common head of a value error. */
static struct strbuf
error_value(struct parser *ps, const struct key *k, struct span v, bool quote)
{
	struct strbuf m = error_begin(ps);

	strbuf_str(&m, k->name);
	strbuf_str(&m, ": ");
	if (quote)
		msg_quoted(&m, v);
	else
		msg_span(&m, v);
	strbuf_char(&m, ' ');
	return m;
}

static void
msg_size(struct strbuf *m, uint32_t v)
{
	if (v != 0 && v % (1u << 20) == 0) {
		strbuf_format(m, "%uM", v >> 20);
	} else if (v != 0 && v % 1024 == 0) {
		strbuf_format(m, "%uK", v >> 10);
	} else {
		strbuf_format(m, "%u", v);
	}
}

/* What the key accepts, for "empty value" messages. */
static void
msg_allowed(struct strbuf *m, const struct key *k)
{
	const struct choice *c;

	switch (k->kind) {
	case KIND_CHOICE:
		strbuf_str(m, "one of ");
		for (c = k->choices; c->name; c++) {
			strbuf_str(m, c->name);
			if (c[1].name)
				strbuf_str(m, ", ");
		}
		break;
	case KIND_NUMBER:
		strbuf_format(m, "%u..%u", k->min, k->max);
		break;
	case KIND_NAMES:
		strbuf_str(m, "all or name,name,...");
		break;
	case KIND_SIZES:
		strbuf_str(m, "sizes like 8,64,4K,1M");
		break;
	case KIND_NAME:
		strbuf_str(m, "a name");
		break;
	}
}

static void
error_range(struct parser *ps, const struct key *k, struct span v)
{
	struct strbuf m = error_value(ps, k, v, false);

	strbuf_str(&m, "is out of range ");
	if (k->kind == KIND_SIZES) {
		msg_size(&m, k->min);
		strbuf_str(&m, "..");
		msg_size(&m, k->max);
	} else {
		msg_allowed(&m, k);
	}
}

/* ---- values ---------------------------------------------------------- */

enum num { NUM_OK, NUM_BAD, NUM_BIG };

/* Decimal digits, then an optional suffix from `suffixes` (K: x1024,
 * M: x1048576, either case).  Anything above UINT32_MAX is NUM_BIG. */
static enum num
parse_number(struct span v, bool suffixes, uint32_t *out)
{
	uint64_t acc = 0, mult = 1;
	size_t i = 0;
	bool big = false;

	for (; i < v.n && is_digit(v.s[i]); i++) {
		acc = acc * 10 + (uint64_t)(v.s[i] - '0');
		if (acc > UINT32_MAX) {
			big = true;   /* keep scanning: "99999x" is still bad */
			acc = UINT32_MAX;
		}
	}
	if (i == 0)
		return NUM_BAD;
	if (suffixes && i + 1 == v.n) {
		char c = v.s[i++];

		mult = c == 'K' || c == 'k' ? 1024 :
		       c == 'M' || c == 'm' ? 1048576 : 0;
		if (mult == 0)
			return NUM_BAD;
	}
	if (i != v.n)
		return NUM_BAD;
	/* acc <= 2^32 - 1 and mult <= 2^20: the product fits in 64 bits. */
	if (big || acc * mult > UINT32_MAX)
		return NUM_BIG;
	*out = (uint32_t)(acc * mult);
	return NUM_OK;
}

static void
set_scalar(struct plan *p, enum key_id id, uint32_t v)
{
	switch (id) {
	case K_MODE:         p->mode = (enum plan_mode)v; break;
	case K_POOL_MB:      p->pool_mb = v; break;
	case K_PCID:         p->pcid = (enum plan_pcid)v; break;
	case K_TIMESLICE_US: p->timeslice_us = v; break;
	case K_END:          p->end = (enum plan_end)v; break;
	case K_INJECT:       p->inject = (enum plan_inject)v; break;
	case K_PIPESIZE:     p->pipesize = v; break;
	case K_ITERS:        p->iters = v; break;
	case K_WARMUP:       p->warmup = v; break;
	case K_UNIT:         p->unit = (enum plan_unit)v; break;
	case K_SHAKE:        p->shake = v; break;
	case K_HANDOFF:      p->handoff = (enum plan_handoff)v; break;
	case K_FUZZ_CALLS:   p->fuzz_calls = v; break;
	case K_FUZZ_SEED:    p->fuzz_seed = v; break;
	case K_FUZZ_PROCS:   p->fuzz_procs = v; break;
	case K_PLACEMENT:    p->placement = (enum plan_placement)v; break;
	default:             break;   /* lists are stored by their parsers */
	}
}

static bool
parse_choice(struct parser *ps, enum key_id id, struct span v)
{
	const struct key *k = &keys[id];
	const struct choice *c;
	struct strbuf m;

	for (c = k->choices; c->name; c++) {
		if (span_is(v, c->name)) {
			set_scalar(ps->p, id, c->value);
			return true;
		}
	}
	m = error_value(ps, k, v, true);
	strbuf_str(&m, "is not ");
	msg_allowed(&m, k);
	return false;
}

static bool
parse_scalar(struct parser *ps, enum key_id id, struct span v)
{
	const struct key *k = &keys[id];
	uint32_t n = 0;
	enum num r = parse_number(v, false, &n);
	struct strbuf m;

	if (r == NUM_BAD) {
		m = error_value(ps, k, v, true);
		strbuf_str(&m, "is not a number (use ");
		msg_allowed(&m, k);
		strbuf_char(&m, ')');
		return false;
	}
	if (r == NUM_BIG || n < k->min || n > k->max) {
		error_range(ps, k, v);
		return false;
	}
	set_scalar(ps->p, id, n);
	return true;
}

/* Splits v at commas; returns false (after reporting) on an empty entry or
 * more than PLAN_MAX_LIST entries.  item[] gets the trimmed entries. */
static bool
split_list(struct parser *ps, const struct key *k, struct span v,
	   struct span item[PLAN_MAX_LIST], unsigned *count)
{
	struct strbuf m;
	unsigned n = 0;
	size_t at;

	for (;;) {
		at = find(v, ',');
		if (n == PLAN_MAX_LIST) {
			m = error_begin(ps);
			strbuf_format(&m, "%s: more than %d entries", k->name, PLAN_MAX_LIST);
			return false;
		}
		item[n] = trim((struct span){ v.s, at });
		if (item[n].n == 0) {
			m = error_begin(ps);
			strbuf_str(&m, k->name);
			strbuf_str(&m, ": empty entry in list (use ");
			msg_allowed(&m, k);
			strbuf_char(&m, ')');
			return false;
		}
		n++;
		if (at == v.n)
			break;
		v.s += at + 1;
		v.n -= at + 1;
	}
	*count = n;
	return true;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '-' || c == '.' || c == '/';
}

/* One name of a names list: allowed bytes and length. */
static bool
check_name(struct parser *ps, const struct key *k, struct span v)
{
	struct strbuf m;
	size_t i;

	for (i = 0; i < v.n; i++) {
		if (!is_name_char(v.s[i])) {
			m = error_value(ps, k, v, true);
			strbuf_str(&m, "is not a name (use a-z 0-9 _ - . /)");
			return false;
		}
	}
	if (v.n > PLAN_NAME_MAX - 1) {
		m = error_value(ps, k, v, true);
		strbuf_format(&m, "is longer than %d bytes", PLAN_NAME_MAX - 1);
		return false;
	}
	if (span_is(v, "all")) {
		m = error_begin(ps);
		strbuf_str(&m, k->name);
		strbuf_str(&m, ": 'all' cannot be mixed with names");
		return false;
	}
	return true;
}

static bool
parse_names(struct parser *ps, enum key_id id, struct span v)
{
	struct plan *p = ps->p;
	char (*dst)[PLAN_NAME_MAX] = id == K_TESTS ? p->tests :
				     id == K_MECH ? p->mech : p->patterns;
	unsigned *count = id == K_TESTS ? &p->test_count :
			  id == K_MECH ? &p->mech_count : &p->pattern_count;
	struct span item[PLAN_MAX_LIST];
	unsigned n, i;
	size_t j;

	*count = 0;   /* "all"; also what a bad list leaves behind */
	if (span_is(v, "all"))
		return true;
	if (!split_list(ps, &keys[id], v, item, &n))
		return false;
	for (i = 0; i < n; i++)
		if (!check_name(ps, &keys[id], item[i]))
			return false;
	for (i = 0; i < n; i++) {
		for (j = 0; j < item[i].n; j++)
			dst[i][j] = item[i].s[j];
		dst[i][j] = '\0';
	}
	*count = n;
	return true;
}

/* One name (run_id, accel): the rules of a list item, but no list. */
static bool
parse_name(struct parser *ps, enum key_id id, struct span v)
{
	char *dst = id == K_RUN_ID ? ps->p->run_id : ps->p->accel;
	size_t j;

	if (!check_name(ps, &keys[id], v))
		return false;
	for (j = 0; j < v.n; j++)
		dst[j] = v.s[j];
	dst[j] = '\0';
	return true;
}

static bool
parse_sizes(struct parser *ps, enum key_id id, struct span v)
{
	const struct key *k = &keys[id];
	struct plan *p = ps->p;
	struct span item[PLAN_MAX_LIST];
	uint32_t size[PLAN_MAX_LIST];
	unsigned n, i;
	enum num r;
	struct strbuf m;

	p->size_count = 0;
	if (!split_list(ps, k, v, item, &n))
		return false;
	for (i = 0; i < n; i++) {
		r = parse_number(item[i], true, &size[i]);
		if (r == NUM_BAD) {
			m = error_value(ps, k, item[i], true);
			strbuf_str(&m, "is not a size (use bytes or K/M suffix)");
			return false;
		}
		if (r == NUM_BIG || size[i] < k->min || size[i] > k->max) {
			error_range(ps, k, item[i]);
			return false;
		}
	}
	for (i = 0; i < n; i++)
		p->sizes[i] = size[i];
	p->size_count = n;
	return true;
}

static bool
parse_value(struct parser *ps, enum key_id id, struct span v)
{
	switch (keys[id].kind) {
	case KIND_CHOICE: return parse_choice(ps, id, v);
	case KIND_NUMBER: return parse_scalar(ps, id, v);
	case KIND_NAMES:  return parse_names(ps, id, v);
	case KIND_SIZES:  return parse_sizes(ps, id, v);
	case KIND_NAME:   return parse_name(ps, id, v);
	}
	return false;
}

/* ---- lines ----------------------------------------------------------- */

static int
lookup_key(struct span name)
{
	int id;

	for (id = 0; id < K_COUNT; id++)
		if (span_is(name, keys[id].name))
			return id;
	return -1;
}

/* The line is well formed byte-wise; now "key = value # comment". */
static void
parse_assignment(struct parser *ps, struct span line)
{
	size_t eq = find(line, '=');
	struct span key = trim((struct span){ line.s, eq });
	struct span val;
	struct strbuf m;
	int id;

	if (eq == line.n) {
		m = error_begin(ps);
		strbuf_str(&m, "missing '=' in ");
		msg_quoted(&m, line);
		strbuf_str(&m, " (use key = value)");
		return;
	}
	val = trim((struct span){ line.s + eq + 1, line.n - eq - 1 });
	if (key.n == 0) {
		m = error_begin(ps);
		strbuf_str(&m, "missing key before '='");
		return;
	}
	id = lookup_key(key);
	if (id < 0) {
		m = error_begin(ps);
		strbuf_str(&m, "unknown key ");
		msg_quoted(&m, key);
		return;
	}
	if (ps->first_line[id]) {
		m = error_begin(ps);
		strbuf_str(&m, "duplicate key ");
		msg_quoted(&m, key);
		strbuf_format(&m, " (first on line %u)", ps->first_line[id]);
		return;
	}
	ps->first_line[id] = ps->line;
	if (val.n == 0) {
		m = error_begin(ps);
		strbuf_str(&m, keys[id].name);
		strbuf_str(&m, ": empty value (use ");
		msg_allowed(&m, &keys[id]);
		strbuf_char(&m, ')');
		return;
	}
	parse_value(ps, (enum key_id)id, val);
}

/* One line without its "\n" / "\r\n".  Byte-level checks come first so a
 * binary or runaway file is reported once per line, not parsed. */
static void
parse_line(struct parser *ps, struct span line)
{
	size_t nul = find(line, '\0');
	struct strbuf m;

	if (line.n > LINE_MAX_BYTES) {
		m = error_begin(ps);
		strbuf_format(&m, "line is %lu bytes long (at most %u)",
			      (unsigned long)line.n, LINE_MAX_BYTES);
		return;
	}
	if (nul < line.n) {
		m = error_begin(ps);
		strbuf_format(&m, "NUL byte at column %lu", (unsigned long)(nul + 1));
		return;
	}
	line.n = find(line, '#');          /* values never contain '#' */
	line = trim(line);
	if (line.n > 0)
		parse_assignment(ps, line);
}

void
plan_defaults(struct plan *p)
{
	unsigned char *b = (unsigned char *)p;
	size_t i;

	for (i = 0; i < sizeof(*p); i++)
		b[i] = 0;
	p->mode = PLAN_MODE_SELFTEST;
	p->pool_mb = 0;
	p->pcid = PLAN_PCID_AUTO;
	p->timeslice_us = 10000;
	p->end = PLAN_END_POWEROFF;
	p->inject = PLAN_INJECT_NONE;
	p->pipesize = 512;
	p->iters = 1000;
	p->warmup = 100;
	p->fuzz_calls = 50000;
	p->fuzz_seed = 1;
	p->fuzz_procs = 4;
}

int
plan_parse(const char *text, size_t len, struct plan *p)
{
	struct parser ps = { .p = p };
	struct span line;
	size_t pos = 0, end;

	plan_defaults(p);
	/* A UTF-8 byte order mark, as Windows editors write it, is not text. */
	if (len >= 3 && (unsigned char)text[0] == 0xef &&
	    (unsigned char)text[1] == 0xbb && (unsigned char)text[2] == 0xbf)
		pos = 3;
	while (pos < len) {
		end = pos;
		while (end < len && text[end] != '\n')
			end++;
		ps.line++;
		line = (struct span){ text + pos, end - pos };
		if (line.n > 0 && line.s[line.n - 1] == '\r')
			line.n--;
		parse_line(&ps, line);
		pos = end + 1;
	}
	/* One error per bad line, so the count is the bad-line count. */
	return (int)p->error_count;
}

const char *
plan_mode_name(enum plan_mode m)
{
	return choice_name(mode_choices, m);
}

const char *
plan_pcid_name(enum plan_pcid m)
{
	return choice_name(pcid_choices, m);
}

const char *
plan_end_name(enum plan_end e)
{
	return choice_name(end_choices, e);
}

const char *
plan_inject_name(enum plan_inject i)
{
	return choice_name(inject_choices, i);
}

const char *
plan_handoff_name(enum plan_handoff h)
{
	return choice_name(handoff_choices, h);
}

const char *
plan_placement_name(enum plan_placement m)
{
	return choice_name(placement_choices, m);
}
