/* sysv.c - ftok for a system without a filesystem (see sysv.h). */
#include "ipc/user/sysv.h"

/* 32-bit FNV-1a: simple, well mixed, and the same on every run. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h;
}

key_t
ftok(const char *name, int id)
{
	if (!name || id < 1 || id > 255)
		return (key_t)-1;
	/* 1..0xfffffe: never 0, so id's byte and these bits are never 0 and
	 * never all ones together (IPC_PRIVATE and the error value). */
	uint32_t low = fnv1a(name) % 0xfffffeu + 1;
	return (key_t)(((uint32_t)id << 24) | low);
}
