/*
 * shm.h - shared-memory objects: physically contiguous zeroed frames that
 * several address spaces map, named by a handle.
 *
 * Who may use a handle from user space (docs/ARCHITECTURE.md, "Who may use
 * what"): the creator and the processes it spawned, directly or not, may
 * map it; only the creator may destroy it; an object the kernel made for a
 * mechanism (SHM_KERNEL: a ChCore message buffer, LRPC A-stacks) is mapped
 * only by the kernel.  Everyone else gets -EPERM.
 *
 * An object lives while it has mappings or is not yet destroyed; handles
 * carry a generation so a stale handle never reaches a reused slot.
 */
#ifndef KERNEL_MM_SHM_H
#define KERNEL_MM_SHM_H

#include <stdint.h>

#define SHM_MAX_OBJECTS 128
#define SHM_MAX_BYTES   (64ull << 20)

struct shm_obj;
struct proc;

#define SHM_KERNEL 1u             /* shm_create flag: not usable by handle */

/* Creates an object of len bytes (rounded up to pages) owned by pid.
 * Returns a handle > 0, or -EINVAL / -ENOMEM / -ENOSPC. */
int64_t shm_create(uint64_t len, int owner_pid, unsigned flags);
/* Takes a mapping reference; NULL (with *err = -EINVAL) for a bad or
 * destroyed handle. */
struct shm_obj *shm_get(int64_t handle, int *err);
void shm_put(struct shm_obj *obj);
/* No new mappings; memory goes when the last mapping does. */
int shm_destroy(int64_t handle);
/* The same two for a handle from the calling process: -EPERM when the
 * permission model above refuses it. */
struct shm_obj *shm_get_user(int64_t handle, int *err);
int shm_destroy_user(int64_t handle);
/* Destroys every object p created (its exit: a proc_hooks row).  One still
 * mapped, by p itself too, is freed by its last unmap. */
void shm_release_proc(struct proc *p);

uint64_t shm_phys(const struct shm_obj *obj);
uint64_t shm_size(const struct shm_obj *obj);
unsigned shm_live_count(void);

#endif
