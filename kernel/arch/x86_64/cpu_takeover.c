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
 *   CR4.PCIDE                  1 iff PCID used (CPUID)    tlb_init (tlb.c)
 *   IA32_APIC_BASE             enabled (+x2APIC if any)   lapic_init
 *   LAPIC TPR/SVR/LVT timer    0 / 0x1ff / vector 32      lapic_init, timer
 *   PIT channel 2, port 0x61   one-shots, calibration     pit.c
 *   CR4.SMEP, CR4.SMAP         1 iff CPUID.07H:EBX[7]/[20] cpu_takeover_user_mode
 *   EFER.SCE, STAR, LSTAR,     syscall entry, selectors,  syscall_init
 *     FMASK                      IF|TF|DF|AC cleared
 *   GS_BASE, KERNEL_GS_BASE    &cpus[i] / 0 (SWAPGS pair) percpu_init
 *   CR0.MP/NE = 1, EM/TS = 0,  x87/SSE for ring 3, saved   fpu_init (fpu.c)
 *     CR4.OSFXSR/OSXMMEXCPT,     per thread; OSXSAVE and
 *     CR4.OSXSAVE, XCR0          XCR0 = x87|SSE(|AVX) iff
 *                                CPUID.01H:ECX.XSAVE
 *   IA32_FIXED_CTR_CTRL,       fixed counters 0,1 on      pmu_init (pmu.c), only
 *     IA32_PERF_GLOBAL_CTRL,     (ring 0 and 3)             when CPUID.0AH has them
 *     CR4.PCE                    RDPMC from ring 3
 *
 * Borrow mode (borrow.c) saves all of these before and restores them after
 * (common/cpu_state.c reads and compares them); anything added to the
 * kernel that touches control state belongs in this table *and* in
 * struct cpu_state, or the restore check cannot see it.
 */
#include "kernel/arch/x86_64/cpu_takeover.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/pmu.h"
#include "kernel/mm/uaccess.h"
#include "kernel/sys/syscall.h"
#include "common/boot_info.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/mm/kvm.h"
#include "kernel/arch/x86_64/fpu.h"

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

/* The tick period, for the other CPUs' timers too. */
static uint32_t tick_us;

void
cpu_takeover_start_timer(uint32_t timeslice_us)
{
	tick_us = timeslice_us;
	lapic_timer_start(VEC_TIMER, timeslice_us);
}

/* The boot CPU's final control state, which every other CPU copies. */
static uint64_t bsp_cr0, bsp_cr4;

void
cpu_takeover_snapshot(void)
{
	bsp_cr0 = read_cr0();
	bsp_cr4 = read_cr4();
}

/*
 * Another CPU, from the trampoline (long mode, its percpu in GS, the
 * trampoline's page tables): the same control state as the boot CPU, in
 * the order the rules demand -- the master root before CR4.PCIDE (it needs
 * CR3[11:0] = 0), CR4.OSXSAVE before XCR0 (fpu_init_ap).
 */
void
cpu_takeover_ap(int cpu)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	gdt_load_cpu(cpu);
	idt_load();
	tlb_load_kernel_root(kvm_master_root());
	write_cr0(bsp_cr0);
	write_cr4(bsp_cr4);
	tlb_init_cpu();                 /* CR4.PCIDE as tlb_init chose, and tlb.c's view of it */
	fpu_init_ap();
	syscall_init();
	if (pmu_fixed_enabled())
		pmu_start_this_cpu();
	lapic_enable_this_cpu();
	lapic_timer_start(VEC_TIMER, tick_us);
}

/* Everything ring 3 needs: per-CPU GS, the SYSCALL MSRs, SMEP and SMAP. */
const char *
cpu_takeover_user_mode(void)
{
	uint32_t r[4];

	syscall_init();
	pmu_init();                      /* before CR4 is read: it may set PCE */
	uint64_t cr4 = read_cr4();
	cpuid(0, 0, r);
	if (r[0] < 7)
		return "smep: no, smap: no";
	cpuid(7, 0, r);
	if (r[1] & (1u << 7))
		cr4 |= CR4_SMEP;
	if (r[1] & (1u << 20))
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	if (cr4 & CR4_SMAP)
		uaccess_enable_smap();
	if (cr4 & CR4_SMEP)
		return cr4 & CR4_SMAP ? "smep: on, smap: on" : "smep: on, smap: no (CPU lacks it)";
	return cr4 & CR4_SMAP ? "smep: no (CPU lacks it), smap: on" : "smep: no, smap: no (CPU lacks them)";
}
