/*
 * placement.c - which CPU each end of a benchmark case runs on: the plan's
 * `placement` (same | cross | both | auto, docs/PLAN.md) turned into CPU
 * numbers, and the pinning itself (set_affinity, common/syscall_abi.h).
 *
 * The CPUs, and why these:
 *   home  CPU 1 when the kernel runs two or more CPUs, else CPU 0.  The
 *         driver, the floors and both ends of a same-core case run here,
 *         and so does the client of a cross-core case.  Not CPU 0 because
 *         the boot CPU is the one that keeps the kernel's own work (the
 *         boot thread waiting for the driver, legacy interrupts routed to
 *         the BSP): an application processor has only its timer.
 *   far   the server of a cross-core case: CPU 2 when there is one (so no
 *         measured end shares the boot CPU), else CPU 0.
 * So the only thing that changes between a case's same-core and
 * cross-core rows is where the server runs (as in the Linux harness,
 * bench/linux/lx_proc.c: IPCBENCH_CPUS=A,B puts the server on B).
 *
 * A driver started without a placement word (the Linux harness, whose
 * caller pins it) pins nothing and leaves the CSV column empty.
 */
#include "bench/bench.h"
#include "user/lib/ipcbench.h"

static const char *const labels[PLACEMENT_COUNT] = { "same-core", "cross-core" };
static const char *const asks[] = { "", "auto", "same", "cross", "both" };

const char *
placement_label(enum bench_placement p)
{
	return p < PLACEMENT_COUNT ? labels[p] : "?";
}

int
placement_ask_from_name(const char *name)
{
	for (int i = PLACE_ASK_AUTO; i <= PLACE_ASK_BOTH; i++)
		if (!strcmp(name, asks[i]))
			return i;
	return -1;
}

static int
listed(const char *const *list, const char *variant)
{
	for (; list && *list; list++)
		if (!strcmp(*list, variant))
			return 1;
	return 0;
}

/* Pins the caller to `cpu`; a negative cpu means "not pinned" (nothing to do). */
int
bench_pin_self(int cpu)
{
	return cpu < 0 ? 0 : (int)usys_set_affinity(0, cpu);
}

static void
choose_list(struct placement_set *ps, int ask, unsigned cpus)
{
	int same = ask != PLACE_ASK_CROSS;
	int cross = ask == PLACE_ASK_CROSS || ask == PLACE_ASK_BOTH ||
		    (ask == PLACE_ASK_AUTO && cpus >= 2);

	ps->count = 0;
	if (same)
		ps->list[ps->count++] = PLACEMENT_SAME;
	if (cross)
		ps->list[ps->count++] = PLACEMENT_CROSS;
}

/* Reads the CPU count, pins the driver to its home CPU and says on the
 * console what every case will get.  Never fails: what cannot be placed
 * is skipped case by case (placement_obstacle). */
void
placement_setup(const struct bench_args *a, struct placement_set *ps)
{
	struct sysinfo si;
	unsigned cpus = usys_sysinfo(&si) == 0 && si.cpu_count ? si.cpu_count : 1;

	memset(ps, 0, sizeof *ps);
	ps->home = ps->far = -1;
	choose_list(ps, a->placement, cpus);
	if (a->placement == PLACE_ASK_NONE)
		return;                     /* the caller pins (Linux harness) */
	ps->labelled = 1;
	if (cpus < 2) {
		/* One CPU: everything is same-core without pinning; a kernel
		 * without the call (-ENOSYS) is as good as one that has it. */
		uprintf("bench: placement: 1 CPU, every end on CPU 0%s\n",
			a->placement == PLACE_ASK_CROSS || a->placement == PLACE_ASK_BOTH ?
			"; cross-core cases skipped (needs-a-second-cpu)" : "");
		return;
	}
	ps->home = 1;
	ps->far = cpus >= 3 ? 2 : 0;
	long err = usys_set_affinity(0, ps->home);
	if (err < 0) {
		ps->pin_error = (int)err;
		uprintf("bench: warning: placement: %u CPUs but set_affinity(self, %d) = %ld: "
			"no case can be placed, each is skipped as failed\n", cpus, ps->home, err);
		return;
	}
	ps->cross_ok = 1;
	uprintf("bench: placement: %u CPUs; driver and same-core ends on CPU %d, "
		"cross-core client on CPU %d and server on CPU %d\n", cpus, ps->home, ps->home,
		ps->far);
}

/* Why case c cannot run at its placement (a @csv-skip reason), or NULL. */
const char *
placement_obstacle(const struct placement_set *ps, const struct bench_case *c, char *buf,
		   size_t size)
{
	if (ps->pin_error) {
		snformat(buf, size, "set-affinity-failed:%d", ps->pin_error);
		return buf;
	}
	if (c->placement == PLACEMENT_CROSS && !ps->cross_ok)
		return "needs-a-second-cpu";
	/* A poller waiting for a partner on its own CPU measures the time
	 * slice that ends its turn, not the mechanism: only worth a row when
	 * same-core is all this boot runs (asked for: placement = same). */
	if (c->placement == PLACEMENT_SAME && ps->cross_ok && ps->count > 1 &&
	    listed(c->mech->same_core_skip, c->variant))
		return "needs-a-partner-on-another-cpu";
	return 0;
}

/* The CPUs of a case's ends; -1 = not pinned. */
void
placement_cpus(const struct placement_set *ps, struct bench_case *c)
{
	int pin = ps->cross_ok;

	c->client_cpu = pin ? ps->home : -1;
	c->server_cpu = pin ? (c->placement == PLACEMENT_CROSS ? ps->far : ps->home) : -1;
}
