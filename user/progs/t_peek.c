/* t_peek.c - what if a process reads an address that is mapped only in
 * another process?  It must fault and be killed; arg: the address (hex). */
#include "user/lib/ipcbench.h"

static uint64_t
parse_hex(const char *s)
{
	uint64_t v = 0;

	for (; *s; s++)
		v = v * 16 + (uint64_t)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
	return v;
}

int
main(const char *arg, unsigned long arglen)
{
	volatile uint64_t *p = (volatile uint64_t *)parse_hex(arg);

	uprintf("t_peek: reading %p, which belongs to another process\n", (void *)p);
	uint64_t v = *p;
	uprintf("t_peek: read %lx - isolation is broken\n", v);
	return 0;   /* reaching here is the failure the kernel test detects */
}
