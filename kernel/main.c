/*
 * main.c - the kernel's boot sequence, from the loader's hand-over to the
 * result line.  Order matters: serial first (so every later failure is
 * visible), CPU tables before anything can fault, our page tables before
 * the heap, the plan before anything it configures.
 */
#include "common/boot_info.h"
#include "common/plan.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/cpu_takeover.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/borrow.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/pmu.h"
#include "kernel/console/console.h"
#include "kernel/bench_mode.h"
#include "kernel/finish.h"
#include "kernel/inject.h"
#include "common/string.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/kvm.h"
#include "kernel/power.h"
#include "kernel/sched/thread.h"
#include "kernel/test/ktest.h"
#include "kernel/proc/proc_hooks.h"
#include "kernel/sys/syscall.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"
#include "kernel/sync/irqs_off.h"

#define IPCBENCH_VERSION "0.1"

/* The kernel keeps its own copies: nothing depends on loader memory later. */
static struct boot_info boot_info;
static char plan_text[BOOT_PLAN_MAX_BYTES];
static struct plan plan;

static void
check_boot_info(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size < sizeof *bi) {
		kprintf("ipcbench: boot_info magic %lx version %u size %u; this kernel "
			"needs version %u size %lu - loader and kernel are from "
			"different builds\n", bi->magic, bi->version, bi->size,
			BOOT_INFO_VERSION, (unsigned long)sizeof *bi);
		kernel_finish(0, "boot_info mismatch");
	}
}

static void
take_plan(void)
{
	uint64_t n = boot_info.plan_bytes;

	if (n > sizeof plan_text)
		n = sizeof plan_text;
	if (n)
		memcpy(plan_text, (const void *)boot_info.plan_phys, n);
	if (plan_parse(plan_text, n, &plan) == 0)
		return;
	for (unsigned i = 0; i < plan.error_count && i < PLAN_MAX_ERRORS; i++)
		kprintf("plan line %u: %s\n", plan.errors[i].line, plan.errors[i].msg);
	if (plan.error_count > PLAN_MAX_ERRORS)
		kprintf("plan: %u more errors not shown\n", plan.error_count - PLAN_MAX_ERRORS);
	kernel_finish(0, "bad plan");
}

static void
report_machine(uint32_t lapic_ticks_ms)
{
	uint64_t free = frames_free_count(), total = frames_total_count();

	kprintf("mem: pool %lu MiB in %u ranges, %lu of %lu frames free\n",
		total * 4096 >> 20, boot_info.pool_count, free, total);
	kprintf("tsc: %lu kHz (%s)\n", clock_tsc_hz() / 1000, clock_tsc_source_name());
	kprintf("timer: lapic %s, %u ticks/ms (divide 16), timeslice %u us\n",
		lapic_is_x2apic() ? "x2apic" : "xapic", lapic_ticks_per_ms(),
		plan.timeslice_us);
	if (plan.shake)
		kprintf("shake: seed %u, tick periods drawn from 50..150%% of the timeslice\n",
			plan.shake);
	kprintf("%s\n", tlb_mode_reason());
	if (boot_info.fb.format != BOOT_FB_NONE)
		kprintf("fb: %ux%u\n", boot_info.fb.width, boot_info.fb.height);
	else
		kprintf("fb: none (serial only)\n");
}

void fault_init(void);
void kmain(uint64_t boot_info_phys) __attribute__((noreturn));

void
kmain(uint64_t boot_info_phys)
{
	struct boot_info *bi = (struct boot_info *)boot_info_phys;

	/* Before anything changes CPU state or prints: the firmware's state is
	 * saved and the console capture starts (borrow mode only). */
	if (bi->magic == BOOT_INFO_MAGIC && bi->version == BOOT_INFO_VERSION &&
	    bi->borrow.handoff == BOOT_HANDOFF_BORROW)
		borrow_begin(bi);
	percpu_init(&cpus[0], 0);       /* spinlocks and counters need GS */
	console_init_serial(0x3f8);
	kprintf("\nipcbench kernel %s\n", IPCBENCH_VERSION);
	check_boot_info(bi);
	memcpy(&boot_info, bi, sizeof boot_info);
	cpu_takeover_early();
	take_plan();
	finish_set_plan(&plan);
	proc_hooks_plan(&plan);
	frames_init(&boot_info);
	syscall_table_init();           /* before kvm_init makes it read-only */
	kvm_init(&boot_info);
	power_init(&boot_info, kvm_master_root());
	if (tlb_init(plan.pcid == PLAN_PCID_BOTH ? TLB_PCID_AUTO :
		     (enum tlb_pcid_request)plan.pcid))
		kernel_finish(0, "plan asks pcid = on but the CPU has no PCID");
	const char *protections = cpu_takeover_user_mode();
	fpu_init();
	sched_init();
	fault_init();
	if (boot_info.fb.format != BOOT_FB_NONE)
		console_init_fb(kvm_map_mmio(boot_info.fb.phys, boot_info.fb.bytes), &boot_info.fb);
	kprintf("ipcbench kernel %s (boot_info v%u, plan mode %s)\n", IPCBENCH_VERSION,
		boot_info.version, plan_mode_name(plan.mode));
	clock_init();
	uint32_t lapic_ms = cpu_takeover_lapic(&boot_info);
	timer_init(plan.timeslice_us, plan.shake);
	report_machine(lapic_ms);
	cpu_takeover_snapshot();
	tlb_ipi_init();                 /* before other CPUs can share a space */
	if (boot_info.borrow.handoff == BOOT_HANDOFF_BORROW)
		kprintf("smp: 1 CPU (borrow mode: the firmware keeps the others)\n");
	else {
		smp_start_others(&boot_info, 0);
		kprintf("%s\n", smp_reason());
	}
	kprintf("cpu: %s\n", protections);
	kprintf("%s\n", fpu_reason());
	kprintf("%s\n", pmu_reason());
	if (IPCBENCH_DEBUG_CHECKS)
		kprintf("debug: checks on (assert_irqs_off, lock order)\n");
	sti();
	inject_fault(plan.inject);
	if (plan.mode == PLAN_MODE_BENCH)
		kernel_finish(bench_mode_run_passes(&plan) == 0, "benchmark cases failed");
	int failed = ktest_run_selected(&plan);
	kernel_finish(failed == 0, "selftest failures");
}
