/*
 * handoff.c - what the kernel learns about the machine (framebuffer, ACPI,
 * EFI tables, LAPIC), the final memory map, ExitBootServices and the jump.
 *
 * Hand-over contract (what kernel_entry may rely on):
 *   %rdi      physical address of struct boot_info (identity mapped)
 *   %rsp      the firmware's boot stack, identity mapped, 16-byte aligned
 *             before the call (so %rsp + 8 is aligned at entry, as in SysV)
 *   %rbp      0, so frame-pointer walks stop here
 *   [%rsp]    return address of a cli/hlt loop, should the kernel return
 *   CR3       loader_cr3: identity map of [0, max(4 GiB, map top)) with
 *             2 MiB pages + the kernel span at kernel_virt with 4 KiB pages
 *   RFLAGS    IF = 0 (cli), DF = 0 (cld)
 *   GDT, IDT  still the firmware's: the kernel must load its own before
 *             it enables interrupts or takes a fault
 *   boot services exited; runtime services callable through the physical
 *   pointers in boot_info while the identity map stays.
 */
#include "boot/boot.h"
#include "common/x86.h"

#define COM1_PORT           0x3f8
#define EBS_MAX_TRIES       8
#define SZ_4G               (1ULL << 32)

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* Only direct 32-bit RGB/BGR framebuffers; PixelBitMask and BltOnly get none. */
static void
find_framebuffer(struct boot_framebuffer *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	fb->format = BOOT_FB_NONE;
	if (EFI_ERROR(BS->LocateProtocol(&GraphicsOutputProtocol, NULL, (void **)&gop)) ||
	    !gop || !gop->Mode || !gop->Mode->Info)
		return;
	info = gop->Mode->Info;
	if (info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor)
		fb->format = BOOT_FB_RGBX;
	else if (info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor)
		fb->format = BOOT_FB_BGRX;
	else
		return;
	fb->phys = gop->Mode->FrameBufferBase;
	fb->bytes = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pixels_per_line = info->PixelsPerScanLine;
}

/* ACPI 2.0 RSDP (has the XSDT) if the firmware offers one, else 1.0. */
static uint64_t
find_rsdp(void)
{
	EFI_GUID *want[] = { &acpi20_guid, &acpi10_guid };
	UINTN w, i;

	for (w = 0; w < 2; w++) {
		for (i = 0; i < ST->NumberOfTableEntries; i++) {
			EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

			if (CompareMem(&t->VendorGuid, want[w], sizeof(EFI_GUID)) == 0)
				return (uint64_t)(UINTN)t->VendorTable;
		}
	}
	return 0;
}

/* Pages for the kernel's AP trampoline: a SIPI vector is a page number
 * below 1 MiB, and the lowest page holds real-mode vectors: avoid it. */
static uint64_t
alloc_ap_boot_pages(void)
{
	EFI_PHYSICAL_ADDRESS addr = 0x9ffff;

	if (EFI_ERROR(BS->AllocatePages(AllocateMaxAddress, EfiLoaderData,
					BOOT_AP_PAGES, &addr)) || addr < 0x1000)
		return 0;
	return addr;
}

void
boot_find_firmware_tables(struct boot_info *bi)
{
	find_framebuffer(&bi->fb);
	if (bi->fb.format == BOOT_FB_NONE)
		boot_note(bi, "no usable GOP framebuffer: serial only");
	bi->acpi_rsdp = find_rsdp();
	if (!bi->acpi_rsdp)
		boot_note(bi, "no ACPI RSDP in the EFI configuration table");
	boot_find_fw_cpus(bi);
	/* UEFI runs identity mapped, so these pointers are physical addresses. */
	bi->efi_system_table = (uint64_t)(UINTN)ST;
	bi->efi_runtime_services = (uint64_t)(UINTN)ST->RuntimeServices;
	bi->lapic_phys = rdmsr(MSR_APIC_BASE) & ~0xfffULL;
	bi->serial_port = COM1_PORT;
	bi->ap_boot_phys = alloc_ap_boot_pages();
	if (!bi->ap_boot_phys)
		boot_note(bi, "no free pages below 1 MiB: the kernel uses one CPU");
}

/*
 * Normalise the final map into boot_info, merging neighbours of the same
 * type and attributes.  Runs after ExitBootServices: pure code only.
 */
void
boot_copy_memmap(struct boot_info *bi, const struct boot_mmap *m)
{
	struct boot_memmap_entry *prev = NULL, *e;
	UINTN i;

	bi->memmap_count = 0;
	for (i = 0; i < BOOT_MMAP_COUNT(m); i++) {
		EFI_MEMORY_DESCRIPTOR *d = BOOT_MMAP_DESC(m, i);

		if (prev && prev->efi_type == d->Type && prev->attribute == d->Attribute &&
		    prev->phys + prev->pages * BOOT_PAGE == d->PhysicalStart) {
			prev->pages += d->NumberOfPages;
			continue;
		}
		if (bi->memmap_count == BOOT_MAX_MEMMAP) {
			boot_note(bi, "memory map truncated");
			return;
		}
		e = &bi->memmap[bi->memmap_count++];
		e->phys = d->PhysicalStart;
		e->pages = d->NumberOfPages;
		e->attribute = d->Attribute;
		e->efi_type = d->Type;
		e->reserved = 0;
		prev = e;
	}
}

/* See the contract at the top of this file. */
static __attribute__((noreturn)) void
jump_to_kernel(uint64_t cr3, uint64_t entry, uint64_t boot_info)
{
	__asm__ volatile(
		"cli\n\t"
		"cld\n\t"
		"mov %0, %%cr3\n\t"        /* loader tables; also flushes the TLB */
		"and $-16, %%rsp\n\t"      /* call pushes 8: SysV entry alignment */
		"xor %%ebp, %%ebp\n\t"
		"call *%1\n\t"             /* kernel_entry(boot_info) never returns */
		"1: cli\n\t"
		"hlt\n\t"
		"jmp 1b"
		: : "a"(cr3), "c"(entry), "D"(boot_info) : "memory");
	__builtin_unreachable();
}

/*
 * After a first failed ExitBootServices only GetMemoryMap may be called,
 * and the console may be gone: so no allocation and no message in the
 * loop.  m was sized with spare descriptors before the pool was taken.
 */
void
boot_exit_and_jump(EFI_HANDLE image, struct boot_info *bi, struct boot_mmap *m,
		   uint64_t entry)
{
	EFI_STATUS st;
	unsigned tries;

	st = boot_mmap_get(m);
	if (EFI_ERROR(st))
		boot_fail(L"GetMemoryMap before ExitBootServices failed: %r", st);
	for (tries = 0; tries < EBS_MAX_TRIES; tries++) {
		st = BS->ExitBootServices(image, m->key);
		if (st == EFI_SUCCESS)
			break;
		/* The map changed under us (firmware events): take it again. */
		if (st != EFI_INVALID_PARAMETER || EFI_ERROR(boot_mmap_get(m)))
			break;
	}
	__asm__ volatile("cli");
	if (st != EFI_SUCCESS) {
		/* Nothing can be printed any more; tell QEMU, then stop. */
		__asm__ volatile("outb %0, %1" : : "a"((uint8_t)0x13), "Nd"((uint16_t)0xf4));
		for (;;)
			__asm__ volatile("hlt");
	}
	boot_copy_memmap(bi, m);
	jump_to_kernel(bi->loader_cr3, entry, (uint64_t)(UINTN)bi);
}

uint64_t
boot_identity_top(const struct boot_info *bi)
{
	uint64_t top = boot_memory_top();

	if (top < SZ_4G)
		top = SZ_4G;
	if (bi->fb.format != BOOT_FB_NONE && bi->fb.phys + bi->fb.bytes > top)
		top = bi->fb.phys + bi->fb.bytes;
	return top;
}
