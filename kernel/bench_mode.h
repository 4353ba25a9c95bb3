/* bench_mode.h - plan mode "bench": runs the user program "bench" as the
 * benchmark driver with the plan's benchmark keys as its arguments. */
#ifndef KERNEL_BENCH_MODE_H
#define KERNEL_BENCH_MODE_H

struct plan;

/* Returns 0 when every case produced a row, nonzero otherwise. */
int bench_mode_run(const struct plan *p);
/* The same, but with pcid = both and PCID in use: two passes in this boot,
 * PCID on then off (rows told apart by their pcid column). */
int bench_mode_run_passes(const struct plan *p);

#endif
