/* exec.c - maps a user ELF (validated by common/elf_check) into a space. */
#include "kernel/proc/exec.h"
#include "kernel/proc/programs.h"
#include "kernel/mm/aspace.h"
#include "kernel/console/console.h"
#include "common/elf_check.h"
#include "common/errno.h"
#include "common/syscall_abi.h"
#include "common/string.h"

static unsigned
segment_prot(uint32_t flags)
{
	return (flags & ELF_PF_R ? VMA_READ : 0) | (flags & ELF_PF_W ? VMA_WRITE : 0) |
	       (flags & ELF_PF_X ? VMA_EXEC : 0);
}

/* Maps one segment's pages and copies its file bytes (bss stays zero). */
static int
load_segment(struct aspace *as, const uint8_t *image, const struct elf_segment *s)
{
	uint64_t start = s->vaddr & ~4095ull;
	uint64_t end = (s->vaddr + s->memsz + 4095) & ~4095ull;
	int64_t va;

	if ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X))
		return -EINVAL;                 /* W^X */
	va = aspace_map_anon(as, start, end - start, segment_prot(s->flags));
	if (va < 0)
		return (int)va;
	return aspace_copy_in(as, s->vaddr, image + s->offset, s->filesz);
}

int
exec_load(struct aspace *as, const struct user_program *prog, uint64_t *entry)
{
	uint64_t size = (uint64_t)(prog->end - prog->start);
	struct elf_info info;
	char msg[ELF_MSG_MAX];

	if (elf_check_range(prog->start, size, USER_PROGRAM_BASE, USER_MAP_BASE,
			    &info, msg, sizeof msg) != ELF_OK) {
		kprintf("exec: program '%s' is not a valid user ELF: %s\n", prog->name, msg);
		return -EINVAL;
	}
	for (unsigned i = 0; i < info.phnum; i++) {
		struct elf_segment seg;
		if (!elf_load_segment(prog->start, i, &seg))
			continue;
		int err = load_segment(as, prog->start, &seg);
		if (err)
			return err;
	}
	*entry = info.entry;
	return 0;
}
