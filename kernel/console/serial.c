/* serial.c - polled 16550 UART driver: 115200 8N1, LF expanded to CRLF. */
#include "kernel/console/serial.h"
#include "kernel/arch/x86_64/cpu.h"

enum {
	UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5,
	LSR_THR_EMPTY = 0x20,
	LCR_DLAB = 0x80, LCR_8N1 = 0x03,
};

static uint16_t uart_port;

void
serial_init(uint16_t port)
{
	uart_port = port;
	outb(port + UART_IER, 0x00);          /* polled: no interrupts */
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, 1);            /* divisor 1 = 115200 baud */
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7);          /* enable + clear FIFOs */
	outb(port + UART_MCR, 0x03);          /* DTR, RTS */
}

static void
serial_putc(char c)
{
	/* Bounded wait: a missing UART (some laptops) must not hang the kernel. */
	for (int spins = 0; spins < 100000; spins++)
		if (inb(uart_port + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(uart_port + UART_DATA, (uint8_t)c);
}

void
serial_write(const char *s, unsigned long n)
{
	if (!uart_port)
		return;
	for (unsigned long i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
