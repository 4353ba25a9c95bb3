/*
 * borrow.c - saves the firmware's CPU state at entry and gives it back at
 * the end of a borrow-mode run (see borrow.h and README.md, "Benchmarking a real machine").
 *
 * Giving back, in this order, each step for a reason:
 *   1. report (status, TSC, PCID, log size) while kernel services still work;
 *   2. mask and zero our LAPIC timer, then open a short sti window on a copy
 *      of our IDT whose vectors 32..255 only EOI: a tick left pending would
 *      otherwise reach the firmware's handler, which does not expect it;
 *   3. CR3 = the loader's tables (identity map + this kernel image, low 12
 *      bits 0, so PCID 0) *before* CR4.PCIDE is cleared;
 *   4. CR4, CR0, EFER, XCR0, the SYSCALL/PMU MSRs, LAPIC, 8259, port 0x61;
 *   5. GDT, then every selector (CS by far return), then FS/GS bases (a
 *      selector load clobbers them), TR only if the firmware had one, IDT;
 *   6. FPU/SSE state; read everything again and compare with what we saved;
 *   7. jump to the loader's resume stub, which puts the firmware's CR3 back.
 */
#include "kernel/arch/x86_64/borrow.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/console/capture.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/mm/kvm.h"
#include "kernel/time/clock.h"
#include "common/boot_info.h"
#include "common/cpu_state.h"
#include "common/string.h"

#define DRAIN_SPINS      100000
#define RETURN_STACK     16384
#define EOI_MAX          32
#define APIC_BASE_X2APIC (1u << 10)
#define LVT_MASKED       (1u << 16)

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type_attr;
	uint16_t offset_mid;
	uint32_t offset_high, zero;
} __attribute__((packed));

struct table_reg {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static int active;
static uint64_t loader_bi_phys, loader_cr3, resume_addr;
static struct cpu_state fw;                     /* what we give back */
static uint8_t fpu_area[512] __attribute__((aligned(16)));
static struct idt_gate drain_idt[256] __attribute__((aligned(16)));
/* The run may end on any thread, whose stack lives in the direct map the
 * loader's tables lack: the last steps run on this one, in the image. */
static uint8_t return_stack[RETURN_STACK] __attribute__((aligned(16)));

int
borrow_active(void)
{
	return active;
}

void
borrow_begin(struct boot_info *bi)
{
	cpu_state_read(&fw);
	__asm__ volatile("fxsave64 %0" : "=m"(fpu_area));
	bi->borrow.saved = fw;                  /* identity-mapped: loader memory */
	loader_bi_phys = (uint64_t)bi;
	loader_cr3 = bi->loader_cr3;
	resume_addr = bi->borrow.resume;
	capture_init(bi->borrow.log_phys, bi->borrow.log_cap);
	lapic_keep_firmware_mode();
	active = 1;
}

static struct boot_borrow *
loader_borrow(void)
{
	return &((struct boot_info *)phys_to_virt(loader_bi_phys))->borrow;
}

static void
copy_text(char *dst, const char *src, size_t cap)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < cap; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void
report(int pass, const char *reason)
{
	struct boot_borrow *b = loader_borrow();

	kprintf("borrow: giving the CPU back to the loader\n");
	b->status = pass ? BOOT_BORROW_PASS : BOOT_BORROW_FAIL;
	copy_text(b->reason, pass ? "" : reason, sizeof b->reason);
	copy_text(b->pcid, tlb_mode_reason(), sizeof b->pcid);
	b->tsc_hz = clock_tsc_hz();
	b->log_bytes = capture_bytes();
	b->log_dropped = capture_dropped();
	b->log_samples_dropped = capture_samples_dropped();
}

/* Vectors 32..255 while draining: acknowledge and return, nothing else. */
__attribute__((interrupt)) static void
drain_isr(void *frame)
{
	(void)frame;
	lapic_eoi();
}

static void
set_gate(struct idt_gate *g, uint64_t handler, uint16_t cs)
{
	g->offset_low = (uint16_t)handler;
	g->selector = cs;
	g->ist = 0;
	g->type_attr = 0x8e;                    /* present, DPL 0, interrupt gate */
	g->offset_mid = (uint16_t)(handler >> 16);
	g->offset_high = (uint32_t)(handler >> 32);
	g->zero = 0;
}

static int
lapic_bits_set(uint32_t first_reg)
{
	for (uint32_t r = first_reg; r < first_reg + 0x80; r += 0x10)
		if (lapic_reg_read(r))
			return 1;
	return 0;
}

/* Step 2: nothing of ours may stay pending or in service. */
static void
drain_timer(void)
{
	struct table_reg ours, drain = { sizeof drain_idt - 1, (uint64_t)drain_idt };
	uint16_t cs;

	lapic_timer_stop();
	__asm__ volatile("sidt %0" : "=m"(ours));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	memcpy(drain_idt, (const void *)ours.base, sizeof drain_idt);
	for (unsigned v = 32; v < 256; v++)
		set_gate(&drain_idt[v], (uint64_t)drain_isr, cs);
	__asm__ volatile("lidt %0" :: "m"(drain));
	for (unsigned i = 0; i < EOI_MAX && lapic_bits_set(0x100); i++)
		lapic_eoi();                    /* ended inside a handler: close it */
	sti();
	for (unsigned i = 0; i < DRAIN_SPINS; i++)
		cpu_relax();
	cli();
	__asm__ volatile("lidt %0" :: "m"(ours));
	if (lapic_bits_set(0x200) || lapic_bits_set(0x100))
		kprintf("borrow: warning: LAPIC IRR/ISR not clear after draining\n");
}

static void
fw_lapic_write(uint32_t reg, uint32_t v)
{
	if (fw.apic_base & APIC_BASE_X2APIC)
		wrmsr(0x800 + reg / 16, v);
	else
		*(volatile uint32_t *)((fw.apic_base & ~0xfffull) + reg) = v;
}

/* Step 4, LAPIC part (identity-mapped now): the firmware's timer restarts
 * last; with IF = 0 its ticks wait for the loader's RestoreTPL. */
static void
restore_lapic(void)
{
	if (rdmsr(MSR_APIC_BASE) != fw.apic_base)
		wrmsr(MSR_APIC_BASE, fw.apic_base);
	if (!(fw.apic_base & (1u << 11)))
		return;
	fw_lapic_write(0x320, fw.lapic_lvt_timer | LVT_MASKED);
	fw_lapic_write(0x3e0, fw.lapic_timer_div);
	fw_lapic_write(0x80, fw.lapic_tpr);
	fw_lapic_write(0xf0, fw.lapic_svr);
	fw_lapic_write(0x350, fw.lapic_lint0);
	fw_lapic_write(0x360, fw.lapic_lint1);
	fw_lapic_write(0x370, fw.lapic_lvt_error);
	fw_lapic_write(0x320, fw.lapic_lvt_timer);
	fw_lapic_write(0x380, fw.lapic_timer_init);
	/* A TSC-deadline timer is armed by the MSR (a past deadline fires at
	 * once, which the firmware's handler takes as its next tick). */
	if (((fw.lapic_lvt_timer >> 17) & 3u) == 2u && fw.tsc_deadline)
		wrmsr(0x6e0, fw.tsc_deadline);
}

static void
restore_msrs(void)
{
	wrmsr(MSR_EFER, fw.efer);
	wrmsr(MSR_STAR, fw.star);
	wrmsr(MSR_LSTAR, fw.lstar);
	wrmsr(MSR_CSTAR, fw.cstar);
	wrmsr(MSR_FMASK, fw.fmask);
	wrmsr(MSR_KERNEL_GS_BASE, fw.kernel_gs_base);
	if (fw.has_pmu) {
		wrmsr(0x38f, fw.pmu_global_ctrl);
		wrmsr(0x38d, fw.pmu_fixed_ctrl);
	}
	if (fw.has_xsave)
		__asm__ volatile("xsetbv" :: "c"(0), "a"((uint32_t)fw.xcr0),
				 "d"((uint32_t)(fw.xcr0 >> 32)));
}

static void
restore_legacy_ports(void)
{
	outb(0x21, fw.pic1_mask);
	outb(0xa1, fw.pic2_mask);
	outb(0x61, (uint8_t)((inb(0x61) & ~0x03) | (fw.port61 & 0x03)));
}

/* Step 5.  No kernel code that uses %gs may run after this. */
static void
restore_segments(void)
{
	struct table_reg gdtr = { fw.gdt_limit, fw.gdt_base };
	struct table_reg idtr = { fw.idt_limit, fw.idt_base };

	__asm__ volatile("lgdt %0" :: "m"(gdtr));
	__asm__ volatile(
		"pushq %q0\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:"
		:: "r"((uint64_t)fw.cs) : "rax", "memory");
	__asm__ volatile("mov %0, %%ss" :: "r"(fw.ss));
	__asm__ volatile("mov %0, %%ds" :: "r"(fw.ds));
	__asm__ volatile("mov %0, %%es" :: "r"(fw.es));
	__asm__ volatile("mov %0, %%fs" :: "r"(fw.fs));
	__asm__ volatile("mov %0, %%gs" :: "r"(fw.gs));
	wrmsr(MSR_FS_BASE, fw.fs_base);
	wrmsr(MSR_GS_BASE, fw.gs_base);
	if (fw.tr) {
		/* ltr faults on a busy TSS: mark the firmware's descriptor available. */
		uint8_t *type = (uint8_t *)(fw.gdt_base + (fw.tr & ~7u) + 5);
		*type &= (uint8_t)~0x02;
		__asm__ volatile("ltr %0" :: "r"(fw.tr));
	}
	__asm__ volatile("lidt %0" :: "m"(idtr));
}

/* Steps 3-7.  Runs on the kernel stack, mapped in the loader's tables. */
__attribute__((noreturn, used)) void restore_and_resume(uint32_t status);

__attribute__((noreturn, used)) void
restore_and_resume(uint32_t status)
{
	struct boot_borrow *b = (struct boot_borrow *)&((struct boot_info *)loader_bi_phys)->borrow;
	struct cpu_state now;

	__asm__ volatile("mov %0, %%cr3" :: "r"(loader_cr3 & ~0xfffull) : "memory");
	write_cr4(fw.cr4);
	write_cr0(fw.cr0);
	restore_msrs();
	restore_lapic();
	restore_legacy_ports();
	restore_segments();
	__asm__ volatile("fxrstor64 %0" :: "m"(fpu_area));
	cpu_state_read(&now);
	b->restore_fields = cpu_state_field_count() - 1;   /* all but CR3 */
	b->restore_mismatches = cpu_state_compare(&fw, &now, 1, b->restore_msg,
						  sizeof b->restore_msg);
	__asm__ volatile("jmp *%0" :: "r"(resume_addr), "D"((uint64_t)status) : "memory");
	__builtin_unreachable();
}

void
borrow_return(int pass, const char *reason)
{
	cli();
	report(pass, reason);
	drain_timer();
	__asm__ volatile(
		"mov %0, %%rsp\n\t"
		"xor %%ebp, %%ebp\n\t"
		"call restore_and_resume"
		:: "r"(return_stack + RETURN_STACK), "D"(pass ? BOOT_BORROW_PASS : BOOT_BORROW_FAIL)
		: "memory");
	__builtin_unreachable();
}
