/*
 * test_fbcon.c - host tests of the framebuffer console and its font: text
 * lands in the right cells, in the right colours, and nowhere else; lines
 * wrap and the screen scrolls.  FBCON_PPM=/tmp/x.ppm also saves a picture.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/boot_info.h"
#include "kernel/console/fbcon.h"
#include "kernel/console/font.h"
#include "tests/host/check.h"

#define GARBAGE 0xdeadbeefu   /* what the "firmware" left in the buffer */

/* A heap framebuffer; every pixel starts as GARBAGE. */
struct fb {
	struct boot_framebuffer info;
	uint32_t *px;
};

static struct fb
fb_new(uint32_t w, uint32_t h, uint32_t stride, uint32_t format)
{
	struct fb f = { { 0, (uint64_t)stride * h * 4, w, h, stride, format }, NULL };
	size_t i;

	f.px = malloc(f.info.bytes);
	for (i = 0; i < (size_t)stride * h; i++)
		f.px[i] = GARBAGE;
	return f;
}

static void
write_str(const char *s)
{
	fbcon_write(s, strlen(s));
}

/* Does cell (cx, cy) show glyph c drawn in fg on bg? */
static int
cell_is(const struct fb *f, uint32_t cx, uint32_t cy, unsigned char c,
	uint32_t fg, uint32_t bg)
{
	uint8_t rows[FONT_H];
	uint32_t r, x, want;

	font_glyph(c, rows);
	for (r = 0; r < FONT_H; r++) {
		for (x = 0; x < FONT_W; x++) {
			want = rows[r] & (0x80 >> x) ? fg : bg;
			if (f->px[(cy * FONT_H + r) * f->info.pixels_per_line +
				  cx * FONT_W + x] != want)
				return 0;
		}
	}
	return 1;
}

/* Do the cells at (ax, ay) and (bx, by) hold different pixels? */
static int
cells_differ(const struct fb *f, uint32_t ax, uint32_t ay, uint32_t bx, uint32_t by)
{
	uint32_t s = f->info.pixels_per_line, r, x;

	for (r = 0; r < FONT_H; r++)
		for (x = 0; x < FONT_W; x++)
			if (f->px[(ay * FONT_H + r) * s + ax * FONT_W + x] !=
			    f->px[(by * FONT_H + r) * s + bx * FONT_W + x])
				return 1;
	return 0;
}

/* Visible pixels that are not bg and lie outside [0,w) x [0,h). */
static unsigned
ink_outside(const struct fb *f, uint32_t w, uint32_t h, uint32_t bg)
{
	unsigned n = 0;
	uint32_t x, y;

	for (y = 0; y < f->info.height; y++)
		for (x = 0; x < f->info.width; x++)
			if ((x >= w || y >= h) &&
			    f->px[y * f->info.pixels_per_line + x] != bg)
				n++;
	return n;
}

static void
test_font(void)
{
	uint8_t g[96][FONT_H], box[FONT_H], other[FONT_H];
	unsigned c, d, empty = 0, dup = 0, gap = 0, r;

	CHECK(font_check() == 0, "the glyph sheet is well formed");
	for (c = 0x20; c <= 0x7e; c++) {
		uint8_t ink = 0;

		font_glyph((unsigned char)c, g[c - 0x20]);
		for (r = 0; r < FONT_H; r++) {
			ink |= g[c - 0x20][r];
			gap |= g[c - 0x20][r] & 1;
		}
		if ((ink == 0) != (c == ' ')) {
			printf("# glyph 0x%02x is %s\n", c, ink ? "not empty" : "empty");
			empty++;
		}
	}
	CHECK(empty == 0, "every printable glyph has ink, space has none");
	CHECK(gap == 0, "column 7 stays blank (the gap between cells)");
	for (c = 0; c < 95; c++)
		for (d = c + 1; d < 95; d++)
			if (!memcmp(g[c], g[d], FONT_H)) {
				printf("# '%c' and '%c' look the same\n", c + 0x20, d + 0x20);
				dup++;
			}
	CHECK(dup == 0, "no two printable glyphs are alike");
	font_glyph(0x7f, box);
	font_glyph(0x00, other);
	CHECK(!memcmp(box, other, FONT_H), "NUL draws the box");
	font_glyph(0xe9, other);
	CHECK(!memcmp(box, other, FONT_H), "a high byte draws the box");
	for (c = 0; c < 95; c++)
		if (!memcmp(g[c], box, FONT_H))
			dup++;
	CHECK(dup == 0, "the box is unlike every printable glyph");
}

static void
test_init_rejects(void)
{
	struct fb f = fb_new(64, 32, 64, BOOT_FB_BGRX);
	struct boot_framebuffer bad;
	uint32_t before = f.px[0];

	CHECK(fbcon_init(NULL, &f.info) == -1, "NULL framebuffer rejected");
	CHECK(fbcon_init(f.px, NULL) == -1, "NULL info rejected");
	bad = f.info; bad.format = BOOT_FB_NONE;
	CHECK(fbcon_init(f.px, &bad) == -1, "format NONE rejected");
	bad = f.info; bad.format = 3;
	CHECK(fbcon_init(f.px, &bad) == -1, "unknown format rejected");
	bad = f.info; bad.width = 7;
	CHECK(fbcon_init(f.px, &bad) == -1, "narrower than one cell rejected");
	bad = f.info; bad.pixels_per_line = 32;
	CHECK(fbcon_init(f.px, &bad) == -1, "stride below width rejected");
	bad = f.info; bad.bytes -= 4;
	CHECK(fbcon_init(f.px, &bad) == -1, "too small a mapping rejected");
	write_str("X");
	CHECK(f.px[0] == before, "after a failed init, writes touch nothing");
	free(f.px);
}

static void
test_hello(void)
{
	static const char hello[] = "Hello, ipcbench!";
	struct fb f = fb_new(640, 480, 640, BOOT_FB_BGRX);
	unsigned i, ok = 1;

	CHECK(fbcon_init(f.px, &f.info) == 0, "640x480 BGRX accepted");
	CHECK(ink_outside(&f, 0, 0, 0) == 0, "init clears the screen to black");
	write_str(hello);
	for (i = 0; hello[i]; i++)
		ok &= cell_is(&f, i, 0, (unsigned char)hello[i], 0xc0c0c0, 0);
	CHECK(ok, "each character is its glyph, grey on black");
	CHECK(ink_outside(&f, 16 * FONT_W, FONT_H, 0) == 0,
	      "no pixel set outside the 16 text cells");
	CHECK(cells_differ(&f, 0, 0, 1, 0), "'H' differs from 'e'");
	CHECK(cells_differ(&f, 2, 0, 4, 0), "'l' differs from 'o'");
	free(f.px);
}

static void
test_colors(void)
{
	struct fb f = fb_new(64, 32, 64, BOOT_FB_BGRX);

	fbcon_init(f.px, &f.info);
	fbcon_set_color(0xff8000, 0x0000ff);
	write_str("#");
	CHECK(cell_is(&f, 0, 0, '#', 0x00ff8000, 0x000000ff),
	      "BGRX pixels are 0x00RRGGBB");
	free(f.px);
	f = fb_new(64, 32, 64, BOOT_FB_RGBX);
	fbcon_init(f.px, &f.info);
	CHECK(f.px[0] == 0, "init resets the colours");
	fbcon_set_color(0xff8000, 0x0000ff);
	write_str("#");
	CHECK(cell_is(&f, 0, 0, '#', 0x000080ff, 0x00ff0000),
	      "RGBX pixels are 0x00BBGGRR");
	free(f.px);
}

/* 31 lines into 30 rows scroll twice: row r then holds line r + 2. */
static void
scroll_case(uint32_t stride, const char *what)
{
	struct fb f = fb_new(640, 480, stride, BOOT_FB_BGRX);
	char line[4] = "?:\n";
	unsigned k;

	fbcon_init(f.px, &f.info);
	for (k = 0; k < 31; k++) {
		line[0] = (char)('A' + k % 26);
		write_str(line);
	}
	CHECK(cell_is(&f, 0, 0, 'C', 0xc0c0c0, 0) && cell_is(&f, 1, 0, ':', 0xc0c0c0, 0),
	      "%s: the top row shows line 2 after scrolling", what);
	CHECK(cell_is(&f, 0, 28, 'E', 0xc0c0c0, 0),
	      "%s: the last line written is on row 28", what);
	CHECK(ink_outside(&f, 640, 29 * FONT_H, 0) == 0,
	      "%s: the bottom row is blank, ready for text", what);
	free(f.px);
}

static void
test_scroll(void)
{
	scroll_case(640, "64-bit copy");
	scroll_case(641, "odd stride");
}

/* Writes text into a fresh 640x480 console, after `before`, either in one
 * fbcon_write or one character at a time. */
static struct fb
written(const char *before, const char *text, int one_call)
{
	struct fb f = fb_new(640, 480, 640, BOOT_FB_BGRX);
	size_t i, n = strlen(text);

	fbcon_init(f.px, &f.info);
	write_str(before);
	if (one_call)
		fbcon_write(text, n);
	else
		for (i = 0; i < n; i++)
			fbcon_write(text + i, 1);
	return f;
}

/* A write that scrolls many lines scrolls once, ahead of drawing: the
 * screen must end exactly as with one scroll per line. */
static void
batch_case(const char *before, const char *text, const char *what)
{
	struct fb a = written(before, text, 1), b = written(before, text, 0);

	CHECK(memcmp(a.px, b.px, a.info.bytes) == 0, "%s: one write draws what char-by-char writes draw", what);
	free(a.px);
	free(b.px);
}

static void
test_batched_scroll(void)
{
	static char mix[8192], nl[2049];
	size_t n = 0;
	unsigned k;

	for (k = 0; k < 70; k++) {
		unsigned len = (k * 37) % 170;          /* some wrap past 80 columns */
		for (unsigned i = 0; i < len; i++)
			mix[n++] = (char)('!' + (k + i) % 90);
		mix[n++] = k % 7 == 3 ? '\t' : k % 11 == 5 ? '\r' : k % 13 == 2 ? '\b' : '\n';
	}
	mix[n] = 0;
	memset(nl, '\n', sizeof nl - 1);
	batch_case("", mix, "70 mixed lines (wraps, tabs, CR, BS) into 30 rows");
	batch_case("top\nsecond line\n", "a\nb\nc", "a write that does not scroll");
	batch_case("cursor mid-screen\n\n\n\tx", mix + 1000, "a write that starts mid-screen");
	batch_case("old text\n", nl, "2,048 newlines (more than a screen: all blank)");
	batch_case("", "exactly eighty columns, then a newline: no blank line..............................\nz",
		   "a full line then newline");
}

static void
test_narrow(void)
{
	/* 5 columns by 3 rows, with padding right of and below the text. */
	struct fb f = fb_new(42, 50, 48, BOOT_FB_BGRX);
	uint32_t x, y, pad_ok = 1;

	CHECK(fbcon_init(f.px, &f.info) == 0, "a 42x50 framebuffer is usable");
	write_str("abcdefgh");
	CHECK(cell_is(&f, 4, 0, 'e', 0xc0c0c0, 0) && cell_is(&f, 0, 1, 'f', 0xc0c0c0, 0) &&
	      cell_is(&f, 2, 1, 'h', 0xc0c0c0, 0), "a long line wraps after 5 columns");
	write_str("ij\nklmno\npq");
	CHECK(cell_is(&f, 0, 1, 'k', 0xc0c0c0, 0) && cell_is(&f, 0, 2, 'p', 0xc0c0c0, 0),
	      "a full line then newline leaves no blank line, and scrolls");
	CHECK(ink_outside(&f, 5 * FONT_W, 3 * FONT_H, 0) == 0,
	      "nothing drawn in the partial column or row");
	for (y = 0; y < 50; y++)
		for (x = 42; x < 48; x++)
			pad_ok &= f.px[y * 48 + x] == GARBAGE;
	CHECK(pad_ok, "stride padding is never written");
	free(f.px);
}

static void
test_controls(void)
{
	struct fb f = fb_new(640, 64, 640, BOOT_FB_BGRX);
	unsigned i, blank = 1;

	fbcon_init(f.px, &f.info);
	write_str("a\tb\n");
	for (i = 1; i < 8; i++)
		blank &= cell_is(&f, i, 0, ' ', 0xc0c0c0, 0);
	CHECK(cell_is(&f, 8, 0, 'b', 0xc0c0c0, 0) && blank, "tab goes to column 8");
	write_str("abc\rX\n");
	CHECK(cell_is(&f, 0, 1, 'X', 0xc0c0c0, 0) && cell_is(&f, 1, 1, 'b', 0xc0c0c0, 0),
	      "carriage return goes to column 0");
	write_str("ab\bX\n");
	CHECK(cell_is(&f, 1, 2, 'X', 0xc0c0c0, 0), "backspace goes one column left");
	write_str("\x01");
	CHECK(cell_is(&f, 0, 3, 0x7f, 0xc0c0c0, 0), "an unknown byte draws a box");
	write_str("\rabcdefgh\r\tZ");
	CHECK(cell_is(&f, 8, 3, 'Z', 0xc0c0c0, 0) && cell_is(&f, 1, 3, ' ', 0xc0c0c0, 0),
	      "tab blanks the cells it passes over");
	free(f.px);
}

/* Optional picture for a human: every glyph and some sample text. */
static void
save_ppm(const char *path)
{
	struct fb f = fb_new(640, 480, 640, BOOT_FB_BGRX);
	FILE *out = fopen(path, "wb");
	unsigned c, i;

	if (!out)
		return;
	fbcon_init(f.px, &f.info);
	for (c = 0x20; c <= 0x7f; c++) {
		char ch = (char)c;
		fbcon_write(&ch, 1);
		if ((c & 31) == 31)
			write_str("\n");
	}
	write_str("\nHello, ipcbench!\nThe quick brown fox jumps over the lazy dog.\n"
		  "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG 0123456789\n");
	fbcon_set_color(0xff4040, 0x202060);
	write_str("pcid: 'maybe' is not one of on, off, auto {[(<>)]}\n");
	fprintf(out, "P6\n640 480\n255\n");
	for (i = 0; i < 640 * 480; i++) {
		unsigned char rgb[3] = { f.px[i] >> 16, f.px[i] >> 8, f.px[i] };
		fwrite(rgb, 1, 3, out);
	}
	fclose(out);
	free(f.px);
}

int
main(void)
{
	const char *ppm = getenv("FBCON_PPM");

	test_font();
	test_init_rejects();
	test_hello();
	test_colors();
	test_scroll();
	test_batched_scroll();
	test_narrow();
	test_controls();
	if (ppm)
		save_ppm(ppm);
	return check_done();
}
