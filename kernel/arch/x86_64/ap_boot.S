/*
 * ap_boot.S - the code another CPU runs after its STARTUP IPI: real mode
 * -> protected mode -> long mode -> the kernel's ap_entry (smp.c).
 *
 * It is never run where it is linked: smp.c copies [ap_boot_start,
 * ap_boot_end) to the trampoline page and patches the parameter block
 * (ap_boot.h), so every address below is taken relative to that page, whose
 * linear address the code computes from CS (CS = page << 8 at start).
 */
#include "kernel/arch/x86_64/ap_boot.h"

#define CR0_PE    0x1
#define CR0_WP    0x10000
#define CR0_PG    0x80000000
#define CR4_PAE   0x20
#define MSR_EFER  0xc0000080
#define EFER_LME  0x100
#define EFER_NXE  0x800

	.section .rodata.ap_boot, "a"
	.globl ap_boot_start
	.code16
ap_boot_start:
	cli
	cld
	xorl	%ebx, %ebx
	movw	%cs, %bx
	movw	%bx, %ds
	shll	$4, %ebx		/* ebx = linear address of this page */
	lgdtl	AP_GDTR
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*AP_FAR32		/* to ap_boot_pm32, CS = code32 */

	.code32
	.globl ap_boot_pm32
ap_boot_pm32:
	movw	$AP_SEL_DATA32, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	AP_CR3(%ebx), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0		/* long mode, compatibility submode */
	ljmpl	*AP_FAR64(%ebx)		/* to ap_boot_lm64, CS = code64 */

	.code64
	.globl ap_boot_lm64
ap_boot_lm64:
	movl	%ebx, %ebx		/* upper halves are undefined after the switch */
	movq	AP_STACK(%rbx), %rsp
	movq	AP_ARG(%rbx), %rdi
	movq	AP_ENTRY(%rbx), %rax
	xorl	%ebp, %ebp		/* ends backtraces */
	jmp	*%rax
	.globl ap_boot_end
ap_boot_end:
