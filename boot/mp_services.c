/*
 * mp_services.c - the processors the firmware knows, from the UEFI PI MP
 * Services protocol: their count for meta.json, and their local APIC IDs
 * for a kernel that finds no ACPI MADT (OVMF under Bochs installs no ACPI
 * tables: it takes them from QEMU's fw_cfg, which Bochs lacks, yet its
 * MpInitLib still finds and lists the other CPUs).
 */
#include "boot/boot.h"

/* EFI_MP_SERVICES_PROTOCOL (UEFI PI spec, vol. 2, 13.4): the members up
 * to GetProcessorInfo, the last one used here. */
#define MP_SERVICES_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }
#define MP_PROCESSOR_ENABLED 0x2u      /* StatusFlag: PROCESSOR_ENABLED_BIT */

/* EFI_PROCESSOR_INFORMATION; PI 1.7 appends ExtendedInformation, filled
 * only when asked for (bit 24 of the number), so `spare` merely pads. */
struct mp_processor_info {
	uint64_t processor_id;          /* the local APIC ID on x86 */
	uint32_t status_flag;
	uint32_t package, core, thread;
	uint32_t spare[16];
};

struct mp_services {
	EFI_STATUS (EFIAPI *get_number_of_processors)(struct mp_services *self,
						       UINTN *count, UINTN *enabled);
	EFI_STATUS (EFIAPI *get_processor_info)(struct mp_services *self, UINTN number,
						 struct mp_processor_info *info);
};

static struct mp_services *
mp_services(void)
{
	EFI_GUID guid = MP_SERVICES_GUID;
	struct mp_services *mp = NULL;

	if (EFI_ERROR(BS->LocateProtocol(&guid, NULL, (void **)&mp)))
		return NULL;
	return mp;
}

/* 0 when the firmware has no MP services protocol. */
UINTN
boot_cpu_count(void)
{
	struct mp_services *mp = mp_services();
	UINTN count = 0, enabled = 0;

	if (!mp || EFI_ERROR(mp->get_number_of_processors(mp, &count, &enabled)))
		return 0;
	return count;
}

void
boot_find_fw_cpus(struct boot_info *bi)
{
	struct mp_services *mp = mp_services();
	UINTN count = 0, enabled = 0;

	bi->fw_cpu_count = 0;
	if (!mp || EFI_ERROR(mp->get_number_of_processors(mp, &count, &enabled)))
		return;
	for (UINTN i = 0; i < count && bi->fw_cpu_count < BOOT_MAX_FW_CPUS; i++) {
		struct mp_processor_info info;

		if (EFI_ERROR(mp->get_processor_info(mp, i, &info)) ||
		    !(info.status_flag & MP_PROCESSOR_ENABLED) || info.processor_id > 0xffffffffu)
			continue;
		bi->fw_apic_id[bi->fw_cpu_count++] = (uint32_t)info.processor_id;
	}
}
