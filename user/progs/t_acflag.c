/* t_acflag.c - ring 3 may set EFLAGS.AC (it is a user flag); with SMAP on
 * that flag in ring 0 would let the kernel touch user memory unchecked.
 * This program sets AC and spins through timer interrupts and syscalls for
 * `arg` milliseconds; the kernel test checks that no handler ran with AC
 * set.  Exit 0 when AC was still set here at the end (the kernel keeps the
 * user's flags), 1 otherwise.  No library code runs while AC is set: with
 * CR0.AM on, a misaligned access in it would raise #AC. */
#include "user/lib/ipcbench.h"

#define RFLAGS_AC (1ul << 18)

static inline uint64_t
rflags(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void
set_rflags(uint64_t v)
{
	__asm__ volatile("pushq %0; popfq" :: "r"(v) : "cc", "memory");
}

int
main(const char *arg, unsigned long arglen)
{
	long ms = 0;

	if (!arg_next_long(arg, &ms) || ms <= 0)
		return 2;
	uint64_t end = usys_clock_ns() + (uint64_t)ms * 1000000ull;
	set_rflags(rflags() | RFLAGS_AC);
	volatile uint64_t spins = 0;
	while (usys_clock_ns() < end)
		for (int i = 0; i < 10000; i++)
			spins++;
	int still = (rflags() & RFLAGS_AC) != 0;
	set_rflags(rflags() & ~RFLAGS_AC);
	return still ? 0 : 1;
}
