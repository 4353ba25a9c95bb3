/* t_fuzz_victim.c - the process the fuzzers must not be able to harm.
 *
 * Argument "SEED BOARD": runs as root beside uid-1000+ fuzzers, fills
 * private memory and a shared-memory object of its own with a pattern from
 * SEED, publishes its pid and its object ids on the board (so the fuzzers
 * aim at them), and until the kernel sets board->stop keeps doing IPC
 * round trips with itself and re-checking both checksums.
 *
 * Every object it uses is its own, and the fuzzers are strangers to it
 * (other uid, not in its line: docs/ARCHITECTURE.md, "Who may use what"),
 * so each round trip must come back whole: through its SysV queue (mode
 * 0600), its named pipe, its mailbox and its semaphore.
 *
 * Exit status (common/fuzz_abi.h): FUZZ_VICTIM_INTACT when both checksums
 * held to the end and every round trip came back intact; CORRUPTED or
 * IPC_FAILED otherwise.
 */
#include "user/lib/ipcbench.h"
#include "common/fuzz_abi.h"
#include "common/sysv_abi.h"
#include "common/msg_abi.h"
#include "ipc/user/pipe.h"
#include "ipc/user/sysv.h"
#include "ipc/user/sem.h"
#include "ipc/user/mailbox.h"

#define PRIVATE_BYTES (64u << 10)
#define SHARED_BYTES  (16u << 10)
#define MSG_BYTES     64
#define ROUND_NS      2000000ull     /* one round of IPC every 2 ms */
#define WAIT_NS       5000000ull     /* a round trip to ourselves: 5 ms at most */

static uint8_t private_data[PRIVATE_BYTES];

struct victim {
	struct fuzz_board *board;
	uint8_t *shared;
	uint32_t private_sum, shared_sum;
	long msq, pipe, rfd, wfd, sem, mbox;
	uint64_t rng, rounds, failed_rounds;
};

static uint64_t
next(struct victim *v)
{
	v->rng = v->rng * 6364136223846793005ull + 1442695040888963407ull;
	return v->rng >> 17;
}

static void
fill(struct victim *v, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next(v);
}

static int
make_objects(struct victim *v, long shm)
{
	long va = usys_shm_map(shm, PROT_READ | PROT_WRITE);

	v->msq = usys_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	v->pipe = usys_pipe_create();
	v->rfd = usys_pipe_open(v->pipe, FD_READ);
	v->wfd = usys_pipe_open(v->pipe, FD_WRITE);
	v->sem = usys_sem_create(1);
	v->mbox = usys_mbox_create(4, MBOX_ANY_RECEIVER);
	if (va < 0 || v->msq < 0 || v->pipe < 0 || v->rfd < 0 || v->wfd < 0 || v->sem < 0 || v->mbox < 0)
		return 0;
	v->shared = (uint8_t *)va;
	return 1;
}

static void
publish(struct victim *v, long shm)
{
	struct fuzz_slot *me = &v->board->victim;

	me->ids[FUZZ_OBJ_SHM][0] = shm;
	me->ids[FUZZ_OBJ_MSQ][0] = v->msq;
	me->ids[FUZZ_OBJ_PIPE][0] = v->pipe;
	me->ids[FUZZ_OBJ_FD][0] = v->rfd;
	me->ids[FUZZ_OBJ_FD][1] = v->wfd;
	me->ids[FUZZ_OBJ_SEM][0] = v->sem;
	me->ids[FUZZ_OBJ_MBOX][0] = v->mbox;
	me->uid = 0;
	me->pid = usys_getpid();
}

static int
queue_round(struct victim *v)
{
	struct { long mtype; uint8_t text[MSG_BYTES]; } out, in;

	out.mtype = 1 + (long)(next(v) % 7);
	fill(v, out.text, sizeof out.text);
	if (usys_msgsnd(v->msq, &out, sizeof out.text, IPC_NOWAIT) < 0)
		return 0;
	long n = usys_msgrcv(v->msq, &in, sizeof in.text, 0, IPC_NOWAIT);
	return n == MSG_BYTES && in.mtype == out.mtype && !memcmp(in.text, out.text, MSG_BYTES);
}

static int
pipe_mbox_sem_round(struct victim *v)
{
	uint8_t out[MSG_BYTES], in[MSG_BYTES];
	int ok = 1;

	fill(v, out, sizeof out);
	ok &= syscall4(SYS_FD_WRITE, v->wfd, (long)out, MSG_BYTES, (long)WAIT_NS) == MSG_BYTES &&
	      syscall4(SYS_FD_READ, v->rfd, (long)in, MSG_BYTES, (long)WAIT_NS) == MSG_BYTES &&
	      !memcmp(in, out, MSG_BYTES);
	ok &= usys_mbox_send(v->mbox, out, MSG_BYTES, WAIT_NS, 0) >= 0 &&
	      usys_mbox_recv(v->mbox, in, MSG_BYTES, WAIT_NS, 0) == MSG_BYTES &&
	      !memcmp(in, out, MSG_BYTES);
	ok &= usys_sem_p(v->sem, WAIT_NS) == 0 && usys_sem_v(v->sem) == 0;
	return ok;
}

/* Which of its data changed: none (""), or a name for the report. */
static const char *
damage(struct victim *v)
{
	if (checksum(private_data, PRIVATE_BYTES) != v->private_sum)
		return "private memory CORRUPTED";
	if (checksum(v->shared, SHARED_BYTES) != v->shared_sum)
		return "its shared-memory object CORRUPTED";
	return "";
}

static int
run(struct victim *v, const char **what)
{
	while (!v->board->stop) {
		if (*(*what = damage(v)))
			return FUZZ_VICTIM_CORRUPTED;
		v->failed_rounds += !queue_round(v) || !pipe_mbox_sem_round(v);
		v->board->victim.rounds = ++v->rounds;
		usys_sleep_ns(ROUND_NS);
	}
	if (*(*what = damage(v)))
		return FUZZ_VICTIM_CORRUPTED;
	return v->failed_rounds ? FUZZ_VICTIM_IPC_FAILED : FUZZ_VICTIM_INTACT;
}

int
main(const char *arg, unsigned long arglen)
{
	struct victim v = { 0 };
	long seed, handle, shm;
	const char *s = arg_next_long(arg, &seed);

	if (!s || !arg_next_long(s, &handle))
		return FUZZ_VICTIM_SETUP;
	long board = usys_shm_map(handle, PROT_READ | PROT_WRITE);
	if (board < 0 || (shm = usys_shm_create(SHARED_BYTES)) < 0)
		return FUZZ_VICTIM_SETUP;
	v.board = (struct fuzz_board *)board;
	v.rng = (uint64_t)seed | 1;
	if (!make_objects(&v, shm))
		return FUZZ_VICTIM_SETUP;
	fill(&v, private_data, PRIVATE_BYTES);
	fill(&v, v.shared, SHARED_BYTES);
	v.private_sum = checksum(private_data, PRIVATE_BYTES);
	v.shared_sum = checksum(v.shared, SHARED_BYTES);
	publish(&v, shm);
	const char *what = "";
	int status = run(&v, &what);
	uprintf("fuzz victim: %lu IPC rounds, %lu failed, %s\n", (unsigned long)v.rounds,
		(unsigned long)v.failed_rounds, *what ? what : "data intact");
	usys_msgctl(v.msq, IPC_RMID, 0);
	return status;
}
