/*
 * fbcon.h - a text console on the UEFI GOP framebuffer (8x16 cells).
 *
 * Not reentrant: one writer at a time (console.c holds its lock around
 * fbcon_write).  Before a successful fbcon_init every call is a no-op.
 */
#ifndef KERNEL_CONSOLE_FBCON_H
#define KERNEL_CONSOLE_FBCON_H

#include <stdint.h>

struct boot_framebuffer;

/* Takes over the mapped framebuffer and clears it.  Returns 0, or -1 when
 * the format is not 32-bit RGBX/BGRX or the geometry cannot hold a cell. */
int fbcon_init(void *fb_virt, const struct boot_framebuffer *fb);

/* Draws n bytes: \n (new line), \r, \t (to the next multiple of 8 columns),
 * \b (one column left); other bytes are glyphs, a box when unprintable.
 * Long lines wrap; the screen scrolls up at the bottom. */
void fbcon_write(const char *s, unsigned long n);

/* Colours for what is written next, as 0xRRGGBB. */
void fbcon_set_color(uint32_t fg_rgb, uint32_t bg_rgb);

#endif
