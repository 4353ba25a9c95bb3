/* test_fuzz.c - the fuzz selftest: fuzz_procs fuzzers (user/progs/t_fuzz/)
 * make fuzz_calls random and adversarial system calls in all, seeded by
 * fuzz_seed, beside a victim (t_fuzz_victim) whose data is checksummed.
 *
 * Passes when every fuzzer came back with status 0 (none was killed, none
 * hung), the victim reports its data and private queue intact, and frames,
 * heap objects and every kernel object table are back to where they were
 * before.  The plan keys are in docs/PLAN.md; docs/RELIABILITY.md says
 * what is fuzzed and how to replay a seed. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/kvm.h"
#include "kernel/mm/shm.h"
#include "kernel/time/clock.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "ipc/kernel/pipe.h"
#include "ipc/kernel/sem.h"
#include "ipc/kernel/sysv_msgq.h"
#include "ipc/kernel/mailbox.h"
#include "ipc/kernel/msg_direct.h"
#include "ipc/kernel/unix_socket.h"
#include "ipc/kernel/lrpc.h"
#include "ipc/kernel/chcore_ipc.h"
#include "common/fuzz_abi.h"
#include "common/plan.h"
#include "common/format.h"
#include "common/string.h"

#define POLL_MS      100
#define PROGRESS_NS  5000000000ull    /* a progress line every 5 s */
#define STALL_NS     60000000000ull   /* no call returned for 60 s: a hang */
#define VICTIM_STOP_NS 30000000000ull /* the victim's round takes ms; 30 s is a hang */

struct fuzz_run {
	struct fuzz_board *board;
	int64_t handle;
	struct shm_obj *obj;
	unsigned procs;
	uint64_t calls, seed;
	int victim, pid[FUZZ_MAX_PROCS], status[FUZZ_MAX_PROCS];
	int hung;
};

/* Everything the run may leave behind, counted before and after. */
struct fuzz_census {
	uint64_t frames_plus_kept, heap_live;
	unsigned procs, objects;
};

static void
census(struct fuzz_census *c)
{
	struct heap_stats h;

	sleep_ms_kernel(20);   /* exited threads are reaped by the next switch */
	heap_stats(&h);
	c->frames_plus_kept = frames_free_count() + h.kept_pages;
	c->heap_live = h.live_allocs;
	c->procs = proc_live_count();
	c->objects = shm_live_count() + pipe_live_count() + sem_live_count() +
		     msgq_live_count() + mbox_live_count() + msg_direct_live_count() +
		     usock_live_count() + lrpc_live_services() + lrpc_live_bindings() +
		     chcore_live_count();
}

static int
make_board(struct fuzz_run *r)
{
	int err;

	r->handle = shm_create(sizeof *r->board, 0, 0);   /* mappable by the kernel's children */
	if (r->handle < 0 || !(r->obj = shm_get(r->handle, &err)))
		return 0;
	r->board = phys_to_virt(shm_phys(r->obj));
	memset((void *)r->board, 0, sizeof *r->board);
	r->board->nprocs = r->procs;
	r->board->magic = FUZZ_MAGIC;
	return 1;
}

static void
drop_board(struct fuzz_run *r)
{
	if (r->obj)
		shm_put(r->obj);
	if (r->handle > 0)
		shm_destroy(r->handle);
}

static int
alive(int pid)
{
	spin_lock(&proc_lock);
	int live = pid > 0 && proc_find_locked(pid) != 0;
	spin_unlock(&proc_lock);
	return live;
}

/* One number for the whole run: under -icount, a replay must match it. */
static uint64_t
digest_of(const struct fuzz_run *r)
{
	uint64_t d = 0;

	for (unsigned i = 0; i < r->procs; i++)
		d = d * 31 + r->board->fuzzer[i].digest;
	return d;
}

/* The fuzzers' system calls so far, and how many of them succeeded. */
static uint64_t
calls_so_far(const struct fuzz_run *r, uint64_t *succeeded)
{
	uint64_t n = 0, ok = 0;

	for (unsigned i = 0; i < r->procs; i++) {
		n += r->board->fuzzer[i].calls;
		ok += r->board->fuzzer[i].succeeded;
	}
	if (succeeded)
		*succeeded = ok;
	return n;
}

/* Where each thread of pid is, from the kernel's side: its state, what it
 * sleeps on, and the system call its user frame holds (number in rax). */
static void
report_threads(const char *who, int pid)
{
	spin_lock(&proc_lock);
	struct proc *p = proc_find_locked(pid);
	for (struct thread *t = p ? p->threads : 0; t; t = t->proc_next) {
		const struct trap_frame *f = thread_user_frame(t);
		kprintf("# fuzz: %s pid %d tid %d state %d chan %p killed %d, syscall %lu (%lx, %lx, %lx, %lx)\n",
			who, pid, t->tid, (int)t->state, t->chan, t->killed, (unsigned long)f->rax,
			(unsigned long)f->rdi, (unsigned long)f->rsi, (unsigned long)f->rdx,
			(unsigned long)f->r10);
	}
	spin_unlock(&proc_lock);
}

/* The call each fuzzer still alive is in: what a hang looks like. */
static void
report_stuck(const struct fuzz_run *r)
{
	report_threads("victim", r->victim);
	for (unsigned i = 0; i < r->procs; i++) {
		const struct fuzz_slot *s = &r->board->fuzzer[i];
		if (!alive(r->pid[i]))
			continue;
		kprintf("# fuzz: fuzzer %u (pid %d) %s call %lu (%lx, %lx, %lx, %lx, %lx, %lx) after %lu calls\n",
			i, r->pid[i], s->in_call ? "stuck in" : "last made", (unsigned long)s->cur_nr,
			(unsigned long)s->cur_args[0], (unsigned long)s->cur_args[1],
			(unsigned long)s->cur_args[2], (unsigned long)s->cur_args[3],
			(unsigned long)s->cur_args[4], (unsigned long)s->cur_args[5],
			(unsigned long)s->calls);
		report_threads("fuzzer", r->pid[i]);
	}
}

/* Tells the victim to finish and waits for it, for VICTIM_STOP_NS at most. */
static int
stop_victim(struct fuzz_run *r)
{
	uint64_t t0 = clock_ns();

	r->board->stop = 1;
	while (alive(r->victim) && clock_ns() - t0 < VICTIM_STOP_NS)
		sleep_ms_kernel(POLL_MS);
	if (alive(r->victim)) {
		kprintf("# fuzz: the victim did not stop within %lu s\n",
			(unsigned long)(VICTIM_STOP_NS / 1000000000ull));
		report_threads("victim", r->victim);
		proc_kill(r->victim);
	}
	return ktest_wait(r->victim);
}

static unsigned
running(const struct fuzz_run *r)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->procs; i++)
		n += alive(r->pid[i]);
	return n;
}

/* Waits for the fuzzers, printing progress; kills them all after a stall. */
static void
watch(struct fuzz_run *r)
{
	uint64_t last = 0, t_last = clock_ns(), t_print = t_last;

	while (running(r)) {
		sleep_ms_kernel(POLL_MS);
		uint64_t now = clock_ns(), n = calls_so_far(r, 0);
		if (n != last) {
			last = n;
			t_last = now;
		}
		if (now - t_print >= PROGRESS_NS) {
			kprintf("# fuzz: %lu of %lu calls, seed %lu, victim rounds %lu\n", (unsigned long)n,
				(unsigned long)r->calls, (unsigned long)r->seed,
				(unsigned long)r->board->victim.rounds);
			t_print = now;
		}
		if (now - t_last >= STALL_NS) {
			r->hung = 1;
			report_stuck(r);
			for (unsigned i = 0; i < r->procs; i++)
				proc_kill(r->pid[i]);
			break;
		}
	}
}

static int
start(struct fuzz_run *r)
{
	char arg[96];
	uint64_t per = (r->calls + r->procs - 1) / r->procs;

	snformat(arg, sizeof arg, "%lu %ld", (unsigned long)r->seed, (long)r->handle);
	r->victim = ktest_spawn("t_fuzz_victim", arg);
	/* Its ids must be on the board before the first fuzzer looks. */
	for (int i = 0; i < 500 && r->victim > 0 && !r->board->victim.pid; i++)
		sleep_ms_kernel(10);
	for (unsigned i = 0; i < r->procs; i++) {
		snformat(arg, sizeof arg, "%lu %u %lu %ld", (unsigned long)r->seed, i,
			 (unsigned long)per, (long)r->handle);
		r->pid[i] = ktest_spawn("t_fuzz", arg);
	}
	return r->victim > 0 && r->board->victim.pid;
}

static void
judge(struct fuzz_run *r, const struct fuzz_census *before, uint64_t t0)
{
	struct fuzz_census after;
	int all_zero = 1;
	char statuses[8 * FUZZ_MAX_PROCS + 1] = "", *p = statuses;

	for (unsigned i = 0; i < r->procs; i++) {
		r->status[i] = ktest_wait(r->pid[i]);
		all_zero &= r->status[i] == 0;
		p += snformat(p, statuses + sizeof statuses - p, "%s%x", i ? "," : "", r->status[i]);
	}
	int victim = stop_victim(r);
	uint64_t ok, made = calls_so_far(r, &ok);
	uint64_t rounds = r->board->victim.rounds, digest = digest_of(r);
	drop_board(r);
	census(&after);
	kprintf("# fuzz: %lu calls by %u fuzzers in %lu ms, seed %lu, digest %016lx\n", (unsigned long)made,
		r->procs, (unsigned long)((clock_ns() - t0) / 1000000), (unsigned long)r->seed,
		(unsigned long)digest);
	kprintf("# fuzz: %lu calls succeeded, %lu returned an error\n", (unsigned long)ok,
		(unsigned long)(made - ok));
	ktest_check(!r->hung, "fuzz: no fuzzer hung in a call for %lu s", (unsigned long)(STALL_NS / 1000000000ull));
	ktest_check(all_zero && made >= r->calls,
		    "fuzz: %u fuzzers made %lu of %lu calls and all came back (statuses %s)", r->procs,
		    (unsigned long)made, (unsigned long)r->calls, statuses);
	ktest_check(victim == FUZZ_VICTIM_INTACT,
		    "fuzz: the victim's memory, shared memory and IPC stayed intact (status %x, %lu rounds)",
		    victim, (unsigned long)rounds);
	ktest_check(after.procs == before->procs && after.objects == before->objects,
		    "fuzz: no process or kernel object left (processes %u, was %u; objects %u, was %u)",
		    after.procs, before->procs, after.objects, before->objects);
	ktest_check(after.frames_plus_kept == before->frames_plus_kept && after.heap_live == before->heap_live,
		    "fuzz: frames and heap back to baseline (frames+kept %lu, was %lu; heap objects %lu, was %lu)",
		    (unsigned long)after.frames_plus_kept, (unsigned long)before->frames_plus_kept,
		    (unsigned long)after.heap_live, (unsigned long)before->heap_live);
}

void
test_fuzz(void)
{
	const struct plan *p = ktest_plan();
	struct fuzz_run r = { .procs = p->fuzz_procs, .calls = p->fuzz_calls, .seed = p->fuzz_seed };
	struct fuzz_census before;
	uint64_t t0 = clock_ns();
	unsigned failed_before = ktest_failures();

	census(&before);
	kprintf("# fuzz: %lu calls, %u fuzzers, seed %lu\n", (unsigned long)r.calls, r.procs,
		(unsigned long)r.seed);
	if (!ktest_check(make_board(&r), "fuzz: the board is made"))
		return;
	if (!ktest_check(start(&r), "fuzz: the victim started and published its ids")) {
		r.board->stop = 1;
		for (unsigned i = 0; i < r.procs; i++)
			proc_kill(r.pid[i]);
	} else {
		watch(&r);
	}
	judge(&r, &before, t0);
	if (ktest_failures() != failed_before)
		kprintf("# fuzz: replay with ./run.py fuzz --calls %lu --seed %lu --procs %u --icount\n",
			(unsigned long)r.calls, (unsigned long)r.seed, r.procs);
}
