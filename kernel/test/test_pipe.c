/* test_pipe.c - selftests of pipes and descriptors (ipc/kernel/pipe.c,
 * fd.c): each row runs one t_pipe* user program, which reports its own
 * checks; the row then checks the program's exit status and that every
 * pipe it or its children made is gone again. */
#include "kernel/test/ktest.h"
#include "kernel/proc/proc.h"
#include "ipc/kernel/pipe.h"
#include "common/string.h"

static void
run_row(const char *prog, const char *arg, const char *question)
{
	int status = ktest_run(prog, arg);

	ktest_check(status == 0, "pipe: %s (%s%s%s: status %d)", question, prog,
		    *arg ? " " : "", arg, status);
	ktest_check(pipe_live_count() == 0, "pipe: no pipe is left after %s%s%s (%u)", prog,
		    *arg ? " " : "", arg, pipe_live_count());
}

void
test_pipe_stream(void)
{
	run_row("t_pipe", "stream", "does 1 MiB cross a PIPESIZE ring intact, with EOF at the end?");
}

void
test_pipe_rules(void)
{
	run_row("t_pipe", "rules", "partial reads, EOF and EPIPE, and when each is reported");
}

void
test_pipe_writers(void)
{
	run_row("t_pipe", "writers", "do two writers' streams both arrive whole and in order?");
}

void
test_pipe_kill(void)
{
	run_row("t_pipe", "kill", "does kill unblock a blocked reader and writer?");
}

void
test_pipe_timeout(void)
{
	run_row("t_pipe", "timeout", "non-blocking calls and timeouts");
}

void
test_pipe_exit(void)
{
	run_row("t_pipe", "exit", "does exit close a process's ends and release its pipes?");
}

void
test_pipe_bad(void)
{
	run_row("t_pipe_bad", "", "bad descriptors, pointers, lengths, ids, modes, full tables");
}

void
test_pipe_anon(void)
{
	run_row("t_pipe_anon", "", "pipe(fd): two ends, passed to children, EOF/EPIPE, bad pointers and lists");
}

void
test_pipe_ipc(void)
{
	run_row("t_pipe_ipc", "driver pipe", "does the one IPC interface drive a pipe channel?");
}
