/*
 * uaccess_copy.S - user copies that survive faults.
 *
 * long uaccess_copy(void *dst, const void *src, uint64_t len)
 *   returns 0, or -EFAULT (-14) if the copy faulted.  The faulting
 *   instruction's address is listed in __ex_table with its fixup; trap.c
 *   resumes there.  STAC/CLAC bracket the copy when SMAP is on (STAC/CLAC
 *   raise #UD on CPUs without SMAP, hence the flag test).
 */
	.text
	.globl uaccess_copy
uaccess_copy:
	mov	%rdx, %rcx
	cmpb	$0, uaccess_smap(%rip)
	je	1f
	stac
1:
.Lcopy:	rep movsb
	cmpb	$0, uaccess_smap(%rip)
	je	2f
	clac
2:	xor	%eax, %eax
	ret
.Lfault:
	cmpb	$0, uaccess_smap(%rip)
	je	3f
	clac
3:	mov	$-14, %rax
	ret

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

	.data
	.globl uaccess_smap
uaccess_smap:
	.byte	0
