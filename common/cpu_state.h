/*
 * cpu_state.h - the firmware's CPU control state that borrow mode must give
 * back exactly (README.md, "Benchmarking a real machine"): read it, compare two readings.
 *
 * The kernel reads it first thing (before it changes anything) and again
 * after its restore; the loader reads it once more after the kernel has
 * returned.  Every field is compared, so a register the restore forgot is a
 * named mismatch, not a firmware that dies later.
 *
 * Freestanding and shared by boot/ and kernel/.  cpu_state_read reaches the
 * xAPIC registers at their physical address, so it needs an identity map of
 * the LAPIC page (the firmware's tables, or the loader's).
 */
#ifndef IPCBENCH_CPU_STATE_H
#define IPCBENCH_CPU_STATE_H

#include <stddef.h>
#include <stdint.h>

#define CPU_STATE_MSG_MAX 160

struct cpu_state {
	uint64_t cr0, cr3, cr4, efer, rflags, xcr0;
	uint64_t star, lstar, cstar, fmask;
	uint64_t fs_base, gs_base, kernel_gs_base;
	uint64_t apic_base;
	uint64_t pmu_fixed_ctrl, pmu_global_ctrl;   /* 0 when the CPU has no PMU v2 */
	uint64_t gdt_base, idt_base;
	/* IA32_TSC_DEADLINE when the firmware's LAPIC timer is in TSC-deadline
	 * mode (restored so its timer is armed again; not compared: a deadline
	 * that passed is consumed by the hardware). */
	uint64_t tsc_deadline;
	uint16_t gdt_limit, idt_limit;
	uint16_t cs, ds, es, ss, fs, gs, tr;
	uint16_t reserved;
	uint32_t lapic_tpr, lapic_svr, lapic_lvt_timer, lapic_timer_div, lapic_timer_init;
	uint32_t lapic_lint0, lapic_lint1, lapic_lvt_error;
	uint8_t pic1_mask, pic2_mask, port61;
	uint8_t has_pmu, has_xsave;
	uint8_t pad[3];
};

/* Reads every field from the CPU (LAPIC through its identity-mapped page,
 * or its MSRs in x2APIC mode). */
void cpu_state_read(struct cpu_state *s);

/*
 * Compares `got` against `want`, field by field, ignoring bits the hardware
 * changes by itself (arithmetic flags, LVT delivery status, port 0x61's
 * refresh and timer-output bits), and TR when `want` has none (a null TR
 * cannot be loaded back; OVMF runs without one).  With skip_cr3 the CR3 field is left out
 * (the kernel's own check runs before the loader puts CR3 back).  Returns
 * the number of fields that differ; msg gets their names ("" when none).
 */
unsigned cpu_state_compare(const struct cpu_state *want, const struct cpu_state *got,
			   int skip_cr3, char *msg, size_t cap);

/* How many fields cpu_state_compare checks (for "N registers equal"). */
unsigned cpu_state_field_count(void);

#endif
