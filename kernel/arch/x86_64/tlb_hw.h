/* tlb_hw.h - the primitive TLB instructions; the kernel implements them with
 * inline assembly (tlb_hw.c), the host tests with a model TLB. */
#ifndef KERNEL_ARCH_TLB_HW_H
#define KERNEL_ARCH_TLB_HW_H

#include <stdint.h>

#define CR3_NOFLUSH (1ull << 63)

enum invpcid_type {
	INVPCID_ADDRESS = 0,         /* one address, one PCID */
	INVPCID_CONTEXT = 1,         /* all non-global entries of one PCID */
	INVPCID_ALL_GLOBAL = 2,      /* everything, globals included */
	INVPCID_ALL_NONGLOBAL = 3,   /* everything but globals */
};

void hw_write_cr3(uint64_t value);
uint64_t hw_read_cr3(void);
void hw_invlpg(uint64_t va);
void hw_invpcid(enum invpcid_type type, uint16_t pcid, uint64_t va);
/* CPUID bits and CR4.PCIDE, so the host model can pretend any CPU. */
int hw_has_pcid(void);
int hw_has_invpcid(void);
void hw_set_pcide(int on);

#endif
