/*
 * programs.h - the user programs linked into the kernel image.
 *
 * user/user.mk builds each user/progs/NAME.c into a static ELF and
 * generates an object with one struct user_program per program in section
 * .user_programs (collected by kernel.ld between __user_programs_start and
 * __user_programs_end) and the ELF bytes in .rodata.
 */
#ifndef KERNEL_PROC_PROGRAMS_H
#define KERNEL_PROC_PROGRAMS_H

#include <stdint.h>

struct user_program {
	const char *name;            /* "NAME" of user/progs/NAME.c */
	const uint8_t *start;        /* ELF image */
	const uint8_t *end;
};

_Static_assert(sizeof(struct user_program) == 24, "layout used by user/user.mk's generated assembly");

/* Finds a program by exact name; NULL when there is none. */
const struct user_program *program_find(const char *name);
const struct user_program *program_at(unsigned i);   /* NULL past the end */
unsigned program_count(void);

#endif
