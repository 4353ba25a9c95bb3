/* watchdog.c - the fuzzer's second thread.  Every timeout the fuzzer
 * passes is short (gen.c, rule "bounded waits"), but two calls have none:
 * usys_chcore_call waits for the server's reply, usys_chcore_reply_recv with
 * CHCORE_RECV for the next request.  Two fuzzers can wait on each other
 * there for good, legitimately.  The watchdog closes the capability such a
 * call has waited on for more than WATCHDOG_NS, which the kernel must
 * answer by waking the call with -ECONNRESET.  Its own calls are not
 * counted or published: it is part of the test, not of the fuzzing. */
#include "user/progs/t_fuzz/fuzz.h"
#include "common/chcore_abi.h"

#define WATCHDOG_STACK (16u << 10)

static int
unbounded(uint64_t nr, uint64_t flags)
{
	return nr == SYS_CHCORE_CALL || (nr == SYS_CHCORE_REPLY_RECV && (flags & CHCORE_RECV));
}

static void
watchdog_loop(void *unused)
{
	uint64_t seen_calls = ~0ull;

	while (!fz.finished) {
		usys_sleep_ns(WATCHDOG_NS);
		struct fuzz_slot *me = fz.me;
		uint64_t calls = me->calls;
		if (me->in_call && calls == seen_calls && unbounded(me->cur_nr, me->cur_args[1]))
			syscall1(SYS_CHCORE_CLOSE, (long)me->cur_args[0]);
		seen_calls = me->in_call ? calls : ~0ull;
	}
}

int
watchdog_start(void)
{
	long stack = usys_map_anon(WATCHDOG_STACK, PROT_READ | PROT_WRITE);

	if (stack < 0)
		return (int)stack;
	fz.watchdog_tid = thread_start(watchdog_loop, (void *)(stack + WATCHDOG_STACK), 0);
	return (int)fz.watchdog_tid;
}
