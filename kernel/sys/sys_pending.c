/*
 * sys_pending.c - weak -ENOSYS defaults for syscalls whose mechanism has
 * not landed yet.  Each mechanism's strong definition replaces its entry at
 * link time; this file is deleted once every entry has one.
 */
#include "kernel/sys/syscall.h"
#include "common/errno.h"

#define PENDING(name) \
	__attribute__((weak)) long name(const struct sys_args *a) { return -ENOSYS; }

