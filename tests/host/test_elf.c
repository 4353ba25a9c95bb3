/*
 * test_elf.c - what if the kernel file on the stick is damaged or was built
 * wrong?  Feeds elf_check() a valid image and one variant per rule, and
 * checks each is rejected by that rule with a message naming the numbers.
 */
#include <stdint.h>
#include <string.h>

#include "common/elf_check.h"
#include "tests/host/check.h"

#define HH        ELF_HIGHER_HALF
#define FILE_SIZE 0x3100u
#define PHOFF     64u

static uint8_t img[FILE_SIZE];
static char msg[ELF_MSG_MAX];

static void
wr(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint8_t *
ph(unsigned i)
{
	return img + PHOFF + 56 * i;
}

static void
set_phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
	 uint64_t filesz, uint64_t memsz)
{
	wr(ph(i) + 0, type, 4);
	wr(ph(i) + 4, flags, 4);
	wr(ph(i) + 8, off, 8);
	wr(ph(i) + 16, vaddr, 8);
	wr(ph(i) + 24, vaddr, 8);       /* p_paddr: ignored by the loader */
	wr(ph(i) + 32, filesz, 8);
	wr(ph(i) + 40, memsz, 8);
	wr(ph(i) + 48, 0x1000, 8);
}

/* A kernel shaped like ours: text R-X, rodata R--, data+bss RW-. */
static void
make_valid(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;                     /* ELFCLASS64 */
	img[5] = 1;                     /* ELFDATA2LSB */
	img[6] = 1;                     /* EV_CURRENT */
	wr(img + 16, 2, 2);             /* ET_EXEC */
	wr(img + 18, 62, 2);            /* EM_X86_64 */
	wr(img + 20, 1, 4);
	wr(img + 24, HH + 0x10, 8);     /* e_entry */
	wr(img + 32, PHOFF, 8);
	wr(img + 52, 64, 2);            /* e_ehsize */
	wr(img + 54, 56, 2);            /* e_phentsize */
	wr(img + 56, 3, 2);             /* e_phnum */
	set_phdr(0, 1, ELF_PF_R | ELF_PF_X, 0x1000, HH, 0x1000, 0x1000);
	set_phdr(1, 1, ELF_PF_R, 0x2000, HH + 0x1000, 0x800, 0x800);
	set_phdr(2, 1, ELF_PF_R | ELF_PF_W, 0x3000, HH + 0x2000, 0x100, 0x3000);
}

static enum elf_err
run(uint64_t size)
{
	return elf_check(img, size, NULL, msg, sizeof(msg));
}

/* Checks both the rule and the exact message. */
static void
expect(uint64_t size, enum elf_err want, const char *want_msg, const char *what)
{
	enum elf_err got = run(size);

	CHECK(got == want, "%s: rejected as %s (got %s)", what, elf_err_name(want),
	      elf_err_name(got));
	CHECK(strcmp(msg, want_msg) == 0, "%s: message \"%s\"", what, msg);
}

static void
test_valid(void)
{
	struct elf_info info;
	struct elf_segment seg;
	uint64_t lo, hi;

	make_valid();
	CHECK(elf_check(img, FILE_SIZE, &info, msg, sizeof(msg)) == ELF_OK,
	      "a well-formed kernel image is accepted (%s)", msg);
	CHECK(msg[0] == '\0', "no message on success");
	CHECK(info.entry == HH + 0x10, "entry point reported");
	CHECK(info.span_start == HH && info.span_end == HH + 0x5000,
	      "span covers text to end of bss, page aligned");
	CHECK(info.load_count == 3 && info.phnum == 3, "three PT_LOAD segments counted");
	CHECK(elf_load_segment(img, 2, &seg) && seg.offset == 0x3000 &&
	      seg.filesz == 0x100 && seg.memsz == 0x3000 && seg.flags == 6,
	      "elf_load_segment returns the data segment's fields");
	set_phdr(1, 4, 0, 0, 0, 0, 0);  /* PT_NOTE is skipped, not loaded */
	CHECK(elf_check(img, FILE_SIZE, NULL, NULL, 0) == ELF_OK,
	      "a non-LOAD header between loads is ignored, NULL message is fine");
	CHECK(!elf_load_segment(img, 1, &seg), "elf_load_segment skips PT_NOTE");
	make_valid();
	set_phdr(2, 1, 6, 0x3000, HH + 0x2123, 0x100, 0x1000);
	CHECK(elf_span(img, &lo, &hi) && lo == HH && hi == HH + 0x4000,
	      "elf_span rounds an unaligned end up to a page");
}

static void
test_identity(void)
{
	make_valid();
	img[1] = 'X';
	expect(FILE_SIZE, ELF_ERR_MAGIC, "bad magic (not an ELF file)", "bad magic");
	make_valid();
	img[4] = 1;
	expect(FILE_SIZE, ELF_ERR_CLASS,
	       "class 1 is not ELFCLASS64 (2): not a 64-bit ELF", "32-bit class");
	make_valid();
	img[5] = 2;
	expect(FILE_SIZE, ELF_ERR_DATA,
	       "data encoding 2 is not ELFDATA2LSB (1): not little-endian", "big-endian");
	make_valid();
	wr(img + 20, 7, 4);
	expect(FILE_SIZE, ELF_ERR_VERSION, "ELF version 7 is not EV_CURRENT (1)",
	       "bad e_version");
	make_valid();
	wr(img + 18, 0xb7, 2);          /* EM_AARCH64 */
	expect(FILE_SIZE, ELF_ERR_MACHINE, "machine 0xb7 is not x86-64 (0x3e)",
	       "wrong machine");
	make_valid();
	wr(img + 16, 3, 2);             /* ET_DYN */
	expect(FILE_SIZE, ELF_ERR_TYPE,
	       "type 3 is not ET_EXEC (2): link the kernel as a static executable",
	       "shared object instead of executable");
}

static void
test_truncated(void)
{
	make_valid();
	expect(0, ELF_ERR_TRUNCATED, "file is 0 bytes, too small for an ELF header",
	       "empty file");
	expect(40, ELF_ERR_TRUNCATED,
	       "file is 40 bytes, too small for an ELF64 header (64)",
	       "file cut inside the header");
	expect(0x2800, ELF_ERR_FILE_RANGE,
	       "segment 2: file range 0x3000+0x100 exceeds file size 0x2800",
	       "file cut inside the data segment");
	expect(100, ELF_ERR_PHDR,
	       "program header table 0x40+0xa8 exceeds file size 0x64",
	       "file cut inside the program header table");
}

static void
test_phdr_table(void)
{
	make_valid();
	wr(img + 32, FILE_SIZE - 10, 8);
	expect(FILE_SIZE, ELF_ERR_PHDR,
	       "program header table 0x30f6+0xa8 exceeds file size 0x3100",
	       "phdr table past EOF");
	make_valid();
	wr(img + 32, ~0ULL - 0x10, 8);
	expect(FILE_SIZE, ELF_ERR_OVERFLOW,
	       "program header table 0xffffffffffffffef+0xa8 overflows",
	       "phdr offset + size wraps");
	make_valid();
	wr(img + 54, 32, 2);
	expect(FILE_SIZE, ELF_ERR_PHDR,
	       "program header table: 3 entries of 32 bytes (need entries >= 56 bytes, at most 64 of them)",
	       "phdr entries too small");
	make_valid();
	wr(img + 56, 0, 2);
	expect(FILE_SIZE, ELF_ERR_NO_LOAD, "no program headers, so no PT_LOAD segments",
	       "no program headers");
	make_valid();
	for (unsigned i = 0; i < 3; i++)
		wr(ph(i), 4, 4);        /* all PT_NOTE */
	expect(FILE_SIZE, ELF_ERR_NO_LOAD, "no PT_LOAD segments among 3 program headers",
	       "zero PT_LOAD segments");
}

static void
test_segments(void)
{
	make_valid();
	set_phdr(1, 1, 4, 0x2000, HH + 0x1000, 0x9000, 0x9000);
	expect(FILE_SIZE, ELF_ERR_FILE_RANGE,
	       "segment 1: file range 0x2000+0x9000 exceeds file size 0x3100",
	       "segment file range past EOF");
	make_valid();
	set_phdr(1, 1, 4, 0x2000, HH + 0x1000, ~0ULL - 0xfff, ~0ULL);
	expect(FILE_SIZE, ELF_ERR_OVERFLOW,
	       "segment 1: file range 0x2000+0xfffffffffffff000 overflows",
	       "offset + filesz wraps");
	make_valid();
	set_phdr(1, 1, 4, 0x2000, HH + 0x1000, 0x800, 0x400);
	expect(FILE_SIZE, ELF_ERR_FILESZ, "segment 1: filesz 0x800 > memsz 0x400",
	       "filesz > memsz");
	make_valid();
	set_phdr(0, 1, 5, 0x1000, 0x400000, 0x1000, 0x1000);
	expect(FILE_SIZE, ELF_ERR_LOWER_HALF,
	       "segment 0: vaddr 0x400000 is below the higher half (0xffffffff80000000)",
	       "lower-half vaddr");
	make_valid();
	set_phdr(2, 1, 6, 0x3000, ~0ULL - 0xff, 0x100, 0x1000);
	expect(FILE_SIZE, ELF_ERR_OVERFLOW,
	       "segment 2: address range 0xffffffffffffff00+0x1000 overflows",
	       "vaddr + memsz wraps");
	make_valid();
	set_phdr(2, 1, 6, 0x3000, HH + 0x1400, 0x100, 0x3000);
	expect(FILE_SIZE, ELF_ERR_OVERLAP,
	       "segments 1 and 2 overlap: 0xffffffff80001000+0x800 and 0xffffffff80001400+0x3000",
	       "overlapping segments");
	make_valid();
	set_phdr(2, 1, 6, 0x3000, HH + 0x2000, 0x100, 300ULL << 20);
	expect(FILE_SIZE, ELF_ERR_SPAN,
	       "load span 0xffffffff80000000..0xffffffff92c02000 is larger than 256 MiB",
	       "span larger than 256 MiB");
}

static void
test_entry(void)
{
	make_valid();
	wr(img + 24, HH + 0x1010, 8);   /* inside rodata: not executable */
	expect(FILE_SIZE, ELF_ERR_ENTRY,
	       "entry point 0xffffffff80001010 is not inside an executable PT_LOAD segment",
	       "entry in a non-executable segment");
	make_valid();
	wr(img + 24, HH + 0x9000, 8);
	expect(FILE_SIZE, ELF_ERR_ENTRY,
	       "entry point 0xffffffff80009000 is not inside an executable PT_LOAD segment",
	       "entry outside every segment");
}

/* A short message buffer truncates, never overruns. */
static void
test_short_buffer(void)
{
	char small[8];

	memset(small, 'Z', sizeof(small));
	make_valid();
	img[0] = 0;
	CHECK(elf_check(img, FILE_SIZE, NULL, small, 6) == ELF_ERR_MAGIC &&
	      strcmp(small, "bad m") == 0 && small[6] == 'Z',
	      "message truncated to the buffer, NUL-terminated, no overrun");
}

int
main(void)
{
	test_valid();
	test_identity();
	test_truncated();
	test_phdr_table();
	test_segments();
	test_entry();
	test_short_buffer();
	return check_done();
}
