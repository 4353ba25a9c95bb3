/* pit.c - PIT channel 2 one-shot (gate via port 0x61), for calibration:
 * channel 2's output is readable in port 0x61 bit 5 without interrupts. */
#include "kernel/arch/x86_64/pit.h"
#include "kernel/arch/x86_64/cpu.h"

void
pit_oneshot_start(unsigned ms)
{
	uint32_t count = PIT_HZ / 1000 * ms;
	uint8_t gate;

	if (count > 0xffff)
		count = 0xffff;
	gate = inb(0x61) & ~0x03;          /* speaker off, gate low */
	outb(0x61, gate);
	outb(0x43, 0xb0);                  /* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	outb(0x61, gate | 0x01);           /* gate high: counting starts */
}

int
pit_oneshot_done(void)
{
	return (inb(0x61) & 0x20) != 0;
}

uint64_t
pit_calibrate_median(uint64_t (*measure)(unsigned ms), unsigned ms)
{
	uint64_t a = measure(ms), b = measure(ms), c = measure(ms);

	if (a > b) {
		uint64_t t = a;
		a = b;
		b = t;
	}
	/* a <= b: the median is b unless c lies below it. */
	if (c < b)
		b = c > a ? c : a;
	return b;
}
