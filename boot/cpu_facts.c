/*
 * cpu_facts.c - what meta.json says about the machine's CPU: brand, feature
 * flags that matter to the benchmarks, whether a hypervisor is present
 * (the CSV's `accel` column: `bare` only when CPUID says there is none).
 * How many processors the firmware knows: mp_services.c.
 */
#include "boot/boot.h"
#include "common/format.h"
#include "common/x86.h"

static uint32_t
max_leaf(uint32_t base)
{
	uint32_t r[4];

	cpuid(base, 0, r);
	return r[0];
}

/* Hypervisor vendor signatures (CPUID 0x40000000 EBX,ECX,EDX). */
static const struct { const char sig[13]; const char *name; } hypervisors[] = {
	{ "TCGTCGTCGTCG", "tcg" },
	{ "KVMKVMKVM\0\0\0", "kvm" },
	{ "Microsoft Hv", "hyperv" },
	{ "VMwareVMware", "vmware" },
	{ "VBoxVBoxVBox", "vbox" },
	{ "XenVMMXenVMM", "xen" },
};

const char *
boot_hypervisor_name(void)
{
	uint32_t r[4];
	char sig[12];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))
		return "bare";
	cpuid(0x40000000, 0, r);
	CopyMem(sig, &r[1], 4);
	CopyMem(sig + 4, &r[2], 4);
	CopyMem(sig + 8, &r[3], 4);
	for (UINTN i = 0; i < sizeof hypervisors / sizeof hypervisors[0]; i++)
		if (CompareMem(sig, hypervisors[i].sig, 12) == 0)
			return hypervisors[i].name;
	return "vm";
}

void
boot_cpu_brand(char *out, UINTN cap)
{
	uint32_t r[12];
	char *b = (char *)r;
	UINTN i, j = 0;

	out[0] = '\0';
	if (max_leaf(0x80000000) < 0x80000004 || cap == 0)
		return;
	for (i = 0; i < 3; i++)
		cpuid(0x80000002 + (uint32_t)i, 0, &r[4 * i]);
	for (i = 0; i < sizeof r && b[i] == ' '; i++)
		;
	for (; i < sizeof r && b[i] && j + 1 < cap; i++)
		out[j++] = b[i];
	while (j > 0 && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

/* leaf, subleaf, register (0=eax..3=edx), bit, name */
static const struct { uint32_t leaf; uint8_t reg, bit; const char *name; } features[] = {
	{ 1, 3, 25, "sse" }, { 1, 3, 26, "sse2" }, { 1, 2, 0, "sse3" },
	{ 1, 2, 9, "ssse3" }, { 1, 2, 19, "sse4_1" }, { 1, 2, 20, "sse4_2" },
	{ 1, 2, 28, "avx" }, { 1, 2, 26, "xsave" }, { 1, 2, 17, "pcid" },
	{ 1, 2, 21, "x2apic" }, { 1, 2, 24, "tsc_deadline" }, { 1, 2, 31, "hypervisor" },
	{ 7, 1, 5, "avx2" }, { 7, 1, 7, "smep" }, { 7, 1, 9, "erms" },
	{ 7, 1, 10, "invpcid" }, { 7, 1, 20, "smap" },
	{ 0x80000007, 3, 8, "invariant_tsc" }, { 0x80000001, 3, 27, "rdtscp" },
};

void
boot_cpu_features(char *out, UINTN cap)
{
	UINTN len = 0;
	uint32_t r[4];

	out[0] = '\0';
	for (UINTN i = 0; i < sizeof features / sizeof features[0]; i++) {
		uint32_t leaf = features[i].leaf;

		if (max_leaf(leaf & 0x80000000) < leaf)
			continue;
		cpuid(leaf, 0, r);
		if (!(r[features[i].reg] & (1u << features[i].bit)))
			continue;
		len += (UINTN)snformat(out + len, cap - len, "%s%s", len ? " " : "",
				       features[i].name);
		if (len >= cap)
			len = cap - 1;
	}
	if (max_leaf(0) >= 0xa) {
		cpuid(0xa, 0, r);
		if (r[0] & 0xff)
			snformat(out + len, cap - len, "%spmu_v%u", len ? " " : "", r[0] & 0xff);
	}
}
