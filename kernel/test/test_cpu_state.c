/* test_cpu_state.c - per-thread CPU state must not leak between threads:
 * RFLAGS.AC (SMAP's off switch) set by one thread never reaches kernel code
 * of another, whether it came from ring 3 or from a kernel thread; x87/SSE
 * registers are each thread's own and start clean. */
#include "kernel/test/ktest.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/time/timer.h"

static int
smap_on(void)
{
	return (read_cr4() & CR4_SMAP) != 0;
}

/* A user process sets AC and spins through timer ticks and syscalls. */
static void
ac_from_user(void)
{
	uint64_t before = trap_entries_with_ac(), ticks = timer_ticks();
	int status = ktest_run("t_acflag", "200");
	uint64_t leaked = trap_entries_with_ac() - before;

	ticks = timer_ticks() - ticks;
	ktest_check(status == 0 && ticks > 0, "smap: a process ran 200 ms with EFLAGS.AC set, %lu ticks "
		    "interrupting it, and kept its AC (status %d)", ticks, status);
	ktest_check((rdmsr(MSR_FMASK) & RFLAGS_AC) != 0,
		    "smap: SYSCALL clears AC on entry (FMASK %lx)", (unsigned long)rdmsr(MSR_FMASK));
	if (smap_on())
		ktest_check(leaked == 0, "smap: no interrupt or trap handler ran with AC set (%lu did)", leaked);
	else
		ktest_check(1, "smap: handlers and AC # SKIP the CPU has no SMAP (AC means nothing in ring 0)");
}

/* Two kernel threads: the first sets AC and yields to the second, which
 * must run with its own flags; the first gets its AC back. */
static volatile int ac_phase, ac_seen_by_other, ac_kept;

static void
ac_setter(void *unused)
{
	write_rflags(read_rflags() | RFLAGS_AC);
	ac_phase = 1;
	while (ac_phase == 1)
		yield();
	ac_kept = (read_rflags() & RFLAGS_AC) != 0;
	write_rflags(read_rflags() & ~RFLAGS_AC);
	ac_phase = 3;
}

static void
ac_observer(void *unused)
{
	while (ac_phase == 0)
		yield();
	ac_seen_by_other = (read_rflags() & RFLAGS_AC) != 0;
	ac_phase = 2;
}

static void
ac_across_switch(void)
{
	ac_phase = ac_seen_by_other = ac_kept = 0;
	thread_create_kernel("ac-setter", ac_setter, 0);
	thread_create_kernel("ac-observer", ac_observer, 0);
	while (ac_phase != 3)
		yield();
	ktest_check(!ac_seen_by_other, "switch: a thread switched to never inherits the previous thread's AC");
	ktest_check(ac_kept, "switch: a thread that set AC has it again when it runs next (RFLAGS saved per thread)");
}

void
test_cpu_state_ac(void)
{
	ac_from_user();
	ac_across_switch();
}

/* Can one process read another's xmm registers? */
void
test_cpu_state_fpu(void)
{
	int a = ktest_spawn("t_fpu", "hold 1 1000"), b = ktest_spawn("t_fpu", "hold 2 1000");
	int sa = ktest_wait(a), sb = ktest_wait(b);
	ktest_check(sa == 0 && sb == 0, "fpu: two processes yielding to each other 1000 times each keep their own "
		    "xmm0-15, MXCSR and x87 control word (statuses %d, %d)", sa, sb);
	int st = ktest_run("t_fpu", "threads 1000");
	ktest_check(st == 0, "fpu: so do two threads of one process (status %d)", st);
	int dirty = ktest_run("t_fpu", "dirty 3");
	st = ktest_run("t_fpu", "fresh");
	ktest_check(dirty == 0 && st == 0, "fpu: a new process starts clean (xmm zero, MXCSR 0x1f80, FCW 0x37f), "
		    "not with the registers of the process that ran before (status %d)", st);
}
