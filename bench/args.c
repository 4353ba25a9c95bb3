/* args.c - the driver's command line, as the kernel builds it from the plan:
 * space-separated KEY=VALUE words; lists are comma separated.  The plan was
 * already validated by the kernel, so errors here mean a kernel/bench
 * mismatch and are reported, not guessed around. */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

static const char *const pattern_names[PATTERN_COUNT] = { "pingpong", "stream", "call" };

const char *
pattern_name(enum bench_pattern p)
{
	return p < PATTERN_COUNT ? pattern_names[p] : "?";
}

int
pattern_from_name(const char *name)
{
	for (int i = 0; i < PATTERN_COUNT; i++)
		if (!strcmp(name, pattern_names[i]))
			return i;
	return -1;
}

/* Copies the word at *s (up to a space) into buf; advances *s. */
static int
take_word(const char **s, char *buf, size_t size)
{
	size_t n = 0;

	while (**s == ' ')
		(*s)++;
	while (**s && **s != ' ') {
		if (n + 1 >= size)
			return -1;
		buf[n++] = *(*s)++;
	}
	buf[n] = '\0';
	return (int)n;
}

static int
split_names(const char *v, char out[][BENCH_NAME_MAX], unsigned *count)
{
	*count = 0;
	while (*v) {
		size_t n = 0;
		if (*count == BENCH_MAX_LIST)
			return -1;
		while (v[n] && v[n] != ',')
			n++;
		if (!n || n >= BENCH_NAME_MAX)
			return -1;
		memcpy(out[*count], v, n);
		out[(*count)++][n] = '\0';
		v += n + (v[n] == ',');
	}
	return 0;
}

static int
parse_u32(const char *v, uint32_t *out)
{
	uint64_t x = 0;

	if (!*v)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || (x = x * 10 + (uint64_t)(*v - '0')) > 0xffffffffu)
			return -1;
	}
	*out = (uint32_t)x;
	return 0;
}

static int
split_sizes(const char *v, uint32_t *out, unsigned *count)
{
	char names[BENCH_MAX_LIST][BENCH_NAME_MAX];

	if (split_names(v, names, count))
		return -1;
	for (unsigned i = 0; i < *count; i++)
		if (parse_u32(names[i], &out[i]))
			return -1;
	return 0;
}

static int
apply(struct bench_args *a, const char *key, const char *v)
{
	if (!strcmp(key, "mech"))
		return strcmp(v, "all") ? split_names(v, a->mech, &a->mech_count) : 0;
	if (!strcmp(key, "patterns"))
		return strcmp(v, "all") ? split_names(v, a->pattern, &a->pattern_count) : 0;
	if (!strcmp(key, "sizes"))
		return split_sizes(v, a->sizes, &a->size_count);
	if (!strcmp(key, "iters"))
		return parse_u32(v, &a->iters) || !a->iters;
	if (!strcmp(key, "warmup"))
		return parse_u32(v, &a->warmup);
	if (!strcmp(key, "run_id"))
		return strncpy_bounded(a->run_id, v, sizeof a->run_id) >= sizeof a->run_id;
	if (!strcmp(key, "accel"))
		return strncpy_bounded(a->accel, v, sizeof a->accel) >= sizeof a->accel;
	if (!strcmp(key, "placement"))
		return (a->placement = placement_ask_from_name(v)) < 0;
	if (!strcmp(key, "unit"))
		return strncpy_bounded(a->unit, v, sizeof a->unit) >= sizeof a->unit;
	return -1;
}

int
bench_parse_args(const char *text, struct bench_args *a)
{
	char word[512];

	memset(a, 0, sizeof *a);
	a->iters = 1000;
	a->warmup = 100;
	strncpy_bounded(a->run_id, "-", sizeof a->run_id);
	strncpy_bounded(a->accel, "-", sizeof a->accel);
	strncpy_bounded(a->unit, "cycles", sizeof a->unit);
	while (take_word(&text, word, sizeof word) > 0) {
		char *eq = word;
		while (*eq && *eq != '=')
			eq++;
		if (!*eq) {
			uprintf("bench: argument '%s' is not KEY=VALUE\n", word);
			return -1;
		}
		*eq = '\0';
		if (apply(a, word, eq + 1)) {
			uprintf("bench: bad value for '%s': '%s'\n", word, eq + 1);
			return -1;
		}
	}
	return 0;
}
