/* t_target.c - the victim of t_peek: keeps a private page with a pattern
 * at the first map address while another process tries to read it, and
 * checks it is untouched afterwards. */
#include "user/lib/ipcbench.h"

int
main(const char *arg, unsigned long arglen)
{
	long va = usys_map_anon(4096, PROT_READ | PROT_WRITE);

	if (va < 0)
		return 1;
	volatile uint64_t *page = (volatile uint64_t *)va;
	page[0] = 0x5ec7e7;
	usys_sleep_ns(50 * 1000000ull);     /* t_peek faults meanwhile */
	return page[0] == 0x5ec7e7 ? 0 : 2;
}
