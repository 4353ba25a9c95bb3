/*
 * entry.S - the kernel's first instructions.
 *
 * Hand-over contract (boot/): 64-bit long mode, interrupts off, CR3 = the
 * loader's tables (identity map of low memory + the kernel at its link
 * address), %rdi = physical (= identity-mapped) address of struct boot_info,
 * the firmware's stack.  We switch to our own stack before any C runs so
 * nothing depends on loader memory afterwards.
 */
	.section .text.entry, "ax"
	.globl kernel_entry
kernel_entry:
	cli
	cld
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp		/* terminates frame-pointer backtraces */
	call	kmain			/* kmain(boot_info_phys) never returns */
1:	hlt
	jmp	1b

	.section .bss
	.balign 16
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip	65536
	.globl boot_stack_top
boot_stack_top:
