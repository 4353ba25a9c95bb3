/* serial.h - polled 16550 UART output (the log run.py captures). */
#ifndef KERNEL_CONSOLE_SERIAL_H
#define KERNEL_CONSOLE_SERIAL_H

#include <stdint.h>

void serial_init(uint16_t port);
void serial_write(const char *s, unsigned long n);

#endif
