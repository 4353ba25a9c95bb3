/* shm.c - the table of shared-memory objects (see shm.h). */
#include "kernel/mm/shm.h"
#include "kernel/mm/frames.h"
#include "kernel/sync/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/idtable.h"
#include "common/errno.h"

struct shm_obj {
	int64_t handle;              /* its id in shms; 0 = free slot */
	uint64_t phys, pages;
	int refs;                    /* mappings */
	int destroyed;
	int owner_pid;               /* the creator: may destroy; its exit destroys */
	int kernel_only;             /* no shm_map/shm_destroy by handle (SHM_KERNEL) */
};

/* shm_lock must be held when using shms (the handles) and slots[].
 * Object i lives in slots[i], static: mappings point at it. */
static struct spinlock shm_lock = SPINLOCK_INIT("shm");
IDTABLE_DEFINE(shms, SHM_MAX_OBJECTS);
static struct shm_obj slots[SHM_MAX_OBJECTS];

/* Frees an object with no mappings that is destroyed; shm_lock held. */
static void
maybe_free(struct shm_obj *o)
{
	if (o->refs == 0 && o->destroyed) {
		frames_free(o->phys, o->pages);
		idtable_remove(&shms, o->handle);
		o->handle = 0;
	}
}

/* A live object that is not destroyed, or NULL. */
static struct shm_obj *
lookup(int64_t handle)
{
	struct shm_obj *o = idtable_lookup(&shms, handle);
	return o && !o->destroyed ? o : 0;
}

int64_t
shm_create(uint64_t len, int owner_pid, unsigned flags)
{
	if (!len || len > SHM_MAX_BYTES)
		return -EINVAL;
	uint64_t pages = (len + 4095) / 4096;
	uint64_t phys = frames_alloc(pages);
	if (!phys)
		return -ENOMEM;
	spin_lock(&shm_lock);
	int slot = idtable_free_slot(&shms);
	if (slot >= 0) {
		struct shm_obj *o = &slots[slot];
		o->handle = idtable_insert_at(&shms, (unsigned)slot, o);
		o->phys = phys;
		o->pages = pages;
		o->refs = 0;
		o->destroyed = 0;
		o->owner_pid = owner_pid;
		o->kernel_only = (flags & SHM_KERNEL) != 0;
		int64_t handle = o->handle;    /* read under the lock */
		spin_unlock(&shm_lock);
		return handle;
	}
	spin_unlock(&shm_lock);
	frames_free(phys, pages);
	return -ENOSPC;
}

struct shm_obj *
shm_get(int64_t handle, int *err)
{
	spin_lock(&shm_lock);
	struct shm_obj *o = lookup(handle);
	if (o)
		o->refs++;
	spin_unlock(&shm_lock);
	*err = o ? 0 : -EINVAL;
	return o;
}

void
shm_put(struct shm_obj *o)
{
	spin_lock(&shm_lock);
	o->refs--;
	maybe_free(o);
	spin_unlock(&shm_lock);
}

int
shm_destroy(int64_t handle)
{
	spin_lock(&shm_lock);
	struct shm_obj *o = lookup(handle);
	if (o) {
		o->destroyed = 1;
		maybe_free(o);
	}
	spin_unlock(&shm_lock);
	return o ? 0 : -EINVAL;
}

/* The permission model for a handle from user space (shm.h).  Read under
 * the lock, judged after it (proc_in_line_of takes proc_lock); the caller
 * looks the handle up again, and a handle is never reused, so a verdict
 * cannot carry over to another object. */
static int
user_may(int64_t handle, int destroy)
{
	spin_lock(&shm_lock);
	struct shm_obj *o = lookup(handle);
	int owner = o ? o->owner_pid : 0, kernel_only = o && o->kernel_only;
	spin_unlock(&shm_lock);
	if (!o)
		return -EINVAL;
	if (kernel_only)
		return -EPERM;
	if (destroy ? current_proc()->pid != owner : !proc_in_line_of(owner))
		return -EPERM;
	return 0;
}

struct shm_obj *
shm_get_user(int64_t handle, int *err)
{
	*err = user_may(handle, 0);
	return *err ? 0 : shm_get(handle, err);
}

int
shm_destroy_user(int64_t handle)
{
	int err = user_may(handle, 1);
	return err ? err : shm_destroy(handle);
}

void
shm_release_proc(struct proc *p)
{
	int pid = p->pid;

	spin_lock(&shm_lock);
	for (unsigned i = 0; i < SHM_MAX_OBJECTS; i++) {
		struct shm_obj *o = idtable_at(&shms, i);
		if (o && !o->destroyed && o->owner_pid == pid) {
			o->destroyed = 1;
			maybe_free(o);
		}
	}
	spin_unlock(&shm_lock);
}

uint64_t shm_phys(const struct shm_obj *o) { return o->phys; }
uint64_t shm_size(const struct shm_obj *o) { return o->pages * 4096; }

unsigned
shm_live_count(void)
{
	spin_lock(&shm_lock);
	unsigned n = idtable_live(&shms);
	spin_unlock(&shm_lock);
	return n;
}
