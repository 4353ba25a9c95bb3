/* t_sigregs.c - does a signal leave the interrupted code exactly as it was,
 * and can a handler that forges its frame get anything sigreturn should
 * not give?
 *
 *   regs          two probes fill every general register (rcx and r11 too),
 *                 the red zone and DF with known values and spin until a
 *                 handler, run by a signal from a child, sets a flag; one
 *                 spins in pure user code (delivery on the timer's IRET
 *                 path), one in a yield loop (delivery on a syscall exit),
 *                 one in a getpid loop (the lean syscall entry and exit,
 *                 kernel/arch/x86_64/syscall_entry.S: millions of lean
 *                 round trips, and delivery on its exit when the signal
 *                 comes while the loop is in the kernel).
 *                 Everything must be intact afterwards.
 *   forge-flags   the handler asks for kernel CS/SS, IOPL 3, NT, TF, AC, VM,
 *                 IF off and a mask with SIGKILL: sigreturn must sanitize,
 *                 the process goes on in ring 3 (exit 0).
 *   redirect      the handler moves rip to another user function (exit 42).
 *   forge-rip, forge-noncanon, forge-rsp, bad-frame, bad-stack
 *                 must be killed with WAIT_KILLED | SIGSEGV (the kernel
 *                 test checks the status).
 *   poke PPID     (child) sleeps 30 ms and sends PPID a SIGUSR1. */
#include "user/lib/ipcbench.h"
#include "ipc/user/signal.h"

#define KADDR    0xffffffff80000000ull
#define NONCANON 0x0000800000000000ull
#define UNMAPPED 0x0000000500000000ull
#define FL_TF    (1ull << 8)
#define FL_IF    (1ull << 9)
#define FL_DF    (1ull << 10)
#define FL_IOPL  (3ull << 12)
#define FL_NT    (1ull << 14)
#define FL_RF    (1ull << 16)
#define FL_VM    (1ull << 17)
#define FL_AC    (1ull << 18)

/* Shared with the assembly below (hence not static). */
volatile uint64_t probe_flag, probe_left;     /* probe_left: spins before giving up */
volatile uint64_t probe_regs[15];          /* rax rbx rcx rdx rsi rdi rbp r8..r15 */
volatile uint64_t probe_rz[16];            /* the red zone after the spin */
volatile uint64_t probe_rflags, probe_rsp_before, probe_rsp_after;

static const uint64_t want_regs[15] = {
	0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
	0x5555555555555555, 0x6666666666666666, 0x7777777777777777, 0x8888888888888888,
	0x9999999999999999, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc,
	0xdddddddddddddddd, 0xeeeeeeeeeeeeeeee, 0xf0f0f0f0f0f0f0f0,
};
static const char *const reg_names[15] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
#define RZ_PATTERN 0x5a5a5a5a5a5a5a5aull

void probe_user(void), probe_syscall(void), probe_lean(void);
extern const char probe_user_spin[], probe_user_end[], probe_sys_spin[], probe_sys_end[];
extern const char probe_lean_spin[], probe_lean_end[];

/* Both probes: save callee-saved registers, fill the red zone, load the
 * known values, set DF, spin until probe_flag (or probe_left runs out, a
 * safety net against a signal that never comes), then store every register, the red zone and rflags. */
__asm__(
	".macro PROBE_ENTER\n"
	"	push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
	"	movabs $0x5a5a5a5a5a5a5a5a, %rax\n"
	"	.set off, 8\n"
	"	.rept 16\n"
	"	mov %rax, -off(%rsp)\n"
	"	.set off, off + 8\n"
	"	.endr\n"
	"	mov %rsp, probe_rsp_before(%rip)\n"
	"	movabs $0x1111111111111111, %rax\n"
	"	movabs $0x2222222222222222, %rbx\n"
	"	movabs $0x3333333333333333, %rcx\n"
	"	movabs $0x4444444444444444, %rdx\n"
	"	movabs $0x5555555555555555, %rsi\n"
	"	movabs $0x6666666666666666, %rdi\n"
	"	movabs $0x7777777777777777, %rbp\n"
	"	movabs $0x8888888888888888, %r8\n"
	"	movabs $0x9999999999999999, %r9\n"
	"	movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
	"	movabs $0xbbbbbbbbbbbbbbbb, %r11\n"
	"	movabs $0xcccccccccccccccc, %r12\n"
	"	movabs $0xdddddddddddddddd, %r13\n"
	"	movabs $0xeeeeeeeeeeeeeeee, %r14\n"
	"	movabs $0xf0f0f0f0f0f0f0f0, %r15\n"
	"	std\n"
	".endm\n"
	".macro PROBE_LEAVE\n"
	"	mov %rax, probe_regs+0(%rip)\n"
	"	mov %rbx, probe_regs+8(%rip)\n"
	"	mov %rcx, probe_regs+16(%rip)\n"
	"	mov %rdx, probe_regs+24(%rip)\n"
	"	mov %rsi, probe_regs+32(%rip)\n"
	"	mov %rdi, probe_regs+40(%rip)\n"
	"	mov %rbp, probe_regs+48(%rip)\n"
	"	mov %r8, probe_regs+56(%rip)\n"
	"	mov %r9, probe_regs+64(%rip)\n"
	"	mov %r10, probe_regs+72(%rip)\n"
	"	mov %r11, probe_regs+80(%rip)\n"
	"	mov %r12, probe_regs+88(%rip)\n"
	"	mov %r13, probe_regs+96(%rip)\n"
	"	mov %r14, probe_regs+104(%rip)\n"
	"	mov %r15, probe_regs+112(%rip)\n"
	"	mov %rsp, probe_rsp_after(%rip)\n"
	"	.set off, 8\n"
	"	.rept 16\n"
	"	mov -off(%rsp), %rax\n"
	"	mov %rax, probe_rz+off-8(%rip)\n"
	"	.set off, off + 8\n"
	"	.endr\n"
	"	pushfq\n"                          /* only now: it writes the red zone */
	"	popq probe_rflags(%rip)\n"
	"	cld\n"
	"	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n"
	"	ret\n"
	".endm\n"
	"	.text\n"
	"	.globl probe_user, probe_user_spin, probe_user_end\n"
	"probe_user:\n"
	"	PROBE_ENTER\n"
	"probe_user_spin:\n"                  /* memory operands only: every */
	"	cmpq $0, probe_flag(%rip)\n"       /* register and the red zone */
	"	jne probe_user_end\n"              /* keep their values */
	"	decq probe_left(%rip)\n"
	"	jnz probe_user_spin\n"
	"probe_user_end:\n"
	"	PROBE_LEAVE\n"
	"	.globl probe_syscall, probe_sys_spin, probe_sys_end\n"
	"probe_syscall:\n"
	"	PROBE_ENTER\n"
	"probe_sys_spin:\n"
	"	mov $1, %eax\n"                    /* SYS_YIELD: rax, rcx, r11 die */
	"	syscall\n"
	"	cmpq $0, probe_flag(%rip)\n"
	"	jne probe_sys_end\n"
	"	decq probe_left(%rip)\n"
	"	jnz probe_sys_spin\n"
	"probe_sys_end:\n"
	"	PROBE_LEAVE\n"
	"	.globl probe_lean, probe_lean_spin, probe_lean_end\n"
	"probe_lean:\n"
	"	PROBE_ENTER\n"
	"probe_lean_spin:\n"
	"	mov $2, %eax\n"                    /* SYS_GETPID: rax, rcx, r11 die */
	"	syscall\n"
	"	cmpq $0, probe_flag(%rip)\n"
	"	jne probe_lean_end\n"
	"	decq probe_left(%rip)\n"
	"	jnz probe_lean_spin\n"
	"probe_lean_end:\n"
	"	PROBE_LEAVE\n");
_Static_assert(SYS_YIELD == 1, "probe_syscall's syscall number");
_Static_assert(SYS_GETPID == 2, "probe_lean's syscall number");

static volatile int h_sig, h_aligned, h_df_clear, forge;
static volatile uint64_t h_rip;

static uint64_t
rflags_now(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static void
on_poke(int sig, struct sig_frame *f)
{
	h_sig = sig;
	h_rip = f->regs.rip;
	h_aligned = !((uintptr_t)__builtin_frame_address(0) & 15);
	h_df_clear = !(rflags_now() & FL_DF);
	probe_flag = 1;
}

/* A child that sends us SIGUSR1 in 30 ms, while the probe spins. */
static long
poke_parent_soon(void)
{
	char arg[32];

	snformat(arg, sizeof arg, "poke %ld", usys_getpid());
	return usys_spawn("t_sigregs", arg);
}

/* Runs one probe with a poke from a child; reports what it found. */
static int
run_probe(void (*probe)(void), const char *spin, const char *end, const char *path,
	  uint64_t limit, uint64_t clobbered)
{
	int ok = 1, status = -1;

	probe_left = limit;
	probe_flag = 0;
	h_sig = 0;
	long poker = poke_parent_soon();
	probe();
	if (poker > 0)
		usys_wait(poker, &status);
	ok &= check(probe_flag && h_sig == SIGUSR1 && h_rip >= (uint64_t)spin && h_rip < (uint64_t)end,
		    "%s: the signal arrived in the middle of the spin loop (rip %lx)", path,
		    (unsigned long)h_rip);
	int regs_ok = 1;
	for (int i = 0; i < 15; i++) {
		if (!(clobbered & (1u << i)) && probe_regs[i] != want_regs[i]) {
			uprintf("  %s: %s = %lx, want %lx\n", path, reg_names[i],
				(unsigned long)probe_regs[i], (unsigned long)want_regs[i]);
			regs_ok = 0;
		}
	}
	ok &= check(regs_ok, "%s: every general register is intact after the handler", path);
	int rz_ok = probe_rsp_after == probe_rsp_before;
	for (int i = 0; i < 16; i++)
		rz_ok &= probe_rz[i] == RZ_PATTERN;
	ok &= check(rz_ok, "%s: rsp and the 128-byte red zone below it are untouched", path);
	ok &= check((probe_rflags & FL_DF) && h_df_clear && h_aligned,
		    "%s: DF was clear in the handler (SysV) and is set again after it; stack aligned", path);
	return ok;
}

static int
test_regs(void)
{
	int ok = check(sig_action(SIGUSR1, on_poke) == 0, "handler installed");
	/* rax, rcx, r11 belong to the syscall ABI in the yield loop. */
	ok &= run_probe(probe_user, probe_user_spin, probe_user_end, "user-mode spin (IRET path)",
			1ull << 32, 0);
	ok &= run_probe(probe_syscall, probe_sys_spin, probe_sys_end, "yield loop (syscall exit)",
			1ull << 22, (1u << 0) | (1u << 2) | (1u << 10));
	ok &= run_probe(probe_lean, probe_lean_spin, probe_lean_end, "getpid loop (lean syscall)",
			1ull << 32, (1u << 0) | (1u << 2) | (1u << 10));
	return ok ? 0 : 1;
}

/* ---- forged frames ---- */

static void __attribute__((noreturn))
landing(void)
{
	usys_exit(42);
}

static void
on_forge(int sig, struct sig_frame *f)
{
	if (forge == 1)
		f->regs.rip = KADDR;
	else if (forge == 2)
		f->regs.rip = NONCANON;
	else if (forge == 3)
		f->regs.rsp = KADDR;
	else if (forge == 4) {
		f->regs.cs = 0x08;                 /* kernel code, RPL 0 */
		f->regs.ss = 0x10;                 /* kernel data */
		f->regs.rflags |= FL_IOPL | FL_NT | FL_TF | FL_AC | FL_RF | FL_VM;
		f->regs.rflags &= ~FL_IF;
		f->regs.rax = 777;                 /* kill's result, as seen after */
		f->mask = ~0ull;                   /* SIGKILL and nonexistent bits too */
	} else if (forge == 5)
		f->regs.rip = (uint64_t)landing;
}

static int
check_sanitized(long kill_result)
{
	uint16_t cs, ss;
	uint64_t fl = rflags_now(), mask = ~0ull;

	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	usys_sigprocmask(SIG_BLOCK, 0, &mask);
	int ok = check(cs == 0x23 && ss == 0x1b, "forged kernel CS/SS: back in ring 3 with the user selectors (%x, %x)", cs, ss);
	ok &= check(!(fl & (FL_IOPL | FL_NT | FL_TF | FL_AC | FL_VM)) && (fl & FL_IF),
		    "forged IOPL 3, NT, TF, AC, VM, IF off: all dropped, IF on (rflags %lx)", (unsigned long)fl);
	ok &= check(mask == (SIG_VALID_MASK & ~SIG_BIT(SIGKILL)),
		    "forged mask: SIGKILL and bits that are no signal stay unblocked (%lx)", (unsigned long)mask);
	ok &= check(kill_result == 777, "sigreturn restored the frame's rax (%ld)", kill_result);
	usys_sigprocmask(SIG_SETMASK, 0, 0);
	return ok ? 0 : 1;
}

static int
test_forge(int kind)
{
	forge = kind;
	sig_action(SIGUSR1, on_forge);
	long r = usys_kill(usys_getpid(), SIGUSR1);
	if (kind == 4)
		return check_sanitized(r);
	return 1;                                  /* should not be alive */
}

/* sigreturn with rsp on unmapped memory: the frame cannot be read. */
static int
bad_frame(void)
{
	__asm__ volatile("mov %0, %%rsp; mov %1, %%eax; syscall; ud2"
			 :: "r"(UNMAPPED), "i"(SYS_SIGRETURN) : "memory");
	return 1;
}

/* A signal due while rsp points nowhere: the frame cannot be written. */
static int
bad_stack(void)
{
	sig_action(SIGUSR1, on_poke);
	__asm__ volatile("mov %0, %%rsp; syscall; ud2"
			 :: "r"(UNMAPPED), "a"(SYS_KILL), "D"(usys_getpid()), "S"(SIGUSR1) : "memory");
	return 1;
}

int
main(const char *arg, unsigned long arglen)
{
	static const char *const forges[] = { "", "forge-rip", "forge-noncanon", "forge-rsp",
					      "forge-flags", "redirect" };

	if (!strncmp(arg, "poke ", 5)) {
		long ppid = 0;
		for (arg += 5; *arg >= '0' && *arg <= '9'; arg++)
			ppid = ppid * 10 + (*arg - '0');
		usys_sleep_ns(30000000ull);
		return usys_kill(ppid, SIGUSR1) == 0 ? 0 : 1;
	}
	if (!strcmp(arg, "regs"))
		return test_regs();
	for (int k = 1; k < 6; k++)
		if (!strcmp(arg, forges[k]))
			return test_forge(k);
	if (!strcmp(arg, "bad-frame"))
		return bad_frame();
	if (!strcmp(arg, "bad-stack"))
		return bad_stack();
	return 99;
}
