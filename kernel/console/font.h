/*
 * font.h - the console's 8x16 bitmap font: printable ASCII (0x20..0x7e)
 * drawn for ipcbench, and a box for every other byte.
 */
#ifndef KERNEL_CONSOLE_FONT_H
#define KERNEL_CONSOLE_FONT_H

#include <stdint.h>

#define FONT_W  8   /* pixels per cell, across */
#define FONT_H  16  /* pixels per cell, down */

/* Fills rows[] with c's glyph: one byte per pixel row, top first; bit 7 is
 * the leftmost pixel.  Bytes outside 0x20..0x7e get the box glyph. */
void font_glyph(unsigned char c, uint8_t rows[FONT_H]);

/* 0 when the glyph sheet is well formed, -1 if an edit broke its layout
 * (checked once by fbcon_init and by the host test). */
int font_check(void);

#endif
