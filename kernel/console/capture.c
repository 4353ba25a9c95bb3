/*
 * capture.c - keeps the kernel's console output (its serial log, CSV block
 * included) in the loader's buffer.  When the buffer is full the rest is
 * counted, not kept: the head of a log says what the machine was, and a
 * truncated CSV is reported by the loader rather than silently short.
 */
#include "kernel/console/capture.h"
#include "kernel/mm/kvm.h"

static uint64_t buf_phys, buf_cap, used, dropped;

void
capture_init(uint64_t phys, uint64_t cap)
{
	buf_phys = phys;
	buf_cap = cap;
	used = dropped = 0;
}

void
capture_write(const char *s, unsigned long n)
{
	if (!buf_cap)
		return;
	char *dst = phys_to_virt(buf_phys);
	unsigned long i = 0;

	for (; i < n && used < buf_cap; i++)
		dst[used++] = s[i];
	dropped += n - i;
}

uint64_t
capture_bytes(void)
{
	return used;
}

uint64_t
capture_dropped(void)
{
	return dropped;
}
