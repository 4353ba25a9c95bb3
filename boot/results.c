/*
 * results.c - the loader's side of a borrow-mode run around the kernel:
 * before it, a run id and the plan lines the kernel's CSV needs (run_id,
 * accel); after it, \RESULTS\<run-id>\ on the loader's own volume with
 * results.csv, meta.json, serial.log and plan.txt, a verdict on screen,
 * and the end: power off on success; on any failure the reason stays on
 * screen until a key is pressed (never a silent reset).
 */
#include "boot/boot.h"
#include "common/x86.h"
#include "common/format.h"

#define RESULTS_DIR        L"\\RESULTS"
#define META_BYTES         (256 * 1024)
#define QEMU_EXIT_PORT     0xf4
#define QEMU_EXIT_PASS     0x10
#define QEMU_EXIT_FAIL     0x11
#define RUN_ID_TRIES       100
#define KERNEL_TAIL_LINES  14
#define KERNEL_TAIL_COLS   150

static void
ascii_to_char16(CHAR16 *dst, const char *src, UINTN cap)
{
	UINTN i = 0;

	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (CHAR16)(unsigned char)src[i];
	dst[i] = 0;
}

/* \RESULTS\<id> */
static void
dir_path(CHAR16 *out, UINTN cap, const char *run_id)
{
	CHAR16 id[PLAN_NAME_MAX];

	ascii_to_char16(id, run_id, PLAN_NAME_MAX);
	SPrint(out, cap * sizeof(CHAR16), L"%s\\%s", RESULTS_DIR, id);
}

static int
exists(EFI_FILE_HANDLE root, const CHAR16 *path)
{
	EFI_FILE_HANDLE f;

	if (EFI_ERROR(root->Open(root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0)))
		return 0;
	f->Close(f);
	return 1;
}

/* The firmware clock's date and time, or "run" without one; a suffix
 * keeps it apart from an earlier run's directory. */
static void
choose_run_id(EFI_FILE_HANDLE root, char *id)
{
	CHAR16 path[64];
	char base[PLAN_NAME_MAX];
	EFI_TIME t;

	if (EFI_ERROR(RT->GetTime(&t, NULL)))
		snformat(base, sizeof base, "run");
	else
		snformat(base, sizeof base, "%04u%02u%02u-%02u%02u%02u", t.Year, t.Month,
			 t.Day, t.Hour, t.Minute, t.Second);
	snformat(id, PLAN_NAME_MAX, "%s", base);
	for (unsigned n = 2; n < RUN_ID_TRIES; n++) {
		dir_path(path, 64, id);
		if (!exists(root, path))
			return;
		snformat(id, PLAN_NAME_MAX, "%s-%u", base, n);
	}
}

/* The kernel's plan copy gets `line` appended (the loader's plan said
 * nothing about that key, so the parser sees no duplicate). */
static void
append_plan_line(struct boot_info *bi, const char *line)
{
	UINTN n = 0, old = bi->plan_bytes, at;
	char *copy;

	while (line[n])
		n++;
	copy = boot_alloc_pages(old + n + 2, L"the plan copy");
	if (old)
		CopyMem(copy, (void *)(UINTN)bi->plan_phys, old);
	at = old;
	if (old && copy[old - 1] != '\n')
		copy[at++] = '\n';
	CopyMem(copy + at, (void *)line, n);
	copy[at + n] = '\n';
	bi->plan_phys = (uint64_t)(UINTN)copy;
	bi->plan_bytes = at + n + 1;
}

void
boot_results_prepare(EFI_FILE_HANDLE root, struct boot_info *bi, struct plan *plan,
		     struct boot_result *r)
{
	char line[64];

	choose_run_id(root, r->run_id);
	snformat(r->accel, sizeof r->accel, "%s", boot_hypervisor_name());
	if (!plan->run_id[0]) {
		snformat(line, sizeof line, "run_id = %s", r->run_id);
		append_plan_line(bi, line);
	}
	if (!plan->accel[0]) {
		snformat(line, sizeof line, "accel = %s", r->accel);
		append_plan_line(bi, line);
	}
	if (plan_parse((const char *)(UINTN)bi->plan_phys, bi->plan_bytes, plan) != 0)
		boot_fail(L"the plan with run_id/accel added does not parse (loader bug)");
	boot_log(L"borrow mode: run %a, accel %a; results go to %s\\%a", r->run_id,
		 plan->accel, RESULTS_DIR, r->run_id);
}

/* ---- writing ---------------------------------------------------------- */

static EFI_STATUS
open_dir(EFI_FILE_HANDLE root, const CHAR16 *path, EFI_FILE_HANDLE *dir)
{
	return root->Open(root, dir, (CHAR16 *)path,
			  EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE,
			  EFI_FILE_DIRECTORY);
}

static EFI_STATUS
write_file(EFI_FILE_HANDLE dir, const CHAR16 *name, const void *data, UINTN bytes)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st;
	UINTN n;

	st = dir->Open(dir, &f, (CHAR16 *)name,
		       EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, 0);
	if (EFI_ERROR(st))
		return st;
	n = bytes;
	st = f->Write(f, &n, (void *)data);
	if (!EFI_ERROR(st) && n != bytes)
		st = EFI_VOLUME_FULL;
	if (!EFI_ERROR(st))
		st = f->Flush(f);
	f->Close(f);
	return st;
}

struct outputs {
	const struct textbuf *csv, *meta;
	const char *log;
	UINTN log_bytes;
	const void *plan;
	UINTN plan_bytes;
};

/* Returns EFI_SUCCESS or the first error; *what names the failing step. */
static EFI_STATUS
write_all(EFI_HANDLE image, const char *run_id, const struct outputs *o, const CHAR16 **what)
{
	EFI_FILE_HANDLE root, top, dir;
	CHAR16 path[64];
	EFI_STATUS st;

	root = boot_open_volume(image);
	*what = L"creating \\RESULTS";
	st = open_dir(root, RESULTS_DIR, &top);
	if (EFI_ERROR(st))
		goto out_root;
	top->Close(top);
	dir_path(path, 64, run_id);
	*what = L"creating the run directory";
	st = open_dir(root, path, &dir);
	if (EFI_ERROR(st))
		goto out_root;
	*what = L"writing serial.log";
	st = write_file(dir, L"serial.log", o->log, o->log_bytes);
	if (!EFI_ERROR(st) && o->csv->len) {
		*what = L"writing results.csv";
		st = write_file(dir, L"results.csv", o->csv->p, o->csv->len);
	}
	if (!EFI_ERROR(st)) {
		*what = L"writing plan.txt";
		st = write_file(dir, L"plan.txt", o->plan, o->plan_bytes);
	}
	if (!EFI_ERROR(st)) {
		*what = L"writing meta.json";       /* last: its presence means complete */
		st = write_file(dir, L"meta.json", o->meta->p, o->meta->len);
	}
	dir->Close(dir);
out_root:
	root->Close(root);
	return st;
}

/* ---- verdict and the end ------------------------------------------------ */

/* "" when everything held, else the first thing that did not. */
static const char *
failure(const struct boot_info *bi, const struct plan *plan, const struct boot_result *r,
	const struct csv_summary *csv)
{
	const struct boot_borrow *b = &bi->borrow;

	if (b->restore_mismatches || r->loader_mismatches)
		return "the firmware state was not restored exactly";
	if (!r->timer_fired)
		return "the firmware timer did not fire after the kernel returned";
	if (r->status != BOOT_BORROW_PASS)
		return b->reason[0] ? b->reason : "the kernel reported FAIL";
	if (b->log_dropped)
		return "the kernel log did not fit in its buffer";
	if (plan->mode == PLAN_MODE_BENCH && !CSV_COMPLETE(csv))
		return "the CSV block in the kernel log is incomplete";
	return "";
}

static void
wait_key_forever(void)
{
	EFI_INPUT_KEY key;
	UINTN index;

	if (!ST->ConIn)
		for (;;)
			__asm__ volatile("hlt");
	ST->ConIn->Reset(ST->ConIn, FALSE);
	BS->WaitForEvent(1, &ST->ConIn->WaitForKey, &index);
	ST->ConIn->ReadKeyStroke(ST->ConIn, &key);
}

static __attribute__((noreturn)) void
end_run(int ok, const struct plan *plan)
{
	if (ok && plan->end == PLAN_END_HALT) {
		boot_log(L"plan end = halt: press a key to power off");
		wait_key_forever();
	}
	if (!ok)
		boot_log(L"the run FAILED (reason above); press a key to power off");
	/* Under QEMU, isa-debug-exit gives run.py the verdict; unused elsewhere. */
	outb(QEMU_EXIT_PORT, ok ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
	if (!ok)
		wait_key_forever();
	RT->ResetSystem(EfiResetShutdown, ok ? EFI_SUCCESS : EFI_ABORTED, 0, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * A failed run: the kernel's framebuffer text and the firmware console's do
 * not share a cursor, so the screen is cleared and the end of the kernel's
 * log (panic dump, FAIL line) is shown again above the loader's verdict.
 * Lines are prefixed so host log parsers do not count them twice; CSV lines
 * are left out.
 */
static void
show_kernel_tail(const char *log, UINTN bytes)
{
	char line[KERNEL_TAIL_COLS + 1];
	UINTN start = bytes, seen = 0, i, n;

	while (start > 0 && seen <= KERNEL_TAIL_LINES)
		if (log[--start] == '\n')
			seen++;
	if (ST->ConOut)
		ST->ConOut->ClearScreen(ST->ConOut);
	Print(L"ipcbench loader: the end of the kernel's log:\r\n");
	while (start < bytes) {
		for (n = 0, i = start; i < bytes && log[i] != '\n'; i++)
			if (n < KERNEL_TAIL_COLS && log[i] >= 0x20 && log[i] < 0x7f)
				line[n++] = log[i];
		line[n] = '\0';
		if (n && line[0] != '@')
			Print(L"kernel| %a\r\n", line);
		start = i + 1;
	}
}

static void
show_checks(const struct boot_info *bi, const struct boot_result *r,
	    const struct csv_summary *csv)
{
	const struct boot_borrow *b = &bi->borrow;

	boot_log(L"restore check (kernel): %d of %d fields equal%a%a",
		 b->restore_fields - b->restore_mismatches, b->restore_fields,
		 b->restore_mismatches ? "; differ: " : "", b->restore_msg);
	boot_log(L"restore check (loader): %d of %d fields equal%a%a",
		 r->loader_fields - r->loader_mismatches, r->loader_fields,
		 r->loader_mismatches ? "; differ: " : "", r->loader_msg);
	boot_log(L"firmware timer event: %a (after %ld us; before lending: %ld us)",
		 r->timer_fired ? "fired" : "DID NOT FIRE", r->timer_us, r->timer_before_us);
	boot_log(L"kernel log: %ld bytes (%ld dropped), CSV: %d rows", b->log_bytes,
		 b->log_dropped, csv->rows);
}

void
boot_results_finish(struct boot_info *bi, const struct plan *plan, struct boot_result *r)
{
	const char *log = (const char *)(UINTN)bi->borrow.log_phys;
	UINTN log_bytes = bi->borrow.log_bytes;
	struct textbuf csv, meta;
	struct csv_summary sum;
	struct outputs o;
	const CHAR16 *what = L"";
	const char *why;
	EFI_STATUS st;

	if (log_bytes > bi->borrow.log_cap)
		log_bytes = bi->borrow.log_cap;
	tb_init(&csv, log_bytes + 1, L"results.csv");
	boot_csv_from_log(log, log_bytes, &csv, &sum);
	why = failure(bi, plan, r, &sum);
	if (*why)
		show_kernel_tail(log, log_bytes);
	show_checks(bi, r, &sum);
	if (*why)
		boot_log(L"FAIL: %a", why);
	tb_init(&meta, META_BYTES, L"meta.json");
	boot_meta_json(&meta, bi, plan, r, &sum, *why ? why : "PASS");
	o = (struct outputs){ &csv, &meta, log, log_bytes,
			      (const void *)(UINTN)bi->plan_phys, bi->plan_bytes };
	st = write_all(r->image, r->run_id, &o, &what);
	if (EFI_ERROR(st)) {
		boot_log(L"could not save the results: %s failed: %r", what, st);
		end_run(0, plan);
	}
	boot_log(L"results saved on this stick in %s\\%a\\ (%ameta.json, serial.log, "
		 L"plan.txt)", RESULTS_DIR, r->run_id, csv.len ? "results.csv, " : "");
	boot_log(L"result %a", *why ? "FAIL" : "PASS");
	end_run(*why == 0, plan);
}
