/* apic.h - the local APIC (xAPIC MMIO or x2APIC MSRs) and its timer. */
#ifndef KERNEL_ARCH_APIC_H
#define KERNEL_ARCH_APIC_H

#include <stdint.h>

struct boot_info;

/* Enables the LAPIC (x2APIC mode when the CPU has it). */
void lapic_init(uint64_t lapic_phys);
int lapic_is_x2apic(void);
/* The calling CPU's LAPIC on (another CPU, after lapic_init ran once). */
void lapic_enable_this_cpu(void);
uint32_t lapic_id(void);
/* Inter-processor interrupts to a LAPIC id: a vector, or the INIT and
 * STARTUP (SIPI: execution starts at page * 4096, real mode) messages. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint32_t page);
/* Borrow mode, before lapic_init: keep the firmware's xAPIC/x2APIC mode. */
void lapic_keep_firmware_mode(void);
/* A register by its xAPIC offset (IRR/ISR checks when giving the CPU back). */
uint32_t lapic_reg_read(uint32_t reg);
void lapic_eoi(void);

/* Counts LAPIC timer ticks (divide 16) over `ms` ms of the PIT; returns ticks/ms. */
uint32_t lapic_timer_calibrate(unsigned ms);
/* Periodic timer interrupts on `vector` every `us` microseconds. */
void lapic_timer_start(uint8_t vector, uint32_t us);
void lapic_timer_stop(void);
/* Timer ticks (divide 16) in `us` microseconds, at least 1. */
uint32_t lapic_timer_count(uint32_t us);
/* Next interrupt `count` timer ticks from now; periodic with that count after. */
void lapic_timer_reload(uint32_t count);
uint32_t lapic_ticks_per_ms(void);

#endif
