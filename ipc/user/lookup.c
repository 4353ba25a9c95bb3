/* lookup.c - finding mechanisms by name over ipc_at(), whichever table
 * provides it (ipc/user/registry.c in ipcbench, bench/linux/registry.c in
 * the Linux build of the harness). */
#include "ipc/user/ipc.h"
#include "common/string.h"

unsigned
ipc_count(void)
{
	unsigned n = 0;

	while (ipc_at(n))
		n++;
	return n;
}

const struct ipc_mech *
ipc_find(const char *name)
{
	for (unsigned i = 0; ipc_at(i); i++)
		if (!strcmp(ipc_at(i)->name, name))
			return ipc_at(i);
	return 0;
}
