/* sys.c - out-of-line exit paths for the assembly entry points, which cannot
 * use sys.h's inline wrappers. */
#include "user/lib/sys.h"

void
exit(int status)
{
	usys_exit(status);
}

void
thread_user_exit(void)
{
	usys_thread_exit();
}
