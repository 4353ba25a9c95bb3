/*
 * cpu_takeover.c - every change the kernel makes to CPU control state.
 *
 * What we change, from the firmware's values, and where:
 *
 *   register / state           value                      set by
 *   -------------------------  -------------------------  -----------------------
 *   EFER.NXE                   1 (NX bit in our PTEs)     cpu_takeover_early
 *   CR0.WP                     1 (kernel honours R/O)     cpu_takeover_early
 *   CR4.PGE                    1 (global kernel pages)    cpu_takeover_early
 *   GDTR, CS/DS/ES/SS/FS/GS    our GDT, flat selectors    gdt_load
 *   TR                         our TSS (IST stacks)       gdt_load
 *   IDTR                       our IDT                    idt_load
 *   8259 PIC masks             all masked (0xff/0xff)     cpu_takeover_early
 *   CR3                        kernel master PML4         kvm_init -> tlb.c
 *   IA32_APIC_BASE             enabled (+x2APIC if any)   lapic_init
 *   LAPIC TPR/SVR/LVT timer    0 / 0x1ff / vector 32      lapic_init, timer
 *   PIT channel 2, port 0x61   one-shots, calibration     pit.c
 *
 * A later "borrow mode" must save exactly these before and restore them
 * after (see DESIGN.md); anything added to the kernel that touches control
 * state belongs in this table.
 */
#include "kernel/arch/x86_64/cpu_takeover.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/apic.h"
#include "common/boot_info.h"

#define LAPIC_CALIBRATION_MS 20

static void
mask_legacy_pic(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void
cpu_takeover_early(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr4(read_cr4() | CR4_PGE);
	gdt_load();
	idt_load();
	mask_legacy_pic();
}

uint32_t
cpu_takeover_lapic(const struct boot_info *bi)
{
	lapic_init(bi->lapic_phys);
	return lapic_timer_calibrate(LAPIC_CALIBRATION_MS);
}

void
cpu_takeover_start_timer(uint32_t timeslice_us)
{
	lapic_timer_start(VEC_TIMER, timeslice_us);
}
