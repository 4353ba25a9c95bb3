/* signal_frame.c - building and reading back the signal frame on the user
 * stack (signal_frame.h). */
#include "kernel/proc/signal_frame.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/pagetable.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/percpu.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "common/errno.h"
#include "common/signal_abi.h"
#include <stddef.h>

#define RED_ZONE 128                   /* SysV: below rsp, owned by leaf code */
#define SYSCALL_VECTOR ((uint64_t)-1)  /* trap_frame.vector of a syscall frame */

/* RFLAGS bits (SDM Vol. 1 3.4.3). */
#define FL_CF   (1ul << 0)
#define FL_FIXED (1ul << 1)            /* reserved, always 1 */
#define FL_PF   (1ul << 2)
#define FL_AF   (1ul << 4)
#define FL_ZF   (1ul << 6)
#define FL_SF   (1ul << 7)
#define FL_TF   (1ul << 8)
#define FL_DF   (1ul << 10)
#define FL_OF   (1ul << 11)
/* What sigreturn keeps from a user-supplied rflags: the arithmetic flags
 * and DF.  Everything else is dropped: IOPL (would open in/out and cli),
 * NT (IRET would try a task return), TF (single-step traps), RF, VM, AC
 * (alignment checks), VIF/VIP, ID.  IF is forced on. */
#define FL_USER (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_DF | FL_OF)

/* The user ABI mirrors the kernel's trap frame field for field. */
_Static_assert(sizeof(struct sig_regs) == sizeof(struct trap_frame), "sig_regs layout");
#define SAME_SLOT(r) _Static_assert(offsetof(struct sig_regs, r) == offsetof(struct trap_frame, r), \
				   "sig_regs." #r)
SAME_SLOT(rdi); SAME_SLOT(rsi); SAME_SLOT(rdx); SAME_SLOT(r10); SAME_SLOT(r8); SAME_SLOT(r9);
SAME_SLOT(r15); SAME_SLOT(r14); SAME_SLOT(r13); SAME_SLOT(r12); SAME_SLOT(r11); SAME_SLOT(rbp);
SAME_SLOT(rcx); SAME_SLOT(rbx); SAME_SLOT(rax);
_Static_assert(offsetof(struct sig_regs, rip) == offsetof(struct trap_frame, rip), "sig_regs");
_Static_assert(offsetof(struct sig_regs, ss) == offsetof(struct trap_frame, ss), "sig_regs");
_Static_assert(offsetof(struct sig_frame, regs) == 8, "the restorer is the return address");
_Static_assert(sizeof(struct sig_frame) % 8 == 0, "frame of whole words");

int
sigframe_push(struct trap_frame *f, int sig, uint64_t handler, uint64_t restorer,
	      uint64_t old_mask)
{
	struct sig_frame fr;
	uint64_t sp = f->rsp - RED_ZONE - sizeof fr;

	if (sp > f->rsp)
		return -EFAULT;                  /* wrapped: not a user stack */
	sp = (sp & ~15ull) - 8;                  /* sp + 8 aligned, as after a call */
	fr.restorer = restorer;
	fr.regs = *(const struct sig_regs *)f;   /* same layout; whole words, not memcpy's bytes */
	fr.mask = old_mask;
	fr.sig = (uint64_t)sig;
	if (copy_words_to_user(sp, &fr, sizeof fr))
		return -EFAULT;
	f->rsp = sp;
	f->rip = handler;
	f->rdi = (uint64_t)sig;
	f->rsi = sp;
	f->rflags &= ~(FL_DF | FL_TF | RFLAGS_AC);   /* SysV: DF clear at entry */
	/* SYSRET would leave rcx and r11 clobbered; traps leave by IRET anyway. */
	if (f->vector == SYSCALL_VECTOR)
		this_cpu()->full_restore = 1;
	return 0;
}

int
sigframe_pop(struct trap_frame *f, uint64_t *mask)
{
	struct sig_frame fr;
	uint64_t vector = f->vector, error = f->error;

	if (copy_words_from_user(&fr, f->rsp - 8, sizeof fr))
		return -EFAULT;
	/* Both below USER_TOP, which also makes them canonical. */
	if (fr.regs.rip >= USER_TOP || fr.regs.rsp >= USER_TOP)
		return -EINVAL;
	*(struct sig_regs *)f = fr.regs;
	f->vector = vector;                      /* ours, not the user's */
	f->error = error;
	f->cs = USER_CS;
	f->ss = USER_SS;
	f->rflags = (fr.regs.rflags & FL_USER) | RFLAGS_IF | FL_FIXED;
	*mask = fr.mask;
	this_cpu()->full_restore = 1;            /* rcx and r11 too */
	return 0;
}
