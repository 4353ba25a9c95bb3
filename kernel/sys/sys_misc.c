/* sys_misc.c - console, time, counters, test reporting, machine facts. */
#include "kernel/sys/syscall.h"
#include "common/syscall_abi.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/console/console.h"
#include "kernel/mm/uaccess.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"
#include "kernel/test/ktest.h"
#include "kernel/stats/counters.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/pmu.h"
#include "common/errno.h"
#include "common/string.h"

#define WRITE_MAX (1u << 20)
#define WRITE_CHUNK 256

/* write(buf, len): console output, copied in chunks. */
static long
sys_write(const struct sys_args *a)
{
	char buf[WRITE_CHUNK];
	uint64_t ubuf = a->a[0], len = a->a[1];

	if (len > WRITE_MAX)
		return -EINVAL;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	for (uint64_t done = 0; done < len; ) {
		uint64_t n = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;
		if (copy_from_user(buf, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(buf, n);
		done += n;
	}
	return (long)len;
}
SYSCALL_ROW(SYS_WRITE, sys_write);

/* sleep_ns(ns): 0 just yields.  Killed sleepers, and sleepers with a
 * signal to deliver (proc_hooks_interrupted), return -EINTR; kill wakes
 * them because they sleep on their own thread (ipc/kernel/signal.c).  No
 * wakeup is lost, on any number of CPUs: the condition is checked under
 * sched_lock, which a kill's wakeup(t) takes after posting the signal, so
 * the wakeup comes before the check (which then sees the signal) or after
 * the thread is on its wait bucket. */
static long
sys_sleep_ns(const struct sys_args *a)
{
	uint64_t ns = a->a[0];

	if (!ns) {
		yield();
		return 0;
	}
	if (ns > 3600ull * 1000000000ull)
		return -EINVAL;
	uint64_t deadline = clock_ns() + ns;
	spin_lock(&sched_lock);
	while (clock_ns() < deadline && !current_thread()->killed &&
	       !proc_hooks_interrupted())
		sleep_until(current_thread(), &sched_lock, deadline);
	spin_unlock(&sched_lock);
	return current_thread()->killed || clock_ns() < deadline ? -EINTR : 0;
}
SYSCALL_ROW(SYS_SLEEP_NS, sys_sleep_ns);

static long
sys_clock_ns(const struct sys_args *a)
{
	return (long)clock_ns();
}
SYSCALL_ROW(SYS_CLOCK_NS, sys_clock_ns);

static long
sys_counters(const struct sys_args *a)
{
	struct kcounters snap;

	kcounters_read(&snap);

	snap.timer_ticks = timer_ticks();
	return copy_to_user(a->a[0], &snap, sizeof snap);
}
SYSCALL_ROW(SYS_COUNTERS, sys_counters);

/* test_report(ok, name): one TAP line, numbered with the kernel's tests. */
static long
sys_test_report(const struct sys_args *a)
{
	char name[128];
	long n = strncpy_from_user(name, a->a[1], sizeof name);

	if (n < 0)
		return n;
	ktest_check(a->a[0] != 0, "%s: %s", current_proc()->name, name);
	return 0;
}
SYSCALL_ROW(SYS_TEST_REPORT, sys_test_report);

static long
sys_sysinfo(const struct sys_args *a)
{
	struct sysinfo si;
	uint32_t r[4];

	memset(&si, 0, sizeof si);
	si.tsc_hz = clock_tsc_hz();
	si.pcid_active = tlb_pcid_active();
	si.invpcid = tlb_invpcid_active();
	si.timeslice_us = timer_timeslice_us();
	si.pmu_fixed = pmu_fixed_enabled();
	si.cpu_count = (uint32_t)smp_cpu_count();
	cpuid(0, 0, r);
	memcpy(si.cpu_vendor, &r[1], 4);
	memcpy(si.cpu_vendor + 4, &r[3], 4);
	memcpy(si.cpu_vendor + 8, &r[2], 4);
	strncpy_bounded(si.pcid_reason, tlb_mode_reason(), sizeof si.pcid_reason);
	return copy_to_user(a->a[0], &si, sizeof si);
}
SYSCALL_ROW(SYS_SYSINFO, sys_sysinfo);
