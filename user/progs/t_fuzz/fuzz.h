/*
 * fuzz.h - the system-call fuzzer's parts (user/progs/t_fuzz/):
 *
 *   main.c      arguments, set-up, the call loop, clean-up
 *   pools.c     values to draw arguments from: boundary numbers, pointers,
 *               live and stale ids of every object type (own and others')
 *   gen.c       one row per system call: what each argument is; drawing the
 *               arguments, then the filters that keep the fuzzer alive
 *   learn.c     what a call's result teaches (new ids, destroyed ids)
 *   watchdog.c  a second thread that unblocks calls without a timeout
 *   kamikaze.c  child processes that end themselves in every way we exclude
 *   stubs.c     code the kernel may jump to on any stack (thread entry,
 *               LRPC procedure) and the raw 6-argument syscall
 *
 * One fuzzer is one process with one uid of its own (1000 + index), so it
 * may only legitimately end itself and its own children; see the filters in
 * gen.c and docs/RELIABILITY.md for what is excluded and why.
 */
#ifndef T_FUZZ_FUZZ_H
#define T_FUZZ_FUZZ_H

#include "user/lib/ipcbench.h"
#include "common/fuzz_abi.h"
#include "common/signal_abi.h"

#define POOL_LIVE   8          /* live ids kept per type (oldest is destroyed) */
#define POOL_STALE  8          /* destroyed ids remembered per type */
#define ARENA_BYTES (64u << 10)   /* valid buffers: kernel may write anywhere here */
#define STACKS_BYTES (16u << 10)  /* valid stacks for fuzzed thread_create */
#define SCRATCH_MAX 8          /* fuzzed mappings kept (oldest is unmapped) */
#define WATCHDOG_NS 50000000ull   /* a call without timeout gets 50 ms */

/* Extra id kinds tracked only locally (besides enum fuzz_obj). */
enum { POOL_BINDING = FUZZ_OBJ_COUNT, POOL_CHILD, POOL_MAPPING, POOL_THREAD, POOL_KINDS };

struct id_pool {
	int64_t live[POOL_LIVE];
	unsigned nlive;
	int64_t stale[POOL_STALE];
	unsigned nstale;             /* total ever added; index modulo POOL_STALE */
};

struct fuzzer {
	uint64_t rng;
	long index;                  /* slot on the board */
	long pid, uid;
	struct fuzz_board *board;
	struct fuzz_slot *me;
	int64_t board_handle;
	uint64_t arena;              /* ARENA_BYTES, guard page after it */
	uint64_t stacks;             /* STACKS_BYTES of thread stacks */
	uint64_t scratch_len[POOL_LIVE];   /* lengths of live POOL_MAPPING entries */
	struct id_pool pool[POOL_KINDS];
	uint64_t mask;               /* blocked signals, as last set successfully */
	char kamikaze_arg[32];       /* argument for a spawned kamikaze child */
	uint64_t lrpc_entries[16];   /* every procedure of our services: fz_lrpc_stub */
	volatile int finished;       /* main loop over: the watchdog ends */
	int64_t watchdog_tid;
};

extern struct fuzzer fz;

/* pools.c */
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);
int one_in(uint64_t n);
uint64_t pick_int(void);
uint64_t pick_ptr(void);
uint64_t pick_bad_ptr(void);
uint64_t pick_valid_ptr(void);
uint64_t pick_mapping(void);
uint64_t pick_len(void);
int64_t pick_id(int kind);
uint64_t pick_pid(void);
void pool_add(int kind, int64_t id);
void pool_kill(int kind, int64_t id);        /* live -> stale */
int64_t pool_oldest(int kind);               /* 0 when the pool is not full */
void pool_publish(int kind);

/* gen.c */
void gen_call(uint64_t *nr, uint64_t a[6]);

/* learn.c */
void learn(uint64_t nr, const uint64_t a[6], long r, uint64_t rdx);
void keep_pools_bounded(void);
void give_back_all(void);

/* main.c */
long fuzz_syscall(uint64_t nr, uint64_t a[6], uint64_t *rdx);

/* watchdog.c */
int watchdog_start(void);

/* kamikaze.c */
int kamikaze_main(const char *arg);

/* stubs.c */
long fz_syscall6(uint64_t nr, uint64_t *args, uint64_t *rdx_out);
void fz_thread_stub(void);
void fz_lrpc_stub(void);

/* main.c: the handler of every signal we catch (does nothing). */
void fz_on_signal(int sig, struct sig_frame *frame);

/* Signals the fuzzer may send itself: they always have a handler or are
 * ignored (sigaction never sets SIG_DFL or a bad handler on them). */
#define SELF_SIGS ((1ull << 10) | (1ull << 12) | (1ull << 14) | (1ull << 20) | (1ull << 30))

#endif
