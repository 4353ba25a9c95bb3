/* print.c - uprintf/uputs: format on the stack with common/format.c, then
 * one usys_write. */
#include "user/lib/ipcbench.h"

long
uvprintf(const char *fmt, va_list ap)
{
	char buf[UPRINTF_MAX];
	int n = vsnformat(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;    /* cut: vsnformat kept the prefix */
	return usys_write(buf, (size_t)n);
}

long
uprintf(const char *fmt, ...)
{
	va_list ap;
	long r;

	va_start(ap, fmt);
	r = uvprintf(fmt, ap);
	va_end(ap);
	return r;
}

long
uputs(const char *s)
{
	return uprintf("%s\n", s);
}
