/*
 * sys_args.c - the argument helpers every syscall handler shares
 * (syscall.h).  Kept apart from the table in syscall.c, which names every
 * handler: a handler that used a helper there would depend on the table
 * that depends on it.
 */
#include "kernel/sys/syscall.h"
#include "common/errno.h"

int
arg_int_range(uint64_t raw, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v = (int64_t)raw;

	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}
