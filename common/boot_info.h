/*
 * boot_info.h - the contract between the UEFI loader (boot/) and the kernel.
 *
 * The loader fills one struct boot_info in memory it allocated, identity
 * mapped, and passes its physical address in %rdi to the kernel entry point.
 * The kernel owns exactly what this struct hands it: the memory pool ranges,
 * the LAPIC, the serial port and the framebuffer.  Everything else in the
 * memory map belongs to the firmware and is only read.
 *
 * Versioning: a kernel refuses a boot_info whose magic differs or whose
 * version is not BOOT_INFO_VERSION, and says so on the serial port.  Fields
 * are only ever appended; `size` lets a newer kernel detect an older loader.
 *
 * Freestanding: included by the gnu-efi loader, the kernel and host tests.
 */
#ifndef IPCBENCH_BOOT_INFO_H
#define IPCBENCH_BOOT_INFO_H

#include <stdint.h>

#include "common/cpu_state.h"

#define BOOT_INFO_MAGIC    0x4f464e49544f4f42ULL /* "BOOTINFO" little-endian */
#define BOOT_INFO_VERSION  4u   /* 2: struct boot_borrow appended; 3: ap_boot_phys;
                                   4: fw_cpus */

/* Where the loader finds its inputs on its own volume (the ESP). */
#define BOOT_KERNEL_PATH   L"\\EFI\\IPCBENCH\\KERNEL.ELF"
#define BOOT_PLAN_PATH     L"\\EFI\\IPCBENCH\\PLAN.TXT"

#define BOOT_MAX_POOL_RANGES  32u
#define BOOT_MAX_MEMMAP       512u
#define BOOT_PLAN_MAX_BYTES   16384u
#define BOOT_MAX_FW_CPUS      64u

/* One contiguous run of physical memory given to the kernel. 4 KiB aligned. */
struct boot_range {
	uint64_t phys;
	uint64_t bytes;
};

/* Compact copy of one UEFI memory descriptor (the firmware's own layout has
 * a variable stride; we normalise it so the kernel need not know EFI types). */
struct boot_memmap_entry {
	uint64_t phys;
	uint64_t pages;          /* 4 KiB pages */
	uint64_t attribute;      /* EFI_MEMORY_* bits, EFI_MEMORY_RUNTIME = bit 63 */
	uint32_t efi_type;       /* EFI_MEMORY_TYPE value */
	uint32_t reserved;
};

/* Pixel formats the kernel console understands. */
enum boot_fb_format {
	BOOT_FB_NONE = 0,        /* no GOP framebuffer: serial only */
	BOOT_FB_RGBX = 1,        /* PixelRedGreenBlueReserved8BitPerColor */
	BOOT_FB_BGRX = 2,        /* PixelBlueGreenRedReserved8BitPerColor */
};

struct boot_framebuffer {
	uint64_t phys;           /* linear framebuffer base */
	uint64_t bytes;          /* size of the framebuffer mapping */
	uint32_t width;          /* visible pixels */
	uint32_t height;
	uint32_t pixels_per_line;/* stride in pixels (>= width) */
	uint32_t format;         /* enum boot_fb_format */
};

/* How the loader hands the machine over (plan key `handoff`). */
enum boot_handoff {
	BOOT_HANDOFF_EXIT = 0,   /* ExitBootServices, the kernel never returns */
	BOOT_HANDOFF_BORROW = 1, /* boot services stay; the kernel returns (README.md) */
};

#define BOOT_BORROW_PASS  1u
#define BOOT_BORROW_FAIL  2u
#define BOOT_BORROW_TEXT  160u

/*
 * Borrow mode.  The loader fills handoff, resume and the log buffer before
 * the call; the kernel fills the rest (saved at entry, the others just
 * before it jumps to resume with %rdi = status, CR3 = loader_cr3, every
 * other piece of firmware state already restored).
 */
struct boot_borrow {
	uint32_t handoff;        /* enum boot_handoff */
	uint32_t status;         /* kernel: BOOT_BORROW_PASS / _FAIL, 0 = never returned */
	uint64_t resume;         /* loader: identity-mapped address to jump back to */
	uint64_t log_phys;       /* loader: buffer for everything the kernel prints */
	uint64_t log_cap;        /* loader: its size in bytes */
	uint64_t log_bytes;      /* kernel: bytes kept in the buffer */
	uint64_t log_dropped;    /* kernel: bytes that did not fit (the tail is lost) */
	uint64_t tsc_hz;         /* kernel: calibrated TSC frequency */
	uint32_t restore_fields; /* kernel: fields compared after its restore */
	uint32_t restore_mismatches; /* kernel: how many differed */
	char restore_msg[BOOT_BORROW_TEXT]; /* kernel: names of the fields that differed */
	char reason[BOOT_BORROW_TEXT];      /* kernel: why the run failed ("" on PASS) */
	char pcid[BOOT_BORROW_TEXT];        /* kernel: its "pcid: ..." line */
	struct cpu_state saved;  /* kernel: the firmware's state at entry (CR3: loader_cr3) */
	uint64_t log_samples_dropped; /* kernel: "@s" sample lines left out (half-full buffer) */
};

struct boot_info {
	uint64_t magic;          /* BOOT_INFO_MAGIC */
	uint32_t version;        /* BOOT_INFO_VERSION */
	uint32_t size;           /* sizeof(struct boot_info) as the loader knew it */

	/* The kernel image as loaded: [kernel_phys, +kernel_bytes) holds the
	 * span of all PT_LOAD segments, mapped by the loader at kernel_virt. */
	uint64_t kernel_phys;
	uint64_t kernel_virt;
	uint64_t kernel_bytes;

	/* Memory the kernel may use freely (EfiLoaderData pages the loader
	 * allocated for it).  Does not overlap the kernel image, boot_info,
	 * the loader's page tables or the plan copy. */
	uint32_t pool_count;
	uint32_t reserved0;
	struct boot_range pool[BOOT_MAX_POOL_RANGES];

	/* The firmware memory map at ExitBootServices time (read-only info,
	 * used to keep EFI runtime regions mapped for ResetSystem). */
	uint32_t memmap_count;
	uint32_t reserved1;
	struct boot_memmap_entry memmap[BOOT_MAX_MEMMAP];

	struct boot_framebuffer fb;

	uint64_t acpi_rsdp;      /* physical address of the ACPI 2.0 (or 1.0) RSDP, 0 if none */
	uint64_t efi_system_table;   /* physical, for runtime services (ResetSystem) */
	uint64_t efi_runtime_services; /* physical EFI_RUNTIME_SERVICES pointer */

	uint64_t lapic_phys;     /* from IA32_APIC_BASE at hand-over */
	uint16_t serial_port;    /* 16550 I/O base, 0x3f8 */
	uint16_t reserved2[3];

	/* The page tables the loader left in CR3: identity map of low memory
	 * plus the kernel image at kernel_virt.  The kernel replaces them and
	 * may give these frames nothing back (they are loader memory). */
	uint64_t loader_cr3;

	/* The plan file, copied verbatim (not NUL-terminated; plan_bytes long). */
	uint64_t plan_phys;
	uint64_t plan_bytes;

	/* Loader's reason text for anything it tolerated (NUL-terminated). */
	char loader_note[128];

	/* Version 2: how the kernel got the machine, and borrow mode's return. */
	struct boot_borrow borrow;

	/* Version 3: BOOT_AP_PAGES pages below 1 MiB, 4 KiB aligned, for the
	 * real-mode trampoline that starts the other CPUs (a SIPI names a page
	 * below 1 MiB); 0 if the firmware had none free. */
	uint64_t ap_boot_phys;

	/* Version 4: the processors the firmware's PI MP Services protocol
	 * lists (enabled ones, boot CPU included), for a machine without ACPI
	 * tables: OVMF under Bochs installs none, since it takes them from
	 * QEMU's fw_cfg.  The kernel prefers the MADT.  0 when the protocol is
	 * missing; at most BOOT_MAX_FW_CPUS. */
	uint32_t fw_cpu_count;
	uint32_t reserved3;
	uint32_t fw_apic_id[BOOT_MAX_FW_CPUS];
};

#define BOOT_AP_PAGES 4

#endif
