/* finish.c - prints the run's result line and ends the run. */
#include "kernel/finish.h"
#include "kernel/power.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/borrow.h"
#include "common/plan.h"

static const struct plan *finish_plan;

void
finish_set_plan(const struct plan *p)
{
	finish_plan = p;
}

void
kernel_finish(int pass, const char *reason)
{
	cli();
	if (pass)
		kprintf("ipcbench: result PASS\n");
	else
		kprintf("ipcbench: result FAIL (%s)\n", reason);
	/* Borrowed: the loader saves the results and decides how to end. */
	if (borrow_active())
		borrow_return(pass, reason);
	if (finish_plan && finish_plan->end == PLAN_END_HALT) {
		kprintf("ipcbench: halted (plan end = halt); power off by hand\n");
		for (;;)
			hlt();
	}
	power_off(pass);
}
