/*
 * console.h - kernel output: every line goes to the serial port and, once
 * the framebuffer is up, to the screen, so a bare-metal user sees what the
 * serial log shows.
 */
#ifndef KERNEL_CONSOLE_CONSOLE_H
#define KERNEL_CONSOLE_CONSOLE_H

#include <stdarg.h>

struct boot_framebuffer;

void console_init_serial(unsigned short port);
void console_init_fb(void *fb_virt, const struct boot_framebuffer *fb);
void console_write(const char *s, unsigned long n);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vkprintf(const char *fmt, va_list ap);

#endif
