/*
 * madt.c - finding the processors: RSDP -> XSDT (ACPI 2.0+) or RSDT ->
 * the table signed "APIC" (MADT) -> its local APIC (type 0) and local
 * x2APIC (type 9) entries.  Every length read from firmware is checked
 * against the table it sits in, so a broken table yields fewer CPUs, not a
 * fault.  Tables are read through the direct map (ACPI memory is in it).
 */
#include "kernel/arch/x86_64/madt.h"
#include "kernel/mm/kvm.h"
#include "common/string.h"

#define SDT_HEADER_BYTES 36
#define MADT_ENTRIES_AT  44           /* header + local APIC address + flags */
#define MADT_LAPIC       0
#define MADT_X2APIC      9
#define LAPIC_ENABLED        1u
#define LAPIC_ONLINE_CAPABLE 2u

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static const uint8_t *
table_at(uint64_t phys, uint32_t *len)
{
	if (!phys)
		return 0;
	const uint8_t *t = phys_to_virt(phys);
	*len = rd32(t + 4);
	return *len >= SDT_HEADER_BYTES ? t : 0;
}

static void
add_cpu(struct madt_cpus *out, uint32_t id, uint32_t flags)
{
	if (!(flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)) || out->count >= MADT_MAX_CPUS)
		return;
	for (unsigned i = 0; i < out->count; i++)
		if (out->apic_id[i] == id)
			return;               /* listed as both LAPIC and x2APIC */
	out->apic_id[out->count++] = id;
}

static void
read_madt(const uint8_t *madt, uint32_t len, struct madt_cpus *out)
{
	for (uint32_t at = MADT_ENTRIES_AT; at + 2 <= len; ) {
		uint8_t type = madt[at], elen = madt[at + 1];
		if (elen < 2 || at + elen > len)
			break;
		if (type == MADT_LAPIC && elen >= 8)
			add_cpu(out, madt[at + 3], rd32(madt + at + 4));
		else if (type == MADT_X2APIC && elen >= 16)
			add_cpu(out, rd32(madt + at + 4), rd32(madt + at + 8));
		at += elen;
	}
}

void
madt_find_cpus(uint64_t rsdp_phys, struct madt_cpus *out)
{
	out->count = 0;
	out->error = "no ACPI RSDP";
	if (!rsdp_phys)
		return;
	const uint8_t *rsdp = phys_to_virt(rsdp_phys);
	if (memcmp(rsdp, "RSD PTR ", 8) != 0) {
		out->error = "RSDP signature wrong";
		return;
	}
	int xsdt = rsdp[15] >= 2 && rd64(rsdp + 24);
	uint32_t root_len;
	const uint8_t *root = table_at(xsdt ? rd64(rsdp + 24) : rd32(rsdp + 16), &root_len);
	if (!root) {
		out->error = "no RSDT/XSDT";
		return;
	}
	unsigned esize = xsdt ? 8 : 4;
	out->error = "no MADT";
	for (uint32_t at = SDT_HEADER_BYTES; at + esize <= root_len; at += esize) {
		uint32_t len;
		const uint8_t *t = table_at(xsdt ? rd64(root + at) : rd32(root + at), &len);
		if (t && memcmp(t, "APIC", 4) == 0) {
			read_madt(t, len, out);
			out->error = out->count ? 0 : "MADT lists no usable CPU";
			return;
		}
	}
}
