"""samples - every measured iteration's value (the guest's "@s" lines,
docs/CSV.md) as results/<run>/samples.csv.gz, and the time conversion
from the boot's measured TSC frequency.

samples.csv.gz columns: boot, mech, variant, pattern, size, unit, index,
value, placement - one line per sample, in iteration order, value in
`unit`; placement (same-core, cross-core or empty) tells a case's two rows
of one boot apart.  Files from before it have no placement column.
"""
import csv
import gzip
import io

from . import csvframe

FILE = "samples.csv.gz"
COLUMNS = ("boot", "mech", "variant", "pattern", "size", "unit", "index", "value",
           "placement")


def ns_per_unit(unit, tsc_khz):
    """ns per count of `unit`, or None when the unit is not a clock the
    boot measured (instructions under icount are not time)."""
    if unit == "cycles" and tsc_khz:
        return 1e6 / tsc_khz
    if unit == "ns":
        return 1.0
    return None


def add_ns(row, tsc_khz):
    """The row with p50_ns set (None when it has no time)."""
    k = ns_per_unit(row["unit"], tsc_khz)
    return dict(row, **{csvframe.NS_COLUMN: round(row["p50"] * k, 1) if k else None})


def write(path, items):
    """items: (boot name, row, [values]) -> gzip CSV.  Returns the count."""
    n = 0
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for boot, row, values in items:
            head = (boot, row["mech"], row["variant"], row["pattern"], row["size"],
                    row["unit"])
            where = row.get("placement") or ""
            for i, v in enumerate(values):
                w.writerow(head + (i, v, where))
            n += len(values)
    return n


def read(path):
    """{(boot, mech, variant, pattern, size, placement): (unit, [values])};
    placement "" in files from before the column."""
    out = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = tuple(next(r, None) or ())
        if header not in (COLUMNS, COLUMNS[:-1]):
            raise csvframe.SchemaError(f"{path}: header is not {','.join(COLUMNS)}")
        for boot, mech, variant, pattern, size, unit, _, value, *where in r:
            key = (boot, mech, variant, pattern, int(size), where[0] if where else "")
            out.setdefault(key, (unit, []))[1].append(int(value))
    return out


def percentile(sorted_values, pct):
    """Nearest rank, as the guest computes p50/p90/p99 (bench/stats.c)."""
    n = len(sorted_values)
    rank = -(-pct * n // 100)
    return sorted_values[max(1, int(rank)) - 1]
