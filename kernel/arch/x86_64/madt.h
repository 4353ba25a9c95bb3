/* madt.h - the processors the ACPI MADT lists (ACPI 6.5 section 5.2.12). */
#ifndef KERNEL_ARCH_MADT_H
#define KERNEL_ARCH_MADT_H

#include <stdint.h>

#define MADT_MAX_CPUS 64

struct madt_cpus {
	unsigned count;                   /* usable processors, the boot CPU included */
	uint32_t apic_id[MADT_MAX_CPUS];
	const char *error;                /* why none were found (0 when count > 0) */
};

/* Reads the RSDP at rsdp_phys (through the direct map), then the XSDT (or
 * RSDT) and the MADT: every enabled or online-capable local APIC / x2APIC
 * entry, in table order. */
void madt_find_cpus(uint64_t rsdp_phys, struct madt_cpus *out);

#endif
