/*
 * proc_hooks.h - per-process resources owned by other subsystems (IPC
 * objects, file descriptors) register a release function here, so process
 * teardown reclaims them without proc.c knowing each one.
 */
#ifndef KERNEL_PROC_PROC_HOOKS_H
#define KERNEL_PROC_PROC_HOOKS_H

struct proc;

struct proc_hook {
	const char *name;
	void (*release)(struct proc *p);   /* called once, on the last thread */
};

/* Calls every registered hook's release(p), in table order. */
void proc_hooks_release(struct proc *p);

#endif
