/*
 * borrow.c - borrow mode (plan `handoff = borrow`; README.md, "Benchmarking a real machine"):
 * boot services stay alive, the kernel borrows the CPU at TPL_HIGH_LEVEL
 * and gives it back, then the loader checks that the firmware got its
 * machine back intact (every saved register equal, its timer still firing)
 * and writes the results to its own volume (results.c).
 *
 * The call and the way back are two small assembly stubs: boot_borrow_call
 * keeps the loader's callee-saved registers, stack and CR3, switches to the
 * loader's tables and calls the kernel; the kernel, having restored
 * everything but CR3, jumps to boot_borrow_resume (identity-mapped in both
 * the loader's and the firmware's tables), which puts them back and returns
 * the kernel's status as if boot_borrow_call had returned it.
 */
#include "boot/boot.h"

#define TIMER_TEST_100NS   100000        /* the firmware timer event: 10 ms */
#define TIMER_TEST_MAX_S   10            /* ... must fire within this (Bochs: ~1.5 s) */
#define TIMER_POLL_US      100

struct borrow_ctx {
	uint64_t rsp, rbx, rbp, r12, r13, r14, r15, cr3;
};

struct borrow_ctx boot_borrow_ctx __attribute__((visibility("hidden")));
uint64_t boot_borrow_call(uint64_t entry, uint64_t boot_info, uint64_t cr3)
	__attribute__((visibility("hidden")));
void boot_borrow_resume(void) __attribute__((visibility("hidden")));

__asm__(
	".text\n"
	".globl boot_borrow_call\n"
	".type boot_borrow_call, @function\n"
	"boot_borrow_call:\n\t"
	"lea boot_borrow_ctx(%rip), %rax\n\t"
	"mov %rsp, 0(%rax)\n\t"
	"mov %rbx, 8(%rax)\n\t"
	"mov %rbp, 16(%rax)\n\t"
	"mov %r12, 24(%rax)\n\t"
	"mov %r13, 32(%rax)\n\t"
	"mov %r14, 40(%rax)\n\t"
	"mov %r15, 48(%rax)\n\t"
	"mov %cr3, %rcx\n\t"
	"mov %rcx, 56(%rax)\n\t"
	"mov %rdi, %rax\n\t"
	"mov %rsi, %rdi\n\t"
	"mov %rdx, %cr3\n\t"
	"and $-16, %rsp\n\t"
	"xor %ebp, %ebp\n\t"
	"call *%rax\n"                  /* kernel_entry(boot_info): never returns */
	"1:\tcli\n\t"
	"hlt\n\t"
	"jmp 1b\n"
	".globl boot_borrow_resume\n"
	".type boot_borrow_resume, @function\n"
	"boot_borrow_resume:\n\t"        /* %rdi = status, IF = 0, firmware GDT/IDT */
	"lea boot_borrow_ctx(%rip), %rax\n\t"
	"mov 56(%rax), %rcx\n\t"
	"mov %rcx, %cr3\n\t"
	"mov 0(%rax), %rsp\n\t"
	"mov 8(%rax), %rbx\n\t"
	"mov 16(%rax), %rbp\n\t"
	"mov 24(%rax), %r12\n\t"
	"mov 32(%rax), %r13\n\t"
	"mov 40(%rax), %r14\n\t"
	"mov 48(%rax), %r15\n\t"
	"mov %rdi, %rax\n\t"
	"ret\n");

/* Before the pool takes most of memory: the buffer the kernel prints into. */
void
boot_borrow_reserve_log(struct boot_info *bi)
{
	bi->borrow.log_cap = BOOT_BORROW_LOG_BYTES;
	bi->borrow.log_phys = (uint64_t)(UINTN)boot_alloc_pages(BOOT_BORROW_LOG_BYTES,
								L"the kernel log buffer");
}

/* Everything the kernel needs to come back; the memory map is a snapshot
 * (boot services keep changing it, the kernel only reads it). */
static void
prepare(struct boot_info *bi, struct boot_mmap *m)
{
	EFI_STATUS st;

	bi->borrow.handoff = BOOT_HANDOFF_BORROW;
	bi->borrow.resume = (uint64_t)(UINTN)boot_borrow_resume;
	st = boot_mmap_get(m);
	if (EFI_ERROR(st))
		boot_fail(L"GetMemoryMap failed: %r", st);
	boot_copy_memmap(bi, m);
}

/* The loader's own check, after the kernel's: every field, CR3 included
 * (the kernel saw the loader's CR3; the firmware's is the one we kept). */
static void
check_restore(struct boot_result *r, const struct boot_info *bi,
	      const struct cpu_state *after)
{
	struct cpu_state want = bi->borrow.saved;

	want.cr3 = boot_borrow_ctx.cr3;
	r->loader_fields = cpu_state_field_count();
	r->loader_mismatches = cpu_state_compare(&want, after, 0, r->loader_msg,
						 sizeof r->loader_msg);
}

/* A firmware timer event after the return proves the firmware clock lives
 * (a lost tick or a wrong LAPIC/TPL restore stops it for good).  The wait
 * is bounded with Stall, which OVMF and real firmware base on a hardware
 * counter (ACPI PM timer, TSC), not on the timer interrupt under test.
 * Returns microseconds to the event, or -1 when it did not fire. */
static int64_t
firmware_timer_us(void)
{
	EFI_EVENT ev;
	EFI_STATUS st = EFI_NOT_READY;
	int64_t us = 0;

	if (EFI_ERROR(BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &ev)))
		return -1;
	if (!EFI_ERROR(BS->SetTimer(ev, TimerRelative, TIMER_TEST_100NS))) {
		while ((st = BS->CheckEvent(ev)) == EFI_NOT_READY &&
		       us < TIMER_TEST_MAX_S * 1000000LL) {
			BS->Stall(TIMER_POLL_US);
			us += TIMER_POLL_US;
		}
	}
	BS->CloseEvent(ev);
	return st == EFI_SUCCESS ? us : -1;
}

static void
check_firmware_timer(struct boot_result *r)
{
	int64_t us = firmware_timer_us();

	r->timer_fired = us >= 0;
	r->timer_us = us >= 0 ? (uint64_t)us : 0;
}

void
boot_borrow_and_report(struct boot_info *bi, struct boot_mmap *m, uint64_t entry,
		       const struct plan *plan, struct boot_result *rp)
{
	struct boot_result r = *rp;
	struct cpu_state after;
	EFI_TPL old;

	prepare(bi, m);
	/* The same test before lending: a failure after it is then ours. */
	r.timer_before_us = firmware_timer_us();
	boot_log(L"borrow mode: lending the CPU to the kernel (boot services stay)");
	/* From here to RestoreTPL: no firmware call, the kernel owns the CPU. */
	old = BS->RaiseTPL(TPL_HIGH_LEVEL);
	r.status = (uint32_t)boot_borrow_call(entry, (uint64_t)(UINTN)bi, bi->loader_cr3);
	cpu_state_read(&after);
	BS->RestoreTPL(old);
	boot_log(L"the kernel gave the CPU back (%a)",
		 r.status == BOOT_BORROW_PASS ? "PASS" : "FAIL");
	/* The kernel is done with its pool: the firmware gets it back for the
	 * file writes (the log and boot_info are separate allocations). */
	for (unsigned i = 0; i < bi->pool_count; i++)
		BS->FreePages(bi->pool[i].phys, BOOT_PAGES(bi->pool[i].bytes));
	check_restore(&r, bi, &after);
	check_firmware_timer(&r);
	boot_results_finish(bi, plan, &r);
}
