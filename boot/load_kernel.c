/*
 * load_kernel.c - checks the kernel ELF and copies its PT_LOAD segments into
 * one physically contiguous block laid out exactly like the link-time span,
 * so kernel_phys + (vaddr - kernel_virt) is where each byte lives.
 */
#include "boot/boot.h"

/* Copy the file bytes of one segment and zero its tail (bss). */
static void
place_segment(UINT8 *block, uint64_t span_start, const UINT8 *file,
	      const struct elf_segment *seg)
{
	UINT8 *dst = block + (seg->vaddr - span_start);

	CopyMem(dst, (void *)(file + seg->offset), seg->filesz);
	SetMem(dst + seg->filesz, seg->memsz - seg->filesz, 0);
}

void
boot_load_kernel(const struct boot_file *elf, struct boot_info *bi, uint64_t *entry)
{
	char msg[ELF_MSG_MAX];
	struct elf_info info;
	struct elf_segment seg;
	enum elf_err err;
	UINT8 *block;
	unsigned i;

	err = elf_check(elf->data, elf->bytes, &info, msg, sizeof(msg));
	if (err != ELF_OK)
		boot_fail(L"KERNEL.ELF is not a loadable kernel: %a", msg);

	block = boot_alloc_pages(info.span_end - info.span_start, L"the kernel image");
	/* Gaps between segments are zeroed too: nothing stale in the kernel's span. */
	SetMem(block, info.span_end - info.span_start, 0);
	for (i = 0; i < info.phnum; i++) {
		if (elf_load_segment(elf->data, i, &seg))
			place_segment(block, info.span_start, elf->data, &seg);
	}
	bi->kernel_phys = (uint64_t)(UINTN)block;
	bi->kernel_virt = info.span_start;
	bi->kernel_bytes = info.span_end - info.span_start;
	*entry = info.entry;
}
