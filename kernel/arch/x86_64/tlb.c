/* tlb.c - CR3 loads and invalidations (the single arch TLB layer). */
#include "kernel/arch/x86_64/tlb.h"

void
tlb_load_kernel_root(uint64_t root_phys)
{
	__asm__ volatile("mov %0, %%cr3" :: "r"(root_phys) : "memory");
}

void
tlb_flush_page(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}
