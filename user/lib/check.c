/* check.c - check(): one test result, reported through the kernel so that
 * TAP numbering is global across processes. */
#include "user/lib/ipcbench.h"

int
check(int cond, const char *fmt, ...)
{
	char name[CHECK_NAME_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnformat(name, sizeof(name), fmt, ap);
	va_end(ap);
	usys_test_report(cond != 0, name);
	return cond != 0;
}
