/*
 * lockorder.h - the lock-order check of debug builds (`make DEBUG=1`).
 *
 * The rule (docs/ARCHITECTURE.md, "Locking"): two locks are always taken
 * in the same order.  The check learns the order as the kernel runs: each
 * CPU keeps the locks it holds, and taking B while holding A records
 * "A before B" for their classes (a class is a lock's name: every pipe's
 * lock is "pipe").  If "B before A" was recorded earlier the two orders
 * can deadlock two CPUs, and the kernel panics naming both locks, whether
 * or not the deadlock happened this time.  Other builds compile it away.
 */
#ifndef KERNEL_SYNC_LOCKORDER_H
#define KERNEL_SYNC_LOCKORDER_H

struct spinlock;

#ifdef IPCBENCH_DEBUG
void lockorder_acquired(const struct spinlock *l);
void lockorder_releasing(const struct spinlock *l);
/* How many distinct "A before B" pairs were seen (a selftest checks the
 * check ran). */
unsigned lockorder_pairs(void);
/* Every pair recorded so far, one call each (the lock-order row prints
 * them: the order the kernel really uses). */
void lockorder_print(void (*line)(const char *before, const char *after));
/* Selftest only: while on, an inversion is counted instead of panicking;
 * returns the count so far. */
unsigned lockorder_expect_inversions(int on);
#else
static inline void lockorder_acquired(const struct spinlock *l) { (void)l; }
static inline void lockorder_releasing(const struct spinlock *l) { (void)l; }
static inline unsigned lockorder_pairs(void) { return 0; }
static inline unsigned lockorder_expect_inversions(int on) { (void)on; return 0; }
#endif

#endif
