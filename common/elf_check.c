/*
 * elf_check.c - rejects every kernel ELF the loader could not load safely,
 * with a message that names the field and the numbers that are wrong.
 *
 * Rule order matters for the messages: identity (magic, class, encoding,
 * version, machine, type), then the program header table, then each
 * segment on its own, then segments against each other, then the span and
 * the entry point.  Every sum of two file- or address-space quantities is
 * checked for wrap-around before it is compared.
 */
#include "common/elf_check.h"
#include "common/format.h"

/* ELF64 header field offsets (System V gABI, Elf64_Ehdr). */
#define EH_IDENT_CLASS   4
#define EH_IDENT_DATA    5
#define EH_IDENT_VERSION 6
#define EH_TYPE          16
#define EH_MACHINE       18
#define EH_VERSION       20
#define EH_ENTRY         24
#define EH_PHOFF         32
#define EH_PHENTSIZE     54
#define EH_PHNUM         56
#define EH_SIZE          64

/* Elf64_Phdr field offsets. */
#define PH_TYPE          0
#define PH_FLAGS         4
#define PH_OFFSET        8
#define PH_VADDR         16
#define PH_FILESZ        32
#define PH_MEMSZ         40
#define PH_SIZE          56

#define ELFCLASS64       2
#define ELFDATA2LSB      1
#define EV_CURRENT       1
#define ET_EXEC          2
#define EM_X86_64        62
#define PT_LOAD          1

/* Little-endian reads that make no assumption about alignment. */
static uint64_t
rd(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

static void
read_segment(const uint8_t *ph, struct elf_segment *seg)
{
	seg->flags  = (uint32_t)rd(ph + PH_FLAGS, 4);
	seg->offset = rd(ph + PH_OFFSET, 8);
	seg->vaddr  = rd(ph + PH_VADDR, 8);
	seg->filesz = rd(ph + PH_FILESZ, 8);
	seg->memsz  = rd(ph + PH_MEMSZ, 8);
}

static const uint8_t *
phdr_at(const uint8_t *img, unsigned index)
{
	return img + rd(img + EH_PHOFF, 8) + (uint64_t)index * rd(img + EH_PHENTSIZE, 2);
}

/* Magic, class, encoding, version, machine, type. */
static enum elf_err
check_identity(const uint8_t *img, uint64_t size, struct strbuf *m)
{
	uint64_t v;

	if (size < 4) {
		strbuf_format(m, "file is %lu bytes, too small for an ELF header",
			      (unsigned long)size);
		return ELF_ERR_TRUNCATED;
	}
	if (img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F') {
		strbuf_str(m, "bad magic (not an ELF file)");
		return ELF_ERR_MAGIC;
	}
	if (size < EH_SIZE) {
		strbuf_format(m, "file is %lu bytes, too small for an ELF64 header (64)",
			      (unsigned long)size);
		return ELF_ERR_TRUNCATED;
	}
	if (img[EH_IDENT_CLASS] != ELFCLASS64) {
		strbuf_format(m, "class %lu is not ELFCLASS64 (2): not a 64-bit ELF",
			      (unsigned long)img[EH_IDENT_CLASS]);
		return ELF_ERR_CLASS;
	}
	if (img[EH_IDENT_DATA] != ELFDATA2LSB) {
		strbuf_format(m, "data encoding %lu is not ELFDATA2LSB (1): not little-endian",
			      (unsigned long)img[EH_IDENT_DATA]);
		return ELF_ERR_DATA;
	}
	v = rd(img + EH_VERSION, 4);
	if (img[EH_IDENT_VERSION] != EV_CURRENT || v != EV_CURRENT) {
		strbuf_format(m, "ELF version %lu is not EV_CURRENT (1)",
			      (unsigned long)(img[EH_IDENT_VERSION] != EV_CURRENT ?
					       img[EH_IDENT_VERSION] : v));
		return ELF_ERR_VERSION;
	}
	v = rd(img + EH_MACHINE, 2);
	if (v != EM_X86_64) {
		strbuf_format(m, "machine 0x%lx is not x86-64 (0x3e)", (unsigned long)v);
		return ELF_ERR_MACHINE;
	}
	v = rd(img + EH_TYPE, 2);
	if (v != ET_EXEC) {
		strbuf_format(m, "type %lu is not ET_EXEC (2): link the kernel as a static executable",
			      (unsigned long)v);
		return ELF_ERR_TYPE;
	}
	return ELF_OK;
}

/* The table must have sane entries and lie wholly inside the file. */
static enum elf_err
check_phdr_table(const uint8_t *img, uint64_t size, struct strbuf *m)
{
	uint64_t off = rd(img + EH_PHOFF, 8);
	uint64_t entsize = rd(img + EH_PHENTSIZE, 2);
	uint64_t num = rd(img + EH_PHNUM, 2);
	uint64_t bytes = num * entsize;   /* both < 2^16: cannot overflow */

	if (num == 0) {
		strbuf_str(m, "no program headers, so no PT_LOAD segments");
		return ELF_ERR_NO_LOAD;
	}
	if (entsize < PH_SIZE || num > ELF_MAX_PHNUM) {
		strbuf_format(m, "program header table: %lu entries of %lu bytes (need entries >= 56 bytes, at most 64 of them)",
			      (unsigned long)num, (unsigned long)entsize);
		return ELF_ERR_PHDR;
	}
	if (off + bytes < off) {
		strbuf_format(m, "program header table 0x%lx+0x%lx overflows",
			      (unsigned long)off, (unsigned long)bytes);
		return ELF_ERR_OVERFLOW;
	}
	if (off + bytes > size) {
		strbuf_format(m, "program header table 0x%lx+0x%lx exceeds file size 0x%lx",
			      (unsigned long)off, (unsigned long)bytes, (unsigned long)size);
		return ELF_ERR_PHDR;
	}
	return ELF_OK;
}

/* One PT_LOAD on its own: file bytes inside the file, sizes, address. */
static enum elf_err
check_segment(unsigned i, const struct elf_segment *s, uint64_t size,
	      const struct elf_limits *lim, struct strbuf *m)
{
	if (s->offset + s->filesz < s->offset) {
		strbuf_format(m, "segment %u: file range 0x%lx+0x%lx overflows",
			      i, (unsigned long)s->offset, (unsigned long)s->filesz);
		return ELF_ERR_OVERFLOW;
	}
	if (s->offset + s->filesz > size) {
		strbuf_format(m, "segment %u: file range 0x%lx+0x%lx exceeds file size 0x%lx",
			      i, (unsigned long)s->offset, (unsigned long)s->filesz,
			      (unsigned long)size);
		return ELF_ERR_FILE_RANGE;
	}
	if (s->filesz > s->memsz) {
		strbuf_format(m, "segment %u: filesz 0x%lx > memsz 0x%lx",
			      i, (unsigned long)s->filesz, (unsigned long)s->memsz);
		return ELF_ERR_FILESZ;
	}
	if (s->vaddr < lim->lowest) {
		if (lim->lowest == ELF_HIGHER_HALF) {
			strbuf_format(m, "segment %u: vaddr 0x%lx is below the higher half (0xffffffff80000000)",
				      i, (unsigned long)s->vaddr);
		} else {
			strbuf_format(m, "segment %u: vaddr 0x%lx is below 0x%lx",
				      i, (unsigned long)s->vaddr, (unsigned long)lim->lowest);
		}
		return ELF_ERR_LOWER_HALF;
	}
	/* An end of exactly 2^64 wraps to 0, so it is rejected too. */
	if (s->vaddr + s->memsz <= s->vaddr && s->memsz != 0) {
		strbuf_format(m, "segment %u: address range 0x%lx+0x%lx overflows",
			      i, (unsigned long)s->vaddr, (unsigned long)s->memsz);
		return ELF_ERR_OVERFLOW;
	}
	if (lim->end && s->vaddr + s->memsz > lim->end) {
		strbuf_format(m, "segment %u: address range 0x%lx+0x%lx ends above 0x%lx",
			      i, (unsigned long)s->vaddr, (unsigned long)s->memsz,
			      (unsigned long)lim->end);
		return ELF_ERR_ABOVE_LIMIT;
	}
	return ELF_OK;
}

/* Segment i against every earlier one; ranges are [vaddr, vaddr+memsz). */
static enum elf_err
check_overlap(const uint8_t *img, unsigned i, const struct elf_segment *s, struct strbuf *m)
{
	struct elf_segment o;
	unsigned j;

	for (j = 0; j < i; j++) {
		if (!elf_load_segment(img, j, &o) || o.memsz == 0 || s->memsz == 0)
			continue;
		if (s->vaddr < o.vaddr + o.memsz && o.vaddr < s->vaddr + s->memsz) {
			strbuf_format(m, "segments %lu and %lu overlap: 0x%lx+0x%lx and 0x%lx+0x%lx",
				      (unsigned long)j, (unsigned long)i,
				      (unsigned long)o.vaddr, (unsigned long)o.memsz,
				      (unsigned long)s->vaddr, (unsigned long)s->memsz);
			return ELF_ERR_OVERLAP;
		}
	}
	return ELF_OK;
}

/* Every segment, then the segments against each other. */
static enum elf_err
check_segments(const uint8_t *img, uint64_t size, const struct elf_limits *lim,
	       unsigned *loads, struct strbuf *m)
{
	unsigned i, num = (unsigned)rd(img + EH_PHNUM, 2);
	struct elf_segment s;
	enum elf_err err;

	*loads = 0;
	for (i = 0; i < num; i++) {
		if (!elf_load_segment(img, i, &s))
			continue;
		if ((err = check_segment(i, &s, size, lim, m)) != ELF_OK)
			return err;
		if ((err = check_overlap(img, i, &s, m)) != ELF_OK)
			return err;
		(*loads)++;
	}
	if (*loads == 0) {
		strbuf_format(m, "no PT_LOAD segments among %lu program headers",
			      (unsigned long)num);
		return ELF_ERR_NO_LOAD;
	}
	return ELF_OK;
}

/* The entry must point into file-backed bytes of an executable segment. */
static enum elf_err
check_entry(const uint8_t *img, uint64_t entry, struct strbuf *m)
{
	unsigned i, num = (unsigned)rd(img + EH_PHNUM, 2);
	struct elf_segment s;

	for (i = 0; i < num; i++) {
		if (elf_load_segment(img, i, &s) && (s.flags & ELF_PF_X) &&
		    entry >= s.vaddr && entry - s.vaddr < s.filesz)
			return ELF_OK;
	}
	strbuf_format(m, "entry point 0x%lx is not inside an executable PT_LOAD segment",
		      (unsigned long)entry);
	return ELF_ERR_ENTRY;
}

enum elf_err
elf_check(const void *image, uint64_t size, struct elf_info *info,
	  char *msg, size_t msg_len)
{
	return elf_check_range(image, size, ELF_HIGHER_HALF, 0, info, msg, msg_len);
}

enum elf_err
elf_check_range(const void *image, uint64_t size, uint64_t lowest, uint64_t limit,
		struct elf_info *info, char *msg, size_t msg_len)
{
	const struct elf_limits lim = { lowest, limit };
	const uint8_t *img = image;
	struct strbuf m;
	uint64_t start, end, entry;
	unsigned loads;
	enum elf_err err;

	strbuf_init(&m, msg, msg_len);
	if ((err = check_identity(img, size, &m)) != ELF_OK ||
	    (err = check_phdr_table(img, size, &m)) != ELF_OK ||
	    (err = check_segments(img, size, &lim, &loads, &m)) != ELF_OK)
		return err;
	if (!elf_span(img, &start, &end)) {
		strbuf_str(&m, "load span reaches the last page of the address space");
		return ELF_ERR_SPAN;
	}
	if (end - start > ELF_MAX_SPAN) {
		strbuf_format(&m, "load span 0x%lx..0x%lx is larger than 256 MiB",
			      (unsigned long)start, (unsigned long)end);
		return ELF_ERR_SPAN;
	}
	entry = rd(img + EH_ENTRY, 8);
	if ((err = check_entry(img, entry, &m)) != ELF_OK)
		return err;
	if (info) {
		info->entry = entry;
		info->span_start = start;
		info->span_end = end;
		info->phnum = (unsigned)rd(img + EH_PHNUM, 2);
		info->load_count = loads;
	}
	return ELF_OK;
}

int
elf_load_segment(const void *image, unsigned index, struct elf_segment *seg)
{
	const uint8_t *ph = phdr_at(image, index);

	if (rd(ph + PH_TYPE, 4) != PT_LOAD)
		return 0;
	read_segment(ph, seg);
	return 1;
}

int
elf_span(const void *image, uint64_t *start, uint64_t *end)
{
	unsigned i, num = (unsigned)rd((const uint8_t *)image + EH_PHNUM, 2);
	uint64_t lo = ~0ULL, hi = 0;
	struct elf_segment s;

	*start = *end = 0;
	for (i = 0; i < num; i++) {
		if (!elf_load_segment(image, i, &s))
			continue;
		if (s.vaddr < lo)
			lo = s.vaddr;
		if (s.vaddr + s.memsz > hi)
			hi = s.vaddr + s.memsz;
	}
	if (lo == ~0ULL || hi < lo)
		return 0;
	/* Rounding hi up must not wrap past 2^64. */
	if (hi > ~0ULL - (ELF_PAGE_SIZE - 1))
		return 0;
	*start = lo & ~(ELF_PAGE_SIZE - 1);
	*end = (hi + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
	return 1;
}

const char *
elf_err_name(enum elf_err err)
{
	static const char *const names[] = {
		[ELF_OK] = "ok", [ELF_ERR_TRUNCATED] = "truncated",
		[ELF_ERR_MAGIC] = "magic", [ELF_ERR_CLASS] = "class",
		[ELF_ERR_DATA] = "data", [ELF_ERR_VERSION] = "version",
		[ELF_ERR_MACHINE] = "machine", [ELF_ERR_TYPE] = "type",
		[ELF_ERR_PHDR] = "phdr", [ELF_ERR_NO_LOAD] = "no-load",
		[ELF_ERR_OVERFLOW] = "overflow", [ELF_ERR_FILE_RANGE] = "file-range",
		[ELF_ERR_FILESZ] = "filesz", [ELF_ERR_LOWER_HALF] = "lower-half",
		[ELF_ERR_OVERLAP] = "overlap", [ELF_ERR_SPAN] = "span",
		[ELF_ERR_ENTRY] = "entry", [ELF_ERR_ABOVE_LIMIT] = "above-limit",
	};

	if ((unsigned)err >= sizeof(names) / sizeof(names[0]) || !names[err])
		return "unknown";
	return names[err];
}
