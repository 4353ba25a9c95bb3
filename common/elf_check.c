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

/* A bounded string builder: messages never overrun the caller's buffer. */
struct msgbuf {
	char *buf;
	size_t cap;
	size_t len;
};

static void
put_str(struct msgbuf *m, const char *s)
{
	if (!m->buf || m->cap == 0)
		return;
	while (*s && m->len + 1 < m->cap)
		m->buf[m->len++] = *s++;
	m->buf[m->len] = '\0';
}

static void
put_num(struct msgbuf *m, uint64_t v, unsigned base)
{
	char tmp[24];
	unsigned n = 0;

	if (base == 16)
		put_str(m, "0x");
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n) {
		char one[2] = { tmp[--n], '\0' };
		put_str(m, one);
	}
}

static void put_hex(struct msgbuf *m, uint64_t v) { put_num(m, v, 16); }
static void put_dec(struct msgbuf *m, uint64_t v) { put_num(m, v, 10); }

/* "segment N: " prefix used by every per-segment message. */
static void
put_seg(struct msgbuf *m, unsigned i)
{
	put_str(m, "segment ");
	put_dec(m, i);
	put_str(m, ": ");
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
check_identity(const uint8_t *img, uint64_t size, struct msgbuf *m)
{
	uint64_t v;

	if (size < 4) {
		put_str(m, "file is ");
		put_dec(m, size);
		put_str(m, " bytes, too small for an ELF header");
		return ELF_ERR_TRUNCATED;
	}
	if (img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F') {
		put_str(m, "bad magic (not an ELF file)");
		return ELF_ERR_MAGIC;
	}
	if (size < EH_SIZE) {
		put_str(m, "file is ");
		put_dec(m, size);
		put_str(m, " bytes, too small for an ELF64 header (64)");
		return ELF_ERR_TRUNCATED;
	}
	if (img[EH_IDENT_CLASS] != ELFCLASS64) {
		put_str(m, "class ");
		put_dec(m, img[EH_IDENT_CLASS]);
		put_str(m, " is not ELFCLASS64 (2): not a 64-bit ELF");
		return ELF_ERR_CLASS;
	}
	if (img[EH_IDENT_DATA] != ELFDATA2LSB) {
		put_str(m, "data encoding ");
		put_dec(m, img[EH_IDENT_DATA]);
		put_str(m, " is not ELFDATA2LSB (1): not little-endian");
		return ELF_ERR_DATA;
	}
	v = rd(img + EH_VERSION, 4);
	if (img[EH_IDENT_VERSION] != EV_CURRENT || v != EV_CURRENT) {
		put_str(m, "ELF version ");
		put_dec(m, img[EH_IDENT_VERSION] != EV_CURRENT ? img[EH_IDENT_VERSION] : v);
		put_str(m, " is not EV_CURRENT (1)");
		return ELF_ERR_VERSION;
	}
	v = rd(img + EH_MACHINE, 2);
	if (v != EM_X86_64) {
		put_str(m, "machine ");
		put_hex(m, v);
		put_str(m, " is not x86-64 (0x3e)");
		return ELF_ERR_MACHINE;
	}
	v = rd(img + EH_TYPE, 2);
	if (v != ET_EXEC) {
		put_str(m, "type ");
		put_dec(m, v);
		put_str(m, " is not ET_EXEC (2): link the kernel as a static executable");
		return ELF_ERR_TYPE;
	}
	return ELF_OK;
}

/* The table must have sane entries and lie wholly inside the file. */
static enum elf_err
check_phdr_table(const uint8_t *img, uint64_t size, struct msgbuf *m)
{
	uint64_t off = rd(img + EH_PHOFF, 8);
	uint64_t entsize = rd(img + EH_PHENTSIZE, 2);
	uint64_t num = rd(img + EH_PHNUM, 2);
	uint64_t bytes = num * entsize;   /* both < 2^16: cannot overflow */

	if (num == 0) {
		put_str(m, "no program headers, so no PT_LOAD segments");
		return ELF_ERR_NO_LOAD;
	}
	if (entsize < PH_SIZE || num > ELF_MAX_PHNUM) {
		put_str(m, "program header table: ");
		put_dec(m, num);
		put_str(m, " entries of ");
		put_dec(m, entsize);
		put_str(m, " bytes (need entries >= 56 bytes, at most 64 of them)");
		return ELF_ERR_PHDR;
	}
	if (off + bytes < off) {
		put_str(m, "program header table ");
		put_hex(m, off);
		put_str(m, "+");
		put_hex(m, bytes);
		put_str(m, " overflows");
		return ELF_ERR_OVERFLOW;
	}
	if (off + bytes > size) {
		put_str(m, "program header table ");
		put_hex(m, off);
		put_str(m, "+");
		put_hex(m, bytes);
		put_str(m, " exceeds file size ");
		put_hex(m, size);
		return ELF_ERR_PHDR;
	}
	return ELF_OK;
}

/* One PT_LOAD on its own: file bytes inside the file, sizes, address. */
static enum elf_err
check_segment(unsigned i, const struct elf_segment *s, uint64_t size,
	      const struct elf_limits *lim, struct msgbuf *m)
{
	if (s->offset + s->filesz < s->offset) {
		put_seg(m, i);
		put_str(m, "file range ");
		put_hex(m, s->offset);
		put_str(m, "+");
		put_hex(m, s->filesz);
		put_str(m, " overflows");
		return ELF_ERR_OVERFLOW;
	}
	if (s->offset + s->filesz > size) {
		put_seg(m, i);
		put_str(m, "file range ");
		put_hex(m, s->offset);
		put_str(m, "+");
		put_hex(m, s->filesz);
		put_str(m, " exceeds file size ");
		put_hex(m, size);
		return ELF_ERR_FILE_RANGE;
	}
	if (s->filesz > s->memsz) {
		put_seg(m, i);
		put_str(m, "filesz ");
		put_hex(m, s->filesz);
		put_str(m, " > memsz ");
		put_hex(m, s->memsz);
		return ELF_ERR_FILESZ;
	}
	if (s->vaddr < lim->lowest) {
		put_seg(m, i);
		put_str(m, "vaddr ");
		put_hex(m, s->vaddr);
		put_str(m, lim->lowest == ELF_HIGHER_HALF ?
			" is below the higher half (0xffffffff80000000)" : " is below ");
		if (lim->lowest != ELF_HIGHER_HALF)
			put_hex(m, lim->lowest);
		return ELF_ERR_LOWER_HALF;
	}
	/* An end of exactly 2^64 wraps to 0, so it is rejected too. */
	if (s->vaddr + s->memsz <= s->vaddr && s->memsz != 0) {
		put_seg(m, i);
		put_str(m, "address range ");
		put_hex(m, s->vaddr);
		put_str(m, "+");
		put_hex(m, s->memsz);
		put_str(m, " overflows");
		return ELF_ERR_OVERFLOW;
	}
	if (lim->end && s->vaddr + s->memsz > lim->end) {
		put_seg(m, i);
		put_str(m, "address range ");
		put_hex(m, s->vaddr);
		put_str(m, "+");
		put_hex(m, s->memsz);
		put_str(m, " ends above ");
		put_hex(m, lim->end);
		return ELF_ERR_ABOVE_LIMIT;
	}
	return ELF_OK;
}

/* Segment i against every earlier one; ranges are [vaddr, vaddr+memsz). */
static enum elf_err
check_overlap(const uint8_t *img, unsigned i, const struct elf_segment *s, struct msgbuf *m)
{
	struct elf_segment o;
	unsigned j;

	for (j = 0; j < i; j++) {
		if (!elf_load_segment(img, j, &o) || o.memsz == 0 || s->memsz == 0)
			continue;
		if (s->vaddr < o.vaddr + o.memsz && o.vaddr < s->vaddr + s->memsz) {
			put_str(m, "segments ");
			put_dec(m, j);
			put_str(m, " and ");
			put_dec(m, i);
			put_str(m, " overlap: ");
			put_hex(m, o.vaddr);
			put_str(m, "+");
			put_hex(m, o.memsz);
			put_str(m, " and ");
			put_hex(m, s->vaddr);
			put_str(m, "+");
			put_hex(m, s->memsz);
			return ELF_ERR_OVERLAP;
		}
	}
	return ELF_OK;
}

/* Every segment, then the segments against each other. */
static enum elf_err
check_segments(const uint8_t *img, uint64_t size, const struct elf_limits *lim,
	       unsigned *loads, struct msgbuf *m)
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
		put_str(m, "no PT_LOAD segments among ");
		put_dec(m, num);
		put_str(m, " program headers");
		return ELF_ERR_NO_LOAD;
	}
	return ELF_OK;
}

/* The entry must point into file-backed bytes of an executable segment. */
static enum elf_err
check_entry(const uint8_t *img, uint64_t entry, struct msgbuf *m)
{
	unsigned i, num = (unsigned)rd(img + EH_PHNUM, 2);
	struct elf_segment s;

	for (i = 0; i < num; i++) {
		if (elf_load_segment(img, i, &s) && (s.flags & ELF_PF_X) &&
		    entry >= s.vaddr && entry - s.vaddr < s.filesz)
			return ELF_OK;
	}
	put_str(m, "entry point ");
	put_hex(m, entry);
	put_str(m, " is not inside an executable PT_LOAD segment");
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
	struct msgbuf m = { msg, msg_len, 0 };
	uint64_t start, end, entry;
	unsigned loads;
	enum elf_err err;

	put_str(&m, "");
	if ((err = check_identity(img, size, &m)) != ELF_OK ||
	    (err = check_phdr_table(img, size, &m)) != ELF_OK ||
	    (err = check_segments(img, size, &lim, &loads, &m)) != ELF_OK)
		return err;
	if (!elf_span(img, &start, &end)) {
		put_str(&m, "load span reaches the last page of the address space");
		return ELF_ERR_SPAN;
	}
	if (end - start > ELF_MAX_SPAN) {
		put_str(&m, "load span ");
		put_hex(&m, start);
		put_str(&m, "..");
		put_hex(&m, end);
		put_str(&m, " is larger than 256 MiB");
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
