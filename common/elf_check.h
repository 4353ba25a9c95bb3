/*
 * elf_check.h - validation of the kernel ELF image before the loader trusts
 * a single byte of it.
 *
 * elf_check() is a pure function over a byte buffer: no libc, no EFI types,
 * no alignment assumptions about the buffer (fields are read byte by byte),
 * so the host unit tests can feed it every malformed variant.  Once it has
 * returned ELF_OK, elf_load_segment() and elf_span() may be used without
 * further checks: every offset, size and address they return is in range.
 *
 * Freestanding: used by boot/, compiled into the kernel, and host-tested.
 */
#ifndef IPCBENCH_ELF_CHECK_H
#define IPCBENCH_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define ELF_HIGHER_HALF     0xffffffff80000000ULL /* lowest allowed vaddr */
#define ELF_MAX_SPAN        (256ULL << 20)        /* largest allowed load span */
#define ELF_MAX_PHNUM       64u                   /* bounds the O(n^2) overlap check */
#define ELF_PAGE_SIZE       4096ULL
#define ELF_MSG_MAX         128u                  /* message buffer callers should give */

/* One error per rule, so tests can check *which* rule fired. */
enum elf_err {
	ELF_OK = 0,
	ELF_ERR_TRUNCATED,      /* smaller than an ELF header */
	ELF_ERR_MAGIC,          /* not \x7fELF */
	ELF_ERR_CLASS,          /* not ELFCLASS64 */
	ELF_ERR_DATA,           /* not little-endian */
	ELF_ERR_VERSION,        /* e_ident version or e_version not 1 */
	ELF_ERR_MACHINE,        /* not EM_X86_64 */
	ELF_ERR_TYPE,           /* not ET_EXEC */
	ELF_ERR_PHDR,           /* program header table malformed or outside the file */
	ELF_ERR_NO_LOAD,        /* no PT_LOAD segment */
	ELF_ERR_OVERFLOW,       /* an offset+size or vaddr+size wraps around */
	ELF_ERR_FILE_RANGE,     /* a segment's bytes lie past the end of the file */
	ELF_ERR_FILESZ,         /* p_filesz > p_memsz */
	ELF_ERR_LOWER_HALF,     /* a segment below ELF_HIGHER_HALF */
	ELF_ERR_OVERLAP,        /* two segments share virtual addresses */
	ELF_ERR_SPAN,           /* load span larger than ELF_MAX_SPAN */
	ELF_ERR_ENTRY,          /* entry point not in an executable segment's bytes */
	ELF_ERR_ABOVE_LIMIT,    /* a segment ends above the caller's limit */
};

/* The virtual range segments must lie in: [lowest, end), end 0 = no limit. */
struct elf_limits {
	uint64_t lowest;
	uint64_t end;
};

/* PT_LOAD flags, as in p_flags. */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* One PT_LOAD segment, as the loader needs it. */
struct elf_segment {
	uint64_t vaddr;
	uint64_t offset;        /* in the file */
	uint64_t filesz;        /* bytes copied from the file */
	uint64_t memsz;         /* filesz..memsz is zero-filled (bss) */
	uint32_t flags;         /* ELF_PF_* */
};

/* What a successful check learned about the image. */
struct elf_info {
	uint64_t entry;
	uint64_t span_start;    /* page-aligned down: lowest segment vaddr */
	uint64_t span_end;      /* page-aligned up: highest vaddr + memsz */
	unsigned phnum;         /* program headers (all types) */
	unsigned load_count;    /* PT_LOAD segments among them */
};

/*
 * Check `size` bytes at `image`.  Returns ELF_OK and fills *info, or an
 * enum elf_err and writes a NUL-terminated message naming what is wrong
 * (e.g. "segment 2: file range 0x1000+0x9000 exceeds file size 0x8000")
 * into msg[0..msg_len).  info and msg may be NULL.
 */
enum elf_err elf_check(const void *image, uint64_t size, struct elf_info *info,
		       char *msg, size_t msg_len);

/*
 * As elf_check, but segments must lie in [lowest, end) (end 0: no upper
 * limit) - the kernel uses it for user programs, which live in the lower
 * half.  elf_check(...) is elf_check_range(..., ELF_HIGHER_HALF, 0, ...).
 */
enum elf_err elf_check_range(const void *image, uint64_t size, uint64_t lowest,
			     uint64_t end, struct elf_info *info, char *msg,
			     size_t msg_len);

/*
 * Program header `index` of a checked image: returns 1 and fills *seg if it
 * is a PT_LOAD, 0 if it is another type (skip it).  index < info.phnum.
 */
int elf_load_segment(const void *image, unsigned index, struct elf_segment *seg);

/*
 * Span of the PT_LOAD segments of a checked image: [*start, *end), start
 * rounded down and end rounded up to ELF_PAGE_SIZE.  Returns 0 if there is
 * no PT_LOAD segment or the span would wrap, 1 otherwise.
 */
int elf_span(const void *image, uint64_t *start, uint64_t *end);

/* Short name of an error code, for logs ("file-range", "overlap", ...). */
const char *elf_err_name(enum elf_err err);

#endif
