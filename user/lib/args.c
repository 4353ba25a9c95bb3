/* args.c - reading numbers out of a program's argument string. */
#include "user/lib/ipcbench.h"

const char *
arg_next_long(const char *s, long *out)
{
	uint64_t v = 0, limit = (uint64_t)INT64_MAX;
	int neg = 0;

	while (*s == ' ')
		s++;
	if (*s == '-')
		neg = 1, s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9') {
		uint64_t d = (uint64_t)(*s++ - '0');
		if (v > (limit + (uint64_t)neg - d) / 10)
			return 0;           /* does not fit in a long */
		v = v * 10 + d;
	}
	*out = neg ? (long)(0 - v) : (long)v;
	return s;
}

long
arg_take_long(const char **s)
{
	long v = 0;
	const char *end = arg_next_long(*s, &v);

	if (end)
		*s = end;
	return v;
}

const char *
arg_word(const char *s, const char *word)
{
	while (*word && *s == *word)
		s++, word++;
	return !*word && (*s == ' ' || !*s) ? s : 0;
}
