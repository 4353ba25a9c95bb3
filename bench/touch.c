/*
 * touch.c - the work the stream pattern does on a message's bytes, the
 * same for every mechanism and variant (docs/CSV.md, "stream"), so a
 * mechanism that lends its buffer saves copies, not the work itself.
 *
 * Message `seq` of len bytes is the 64-bit words seq, seq + 1, seq + 2, ...
 * (little-endian), then, for len not a multiple of 8, the bytes
 * (uint8_t)(seq + j) for the tail's j = 0..len%8-1.  The sender writes every
 * byte; the receiver reads every byte, summing the words and the tail bytes
 * into 64 bits, and compares with touch_expected: a lost, repeated,
 * reordered or stale message changes the sum (each message's sum differs
 * from its neighbours' by the word count), so a broken mechanism cannot
 * produce numbers.
 *
 * Plain C over general registers (user code has no SSE, user/user.mk),
 * four words per iteration with four accumulators: what a compiler or a
 * programmer writes for a fast scalar loop on real hardware, not a choice
 * made for instruction counts.
 */
#include "bench/bench.h"

/* A word at any byte address (slots and buffers are page-aligned in the
 * benchmark, but the interface does not promise it). */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

void
touch_fill(void *p, size_t len, uint64_t seq)
{
	word_t *w = p;
	size_t n = len / 8, k = 0;

	for (; k + 4 <= n; k += 4) {
		w[k] = seq + k;
		w[k + 1] = seq + k + 1;
		w[k + 2] = seq + k + 2;
		w[k + 3] = seq + k + 3;
	}
	for (; k < n; k++)
		w[k] = seq + k;
	uint8_t *tail = (uint8_t *)p + n * 8;
	for (size_t j = 0; j < len % 8; j++)
		tail[j] = (uint8_t)(seq + j);
}

uint64_t
touch_sum(const void *p, size_t len)
{
	const word_t *w = p;
	size_t n = len / 8, k = 0;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (; k + 4 <= n; k += 4) {
		s0 += w[k];
		s1 += w[k + 1];
		s2 += w[k + 2];
		s3 += w[k + 3];
	}
	for (; k < n; k++)
		s0 += w[k];
	const uint8_t *tail = (const uint8_t *)p + n * 8;
	for (size_t j = 0; j < len % 8; j++)
		s1 += tail[j];
	return s0 + s1 + s2 + s3;
}

/* The sum of message seq, without reading it: n * seq + n(n-1)/2 over the
 * words (mod 2^64, as the sum runs), plus the tail bytes. */
uint64_t
touch_expected(size_t len, uint64_t seq)
{
	uint64_t n = len / 8;
	uint64_t tri = n % 2 ? n * ((n - 1) / 2) : (n / 2) * (n - 1);
	uint64_t s = n * seq + tri;

	for (size_t j = 0; j < len % 8; j++)
		s += (uint8_t)(seq + j);
	return s;
}
