/*
 * smp.c - starting the other CPUs and sending them interrupts.
 *
 * For each processor the MADT lists besides the boot CPU, one at a time:
 * make its idle thread (whose stack it starts on), fill the trampoline's
 * parameter block, send INIT, wait 10 ms, STARTUP, and a second STARTUP
 * after 200 us if it has not begun (the universal start-up algorithm,
 * Intel MP spec B.4 and SDM Vol. 3A 9.4.4).  The new CPU sets its own
 * percpu.online once it can run threads; a CPU that does not within 100 ms
 * is left out and named in the boot log.
 */
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/ap_boot.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/cpu_takeover.h"
#include "kernel/arch/x86_64/madt.h"
#include "kernel/mm/kvm.h"
#include "kernel/mm/pagetable.h"
#include "kernel/sched/thread.h"
#include "kernel/time/clock.h"
#include "common/boot_info.h"
#include "common/format.h"
#include "common/string.h"

extern const char ap_boot_start[], ap_boot_end[], ap_boot_pm32[], ap_boot_lm64[];

static char reason[96] = "smp: 1 CPU (not started)";

const char *smp_reason(void) { return reason; }


static void
delay_us(uint64_t us)
{
	uint64_t end = clock_ns() + us * 1000;

	while (clock_ns() < end)
		cpu_relax();
}

/* The new CPU's first C code, on its idle thread's stack. */
static void __attribute__((noreturn))
ap_entry(struct percpu *c)
{
	percpu_init(c, c->id);
	cpu_takeover_ap(c->id);
	sched_run_ap(c->idle);
}

static void
put32(uint8_t *page, unsigned off, uint32_t v) { memcpy(page + off, &v, 4); }
static void
put64(uint8_t *page, unsigned off, uint64_t v) { memcpy(page + off, &v, 8); }

/* Code, GDT, far pointers and page tables: the parts every CPU shares. */
static void
trampoline_build(uint64_t base)
{
	uint8_t *page = phys_to_virt(base);
	uint64_t *pml4 = phys_to_virt(base + AP_PML4), *pdpt = phys_to_virt(base + AP_PDPT),
		 *pd = phys_to_virt(base + AP_PD);
	const uint64_t *master = phys_to_virt(kvm_master_root());
	static const uint64_t gdt[4] = {
		0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, 0x00af9a000000ffffull,
	};

	memset(page, 0, 4096 * BOOT_AP_PAGES);
	memcpy(page, ap_boot_start, (size_t)(ap_boot_end - ap_boot_start));
	memcpy(page + AP_GDT, gdt, sizeof gdt);
	page[AP_GDTR] = sizeof gdt - 1;
	put32(page, AP_GDTR + 2, (uint32_t)(base + AP_GDT));
	put32(page, AP_FAR32, (uint32_t)(base + (ap_boot_pm32 - ap_boot_start)));
	put32(page, AP_FAR32 + 4, AP_SEL_CODE32);
	put32(page, AP_FAR64, (uint32_t)(base + (ap_boot_lm64 - ap_boot_start)));
	put32(page, AP_FAR64 + 4, AP_SEL_CODE64);
	put64(page, AP_CR3, base + AP_PML4);
	put64(page, AP_ENTRY, (uint64_t)ap_entry);
	/* The first 2 MiB at their own address (the code runs there when
	 * paging comes on), and the kernel half as every space has it. */
	pd[0] = PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (base + AP_PD) | PTE_P | PTE_W;
	pml4[0] = (base + AP_PDPT) | PTE_P | PTE_W;
	for (int i = 256; i < 512; i++)
		pml4[i] = master[i];
}

static int
start_one(uint64_t base, int id, uint32_t apic_id)
{
	struct percpu *c = &cpus[id];
	struct thread *idle = sched_new_ap_idle(id);
	uint8_t *page = phys_to_virt(base);

	if (!idle)
		return 0;
	c->id = id;
	c->apic_id = apic_id;
	c->idle = idle;
	put64(page, AP_STACK, idle->kstack_top);
	put64(page, AP_ARG, (uint64_t)c);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send_init(apic_id);
	delay_us(10000);
	lapic_send_startup(apic_id, (uint32_t)(base >> 12));
	delay_us(200);
	if (!c->online)
		lapic_send_startup(apic_id, (uint32_t)(base >> 12));
	for (uint64_t end = clock_ns() + 100000000ull; !c->online && clock_ns() < end; )
		cpu_relax();
	return c->online;
}

int
smp_start_others(const struct boot_info *bi, int want)
{
	struct madt_cpus found;
	const char *source = "MADT lists";
	uint32_t me = lapic_id();
	int missed = 0;

	cpus[0].apic_id = me;
	madt_find_cpus(bi->acpi_rsdp, &found);
	if (found.error && bi->fw_cpu_count > 1) {
		/* No MADT (OVMF under Bochs has no ACPI tables): the list the
		 * firmware's MP services gave the loader names the same CPUs. */
		found.count = bi->fw_cpu_count < MADT_MAX_CPUS ? bi->fw_cpu_count : MADT_MAX_CPUS;
		for (unsigned i = 0; i < found.count; i++)
			found.apic_id[i] = bi->fw_apic_id[i];
		source = "firmware MP services list";
		found.error = 0;
	}
	if (found.error) {
		snformat(reason, sizeof reason, "smp: 1 CPU (%s)", found.error);
		return 1;
	}
	if (!bi->ap_boot_phys || bi->ap_boot_phys >= 0x100000) {
		snformat(reason, sizeof reason, "smp: 1 CPU of %u (no trampoline page below 1 MiB)",
			 found.count);
		return 1;
	}
	if (want <= 0 || want > MAX_CPUS)
		want = MAX_CPUS;
	trampoline_build(bi->ap_boot_phys);
	int online = 1;
	for (unsigned i = 0; i < found.count && online < want; i++) {
		if (found.apic_id[i] == me)
			continue;
		if (start_one(bi->ap_boot_phys, online, found.apic_id[i]))
			smp_set_cpu_count(++online);
		else
			missed++;
	}
	snformat(reason, sizeof reason, "smp: %d CPU%s running (%s %u%s)",
		 online, online == 1 ? "" : "s", source, found.count,
		 missed ? ", some did not start" : "");
	return online;
}
