/* test_unix_socket.c - selftests of Unix domain sockets
 * (ipc/kernel/unix_socket.c): each row runs one t_usock* user program,
 * which reports its own checks; the row then checks the program's exit
 * status and that every socket it or its children made is gone again. */
#include "kernel/test/ktest.h"
#include "ipc/kernel/unix_socket.h"

static void
run_row(const char *prog, const char *arg, const char *question)
{
	int status = ktest_run(prog, arg);

	ktest_check(status == 0, "unix-socket: %s (%s %s: status %d)", question, prog, arg, status);
	ktest_check(usock_live_count() == 0, "unix-socket: no socket is left after %s %s (%u)", prog,
		    arg, usock_live_count());
}

void
test_usock_stream(void)
{
	run_row("t_usock", "stream", "does 1 MiB cross each way intact, with EOF at the end?");
}

void
test_usock_rules(void)
{
	run_row("t_usock", "rules", "connected before accept, partial reads, EOF, EPIPE and reset");
}

void
test_usock_refused(void)
{
	run_row("t_usock", "refused", "refused connects, names in use, a full backlog, wrong states");
}

void
test_usock_dgram(void)
{
	run_row("t_usock_dg", "", "are datagram boundaries kept, and what of one that does not fit?");
}

void
test_usock_timeout(void)
{
	run_row("t_usock_wait", "timeout", "non-blocking calls and timeouts on every blocking call");
}

void
test_usock_kill(void)
{
	run_row("t_usock_wait", "kill", "does kill unblock accept, read, write, recvfrom, sendto, connect?");
}

void
test_usock_exit(void)
{
	run_row("t_usock_wait", "exit", "does exit close sockets (EOF, reset) and free their names?");
}

void
test_usock_bad(void)
{
	run_row("t_usock_bad", "", "bad descriptors, types, names, backlogs, pointers, lengths, full tables");
}

void
test_usock_ipc(void)
{
	run_row("t_usock_ipc", "driver stream", "does the one IPC interface drive the stream variant?");
	run_row("t_usock_ipc", "driver dgram", "does the one IPC interface drive the dgram variant?");
}
