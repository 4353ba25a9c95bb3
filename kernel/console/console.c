/* console.c - fans kernel output out to serial and framebuffer consoles;
 * a spinlock keeps lines from different threads whole. */
#include "kernel/console/console.h"
#include "kernel/console/serial.h"
#include "kernel/console/fbcon.h"
#include "kernel/console/capture.h"
#include "kernel/sync/spinlock.h"
#include "common/format.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static int fb_ready;

void
console_init_serial(unsigned short port)
{
	serial_init(port);
}

void
console_init_fb(void *fb_virt, const struct boot_framebuffer *fb)
{
	fb_ready = fbcon_init(fb_virt, fb) == 0;
}

void
console_write(const char *s, unsigned long n)
{
	spin_lock(&console_lock);
	serial_write(s, n);
	capture_write(s, n);
	if (fb_ready)
		fbcon_write(s, n);
	spin_unlock(&console_lock);
}

int
vkprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnformat(buf, sizeof buf, fmt, ap);

	console_write(buf, n < (int)sizeof buf ? (unsigned long)n : sizeof buf - 1);
	return n;
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}
