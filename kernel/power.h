/* power.h - ending the machine: QEMU exit code, UEFI shutdown, or halt. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include <stdint.h>

struct boot_info;

/* QEMU isa-debug-exit (iobase 0xf4): status = (value << 1) | 1. */
#define QEMU_EXIT_PORT     0xf4
#define QEMU_EXIT_SUCCESS  0x10   /* QEMU exits with status 33 */
#define QEMU_EXIT_FAILURE  0x11   /* QEMU exits with status 35 */

/* Remembers the firmware's runtime services for the shutdown call. */
void power_init(const struct boot_info *bi, uint64_t runtime_cr3);

/* Tries, in order: QEMU isa-debug-exit, UEFI ResetSystem(EfiResetShutdown);
 * if both return, halts forever with the last message on screen. */
void power_off(int success) __attribute__((noreturn));

#endif
