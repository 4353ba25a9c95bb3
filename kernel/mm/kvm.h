/*
 * kvm.h - the kernel's address space: direct map, kernel image, MMIO.
 *
 * Layout (upper half, shared by every process, global pages):
 *   0xffff800000000000 + pa   direct map of physical memory (RW, NX)
 *   0xffffffff80000000        kernel image (text RX, rodata R, data RW NX)
 * Lower half of the *master* table only: EFI runtime regions at their
 * physical addresses, for ResetSystem.  Process tables copy the upper half.
 */
#ifndef KERNEL_MM_KVM_H
#define KERNEL_MM_KVM_H

#include <stdint.h>
#include "kernel/mm/pagetable.h"

#define DIRECT_MAP_BASE 0xffff800000000000ull

struct boot_info;

extern uint64_t kvm_phys_offset;   /* 0 until kvm_init switches tables (phys_offset.c) */

static inline void *
phys_to_virt(uint64_t pa)
{
	return (void *)(pa + kvm_phys_offset);
}

/* Physical address of a direct-map or kernel-image virtual address. */
uint64_t virt_to_phys(const void *va);

/* Builds the kernel's tables from the pool and loads them. */
void kvm_init(const struct boot_info *bi);

/* Physical address of the master PML4 (kernel half + EFI runtime). */
uint64_t kvm_master_root(void);
const struct pt_env *kvm_env(void);

/* Returns a direct-map pointer to an MMIO range, mapped uncached. */
void *kvm_map_mmio(uint64_t phys, uint64_t bytes);

/* True when va is mapped in the current address space. */
int kvm_is_mapped(uint64_t va);

/* Copies the kernel half of the master table into a new root. */
void kvm_share_kernel_half(uint64_t root);

#endif
