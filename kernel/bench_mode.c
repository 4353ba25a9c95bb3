/* bench_mode.c - turns the plan's benchmark keys into the driver's command
 * line (see bench/args.c), spawns it and waits for it. */
#include "kernel/bench_mode.h"
#include "kernel/proc/proc.h"
#include "kernel/console/console.h"
#include "common/plan.h"
#include "common/format.h"
#include "common/string.h"
#include "kernel/arch/x86_64/tlb.h"

struct argbuf {
	char text[USER_ARG_MAX];
	size_t len;
};

static void
add(struct argbuf *b, const char *s)
{
	b->len += (size_t)snformat(b->text + b->len, sizeof b->text - b->len, "%s", s);
	if (b->len >= sizeof b->text)
		b->len = sizeof b->text - 1;
}

static void
add_names(struct argbuf *b, const char *key, char names[][PLAN_NAME_MAX], unsigned n)
{
	if (!n)
		return;
	add(b, " ");
	add(b, key);
	add(b, "=");
	for (unsigned i = 0; i < n; i++) {
		add(b, names[i]);
		if (i + 1 < n)
			add(b, ",");
	}
}

static void
build_args(const struct plan *p, struct argbuf *b)
{
	char num[24];

	b->len = 0;
	b->text[0] = '\0';
	add(b, "driver");
	add_names(b, "mech", (char (*)[PLAN_NAME_MAX])p->mech, p->mech_count);
	add_names(b, "patterns", (char (*)[PLAN_NAME_MAX])p->patterns, p->pattern_count);
	if (p->size_count) {
		add(b, " sizes=");
		for (unsigned i = 0; i < p->size_count; i++) {
			snformat(num, sizeof num, i + 1 < p->size_count ? "%u," : "%u", p->sizes[i]);
			add(b, num);
		}
	}
	snformat(num, sizeof num, " iters=%u", p->iters);
	add(b, num);
	snformat(num, sizeof num, " warmup=%u", p->warmup);
	add(b, num);
	if (p->run_id[0]) {
		add(b, " run_id=");
		add(b, p->run_id);
	}
	if (p->accel[0]) {
		add(b, " accel=");
		add(b, p->accel);
	}
	add(b, p->unit == PLAN_UNIT_INSTRUCTIONS ? " unit=instructions" : " unit=cycles");
	/* Always given: a driver started without it (the Linux harness) leaves
	 * placement to its caller and pins nothing (bench/placement.c). */
	add(b, " placement=");
	add(b, plan_placement_name(p->placement));
}

int
bench_mode_run(const struct plan *p)
{
	static struct argbuf args;
	int status = -1;

	build_args(p, &args);
	kprintf("bench: starting %s\n", args.text);
	int pid = proc_spawn("bench", args.text, args.len, &kernel_proc);
	if (pid < 0) {
		kprintf("bench: cannot start the driver: %d\n", pid);
		return pid;
	}
	proc_wait(&kernel_proc, pid, &status);
	kprintf("bench: driver exited with status %x\n", status);
	return status;
}

int
bench_mode_run_passes(const struct plan *p)
{
	if (p->pcid != PLAN_PCID_BOTH)
		return bench_mode_run(p);
	if (!tlb_pcid_active()) {
		kprintf("bench: pcid = both, but PCID is not in use (%s): one pass, PCID off\n",
			tlb_mode_reason());
		return bench_mode_run(p);
	}
	kprintf("bench: pcid = both: pass 1 of 2, PCID on\n");
	int first = bench_mode_run(p);
	/* Only kernel threads are left: the switch needs no process space.
	 * Interrupts off: tlb_init waits for the other CPUs to take the mode. */
	push_off();
	tlb_init(TLB_PCID_OFF);
	pop_off();
	kprintf("bench: pcid = both: pass 2 of 2, PCID off\n");
	int second = bench_mode_run(p);
	push_off();
	tlb_init(TLB_PCID_AUTO);        /* the mode the boot reports */
	pop_off();
	return first ? first : second;
}
