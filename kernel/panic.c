/* panic.c - the last words of a failing kernel: what happened, the
 * registers, a frame-pointer backtrace, then the FAIL result. */
#include "kernel/panic.h"
#include "kernel/finish.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/trap.h"
#include "kernel/mm/kvm.h"

static volatile int panicking;

/* A second fault while dumping (e.g. a corrupt stack) must not recurse. */
static void
enter_panic(void)
{
	cli();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
		kprintf("KERNEL PANIC: nested fault while panicking\n");
		kernel_finish(0, "nested kernel fault");
	}
}

void
print_backtrace(uint64_t rbp)
{
	kprintf("backtrace:\n");
	for (int depth = 0; depth < 24 && rbp; depth++) {
		/* Only follow frames that are aligned and mapped kernel memory. */
		if ((rbp & 7) || rbp < 0xffff800000000000ull ||
		    !kvm_is_mapped(rbp) || !kvm_is_mapped(rbp + 8)) {
			kprintf("  (frame pointer %p not followed)\n", (void *)rbp);
			return;
		}
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (!ret)
			break;
		kprintf("  #%d %p\n", depth, (void *)ret);
		rbp = ((uint64_t *)rbp)[0];
	}
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	enter_panic();
	kprintf("KERNEL PANIC: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	print_backtrace(read_rbp());
	kernel_finish(0, "kernel panic");
}

static void
dump_registers(const struct trap_frame *f)
{
	kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
	kprintf("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f->r12, f->r13, f->r14, f->r15);
	kprintf("  cr0 %016lx cr3 %016lx cr4 %016lx\n", read_cr0(), read_cr3(), read_cr4());
}

void
panic_trap(struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	enter_panic();
	kprintf("KERNEL PANIC: exception %s (vector %lu) in kernel mode\n",
		trap_vector_name(f->vector), f->vector);
	kprintf("  error 0x%lx rip %016lx cs %lx rflags %016lx ss %lx\n",
		f->error, f->rip, f->cs, f->rflags, f->ss);
	kprintf("  cr2 %016lx\n", cr2);
	dump_registers(f);
	kprintf("  #0 %p (faulting instruction)\n", (void *)f->rip);
	print_backtrace(f->rbp);
	kernel_finish(0, "kernel exception");
}
