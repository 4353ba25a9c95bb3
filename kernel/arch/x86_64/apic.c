/*
 * apic.c - local APIC access and timer.
 *
 * Register offsets are the xAPIC MMIO ones (SDM Vol. 3A table 10-1); in
 * x2APIC mode the same register is MSR 0x800 + offset/16 (SDM 10.12.1.2).
 */
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/pit.h"
#include "kernel/mm/kvm.h"

enum {
	LAPIC_ID = 0x20, LAPIC_TPR = 0x80, LAPIC_EOI = 0xb0, LAPIC_SVR = 0xf0,
	LAPIC_ICR_LOW = 0x300, LAPIC_ICR_HIGH = 0x310, ICR_PENDING = 1u << 12,
	ICR_INIT = 0x4500, ICR_STARTUP = 0x4600,   /* delivery mode, level assert */
	LAPIC_LVT_TIMER = 0x320, LAPIC_TIMER_INIT = 0x380,
	LAPIC_TIMER_CUR = 0x390, LAPIC_TIMER_DIV = 0x3e0,
	SVR_ENABLE = 0x100, LVT_MASKED = 1u << 16, LVT_PERIODIC = 1u << 17,
	TIMER_DIV_16 = 0x3,
	APIC_BASE_X2APIC = 1u << 10, APIC_BASE_ENABLE = 1u << 11,
};

static volatile uint32_t *lapic_mmio;
static int x2apic;
static int keep_firmware_mode;     /* borrow mode: no xAPIC -> x2APIC switch */
static uint32_t ticks_per_ms;

static uint32_t
lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return lapic_mmio[reg / 4];
}

static void
lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		lapic_mmio[reg / 4] = v;
}

void
lapic_init(uint64_t lapic_phys)
{
	uint32_t r[4];
	uint64_t base = rdmsr(MSR_APIC_BASE);

	cpuid(1, 0, r);
	x2apic = (r[2] >> 21) & 1;
	/* Leaving x2APIC mode needs a full APIC disable, which would lose the
	 * firmware's LAPIC setup: a borrowed machine stays in its mode. */
	if (keep_firmware_mode)
		x2apic = (base & APIC_BASE_X2APIC) != 0;
	base |= APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);
	lapic_mmio = kvm_map_mmio(lapic_phys, 4096);
	lapic_enable_this_cpu();
}

/* Every CPU: the same mode as the boot CPU chose, spurious vector, timer
 * masked until the scheduler starts it. */
void
lapic_enable_this_cpu(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);   /* spurious vector 255 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

void
lapic_keep_firmware_mode(void)
{
	keep_firmware_mode = 1;
}

uint32_t
lapic_reg_read(uint32_t reg)
{
	return lapic_read(reg);
}

int
lapic_is_x2apic(void)
{
	return x2apic;
}

void
lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* LAPIC timer ticks (divided by 16, masked) in one PIT window of ms. */
static uint64_t
lapic_ticks_in_pit_window(unsigned ms)
{
	pit_oneshot_start(ms);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	while (!pit_oneshot_done())
		cpu_relax();
	uint32_t elapsed = 0xffffffffu - lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	return elapsed;
}

uint32_t
lapic_timer_calibrate(unsigned ms)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	ticks_per_ms = (uint32_t)(pit_calibrate_median(lapic_ticks_in_pit_window, ms) / ms);
	if (!ticks_per_ms)
		ticks_per_ms = 1;
	return ticks_per_ms;
}

uint32_t
lapic_timer_count(uint32_t us)
{
	uint64_t count = (uint64_t)ticks_per_ms * us / 1000;

	if (!count)
		count = 1;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	return (uint32_t)count;
}

void
lapic_timer_start(uint8_t vector, uint32_t us)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, vector | LVT_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, lapic_timer_count(us));
}

/* A write of the initial count restarts the countdown (SDM 11.5.4), so
 * the next tick comes `count` timer ticks from now. */
void
lapic_timer_reload(uint32_t count)
{
	lapic_write(LAPIC_TIMER_INIT, count ? count : 1);
}

void
lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

uint32_t
lapic_ticks_per_ms(void)
{
	return ticks_per_ms;
}

uint32_t
lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return x2apic ? id : id >> 24;
}

/* xAPIC: the high half names the destination and the low half's write
 * sends; x2APIC: one 64-bit MSR write (SDM 10.12.9). */
static void
icr_send(uint32_t apic_id, uint32_t low)
{
	if (x2apic) {
		wrmsr(0x800 + LAPIC_ICR_LOW / 16, ((uint64_t)apic_id << 32) | low);
		return;
	}
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
		cpu_relax();
}

void
lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, vector);      /* fixed delivery, physical destination */
}

void
lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_INIT);
}

void
lapic_send_startup(uint32_t apic_id, uint32_t page)
{
	icr_send(apic_id, ICR_STARTUP | (page & 0xff));
}
