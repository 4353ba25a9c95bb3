/*
 * counters.h - kernel event counters (struct kcounters, common/syscall_abi.h).
 *
 * Each CPU counts into its own copy (struct percpu.counters) with one
 * GS-relative add: an interrupt cannot split it, a thread that moves to
 * another CPU counts there, and no CPU writes another's line.  Readers sum
 * the copies (kcounters_read).
 */
#ifndef KERNEL_STATS_COUNTERS_H
#define KERNEL_STATS_COUNTERS_H

#include <stddef.h>
#include "common/syscall_abi.h"
#include "kernel/arch/x86_64/percpu.h"

#define KCOUNTER_OFFSET(field) \
	(offsetof(struct percpu, counters) + offsetof(struct kcounters, field))

#ifdef HOST_TEST
/* Host tests have no GS area: the model CPU the test runs supplies the copy
 * (tests/host/model_tlb.c). */
struct kcounters *host_counters(void);
#define COUNT_ADD(field, n) (host_counters()->field += (n))
#else
#define COUNT_ADD(field, n) \
	__asm__ volatile("addq %1, %%gs:%c0" :: "i"(KCOUNTER_OFFSET(field)), \
			 "er"((uint64_t)(n)) : "memory", "cc")
#endif
#define COUNT(field) COUNT_ADD(field, 1)

/* The sum over every CPU (a snapshot: other CPUs may be counting). */
void kcounters_read(struct kcounters *out);
/* One counter's sum, for selftests that watch a single event. */
#define KCOUNTER(field) ({ struct kcounters k_; kcounters_read(&k_); k_.field; })

#endif
