/*
 * results_meta.c - meta.json of a borrow-mode run: what the machine was
 * (firmware, CPU, memory, TSC, PCID), what ran (plan, image version), and
 * how the hand-back went (both restore checks, the firmware timer test).
 * Keys follow the host's meta.json where they mean the same thing.
 */
#include "boot/boot.h"
#include "common/format.h"

#ifndef IPCBENCH_IMAGE_VERSION
#define IPCBENCH_IMAGE_VERSION "unknown"
#endif

#define TEXT_MAX 256

static void
key(struct textbuf *t, const char *name, int *first)
{
	tb_printf(t, "%s\n  \"%s\": ", *first ? "" : ",", name);
	*first = 0;
}

static void
str(struct textbuf *t, const char *name, const char *value, int *first)
{
	key(t, name, first);
	tb_json_string(t, value, TEXT_MAX);
}

static void
firmware(struct textbuf *t, int *first)
{
	char vendor[TEXT_MAX];
	UINTN i = 0;

	/* CHAR16 vendor name to ASCII; anything else becomes '?'. */
	for (; ST->FirmwareVendor && ST->FirmwareVendor[i] && i + 1 < sizeof vendor; i++)
		vendor[i] = ST->FirmwareVendor[i] < 0x80 ? (char)ST->FirmwareVendor[i] : '?';
	vendor[i] = '\0';
	key(t, "firmware", first);
	tb_printf(t, "{\"vendor\": ");
	tb_json_string(t, vendor, sizeof vendor);
	tb_printf(t, ", \"revision\": \"0x%x\", \"uefi\": \"%u.%u\"}",
		  ST->FirmwareRevision, ST->Hdr.Revision >> 16, ST->Hdr.Revision & 0xffff);
}

static void
cpu(struct textbuf *t, const struct boot_result *r, int *first)
{
	char brand[64], feats[TEXT_MAX];
	UINTN count = boot_cpu_count();

	boot_cpu_brand(brand, sizeof brand);
	boot_cpu_features(feats, sizeof feats);
	key(t, "cpu", first);
	tb_printf(t, "{\"brand\": ");
	tb_json_string(t, brand, sizeof brand);
	tb_printf(t, ", \"features\": ");
	tb_json_string(t, feats, sizeof feats);
	tb_printf(t, ", \"hypervisor\": \"%s\", \"firmware_cpus\": %lu, "
		  "\"cpus_used\": 1, \"smp\": \"single-CPU (other cores parked by firmware)\"}",
		  boot_hypervisor_name(), (unsigned long)count);
}

static void
memory(struct textbuf *t, const struct boot_info *bi, int *first)
{
	uint64_t usable = 0, pool = 0;

	for (unsigned i = 0; i < bi->memmap_count; i++) {
		uint32_t ty = bi->memmap[i].efi_type;

		if (ty == EfiConventionalMemory || ty == EfiLoaderCode || ty == EfiLoaderData ||
		    ty == EfiBootServicesCode || ty == EfiBootServicesData)
			usable += bi->memmap[i].pages * BOOT_PAGE;
	}
	for (unsigned i = 0; i < bi->pool_count; i++)
		pool += bi->pool[i].bytes;
	key(t, "memory", first);
	tb_printf(t, "{\"usable_mib\": %lu, \"pool_mib\": %lu, \"pool_ranges\": %u}",
		  (unsigned long)(usable >> 20), (unsigned long)(pool >> 20), bi->pool_count);
}

static void
restore(struct textbuf *t, const struct boot_info *bi, const struct boot_result *r,
	int *first)
{
	const struct boot_borrow *b = &bi->borrow;

	key(t, "restore", first);
	tb_printf(t, "{\"kernel\": {\"fields\": %u, \"mismatches\": %u, \"names\": ",
		  b->restore_fields, b->restore_mismatches);
	tb_json_string(t, b->restore_msg, sizeof b->restore_msg);
	tb_printf(t, "}, \"loader\": {\"fields\": %u, \"mismatches\": %u, \"names\": ",
		  r->loader_fields, r->loader_mismatches);
	tb_json_string(t, r->loader_msg, sizeof r->loader_msg);
	tb_printf(t, "}, \"firmware_timer\": {\"fired\": %s, \"after_us\": %lu, "
		  "\"before_lending_us\": %ld}}", r->timer_fired ? "true" : "false",
		  (unsigned long)r->timer_us, (long)r->timer_before_us);
}

void
boot_meta_json(struct textbuf *t, const struct boot_info *bi, const struct plan *plan,
	       const struct boot_result *r, const struct csv_summary *csv,
	       const char *verdict)
{
	const struct boot_borrow *b = &bi->borrow;
	int first = 1;

	tb_printf(t, "{");
	str(t, "run_id", r->run_id, &first);
	str(t, "command", "usb", &first);
	str(t, "image_version", IPCBENCH_IMAGE_VERSION, &first);
	str(t, "handoff", plan_handoff_name(plan->handoff), &first);
	str(t, "mode", plan_mode_name(plan->mode), &first);
	str(t, "verdict", verdict, &first);
	str(t, "kernel_result", b->status == BOOT_BORROW_PASS ? "PASS" :
	    b->status == BOOT_BORROW_FAIL ? "FAIL" : "none", &first);
	str(t, "kernel_reason", b->reason, &first);
	str(t, "accel", plan->accel[0] ? plan->accel : r->accel, &first);
	firmware(t, &first);
	cpu(t, r, &first);
	memory(t, bi, &first);
	key(t, "tsc_hz", &first);
	tb_printf(t, "%lu", (unsigned long)b->tsc_hz);
	str(t, "pcid", b->pcid, &first);
	restore(t, bi, r, &first);
	key(t, "log", &first);
	tb_printf(t, "{\"bytes\": %lu, \"dropped\": %lu, \"samples_dropped\": %lu}",
		  (unsigned long)b->log_bytes, (unsigned long)b->log_dropped,
		  (unsigned long)b->log_samples_dropped);
	key(t, "csv", &first);
	tb_printf(t, "{\"rows\": %u, \"declared\": %u, \"blocks\": %u, \"complete\": %s}",
		  csv->rows, csv->declared, csv->began, CSV_COMPLETE(csv) ? "true" : "false");
	key(t, "plan", &first);
	tb_json_string(t, (const char *)(UINTN)bi->plan_phys, bi->plan_bytes);
	tb_printf(t, "\n}\n");
}
