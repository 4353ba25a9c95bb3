/*
 * lrpc.h - LRPC from user space: typed wrappers for SYS_LRPC_* and the
 * `lrpc` mechanism of the one IPC interface.
 *
 * A server registers a service under a key with up to LRPC_MAX_PROCS
 * procedure entry points; a client connects by key and gets a binding with
 * A-stacks mapped at info.astack_va.  lrpc_call8(binding, proc, astack,
 * a0..a7) runs procedure `proc` of the server on the CALLING thread, moved
 * into the server's address space, on a kernel-provided E-stack, with the
 * eight argument words in registers (common/lrpc_abi.h) -- or, through a
 * binding made by usys_lrpc_connect_mode(.., LRPC_BIND_THREAD), on a
 * thread of the server waiting in usys_lrpc_serve, the caller asleep.  A procedure is a
 * C function
 *     void proc(void *astack, uint64_t a0, ..., uint64_t a7, uint64_t astack_index)
 * (a prefix of these parameters is enough) registered through its
 * LRPC_ENTRY stub; it ends with lrpc_proc_return(result) and never returns;
 * lrpc_call8 then returns result in the caller, every other register as it
 * was.  usys_lrpc_call(binding, proc, astack, arg) is the one-word form
 * (a1..a7 = 0).
 * Kernel errors of lrpc_call (before the procedure runs): -EBADF binding,
 * -EPERM a binding of another domain, -EINVAL proc/astack index, -EBUSY
 * A-stack in use, -ELOOP nesting deeper than LRPC_MAX_DEPTH, -ECONNRESET
 * server gone or failed; -EFAULT if the procedure faulted (the server is
 * killed).  Procedures should keep their results out of [-4095, -1].
 */
#ifndef IPC_USER_LRPC_H
#define IPC_USER_LRPC_H

#include "user/lib/sys.h"
#include "common/lrpc_abi.h"

static inline long
usys_lrpc_register(uint64_t key, const uint64_t *entries, unsigned nprocs,
		  uint64_t astack_size, unsigned nastacks)
{
	return syscall5(SYS_LRPC_REGISTER, (long)key, (long)entries, nprocs, (long)astack_size, nastacks);
}

static inline long
usys_lrpc_unregister(long service)
{
	return syscall1(SYS_LRPC_UNREGISTER, service);
}

/* The server's thread waits here and serves the calls of thread-mode
 * bindings meanwhile, each by running its procedure; it comes back with
 * rsp, rbp and rflags as they were and every other general register but
 * rax 0 (as after a call: lrpc_call8), so all of them are outputs. */
static inline long
usys_lrpc_serve(long service, uint64_t timeout_ns)
{
	register uint64_t r10 __asm__("r10"), r8 __asm__("r8"), r9 __asm__("r9");
	register uint64_t rbx __asm__("rbx"), r12 __asm__("r12"), r13 __asm__("r13");
	register uint64_t r14 __asm__("r14"), r15 __asm__("r15");
	long ret = SYS_LRPC_SERVE, rdx;

	__asm__ volatile("syscall"
			 : "+a"(ret), "=r"(r10), "=r"(r8), "=r"(r9), "=r"(rbx), "=r"(r12), "=r"(r13),
			   "=r"(r14), "=r"(r15), "+D"(service), "+S"(timeout_ns), "=d"(rdx)
			 :
			 : "rcx", "r11", "memory");
	return ret;
}

/* flags: 0 (the calls migrate) or LRPC_BIND_THREAD (a server thread in
 * lrpc_serve runs them). */
static inline long
usys_lrpc_connect_mode(uint64_t key, struct lrpc_bind_info *info, unsigned flags)
{
	return syscall3(SYS_LRPC_CONNECT, (long)key, (long)info, flags);
}

static inline long
usys_lrpc_connect(uint64_t key, struct lrpc_bind_info *info)
{
	return usys_lrpc_connect_mode(key, info, 0);
}

static inline long
usys_lrpc_disconnect(long binding)
{
	return syscall1(SYS_LRPC_DISCONNECT, binding);
}

/* The call with all eight register arguments (common/lrpc_abi.h says
 * which register carries which).  The kernel gives back rsp, rbp and rflags
 * as they were and the result in rax; every other general register comes
 * back 0 (the kernel's linkage record keeps only what the return needs, as
 * in the paper), so all of them are outputs here: the compiler keeps what
 * it still needs on this thread's own stack, which the server cannot
 * reach.  An error before the procedure runs changes no register. */
static inline long
lrpc_call8(long binding, uint64_t proc, uint64_t astack, uint64_t a0, uint64_t a1, uint64_t a2,
	   uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7)
{
	register uint64_t r10 __asm__("r10") = a0, r8 __asm__("r8") = a1, r9 __asm__("r9") = a2;
	register uint64_t rbx __asm__("rbx") = a3, r12 __asm__("r12") = a4, r13 __asm__("r13") = a5;
	register uint64_t r14 __asm__("r14") = a6, r15 __asm__("r15") = a7;
	long ret = SYS_LRPC_CALL;

	__asm__ volatile("syscall"
			 : "+a"(ret), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(rbx), "+r"(r12), "+r"(r13),
			   "+r"(r14), "+r"(r15), "+D"(binding), "+S"(proc), "+d"(astack)
			 :
			 : "rcx", "r11", "memory");
	return ret;
}

/* One argument word; the other seven are 0 (nothing of the caller's
 * registers reaches the server by accident). */
static inline long
usys_lrpc_call(long binding, uint64_t proc, uint64_t astack, uint64_t arg)
{
	return lrpc_call8(binding, proc, astack, arg, 0, 0, 0, 0, 0, 0, 0);
}

/* LRPC_ENTRY(fn) defines fn_lrpc, the address to register for the C
 * procedure fn (which must exist under that name: give it
 * __attribute__((used)) when it is static).  The stub moves the registers
 * the kernel entered with into fn's C arguments: a0..a4 into rsi, rdx, rcx,
 * r8, r9 (after the A-stack in rdi), a5..a7 and the A-stack index onto the
 * E-stack, a zero return address (fn never returns), rsp then 16-byte
 * aligned plus 8, as C expects after a call. */
#define LRPC_ENTRY(fn)                                                          \
	__asm__(".pushsection .text\n"                                          \
		".globl " #fn "_lrpc\n"                                          \
		".type " #fn "_lrpc, @function\n"                                \
		#fn "_lrpc:\n"                                                   \
		"	push %rsi\n"      /* the A-stack index */                   \
		"	push %r15\n"      /* a7 */                                  \
		"	push %r14\n"      /* a6 */                                  \
		"	push %r13\n"      /* a5 */                                  \
		"	mov %r10, %rsi\n" /* a0 */                                  \
		"	mov %r8, %rdx\n"  /* a1 */                                  \
		"	mov %r9, %rcx\n"  /* a2 */                                  \
		"	mov %rbx, %r8\n"  /* a3 */                                  \
		"	mov %r12, %r9\n"  /* a4 */                                  \
		"	push $0\n"                                                  \
		"	jmp " #fn "\n"                                              \
		".size " #fn "_lrpc, . - " #fn "_lrpc\n"                         \
		".popsection\n");                                               \
	extern const char fn##_lrpc[]

/* LRPC_ENTRY1(fn): the stub for a procedure of one argument word,
 * void fn(void *astack, uint64_t a0): it moves only a0 into rsi (a stub
 * moves what its procedure takes, as the paper's generated stubs do). */
#define LRPC_ENTRY1(fn)                                                         \
	__asm__(".pushsection .text\n"                                          \
		".globl " #fn "_lrpc\n"                                          \
		".type " #fn "_lrpc, @function\n"                                \
		#fn "_lrpc:\n"                                                   \
		"	mov %r10, %rsi\n" /* a0 */                                 \
		"	push $0\n"        /* rsp 16-byte aligned plus 8 */         \
		"	jmp " #fn "\n"                                             \
		".size " #fn "_lrpc, . - " #fn "_lrpc\n"                         \
		".popsection\n");                                               \
	extern const char fn##_lrpc[]

/* Returns only when not in a call (-EINVAL). */
static inline long
usys_lrpc_return(long result)
{
	return syscall1(SYS_LRPC_RETURN, result);
}

/* The end of every procedure. */
static inline __attribute__((noreturn)) void
lrpc_proc_return(long result)
{
	for (;;)
		usys_exit((int)usys_lrpc_return(result));   /* only outside a call */
}

/* The mechanism: one A-stack of max_msg bytes per client; the server's
 * single procedure echoes the request (it is already in the A-stack). */
#define LRPC_MECH_MAX_MSG LRPC_MAX_ASTACK

#endif
