/* checksum.c - the FNV-1a hash the tests use to check message contents. */
#include "user/lib/ipcbench.h"

uint32_t
checksum(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t sum = 2166136261u;

	for (size_t j = 0; j < n; j++)
		sum = (sum ^ p[j]) * 16777619u;
	return sum;
}
