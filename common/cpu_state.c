/*
 * cpu_state.c - reads and compares the CPU control state borrow mode keeps
 * for the firmware (see cpu_state.h for who reads it when).
 */
#include "common/cpu_state.h"
#include "common/x86.h"

#define MSR_TSC_DEADLINE     0x6e0u
#define LVT_TIMER_MODE(v)    (((v) >> 17) & 3u)
#define LVT_MODE_DEADLINE    2u
#define MSR_FIXED_CTR_CTRL   0x38du
#define MSR_PERF_GLOBAL_CTRL 0x38fu

#define APIC_BASE_X2APIC     (1u << 10)
#define APIC_BASE_ENABLE     (1u << 11)
#define CR4_OSXSAVE          (1ull << 18)

/* RFLAGS bits software sets (TF, IF, DF, IOPL, NT, AC, ID), not results. */
#define RFLAGS_CONTROL ((1ull << 8) | (1ull << 9) | (1ull << 10) | (3ull << 12) | \
			(1ull << 14) | (1ull << 18) | (1ull << 21))
#define LVT_DELIVERY_STATUS  (1u << 12)
#define PORT61_CONTROL       0x03u   /* timer 2 gate, speaker enable */

static uint32_t
lapic_reg(uint64_t apic_base, uint32_t reg)
{
	if (apic_base & APIC_BASE_X2APIC)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return *(volatile uint32_t *)(uintptr_t)((apic_base & ~0xfffull) + reg);
}

static void
read_control_registers(struct cpu_state *s)
{
	__asm__ volatile("mov %%cr0, %0" : "=r"(s->cr0));
	__asm__ volatile("mov %%cr3, %0" : "=r"(s->cr3));
	__asm__ volatile("mov %%cr4, %0" : "=r"(s->cr4));
	__asm__ volatile("pushfq; popq %0" : "=r"(s->rflags));
	s->efer = rdmsr(MSR_EFER);
}

static void
read_descriptor_tables(struct cpu_state *s)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr, idtr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	s->gdt_base = gdtr.base;
	s->gdt_limit = gdtr.limit;
	s->idt_base = idtr.base;
	s->idt_limit = idtr.limit;
	__asm__ volatile("mov %%cs, %0" : "=r"(s->cs));
	__asm__ volatile("mov %%ds, %0" : "=r"(s->ds));
	__asm__ volatile("mov %%es, %0" : "=r"(s->es));
	__asm__ volatile("mov %%ss, %0" : "=r"(s->ss));
	__asm__ volatile("mov %%fs, %0" : "=r"(s->fs));
	__asm__ volatile("mov %%gs, %0" : "=r"(s->gs));
	__asm__ volatile("str %0" : "=r"(s->tr));
}

static void
read_msrs(struct cpu_state *s)
{
	uint32_t r[4];

	s->star = rdmsr(MSR_STAR);
	s->lstar = rdmsr(MSR_LSTAR);
	s->cstar = rdmsr(MSR_CSTAR);
	s->fmask = rdmsr(MSR_FMASK);
	s->fs_base = rdmsr(MSR_FS_BASE);
	s->gs_base = rdmsr(MSR_GS_BASE);
	s->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	s->apic_base = rdmsr(MSR_APIC_BASE);
	cpuid(0, 0, r);
	/* Architectural PMU v2+ has the global and fixed-counter controls. */
	if (r[0] >= 0xa) {
		cpuid(0xa, 0, r);
		s->has_pmu = (r[0] & 0xff) >= 2;
	}
	if (s->has_pmu) {
		s->pmu_fixed_ctrl = rdmsr(MSR_FIXED_CTR_CTRL);
		s->pmu_global_ctrl = rdmsr(MSR_PERF_GLOBAL_CTRL);
	}
	s->has_xsave = (s->cr4 & CR4_OSXSAVE) != 0;
	if (s->has_xsave) {
		uint32_t lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		s->xcr0 = ((uint64_t)hi << 32) | lo;
	}
}

static void
read_lapic(struct cpu_state *s)
{
	uint64_t b = s->apic_base;

	if (!(b & APIC_BASE_ENABLE))
		return;
	s->lapic_tpr = lapic_reg(b, 0x80);
	s->lapic_svr = lapic_reg(b, 0xf0);
	s->lapic_lvt_timer = lapic_reg(b, 0x320);
	s->lapic_lint0 = lapic_reg(b, 0x350);
	s->lapic_lint1 = lapic_reg(b, 0x360);
	s->lapic_lvt_error = lapic_reg(b, 0x370);
	s->lapic_timer_init = lapic_reg(b, 0x380);
	s->lapic_timer_div = lapic_reg(b, 0x3e0);
	if (LVT_TIMER_MODE(s->lapic_lvt_timer) == LVT_MODE_DEADLINE)
		s->tsc_deadline = rdmsr(MSR_TSC_DEADLINE);
}

void
cpu_state_read(struct cpu_state *s)
{
	unsigned char *p = (unsigned char *)s;

	for (size_t i = 0; i < sizeof *s; i++)
		p[i] = 0;
	read_control_registers(s);
	read_descriptor_tables(s);
	read_msrs(s);
	read_lapic(s);
	s->pic1_mask = inb(0x21);
	s->pic2_mask = inb(0xa1);
	s->port61 = inb(0x61);
}

/* ---- comparison ----------------------------------------------------- */

struct field {
	const char *name;
	unsigned offset;
	unsigned size;           /* 1, 2, 4 or 8 bytes */
	uint64_t mask;           /* bits compared */
};

#define F(member, mask) { #member, (unsigned)offsetof(struct cpu_state, member), \
			  (unsigned)sizeof(((struct cpu_state *)0)->member), mask }
#define ALL (~0ull)

static const struct field fields[] = {
	F(cr0, ALL), F(cr3, ALL), F(cr4, ALL), F(efer, ALL), F(rflags, RFLAGS_CONTROL),
	F(xcr0, ALL), F(star, ALL), F(lstar, ALL), F(cstar, ALL), F(fmask, ALL),
	F(fs_base, ALL), F(gs_base, ALL), F(kernel_gs_base, ALL), F(apic_base, ALL),
	F(pmu_fixed_ctrl, ALL), F(pmu_global_ctrl, ALL),
	F(gdt_base, ALL), F(gdt_limit, ALL), F(idt_base, ALL), F(idt_limit, ALL),
	F(cs, ALL), F(ds, ALL), F(es, ALL), F(ss, ALL), F(fs, ALL), F(gs, ALL), F(tr, ALL),
	F(lapic_tpr, ALL), F(lapic_svr, ALL), F(lapic_lvt_timer, ~(uint64_t)LVT_DELIVERY_STATUS),
	F(lapic_timer_div, ALL), F(lapic_timer_init, ALL), F(lapic_lint0, ~(uint64_t)LVT_DELIVERY_STATUS),
	F(lapic_lint1, ~(uint64_t)LVT_DELIVERY_STATUS),
	F(lapic_lvt_error, ~(uint64_t)LVT_DELIVERY_STATUS),
	F(pic1_mask, ALL), F(pic2_mask, ALL), F(port61, PORT61_CONTROL),
};

#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static uint64_t
field_value(const struct cpu_state *s, const struct field *f)
{
	const unsigned char *p = (const unsigned char *)s + f->offset;
	uint64_t v = 0;

	for (unsigned i = 0; i < f->size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v & f->mask;
}

static void
append(char *msg, size_t cap, size_t *len, const char *s)
{
	while (*s && *len + 1 < cap)
		msg[(*len)++] = *s++;
	if (cap)
		msg[*len < cap ? *len : cap - 1] = '\0';
}

unsigned
cpu_state_compare(const struct cpu_state *want, const struct cpu_state *got,
		  int skip_cr3, char *msg, size_t cap)
{
	unsigned bad = 0;
	size_t len = 0;

	if (cap)
		msg[0] = '\0';
	for (unsigned i = 0; i < FIELD_COUNT; i++) {
		const struct field *f = &fields[i];

		if (skip_cr3 && f->offset == offsetof(struct cpu_state, cr3))
			continue;
		/* A null TR cannot be loaded again (ltr faults on it); a firmware
		 * without one never uses ours (no ring change, no IST). */
		if (f->offset == offsetof(struct cpu_state, tr) && want->tr == 0)
			continue;
		if (field_value(want, f) == field_value(got, f))
			continue;
		append(msg, cap, &len, bad ? " " : "");
		append(msg, cap, &len, f->name);
		bad++;
	}
	return bad;
}

unsigned
cpu_state_field_count(void)
{
	return FIELD_COUNT;
}
