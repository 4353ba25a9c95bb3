/* exec.h - loads a built-in program's ELF image into an address space. */
#ifndef KERNEL_PROC_EXEC_H
#define KERNEL_PROC_EXEC_H

#include <stdint.h>

struct aspace;
struct user_program;

/* Validates and maps every PT_LOAD (W^X enforced); returns 0 and the entry
 * point, or -EINVAL (bad image, reason printed) / -ENOMEM. */
int exec_load(struct aspace *as, const struct user_program *prog, uint64_t *entry);

#endif
