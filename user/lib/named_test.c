/* named_test.c - the main of a test program whose argument names one of
 * its tests (a selftest row each) or a child role the tests spawn. */
#include "user/lib/ipcbench.h"

int
named_test_main(const char *arg, const struct named_test *tests, unsigned count,
		char **scratch, size_t scratch_bytes, int (*role)(const char *arg))
{
	long mem = usys_map_anon(scratch_bytes, PROT_READ | PROT_WRITE);

	if (mem < 0)
		return 100;
	*scratch = (char *)mem;
	for (unsigned i = 0; i < count; i++)
		if (arg_word(arg, tests[i].name))
			return tests[i].run() ? 0 : 1;
	return role(arg);
}
