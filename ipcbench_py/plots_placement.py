"""plots_placement - the same-core / cross-core matrix (issue 12): for each
boot configuration that measured both placements, one figure with a panel
per message size (8 B and 4 KiB when the run has them), one pair of bars
per mechanism/variant: the round trip's p50 with both ends on one CPU and
with the server on another, and the ratio cross/same beside them.

A case that ran at one placement only (the same-core rows of shm-poll
spin/periodic are skipped when cross-core rows run: a poller's partner on
its own CPU waits for the time slice to end) shows one bar and says so.
Repeated boots of a configuration are pooled by the median, as elsewhere.
"""
import os

from . import csvframe, stats
from .plotkit import _save, human_size, unit_label

PLACES = ("same-core", "cross-core")
COLORS = {"same-core": "#4c72b0", "cross-core": "#dd8452"}
WANTED_SIZES = (8, 4096)
ROUND_TRIPS = ("pingpong", "call")


def _name(row):
    return csvframe.label(row) + (" call" if row["pattern"] == "call" else "")


def matrix(rows):
    """{configuration key (group key less placement): {(name, size):
    {placement: median p50}}} of the round-trip rows of configurations that
    have both placements."""
    by = {}
    for r in rows:
        where = r.get("placement") or ""
        if where not in PLACES or csvframe.is_floor(r) or r["pattern"] not in ROUND_TRIPS:
            continue
        cell = by.setdefault(csvframe.group_key(r)[:5], {}) \
            .setdefault((_name(r), r["size"]), {})
        cell.setdefault(where, []).append(r["p50"])
    out = {}
    for key, cells in by.items():
        seen = {w for cell in cells.values() for w in cell}
        if seen == set(PLACES):
            out[key] = {c: {w: stats.median(v) for w, v in cell.items()}
                        for c, cell in cells.items()}
    return out


def sizes_for(cells):
    """The panels: 8 B and 4 KiB, or the smallest and largest size there is."""
    have = sorted({size for _, size in cells})
    picked = [s for s in WANTED_SIZES if s in have]
    if not picked and have:
        picked = sorted({have[0], have[-1]})
    return picked


def _panel(ax, cells, size, unit):
    names = sorted({n for n, s in cells if s == size})
    ys = range(len(names))
    for k, where in enumerate(PLACES):
        vals = [cells[(n, size)].get(where) for n in names]
        ax.barh([y + (k - 0.5) * 0.4 for y in ys], [v or 0 for v in vals], height=0.4,
                color=COLORS[where], label=where)
    for y, n in zip(ys, names):
        cell = cells[(n, size)]
        same, cross = cell.get("same-core"), cell.get("cross-core")
        note = (f"x{cross / same:.2f}" if same and cross else
                "same-core skipped" if cross else "cross-core missing")
        ax.text(max(v for v in (same, cross) if v) * 1.15, y, note, va="center",
                fontsize=7)
    values = [v for n in names for v in cells[(n, size)].values() if v]
    if values:          # room on the right for the notes
        ax.set_xlim(min(values) / 2, max(values) * 30)
    ax.set_yticks(list(ys))
    ax.set_yticklabels(names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(f"round trip p50 ({unit_label(unit)})")
    ax.set_title(f"{human_size(size)} bytes", fontsize=9)
    ax.grid(True, axis="x", which="major", alpha=0.3)


def draw(plt, rows, outdir, labels_of=None):
    """One figure per configuration with both placements; returns the files.
    labels_of(key) may give the caption (plots.labels_for)."""
    files = []
    for key, cells in matrix(rows).items():
        sizes = sizes_for(cells)
        if not sizes:
            continue
        n = max(len({c for c, s in cells if s == size}) for size in sizes)
        fig, axes = plt.subplots(1, len(sizes), figsize=(5.5 * len(sizes), 1.2 + 0.3 * n),
                                 squeeze=False)
        for ax, size in zip(axes[0], sizes):
            _panel(ax, cells, size, key[2])
        handles, names = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, names, fontsize=7, loc="upper right", ncol=2)
        name = csvframe.group_name(key)
        labels = labels_of(key) if labels_of else None
        fig.suptitle(f"Same-core / cross-core round trips - {name}\n(bars: p50; "
                     "xN: cross-core / same-core)", fontsize=10)
        fig.tight_layout()
        files += _save(fig, os.path.join(outdir, f"placement-{name}"), labels)
        plt.close(fig)
    return files
