"""sideplots - ipcbench and Linux on one figure (sweep --with-linux, or
any results.csv whose rows come from more than one system).

systems-<unit>: three panels, one per question -
  round trip   pingpong p50 vs size, one color per mechanism, one line
               style per system (mechanisms measured on one system only
               are left out: nothing to set them against)
  bandwidth    stream MB/s vs size, the same encoding
  floors       the floors and each mechanism's smallest-size round trip as
               grouped bars, one bar per system
Rows are matched by mechanism and pattern; a mechanism whose variants differ
in name only (ipcbench's pipe is "xv6", Linux's "linux") shares its color.
"""
import os

from . import csvframe
from .plotkit import _pyplot, _save, _size_axis, human_size, unit_label, xpos

LINESTYLES = ("-", "--", ":", "-.")
BAR_FLOORS = ("floor-syscall", "floor-yield", "floor-as-switch")


def side_name(row):
    """A system as the legend shows it (linux-host comes per placement)."""
    system = csvframe.system_of(row)
    placement = row.get("placement") or ""
    return f"{system} {placement}" if system == "linux-host" and placement else system


def sides(rows):
    out = {}
    for row in rows:
        out.setdefault(side_name(row), []).append(row)
    return out


def shared(by_side, pattern):
    """{label: {side: [rows by size]}} for mechanisms on two sides or more."""
    out = {}
    for side, rows in by_side.items():
        for r in rows:
            if r["pattern"] == pattern and not csvframe.is_floor(r):
                out.setdefault(r["mech"] + ("" if r["variant"] in ("-", "") else "/" + r["variant"]),
                               {}).setdefault(side, []).append(r)
    mechs = {}
    for label, per_side in out.items():
        mechs.setdefault(label.split("/")[0], {}).update({(side, label): s
                                                          for side, s in per_side.items()})
    return {m: v for m, v in mechs.items() if len({side for side, _ in v}) > 1}


def _lines(ax, by_side, pattern, value, names):
    series = shared(by_side, pattern)
    sizes = []
    for i, (mech, per) in enumerate(sorted(series.items())):
        for (side, label), rows in per.items():
            rows = sorted((r for r in rows if value(r) is not None and
                           (pattern != "stream" or r["size"] > 0)), key=lambda r: r["size"])
            if not rows:
                continue
            ax.plot([xpos(r["size"]) for r in rows], [value(r) for r in rows],
                    color=f"C{i % 10}", linestyle=LINESTYLES[names.index(side) % 4],
                    marker="o", markersize=3, label=f"{label} ({side})")
            sizes += [r["size"] for r in rows]
    if sizes:
        ax.set_yscale("log")
        _size_axis(ax, sizes)
        ax.legend(fontsize=6, ncol=2)
    ax.grid(True, alpha=0.3)


def _bars(ax, by_side, names):
    cats = list(BAR_FLOORS)
    small = {}
    for side, rows in by_side.items():
        for r in sorted(rows, key=lambda r: r["size"]):
            if r["pattern"] == "pingpong" and not csvframe.is_floor(r):
                small.setdefault(r["mech"], {}).setdefault(side, r)
            elif r["mech"] in BAR_FLOORS:
                small.setdefault(r["mech"], {}).setdefault(side, r)
    cats += sorted(m for m, per in small.items() if m not in BAR_FLOORS and len(per) > 1)
    width = 0.8 / max(1, len(names))
    for j, side in enumerate(names):
        xs = [i + j * width for i, c in enumerate(cats) if side in small.get(c, {})]
        ys = [small[c][side]["p50"] for c in cats if side in small.get(c, {})]
        ax.bar(xs, ys, width, label=side, color=f"C{j}", edgecolor="black", linewidth=0.3,
               hatch=LINESTYLES[j % 4].replace("-", "").replace(":", "..") or None)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(cats))])
    ax.set_xticklabels([c + ("" if c in BAR_FLOORS else
                             f" {human_size(min(r['size'] for r in small[c].values()))} B")
                        for c in cats], rotation=35, ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.grid(True, axis="y", alpha=0.3)


def draw(outdir, rows):
    """The side-by-side figure per unit when rows hold several systems."""
    files = []
    for unit in dict.fromkeys(r["unit"] for r in rows):
        urows = [r for r in rows if r["unit"] == unit]
        by_side = sides(urows)
        if len(by_side) < 2:
            continue
        names = list(by_side)
        plt = _pyplot()
        fig, axes = plt.subplots(3, 1, figsize=(10, 15))
        _lines(axes[0], by_side, "pingpong", lambda r: r["p50"], names)
        axes[0].set_ylabel(f"round trip, p50 ({unit_label(unit)})")
        axes[0].set_title("Round trip (pingpong) by system; line style = system", fontsize=10)
        _lines(axes[1], by_side, "stream", lambda r: r["mbps"] or None, names)
        axes[1].set_ylabel("stream MB/s")
        axes[1].set_title("One-way stream bandwidth by system", fontsize=10)
        _bars(axes[2], by_side, names)
        axes[2].set_ylabel(f"p50 ({unit_label(unit)})")
        axes[2].set_title("Floors and each mechanism's smallest round trip", fontsize=10)
        fig.suptitle(" vs ".join(names) + f" ({unit})", fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 0.98))     # room for the suptitle
        files += _save(fig, os.path.join(outdir, f"systems-{unit}"))
        plt.close(fig)
    return files
