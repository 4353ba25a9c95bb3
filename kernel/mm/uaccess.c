/* uaccess.c - range checks around the fault-tolerant copies. */
#include "kernel/mm/uaccess.h"
#include "kernel/mm/pagetable.h"
#include "kernel/stats/counters.h"
#include "common/errno.h"

long uaccess_load_byte(const uint8_t *usrc);
long uaccess_copy_words(void *dst, const void *src, uint64_t words);
extern uint8_t uaccess_smap;

void
uaccess_enable_smap(void)
{
	uaccess_smap = 1;
}

int
copy_from_user(void *dst, uint64_t usrc, uint64_t len)
{
	if (!user_range_ok(usrc, len))
		return -EFAULT;
	return copy_from_user_nocheck(dst, usrc, len);
}

int
copy_to_user(uint64_t udst, const void *src, uint64_t len)
{
	if (!user_range_ok(udst, len))
		return -EFAULT;
	return copy_to_user_nocheck(udst, src, len);
}

long
strncpy_from_user(char *dst, uint64_t usrc, uint64_t max)
{
	if (!user_range_ok(usrc, 1))
		return -EFAULT;
	for (uint64_t i = 0; i < max; i++) {
		if (usrc + i >= USER_TOP)       /* usrc < USER_TOP: cannot wrap */
			return -EFAULT;
		long c = uaccess_load_byte((const uint8_t *)(usrc + i));
		if (c < 0)
			return -EFAULT;
		dst[i] = (char)c;
		if (!c) {
			COUNT_ADD(kcopy_bytes, i + 1);
			return (long)i;
		}
	}
	return -ENAMETOOLONG;
}

int
copy_words_from_user(void *dst, uint64_t usrc, uint64_t len)
{
	if (len % 8 || !user_range_ok(usrc, len))
		return -EFAULT;
	COUNT_ADD(kcopy_bytes, len);
	return (int)uaccess_copy_words(dst, (const void *)usrc, len / 8);
}

int
copy_words_to_user(uint64_t udst, const void *src, uint64_t len)
{
	if (len % 8 || !user_range_ok(udst, len))
		return -EFAULT;
	COUNT_ADD(kcopy_bytes, len);
	return (int)uaccess_copy_words((void *)udst, src, len / 8);
}
