/*
 * tlb_hw.c - the TLB primitives of tlb_hw.h as real instructions, and the
 * other CPUs through the functions tlb_ipi.c connects (kernel only).
 *
 * The host tests link tests/host/model_tlb.c instead; the policy that decides
 * when each primitive runs is tlb.c.  The rules each instruction obeys (#GP,
 * #UD, what it flushes) are tabled at the top of tlb.c.
 */
#ifdef HOST_TEST
#error "tlb_hw.c is kernel-only: host tests link tests/host/model_tlb.c"
#endif

#include "kernel/arch/x86_64/tlb_hw.h"
#include "kernel/arch/x86_64/cpu.h"

#define CPUID_1_ECX_PCID     (1u << 17)
#define CPUID_7_EBX_INVPCID  (1u << 10)

/* The INVPCID descriptor (SDM Vol. 2, INVPCID): bits 11:0 PCID, 63:12 must
 * be zero, then the linear address. */
struct invpcid_desc {
	uint64_t pcid;
	uint64_t va;
};
_Static_assert(sizeof(struct invpcid_desc) == 16, "INVPCID reads a 128-bit descriptor");

/* "memory" clobbers: the compiler must not move page-table stores or user
 * accesses across a translation change (hw_write_cr3 is inline, tlb_hw.h). */
uint64_t
hw_read_cr3(void)
{
	return read_cr3();
}

void
hw_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

void
hw_invpcid(enum invpcid_type type, uint16_t pcid, uint64_t va)
{
	struct invpcid_desc desc = { pcid, va };

	__asm__ volatile("invpcid %0, %1" :: "m"(desc), "r"((uint64_t)type) : "memory");
}

int
hw_has_pcid(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return (r[2] & CPUID_1_ECX_PCID) != 0;
}

int
hw_has_invpcid(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return 0;                       /* leaf 7 absent: no INVPCID */
	cpuid(7, 0, r);
	return (r[1] & CPUID_7_EBX_INVPCID) != 0;
}

/* Listed in cpu_takeover.c's table of control-state changes. */
void
hw_set_pcide(int on)
{
	uint64_t cr4 = read_cr4();
	uint64_t want = on ? cr4 | CR4_PCIDE : cr4 & ~CR4_PCIDE;

	if (want != cr4)
		write_cr4(want);
}

/* Set by tlb_ipi.c: reaching smp.c from here would close a loop of
 * dependencies (smp.c starts CPUs, which set up their TLB through tlb.c). */
static int (*cpu_count_fn)(void);
static void (*send_ipi_fn)(int cpu);

void
tlb_hw_connect(int (*cpu_count)(void), void (*send_ipi)(int cpu))
{
	cpu_count_fn = cpu_count;
	send_ipi_fn = send_ipi;
}

int
hw_cpu_count(void)
{
	return cpu_count_fn ? cpu_count_fn() : 1;
}

void
hw_send_tlb_ipi(int cpu)
{
	send_ipi_fn(cpu);       /* only called for a CPU hw_cpu_count counts */
}
