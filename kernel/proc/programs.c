/* programs.c - looks up the user programs that user/user.mk embedded in the
 * kernel image (the table kernel.ld collects from section .user_programs). */
#include "kernel/proc/programs.h"

#include "common/string.h"
#include "common/syscall_abi.h"

#include <stddef.h>

/* Bounds of the table, defined by kernel.ld. */
extern const struct user_program __user_programs_start[];
extern const struct user_program __user_programs_end[];

unsigned
program_count(void)
{
	return (unsigned)(__user_programs_end - __user_programs_start);
}

/* The i-th program in name order (user.mk sorts them); NULL past the end. */
const struct user_program *
program_at(unsigned i)
{
	if (i >= program_count())
		return NULL;
	return &__user_programs_start[i];
}

const struct user_program *
program_find(const char *name)
{
	unsigned n = program_count();

	for (unsigned i = 0; i < n; i++) {
		const struct user_program *p = &__user_programs_start[i];

		/* Table names are shorter than USER_NAME_MAX (gen_programs.sh
		 * checks), so equality within the bound is exact equality, and
		 * an unterminated `name` is never read past the bound. */
		if (strncmp(p->name, name, USER_NAME_MAX) == 0)
			return p;
	}
	return NULL;
}
