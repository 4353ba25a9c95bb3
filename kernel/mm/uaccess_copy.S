/*
 * uaccess_copy.S - user copies that survive faults.
 *
 * long uaccess_copy(void *dst, const void *src, uint64_t len)
 *   returns 0, or -EFAULT (-14) if the copy faulted.  The faulting
 *   instruction's address is listed in __ex_table with its fixup; trap.c
 *   resumes there.  STAC/CLAC bracket the copy when SMAP is on (STAC/CLAC
 *   raise #UD on CPUs without SMAP, hence the flag test).
 */

/* One fault-tolerant copy of rdx units by `op` (rep movsb / rep movsq);
 * the copying instruction is listed in __ex_table (below) with .Lfault. */
.macro USER_COPY op, at
	mov	%rdx, %rcx
	cmpb	$0, uaccess_smap(%rip)
	je	1f
	stac
1:
\at:	\op
	cmpb	$0, uaccess_smap(%rip)
	je	2f
	clac
2:	xor	%eax, %eax
	ret
.endm

	.text
	.globl uaccess_copy
uaccess_copy:
	USER_COPY "rep movsb", .Lcopy
.Lfault:
	cmpb	$0, uaccess_smap(%rip)
	je	3f
	clac
3:	mov	$-14, %rax
	ret

/* long uaccess_copy_words(void *dst, const void *src, uint64_t words)
 *   the same for whole 8-byte words (REP MOVSQ): for structs made of
 *   words, such as the signal frame, which kernels write a word at a time
 *   rather than a byte at a time.  Faults go to the same fixup. */
	.globl uaccess_copy_words
uaccess_copy_words:
	USER_COPY "rep movsq", .Lcopyq

/* long uaccess_load_byte(const uint8_t *usrc) : the byte, or -EFAULT. */
	.globl uaccess_load_byte
uaccess_load_byte:
	cmpb	$0, uaccess_smap(%rip)
	je	4f
	stac
4:	xor	%eax, %eax
.Lload:	movb	(%rdi), %al
	cmpb	$0, uaccess_smap(%rip)
	je	5f
	clac
5:	ret

	.section __ex_table, "a"
	.balign 8
	.quad	.Lcopy, .Lfault
	.quad	.Lload, .Lfault
	.quad	.Lcopyq, .Lfault

	.data
	.globl uaccess_smap
uaccess_smap:
	.byte	0
