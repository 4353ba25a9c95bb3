/* test_floors.c - not a timed test: prints this boot's floors (null
 * syscall, yield, address-space switch, memcpy, timer) as CSV rows, with
 * the PCID mode and hypervisor named, so every selftest log carries them. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/tlb.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/console/console.h"
#include "common/string.h"

/* CPUID 0x40000000 names the hypervisor (QEMU TCG, KVM ...), if any. */
static void
hypervisor_name(char out[13])
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31))) {
		strncpy_bounded(out, "none", 13);
		return;
	}
	cpuid(0x40000000, 0, r);
	memcpy(out, &r[1], 4);
	memcpy(out + 4, &r[2], 4);
	memcpy(out + 8, &r[3], 4);
	out[12] = '\0';
}

void
test_floors(void)
{
	char hv[13];

	hypervisor_name(hv);
	kprintf("floors: hypervisor '%s', %s; unit TSC cycles\n", hv, tlb_mode_reason());
	int status = ktest_run("bench", "floors iters=500 warmup=50 sizes=64,4096");
	ktest_check(status == 0, "floors: null syscall, yield, address-space switch and memcpy floors printed");
}
