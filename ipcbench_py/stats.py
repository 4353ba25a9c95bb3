"""stats - summaries over repeated boots: median and a bootstrap confidence
interval of the median, and whether two intervals overlap (a difference
inside the noise).

Deterministic on purpose (fixed seed): the same results.csv always gives
the same summary.md and compare table.
"""
import random

RESAMPLES = 2000
SEED = 13
LEVEL = 0.95


def median(values):
    s = sorted(values)
    n = len(s)
    if not n:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def bootstrap_ci(values, level=LEVEL, resamples=RESAMPLES, seed=SEED):
    """(low, high) percentile-bootstrap interval of the median, or None
    with fewer than two values (one boot says nothing about the noise)."""
    values = list(values)
    if len(values) < 2:
        return None
    rng = random.Random(seed)
    n = len(values)
    meds = sorted(median([values[rng.randrange(n)] for _ in range(n)])
                  for _ in range(resamples))
    tail = (1 - level) / 2
    lo = meds[int(tail * (resamples - 1))]
    hi = meds[int(round((1 - tail) * (resamples - 1)))]
    return lo, hi


def overlap(a, b):
    """True when the intervals a and b (low, high) share a point."""
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]
