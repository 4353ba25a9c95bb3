"""eta - time left in a benchmark boot from a per-case cost model and the
measured pace.

Cases differ by orders of magnitude: under TCG a polling mechanism waits
whole time slices per round trip (shm-poll/spin: 148-307 s per case in a
quick -icount sweep where a pipe case takes 1-6 s), so "the average case so
far" is wrong by 10x when the slow ones come first.  The model gives each
planned case a weight - its expected guest time, iterations x the mean of
the same case in the reference run (results/reference/*/results.csv), capped
at the guest's time budget for round trips - and the pace, wall seconds per
unit of weight, is measured on the cases that finished.  Cases the
reference lacks get the median weight of their mechanism (or of all).
"""
import glob
import os

from . import csvframe

REFERENCE_GLOB = os.path.join("results", "reference", "*", "results.csv")
# bench/bench.h: BENCH_CASE_BUDGET_S (round trips stop after this much guest
# time); read from the header so the two cannot drift apart.
BENCH_H = os.path.join("bench", "bench.h")
# Spawning two ends, preparing and reporting: a small fixed cost per case
# (in the weight's unit, guest seconds), so empty cases are not free.
CASE_OVERHEAD = 0.01


def _budget_s(repo):
    import re
    try:
        with open(os.path.join(repo, BENCH_H), encoding="utf-8") as f:
            m = re.search(r"#define\s+BENCH_CASE_BUDGET_S\s+(\d+)", f.read())
    except OSError:
        m = None
    return int(m.group(1)) if m else None


def reference_means(repo):
    """{(mech, variant, pattern, size): guest seconds per iteration} of the
    reference runs (instructions under icount are counted as ns)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(repo, REFERENCE_GLOB))):
        try:
            rows = csvframe.read(path)
        except (OSError, csvframe.SchemaError):
            continue
        for r in rows:
            per_s = 1e-9 if r["unit"] in ("instructions", "ns") else None
            if per_s is None:
                continue            # cycles of an unknown rate: no time
            out.setdefault((r["mech"], r["variant"], r["pattern"], r["size"]),
                           r["mean"] * per_s)
    return out


class CostModel:
    def __init__(self, weights):
        self.weights = list(weights)
        self.prefix = [0.0]
        for w in self.weights:
            self.prefix.append(self.prefix[-1] + w)

    @classmethod
    def build(cls, repo, planned, iters, warmup):
        """Weights of the planned cases (registry.planned_cases)."""
        means = reference_means(repo)
        budget = _budget_s(repo)
        per_mech = {}
        for (mech, *_), v in means.items():
            per_mech.setdefault(mech, []).append(v)
        every = sorted(means.values()) or [1e-6]
        weights = []
        for case in planned:
            # A cross-core case costs what the reference measured for the
            # case (same-core, or before placements): an estimate only.
            mean = means.get(tuple(case[:4]))
            if mean is None:
                mine = sorted(per_mech.get(case[0], every))
                mean = mine[len(mine) // 2]
            t = mean * (iters + warmup)
            if budget and case[2] != "stream":
                t = min(t, 2 * budget)          # warm-up and measured phase
            weights.append(t + CASE_OVERHEAD)
        return cls(weights)

    def left(self, done, elapsed_s):
        """Seconds left after `done` cases took elapsed_s, or None."""
        if done <= 0 or done > len(self.weights) or self.prefix[done] <= 0:
            return None
        pace = elapsed_s / self.prefix[done]
        return pace * (self.prefix[-1] - self.prefix[done])
