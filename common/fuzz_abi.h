/*
 * fuzz_abi.h - the board shared by the fuzz selftest (kernel/test/test_fuzz.c),
 * the fuzzers (user/progs/t_fuzz/) and the victim (user/progs/t_fuzz_victim.c).
 *
 * The kernel creates one shared-memory object holding a struct fuzz_board
 * and passes its handle to every process it starts.  Each process writes
 * only its own slot: its pid, the ids of the objects it holds (so the others
 * can aim at them: "other processes' ids"), and its progress.  The board is
 * the test's instrument, not a target: the fuzzers keep its handle and its
 * mapping out of their argument pools (user/progs/t_fuzz/pools.c).
 *
 * Nothing the kernel decides rests on the board: pass or fail comes from
 * exit statuses, the leak counters and the victim's own verdict.  The board
 * gives progress, call totals and, after a hang, the call a fuzzer is in.
 */
#ifndef IPCBENCH_FUZZ_ABI_H
#define IPCBENCH_FUZZ_ABI_H

#include <stdint.h>

#define FUZZ_MAGIC     0x7a7a75665f626431ull   /* "1db_fuzz" */
#define FUZZ_MAX_PROCS 8                       /* fuzzers beside the victim */
#define FUZZ_IDS       4                       /* published ids per object type */

/* Object types whose ids are published (pids are the slot's own field). */
enum fuzz_obj {
	FUZZ_OBJ_PIPE,        /* pipe_create ids */
	FUZZ_OBJ_SHM,         /* shm_create handles */
	FUZZ_OBJ_SEM,         /* sem_create ids */
	FUZZ_OBJ_MSQ,         /* msgget ids */
	FUZZ_OBJ_MBOX,        /* mbox_create ids */
	FUZZ_OBJ_LRPC_SVC,    /* lrpc_register service ids */
	FUZZ_OBJ_LRPC_KEY,    /* keys services are registered under */
	FUZZ_OBJ_CHCORE_ID,   /* ids chcore services are registered under */
	FUZZ_OBJ_CAP,         /* chcore capabilities (per process, guessable) */
	FUZZ_OBJ_FD,          /* descriptors (per process, guessable) */
	FUZZ_OBJ_COUNT
};

struct fuzz_slot {
	volatile int64_t pid;                      /* 0 until the process starts */
	volatile int64_t uid;
	volatile int64_t ids[FUZZ_OBJ_COUNT][FUZZ_IDS];  /* 0 = none */
	volatile uint64_t calls;                   /* system calls made so far */
	volatile uint64_t succeeded;               /* of them, those that returned >= 0 */
	volatile uint64_t in_call;                 /* 1 while cur_* is in the kernel */
	volatile uint64_t cur_nr;                  /* the call being made */
	volatile uint64_t cur_args[6];
	volatile uint64_t done;                    /* 1: finished, exiting */
	volatile uint64_t rounds;                  /* victim: IPC rounds checked */
	volatile uint64_t digest;                  /* hash of every call and result:
	                                              equal digests, equal runs */
};

struct fuzz_board {
	volatile uint64_t magic;                   /* FUZZ_MAGIC, set by the kernel */
	volatile uint64_t nprocs;                  /* fuzzers started */
	volatile uint64_t stop;                    /* kernel -> victim: finish now */
	struct fuzz_slot victim;
	struct fuzz_slot fuzzer[FUZZ_MAX_PROCS];
};

/* Victim exit statuses (anything else, or killed, is a failure too). */
#define FUZZ_VICTIM_INTACT     0
#define FUZZ_VICTIM_CORRUPTED  1   /* a checksum changed */
#define FUZZ_VICTIM_IPC_FAILED 2   /* one of its own IPC round trips failed */
#define FUZZ_VICTIM_SETUP      3   /* could not create its objects */

#endif
