/* trap.c - routes every interrupt and exception: device interrupts to their
 * handlers, user faults to the process killer, kernel faults to the
 * exception-fixup table or, failing that, to a full register dump. */
#include "kernel/arch/x86_64/trap.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/panic.h"
#include "kernel/sys/user_return.h"

static trap_handler_fn irq_handlers[256];
static user_fault_fn user_fault_handler;

void
trap_set_handler(int vector, trap_handler_fn fn)
{
	irq_handlers[vector] = fn;
}

void
trap_set_user_fault_handler(user_fault_fn fn)
{
	user_fault_handler = fn;
}

/* Exception fixup: uaccess routines list (faulting rip, resume rip) pairs in
 * __ex_table; a kernel fault at a listed rip resumes at its fixup. */
struct extable_entry {
	uint64_t fault_rip;
	uint64_t fixup_rip;
};
extern const struct extable_entry __extable_start[], __extable_end[];

static int
apply_fixup(struct trap_frame *f)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->fault_rip == f->rip) {
			f->rip = e->fixup_rip;
			return 1;
		}
	}
	return 0;
}

static void
handle_exception(struct trap_frame *f)
{
	if (trap_from_user(f) && user_fault_handler) {
		user_fault_handler(f);     /* kills the process; may not return */
		return;
	}
	if ((f->vector == VEC_PAGE_FAULT || f->vector == VEC_GP) && apply_fixup(f))
		return;
	panic_trap(f);
}

/* Entries whose handler found RFLAGS.AC set (traps.S clears it with SMAP
 * on; a selftest checks that this stays 0 while ring 3 sets AC). */
static volatile uint64_t entries_with_ac;

uint64_t
trap_entries_with_ac(void)
{
	return entries_with_ac;
}

void
trap_dispatch(struct trap_frame *f)
{
	if (read_rflags() & RFLAGS_AC)
		entries_with_ac++;
	if (f->vector < 32) {
		handle_exception(f);
		return;
	}
	if (f->vector == VEC_SPURIOUS)
		return;                    /* no EOI for spurious (SDM 10.9) */
	if (irq_handlers[f->vector])
		irq_handlers[f->vector](f);
	lapic_eoi();
	if (f->vector == VEC_TIMER)
		trap_after_timer(f);
	else if (f->vector == VEC_IPI_RESCHED)
		trap_after_resched(f);
	if (trap_from_user(f))
		user_return_work(f);
}
