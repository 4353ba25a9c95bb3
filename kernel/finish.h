/* finish.h - the one way a run ends: print the result line, then power off
 * (or halt with the message on screen when the plan says end = halt). */
#ifndef KERNEL_FINISH_H
#define KERNEL_FINISH_H

struct plan;

/* Registers the plan whose `end` key decides between power-off and halt. */
void finish_set_plan(const struct plan *p);

/* Prints "ipcbench: result PASS" or "ipcbench: result FAIL (reason)". */
void kernel_finish(int pass, const char *reason) __attribute__((noreturn));

#endif
