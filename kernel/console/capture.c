/*
 * capture.c - keeps the kernel's console output (its serial log, CSV block
 * included) in the loader's buffer.  When the buffer is full the rest is
 * counted, not kept: the head of a log says what the machine was, and a
 * truncated CSV is reported by the loader rather than silently short.
 * Raw-sample lines ("@s ...", one value per iteration, bench/csv.c) may
 * only fill the first half, so a long run's CSV rows always fit.
 */
#include "kernel/console/capture.h"
#include "kernel/mm/kvm.h"

#define SAMPLE_PREFIX "@s "

static uint64_t buf_phys, buf_cap, used, dropped, samples_dropped;

void
capture_init(uint64_t phys, uint64_t cap)
{
	buf_phys = phys;
	buf_cap = cap;
	used = dropped = samples_dropped = 0;
}

static int
is_sample_line(const char *s, unsigned long n)
{
	return n >= 3 && s[0] == SAMPLE_PREFIX[0] && s[1] == SAMPLE_PREFIX[1] &&
	       s[2] == SAMPLE_PREFIX[2];
}

void
capture_write(const char *s, unsigned long n)
{
	if (!buf_cap)
		return;
	if (used >= buf_cap / 2 && is_sample_line(s, n)) {
		samples_dropped += n;
		return;
	}
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

uint64_t
capture_samples_dropped(void)
{
	return samples_dropped;
}
