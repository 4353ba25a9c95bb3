/*
 * chcore_caps_none.c - the ChCore caps table of a process that holds no
 * cap (proc.h): every slot empty, read-only, so the fast path's lookup
 * never meets a NULL table.  Its own file: proc.c gives it to every new
 * process and must not depend on chcore_ipc.c, which depends on proc.c
 * (tools/depcycles.py).
 */
#include "ipc/kernel/chcore_ipc.h"
#include "kernel/proc/proc.h"

const struct chcore_caps chcore_caps_none;
_Static_assert(CAP_NONE == 0, "chcore_caps_none's zeroed slots are empty");
