/*
 * boot.h - the loader's internal interface: one section per file of boot/.
 *
 * Flow (efi_main.c): open own volume -> read + parse the plan -> read +
 * check the kernel ELF -> copy it into its own block -> boot_info, page
 * tables, memory pool -> ExitBootServices -> jump.  Everything the kernel
 * is handed is EfiLoaderData, identity mapped, physical == virtual.
 *
 * Firmware services are called directly (not through uefi_call_wrapper):
 * boot.mk builds with GNU_EFI_USE_MS_ABI so EFIAPI means __attribute__((ms_abi)).
 */
#ifndef IPCBENCH_BOOT_H
#define IPCBENCH_BOOT_H

#include <efi.h>
#include <efilib.h>

#include "common/boot_info.h"
#include "common/cpu_state.h"
#include "common/elf_check.h"
#include "common/plan.h"

#if !defined(HAVE_USE_MS_ABI)
#error "boot/ calls firmware services directly: build with -DGNU_EFI_USE_MS_ABI"
#endif

#define BOOT_PAGE        4096ULL
#define BOOT_PAGES(b)    (((b) + BOOT_PAGE - 1) / BOOT_PAGE)
#define BOOT_MIB         (1ULL << 20)
/* Borrow mode: what the kernel may print.  A quick sweep's log is well
 * under 1 MiB; raw samples ("@s" lines) may fill half (capture.c). */
#define BOOT_BORROW_LOG_BYTES (32 * BOOT_MIB)

/* A file read whole into EfiLoaderData pool memory. */
struct boot_file {
	void *data;
	UINTN bytes;
};

/* A firmware memory map snapshot; descriptors are desc_size apart. */
struct boot_mmap {
	UINT8 *buf;
	UINTN cap;               /* bytes allocated for buf */
	UINTN bytes;             /* bytes the last GetMemoryMap filled */
	UINTN key;
	UINTN desc_size;
	UINT32 desc_version;
};

#define BOOT_MMAP_COUNT(m)   ((m)->bytes / (m)->desc_size)
#define BOOT_MMAP_DESC(m, i) ((EFI_MEMORY_DESCRIPTOR *)((m)->buf + (i) * (m)->desc_size))

/* console.c */
void boot_log(const CHAR16 *fmt, ...);
void boot_note(struct boot_info *bi, const char *text);
__attribute__((noreturn)) void boot_fail(const CHAR16 *fmt, ...);

/* file.c */
EFI_FILE_HANDLE boot_open_volume(EFI_HANDLE image);
EFI_STATUS boot_read_file(EFI_FILE_HANDLE root, const CHAR16 *path, UINTN max_bytes,
			  struct boot_file *out);

/* load_kernel.c */
void boot_load_kernel(const struct boot_file *elf, struct boot_info *bi,
		      uint64_t *entry);

/* memory.c */
void boot_mmap_alloc(struct boot_mmap *m, UINTN spare_descs);
EFI_STATUS boot_mmap_get(struct boot_mmap *m);
void boot_mmap_free(struct boot_mmap *m);
void *boot_alloc_pages(UINT64 bytes, const CHAR16 *what);
uint64_t boot_memory_top(void);
void boot_alloc_pool(struct boot_info *bi, uint32_t pool_mb);

/* paging.c */
uint64_t boot_build_page_tables(const struct boot_info *bi, uint64_t identity_top);

/* What a borrow-mode run leaves for results.c to write and show. */
struct boot_result {
	EFI_HANDLE image;          /* its volume gets \RESULTS\<run_id>\ */
	char run_id[PLAN_NAME_MAX];
	char accel[PLAN_NAME_MAX]; /* bare, or the hypervisor CPUID names */
	uint32_t status;           /* BOOT_BORROW_PASS / _FAIL from the kernel */
	unsigned loader_fields, loader_mismatches;
	char loader_msg[CPU_STATE_MSG_MAX];
	int timer_fired;           /* the firmware timer event after the return */
	uint64_t timer_us;         /* ... fired after this long (Stall-measured) */
	int64_t timer_before_us;   /* the same test before lending; -1 = did not fire */
};

/* borrow.c */
void boot_borrow_reserve_log(struct boot_info *bi);
__attribute__((noreturn)) void boot_borrow_and_report(struct boot_info *bi, struct boot_mmap *m, uint64_t entry,
			    const struct plan *plan, struct boot_result *r);

/* results.c */
void boot_results_prepare(EFI_FILE_HANDLE root, struct boot_info *bi, struct plan *plan,
			  struct boot_result *r);
__attribute__((noreturn)) void boot_results_finish(struct boot_info *bi, const struct plan *plan,
						  struct boot_result *r);

/* text.c: a bounded text buffer in pool memory (meta.json, results.csv). */
struct textbuf {
	char *p;
	UINTN len, cap;
	int overflow;              /* something did not fit */
};
void tb_init(struct textbuf *t, UINTN cap, const CHAR16 *what);
void tb_free(struct textbuf *t);
void tb_add(struct textbuf *t, const char *s, UINTN n);
void tb_printf(struct textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_json_string(struct textbuf *t, const char *s, UINTN n);

/* results_csv.c: the @csv lines of the kernel's log as a CSV file. */
struct csv_summary {
	unsigned rows;             /* @csv lines kept, all blocks */
	unsigned declared;         /* the counts on the @csv-end lines, summed */
	unsigned began, ended;     /* blocks begun and ended (pcid = both: two) */
	unsigned block_rows;       /* rows of the current block */
	int gap;                   /* numbering broke, or an @csv-end disagreed */
};

#define CSV_COMPLETE(s) ((s)->began && (s)->ended == (s)->began && !(s)->gap && \
			 (s)->declared == (s)->rows)
void boot_csv_from_log(const char *log, UINTN bytes, struct textbuf *csv,
		       struct csv_summary *sum);

/* results_meta.c */
void boot_meta_json(struct textbuf *t, const struct boot_info *bi, const struct plan *plan,
		    const struct boot_result *r, const struct csv_summary *csv,
		    const char *verdict);

/* cpu_facts.c */
const char *boot_hypervisor_name(void);
void boot_cpu_brand(char *out, UINTN cap);
void boot_cpu_features(char *out, UINTN cap);

/* mp_services.c */
UINTN boot_cpu_count(void);
void boot_find_fw_cpus(struct boot_info *bi);

/* handoff.c */
void boot_copy_memmap(struct boot_info *bi, const struct boot_mmap *m);
void boot_find_firmware_tables(struct boot_info *bi);
uint64_t boot_identity_top(const struct boot_info *bi);
__attribute__((noreturn)) void boot_exit_and_jump(EFI_HANDLE image, struct boot_info *bi,
						  struct boot_mmap *m, uint64_t entry);

#endif
