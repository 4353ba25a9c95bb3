/* stats.c - order statistics, mean and standard deviation of samples,
 * in integer arithmetic (no FPU in user code). */
#include "bench/bench.h"
#include "common/string.h"

/* Heap sort: O(n log n), no recursion, no extra memory. */
static void
sift_down(uint64_t *a, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		uint64_t t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void
sort_u64(uint64_t *a, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0; )
		sift_down(a, i, n);
	for (uint32_t end = n; end-- > 1; ) {
		uint64_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

static uint64_t
isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* 128-by-32-bit division in 32-bit steps (a plain 128-bit '/' would need
 * libgcc, which user programs do not link). */
static uint64_t
div128_u32(unsigned __int128 x, uint32_t d)
{
	unsigned __int128 q = 0;
	uint64_t r = 0;

	for (int shift = 96; shift >= 0; shift -= 32) {
		uint64_t cur = (r << 32) | (uint32_t)(x >> shift);
		q |= (unsigned __int128)(cur / d) << shift;
		r = cur % d;
	}
	return q >> 64 ? UINT64_MAX : (uint64_t)q;
}

/* Nearest-rank percentile of sorted samples. */
static uint64_t
percentile(const uint64_t *sorted, uint32_t n, unsigned pct)
{
	uint64_t rank = ((uint64_t)pct * n + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

void
stats_compute(uint64_t *s, uint32_t n, struct bench_stats *out)
{
	unsigned __int128 sum = 0, sq = 0;

	memset(out, 0, sizeof *out);
	if (!n)
		return;
	sort_u64(s, n);
	for (uint32_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = div128_u32(sum, n);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t d = s[i] > out->mean ? s[i] - out->mean : out->mean - s[i];
		sq += (unsigned __int128)d * d;
	}
	out->stddev = isqrt(div128_u32(sq, n));
	out->min = s[0];
	out->max = s[n - 1];
	out->p50 = percentile(s, n, 50);
	out->p90 = percentile(s, n, 90);
	out->p99 = percentile(s, n, 99);
}
