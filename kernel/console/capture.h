/* capture.h - a copy of everything the kernel prints, kept in a buffer the
 * loader lent it (borrow mode), so the loader can write it to the stick. */
#ifndef KERNEL_CONSOLE_CAPTURE_H
#define KERNEL_CONSOLE_CAPTURE_H

#include <stdint.h>

/* Starts capturing into [phys, phys + cap); reached through phys_to_virt,
 * so it works before and after kvm_init switches tables. */
void capture_init(uint64_t phys, uint64_t cap);
/* Called by console_write under the console lock. */
void capture_write(const char *s, unsigned long n);
uint64_t capture_bytes(void);
uint64_t capture_dropped(void);
/* Bytes of "@s" sample lines left out to keep room for everything else. */
uint64_t capture_samples_dropped(void);

#endif
