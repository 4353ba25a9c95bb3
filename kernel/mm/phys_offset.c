/* phys_offset.c - where physical memory is visible to the kernel: at its
 * own address (0) under the firmware's tables, at DIRECT_MAP_BASE once
 * kvm_init has switched to the kernel's (kvm.h: phys_to_virt).  A file of
 * its own: the frame allocator reads it, and kvm.c, which writes it, builds
 * its tables from that allocator; kept in kvm.c it made the two call each
 * other. */
#include "kernel/mm/kvm.h"

uint64_t kvm_phys_offset;
