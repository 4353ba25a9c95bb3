/*
 * fbcon.c - a text console on the UEFI GOP framebuffer: 8x16 glyph cells,
 * wrapping and scrolling, so a bare-metal run shows what the serial log
 * shows.
 *
 * Pixels are 32 bits, RGBX or BGRX in memory (enum boot_fb_format); a line
 * is pixels_per_line pixels apart, which may exceed the visible width.
 * Cursor rule: after a glyph lands in the last column the cursor waits at
 * x == cols and only wraps when another glyph comes, so a full-width line
 * followed by '\n' does not leave an empty line behind.
 *
 * Scrolling moves the whole screen, so one write scrolls once: a dry run
 * of the cursor counts the lines the text will scroll (S), the screen moves
 * up by S at once, and the text is drawn where it ends up: the cursor row
 * starts S rows higher (negative rows are text that scrolls off, not
 * drawn) and every newline just moves down.  Each character's final row is
 * the same as with one scroll per newline, at the cost of one copy per
 * write instead of one per line (a write of 2,048 newlines took seconds,
 * with interrupts off under the console lock).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/boot_info.h"
#include "kernel/console/fbcon.h"
#include "kernel/console/font.h"

#define DEFAULT_FG  0xc0c0c0u
#define DEFAULT_BG  0x000000u
#define TAB_COLS    8u

/* The console; fb is NULL until fbcon_init succeeds.  Callers serialise. */
static struct {
	uint32_t *fb;
	uint32_t width, height;  /* visible pixels */
	uint32_t stride;         /* pixels from one line to the next */
	uint32_t format;         /* BOOT_FB_RGBX or BOOT_FB_BGRX */
	uint32_t cols, rows;     /* text cells */
	uint32_t x;              /* cursor column; x == cols: wrap pending */
	int64_t y;               /* cursor row; < 0 inside a write: scrolls off */
	uint32_t fg, bg;         /* in the framebuffer's pixel format */
} con;

/* 0xRRGGBB to a pixel.  BGRX memory order read as a little-endian word is
 * 0xXXRRGGBB, so only RGBX needs red and blue swapped. */
static uint32_t
to_pixel(uint32_t rgb)
{
	rgb &= 0xffffffu;
	if (con.format == BOOT_FB_RGBX)
		rgb = (rgb >> 16) | (rgb & 0x00ff00u) | ((rgb & 0xffu) << 16);
	return rgb;
}

static void
fill_rect(uint32_t x0, uint32_t y0, uint32_t w, uint32_t h, uint32_t px)
{
	uint32_t *line = con.fb + (uint64_t)y0 * con.stride + x0;
	uint32_t x, y;

	for (y = 0; y < h; y++, line += con.stride)
		for (x = 0; x < w; x++)
			line[x] = px;
}

static void
draw_cell(uint32_t cx, uint32_t cy, unsigned char c)
{
	uint32_t *line = con.fb + (uint64_t)cy * FONT_H * con.stride + cx * FONT_W;
	uint8_t rows[FONT_H];
	uint32_t r, x;

	font_glyph(c, rows);
	for (r = 0; r < FONT_H; r++, line += con.stride)
		for (x = 0; x < FONT_W; x++)
			line[x] = rows[r] & (0x80u >> x) ? con.fg : con.bg;
}

/* Moves the text rows up by k cells (1 <= k < rows) and blanks the last k.
 * The text area is one block of (rows-k)*16 lines, and the copy goes
 * forward from a lower destination, so overlap is safe.  The copy is
 * 64-bit when alignment allows: scrolling moves the whole screen. */
static void
scroll_up(uint32_t k)
{
	uint64_t n = (uint64_t)(con.rows - k) * FONT_H * con.stride;  /* pixels */
	uint32_t *dst = con.fb;
	const uint32_t *src = con.fb + (uint64_t)k * FONT_H * con.stride;
	uint64_t i;

	if ((uintptr_t)dst % 8 == 0 && con.stride % 2 == 0) {
		uint64_t *d = (uint64_t *)dst;
		const uint64_t *s = (const uint64_t *)src;

		for (i = 0; i < n / 2; i++)
			d[i] = s[i];
	} else {
		for (i = 0; i < n; i++)
			dst[i] = src[i];
	}
	fill_rect(0, (con.rows - k) * FONT_H, con.cols * FONT_W, k * FONT_H, con.bg);
}

/* Scrolls by s rows at once: all of them blank when s >= rows. */
static void
scroll_by(uint64_t s)
{
	if (s >= con.rows)
		fill_rect(0, 0, con.cols * FONT_W, con.rows * FONT_H, con.bg);
	else if (s)
		scroll_up((uint32_t)s);
}

/* Moves the cursor (x, y) to the next line.  Returns 1 when it is on the
 * last row, where the screen must scroll instead. */
static int
cursor_newline(uint32_t *x, int64_t *y)
{
	*x = 0;
	if (*y + 1 < (int64_t)con.rows) {
		(*y)++;
		return 0;
	}
	return 1;
}

/* fbcon_write scrolled ahead, so the cursor never meets the last row
 * here; the scroll is a fallback. */
static void
newline(void)
{
	if (cursor_newline(&con.x, &con.y))
		scroll_up(1);
}

static void
put_glyph(unsigned char c)
{
	if (con.x == con.cols)
		newline();
	if (con.y >= 0)
		draw_cell(con.x, (uint32_t)con.y, c);
	con.x++;
}

/* The dry run of put_char: what character c does to the cursor (x, y),
 * nothing drawn.  Returns the scrolls it causes. */
static uint64_t
cursor_step(unsigned char c, uint32_t *x, int64_t *y)
{
	uint64_t s = 0;

	switch (c) {
	case '\n':
		return cursor_newline(x, y);
	case '\r':
		*x = 0;
		return 0;
	case '\b':
		if (*x > 0)
			(*x)--;
		return 0;
	case '\t':
		do {
			if (*x == con.cols)
				s += cursor_newline(x, y);
			(*x)++;
		} while (*x % TAB_COLS != 0 && *x < con.cols);
		return s;
	default:
		if (*x == con.cols)
			s = cursor_newline(x, y);
		(*x)++;
		return s;
	}
}

static void
put_char(unsigned char c)
{
	switch (c) {
	case '\n':
		newline();
		break;
	case '\r':
		con.x = 0;
		break;
	case '\t':
		/* Blank the skipped cells: the line may hold older text. */
		do
			put_glyph(' ');
		while (con.x % TAB_COLS != 0 && con.x < con.cols);
		break;
	case '\b':
		if (con.x > 0)
			con.x--;
		break;
	default:
		put_glyph(c);
		break;
	}
}

int
fbcon_init(void *fb_virt, const struct boot_framebuffer *fb)
{
	con.fb = NULL;
	if (!fb_virt || !fb)
		return -1;
	if (fb->format != BOOT_FB_RGBX && fb->format != BOOT_FB_BGRX)
		return -1;
	if (fb->width < FONT_W || fb->height < FONT_H || fb->pixels_per_line < fb->width)
		return -1;
	/* The mapping must cover every line we may touch. */
	if (fb->bytes < (uint64_t)fb->pixels_per_line * fb->height * 4)
		return -1;
	if (font_check() != 0)
		return -1;
	con.width = fb->width;
	con.height = fb->height;
	con.stride = fb->pixels_per_line;
	con.format = fb->format;
	con.cols = fb->width / FONT_W;
	con.rows = fb->height / FONT_H;
	con.x = con.y = 0;
	con.fg = to_pixel(DEFAULT_FG);
	con.bg = to_pixel(DEFAULT_BG);
	con.fb = fb_virt;
	fill_rect(0, 0, con.width, con.height, con.bg);
	return 0;
}

void
fbcon_write(const char *s, unsigned long n)
{
	uint32_t x = con.x;
	int64_t y = con.y;
	uint64_t scrolls = 0;
	unsigned long i;

	if (!con.fb)
		return;
	for (i = 0; i < n; i++)
		scrolls += cursor_step((unsigned char)s[i], &x, &y);
	scroll_by(scrolls);
	con.y -= (int64_t)scrolls;
	for (i = 0; i < n; i++)
		put_char((unsigned char)s[i]);
}

void
fbcon_set_color(uint32_t fg_rgb, uint32_t bg_rgb)
{
	con.fg = to_pixel(fg_rgb);
	con.bg = to_pixel(bg_rgb);
}
