/*
 * efi_main.c - the loader's sequence: plan, kernel, firmware facts, page
 * tables, memory pool, then ExitBootServices and the jump to kernel_entry,
 * or (plan handoff = borrow) lending the CPU to the kernel and saving the
 * results it gives back (borrow.c, results.c).
 * Any failure before the jump prints why and powers off (console.c).
 */
#include "boot/boot.h"

#define KERNEL_FILE_MAX   (256 * BOOT_MIB)   /* debug info may exceed the span */
/* Each pool range may split one free descriptor in two; plus firmware churn. */
#define EXIT_MAP_SPARE    (2 * BOOT_MAX_POOL_RANGES + 64)

static struct plan plan;
static struct boot_result borrow_result;

static struct boot_info *
new_boot_info(void)
{
	struct boot_info *bi = boot_alloc_pages(sizeof(*bi), L"boot_info");

	SetMem(bi, sizeof(*bi), 0);
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	return bi;
}

/* Print every bad line the parser kept, then stop. */
static void
fail_plan(const struct plan *p)
{
	unsigned i, kept = p->error_count < PLAN_MAX_ERRORS ? p->error_count : PLAN_MAX_ERRORS;

	for (i = 0; i < kept; i++)
		boot_log(L"plan line %d: %a", p->errors[i].line, p->errors[i].msg);
	if (p->error_count > kept)
		boot_log(L"... and %d more bad lines", p->error_count - kept);
	boot_fail(L"PLAN.TXT has %d bad line(s); fix them and boot again", p->error_count);
}

/* A missing plan means defaults; a bad one stops the boot.  The kernel
 * gets its own copy of the text and parses it with the same code. */
static void
load_plan(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	struct boot_file f;
	void *copy;

	if (boot_read_file(root, BOOT_PLAN_PATH, BOOT_PLAN_MAX_BYTES, &f) == EFI_NOT_FOUND) {
		plan_defaults(&plan);
		boot_note(bi, "no \\EFI\\IPCBENCH\\PLAN.TXT: using defaults");
		boot_log(L"no %s: using the default plan", BOOT_PLAN_PATH);
		return;
	}
	if (plan_parse(f.data, f.bytes, &plan) != 0)
		fail_plan(&plan);
	if (f.bytes) {
		copy = boot_alloc_pages(f.bytes, L"the plan copy");
		CopyMem(copy, f.data, f.bytes);
		bi->plan_phys = (uint64_t)(UINTN)copy;
		bi->plan_bytes = f.bytes;
	}
	BS->FreePool(f.data);
}

static void
load_kernel(EFI_FILE_HANDLE root, struct boot_info *bi, uint64_t *entry)
{
	struct boot_file f;

	if (boot_read_file(root, BOOT_KERNEL_PATH, KERNEL_FILE_MAX, &f) == EFI_NOT_FOUND)
		boot_fail(L"%s not found on the boot volume", BOOT_KERNEL_PATH);
	boot_load_kernel(&f, bi, entry);
	BS->FreePool(f.data);
}

static uint64_t
pool_bytes(const struct boot_info *bi)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < bi->pool_count; i++)
		sum += bi->pool[i].bytes;
	return sum;
}

/* One line a user can compare against what the kernel later reports. */
static void
log_summary(const struct boot_info *bi)
{
	boot_log(L"kernel %ld KiB at 0x%lx, pool %ld MiB in %d range(s), plan %a/%a",
		 bi->kernel_bytes >> 10, bi->kernel_phys, pool_bytes(bi) >> 20,
		 bi->pool_count, plan_mode_name(plan.mode), plan_pcid_name(plan.pcid));
	if (bi->fb.format != BOOT_FB_NONE)
		boot_log(L"fb %dx%d %a, rsdp 0x%lx, lapic 0x%lx", bi->fb.width, bi->fb.height,
			 bi->fb.format == BOOT_FB_RGBX ? "rgbx" : "bgrx",
			 bi->acpi_rsdp, bi->lapic_phys);
	else
		boot_log(L"fb none, rsdp 0x%lx, lapic 0x%lx", bi->acpi_rsdp, bi->lapic_phys);
}

/* Not EFIAPI: gnu-efi's crt0 (_start) receives the firmware's MS-ABI
 * arguments and calls efi_main with the System V convention. */
EFI_STATUS
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct boot_mmap exit_map;
	struct boot_info *bi;
	EFI_FILE_HANDLE root;
	uint64_t entry;

	InitializeLib(image, systab);
	/* The firmware's 5-minute watchdog would reset a long benchmark. */
	BS->SetWatchdogTimer(0, 0, 0, NULL);

	bi = new_boot_info();
	root = boot_open_volume(image);
	load_plan(root, bi);
	load_kernel(root, bi, &entry);
	if (plan.handoff == PLAN_HANDOFF_BORROW) {
		borrow_result.image = image;
		boot_results_prepare(root, bi, &plan, &borrow_result);
	}
	root->Close(root);

	boot_find_firmware_tables(bi);
	bi->loader_cr3 = boot_build_page_tables(bi, boot_identity_top(bi));
	/* Sized before the pool takes most of memory, used after it. */
	boot_mmap_alloc(&exit_map, EXIT_MAP_SPARE);
	if (plan.handoff == PLAN_HANDOFF_BORROW)
		boot_borrow_reserve_log(bi);
	boot_alloc_pool(bi, plan.pool_mb);
	log_summary(bi);

	if (plan.handoff == PLAN_HANDOFF_BORROW)
		boot_borrow_and_report(bi, &exit_map, entry, &plan, &borrow_result);
	boot_exit_and_jump(image, bi, &exit_map, entry);
}
