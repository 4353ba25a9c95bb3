/* stubs.c - code the fuzzer hands the kernel to jump to, and the raw call.
 *
 * Assembly because none of it may touch the stack it is given: a fuzzed
 * thread_create or LRPC call may start it on any stack the kernel accepts.
 * The numbers are spelled out for the assembler and checked against the ABI. */
#include "user/progs/t_fuzz/fuzz.h"

#define NR_THREAD_EXIT 15
#define NR_LRPC_RETURN 62
_Static_assert(NR_THREAD_EXIT == SYS_THREAD_EXIT, "fz_thread_stub's syscall number");
_Static_assert(NR_LRPC_RETURN == SYS_LRPC_RETURN, "fz_lrpc_stub's syscall number");
#define STR_(x) #x
#define STR(x) STR_(x)

__asm__(
	"	.text\n"
	/* Entry of fuzzed threads: end at once, stack untouched. */
	"	.globl fz_thread_stub\n"
	"fz_thread_stub:\n"
	"	mov	$" STR(NR_THREAD_EXIT) ", %eax\n"
	"	syscall\n"
	"	ud2\n"
	/* Every procedure of a fuzzer's LRPC service: return the argument. */
	"	.globl fz_lrpc_stub\n"
	"fz_lrpc_stub:\n"
	"	mov	%rsi, %rdi\n"
	"	mov	$" STR(NR_LRPC_RETURN) ", %eax\n"
	"	syscall\n"
	"	ud2\n"
	/* long fz_syscall6(nr, uint64_t args[6], uint64_t *rdx_out): all six
	 * argument registers loaded; rdx comes back too (chcore returns a
	 * buffer address there).  Registers the kernel may change on the way
	 * back: caller-saved ones (usys_chcore_reply_recv sets rdi..r9), and
	 * after an LRPC call or lrpc_serve every one but rax, rbp and rsp (common/lrpc_abi.h),
	 * so the C ABI's callee-saved rbx and r12-r15 are kept here. */
	"	.globl fz_syscall6\n"
	"fz_syscall6:\n"
	"	push	%rbx\n"
	"	push	%r12\n"
	"	push	%r13\n"
	"	push	%r14\n"
	"	push	%r15\n"
	"	push	%rdx\n"
	"	mov	%rdi, %rax\n"
	"	mov	0(%rsi), %rdi\n"
	"	mov	16(%rsi), %rdx\n"
	"	mov	24(%rsi), %r10\n"
	"	mov	32(%rsi), %r8\n"
	"	mov	40(%rsi), %r9\n"
	"	mov	8(%rsi), %rsi\n"
	"	syscall\n"
	"	pop	%rcx\n"
	"	mov	%rdx, (%rcx)\n"
	"	pop	%r15\n"
	"	pop	%r14\n"
	"	pop	%r13\n"
	"	pop	%r12\n"
	"	pop	%rbx\n"
	"	ret\n");
