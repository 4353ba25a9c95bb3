/*
 * crt0.S - process entry: runs main(arg, arglen) and exits with its result.
 *
 * The kernel enters _start in ring 3 with:
 *
 *   rip   ELF entry (_start)
 *   rdi   pointer to the NUL-terminated argument string, on the user stack
 *   rsi   its length in bytes, without the NUL
 *   rsp   16-byte aligned, below the argument string
 *   all other general registers 0
 *
 * SysV wants rsp 16-byte aligned at a call instruction, which it already is,
 * so main is called directly with rdi and rsi untouched.
 */
	.section .text.entry, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp		/* end of the frame-pointer chain for backtraces */
	call	main			/* int main(const char *arg, unsigned long arglen) */
	movl	%eax, %edi		/* exit status */
	call	exit			/* sys.c; does not return */
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
