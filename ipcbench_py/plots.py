"""plots - figures from results.csv (matplotlib, Agg backend; PNG and SVG).

One set of figures per boot configuration (accel, PCID in effect, unit), so
rows measured under different conditions never share an axis:
  latency-<cfg>    round-trip p50 vs message size, log-log, one line per
                   mechanism/variant (pingpong solid, call dashed); bars
                   span min..p90; floors marked
  bandwidth-<cfg>  stream MB/s vs message size
  smallmsg-<cfg>   every mechanism's smallest-size round trip (pingpong,
                   and call hatched) p50 as a bar,
                   with the null syscall, yield and address-space switch
                   floors as horizontal lines
  events-<cfg>     kernel events per round trip at one size, stacked
                   (syscalls, switches, AS switches, TLB flushes, wakeups),
                   and kernel-copied bytes per round trip beside it
  placement-<cfg>  the same-core / cross-core matrix, when a configuration
                   has both placements (plots_placement.py)
"""
import os
import textwrap

from . import csvframe, stages
from .plotkit import (_pyplot, _save, _size_axis, finish_with_suptitle, human_size,
                      series_style, unit_label, xpos)

LINE_FLOORS = (("floor-syscall", "null syscall"), ("floor-yield", "thread yield"),
               ("floor-as-switch", "AS switch (yield)"))
EVENTS = (("syscalls_per_op", "syscalls"), ("switches_per_op", "context switches"),
          ("as_switches_per_op", "AS switches"), ("tlb_flushes_per_op", "TLB flushes"),
          ("wakeups_per_op", "wakeups"))


class PlotError(Exception):
    pass


def dedupe(rows, warn):
    """One row per (mech, variant, pattern, size) within a group; a second
    boot with the same accel and PCID in effect is reported and left out."""
    seen, out = set(), []
    for row in rows:
        key = (row["mech"], row["variant"], row["pattern"], row["size"])
        if key in seen:
            warn(f"duplicate row {csvframe.case_name(row)} (two boots with the "
                 "same accel and PCID in effect); plotting the first")
            continue
        seen.add(key)
        out.append(row)
    return out


def by_label(rows, pattern):
    out = {}
    for row in rows:
        if row["pattern"] == pattern and not csvframe.is_floor(row):
            out.setdefault(csvframe.label(row), []).append(row)
    for series in out.values():
        series.sort(key=lambda r: r["size"])
    return out


def round_trips(rows):
    """Pingpong series, then call series (labelled 'name call'): both are
    request/reply round trips, so they share the latency figures."""
    out = by_label(rows, "pingpong")
    out.update({f"{k} call": v for k, v in by_label(rows, "call").items()})
    return out


def floor_p50(rows, mech):
    for row in rows:
        if row["mech"] == mech:
            return row["p50"]
    return None


class Labels(str):
    """A figure's short title (what the f-strings print) with the caption
    under every figure: machine, accel, icount, iterations, date, and what
    the unit means; ns_per_unit for the second axis (None: no time axis)."""

    def __new__(cls, title, caption="", ns_per_unit=None):
        obj = super().__new__(cls, title)
        obj.caption, obj.ns_per_unit = caption, ns_per_unit
        return obj


FLOOR_STYLES = ("--", "-.", ":")


def _floor_lines(ax, rows):
    """The size-independent floors as labelled horizontal lines."""
    for i, (mech, name) in enumerate(LINE_FLOORS):
        v = floor_p50(rows, mech)
        if v:
            ax.axhline(v, color="black", linestyle=FLOOR_STYLES[i], linewidth=1.1,
                       label=f"floor, {name}: {v:,}")


def _ns_axis(ax, labels):
    """A right-hand axis in ns when the unit is TSC cycles of known rate."""
    k = getattr(labels, "ns_per_unit", None)
    if not k:
        return
    sec = ax.secondary_yaxis("right", functions=(lambda c: c * k, lambda n: n / k))
    sec.set_ylabel("ns (measured TSC rate)")


def latency(plt, rows, title, base):
    series = round_trips(rows)
    if not series:
        return []
    unit = rows[0]["unit"]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    sizes = [r["size"] for s in series.values() for r in s]
    for name, s in series.items():
        x = [xpos(r["size"]) for r in s]
        y = [r["p50"] for r in s]
        err = [[r["p50"] - r["min"] for r in s], [r["p90"] - r["p50"] for r in s]]
        call = name.endswith(" call")
        ax.errorbar(x, y, yerr=err, label=name, capsize=3, linewidth=1.4,
                    linestyle="--" if call else "-",
                    **series_style(name[:-5] if call else name))
    mem = sorted((r for r in rows if r["mech"] == "floor-memcpy"), key=lambda r: r["size"])
    if mem:
        ax.plot([xpos(r["size"]) for r in mem], [r["p50"] for r in mem], color="0.5",
                linestyle=":", marker=".", label="floor, user memcpy (one way)")
        sizes += [r["size"] for r in mem]
    ax.set_yscale("log")
    _size_axis(ax, sizes)
    _floor_lines(ax, rows)
    ax.set_ylabel(f"round trip, p50 ({unit_label(unit)})")
    _ns_axis(ax, title)
    ax.set_title(f"Round-trip latency (pingpong; dashed: call) - {title}\n"
                 "(points: p50; bars: min to p90)",
                 fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.13, 1))
    files = _save(fig, base, title)
    plt.close(fig)
    return files


def bandwidth(plt, rows, title, base):
    series = by_label(rows, "stream")
    series = {k: [r for r in s if r["size"] > 0] for k, s in series.items()}
    series = {k: s for k, s in series.items() if s}
    if not series:
        return []
    unit = rows[0]["unit"]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    sizes = []
    for name, s in series.items():
        ax.plot([r["size"] for r in s], [max(r["mbps"], 1e-3) for r in s], label=name,
                linewidth=1.4, **series_style(name))
        sizes += [r["size"] for r in s]
    ax.set_yscale("log")
    _size_axis(ax, sizes)
    clock = "icount virtual time, 1 instruction = 1 ns" if unit == "instructions" \
        else "guest TSC time"
    ax.set_ylabel(f"stream bandwidth (MB/s, {clock})")
    ax.set_title(f"One-way stream bandwidth - {title}\n(all sends, then one ack; "
                 "the ack is included)", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.13, 1))
    files = _save(fig, base, title)
    plt.close(fig)
    return files


def smallest_pingpong(rows):
    """{label: row} of each mechanism's smallest-size pingpong (and call) row."""
    return {name: s[0] for name, s in round_trips(rows).items()}


def small_messages(plt, rows, title, base):
    small = smallest_pingpong(rows)
    if not small:
        return []
    unit = rows[0]["unit"]
    fig, ax = plt.subplots(figsize=(min(16, max(6, 1 + 0.8 * len(small))), 5.5))
    names = list(small)
    values = [small[n]["p50"] for n in names]
    bars = ax.bar(range(len(names)), values,
                  color=[series_style(n.removesuffix(' call'))["color"] for n in names],
                  edgecolor="0.2", linewidth=0.5)
    for bar, n in zip(bars, names):
        if n.endswith(" call"):
            bar.set_hatch("//")
    as_floor = floor_p50(rows, "floor-as-switch")
    for bar, n in zip(bars, names):
        ratio = f"\n{small[n]['p50'] / as_floor:.1f}x AS" if as_floor else ""
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(),
                f"{small[n]['p50']:,}\n{human_size(small[n]['size'])} B{ratio}",
                ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_yscale("log")
    floors = [v for v in (floor_p50(rows, m) for m, _ in LINE_FLOORS) if v]
    low = min([v for v in values if v > 0] + floors or [1])
    ax.set_ylim(max(low / 3, 0.5), max(values + floors + [1]) * 6)
    _floor_lines(ax, rows)
    ax.set_ylabel(f"round trip at the smallest size, p50 ({unit_label(unit)})")
    _ns_axis(ax, title)
    ax.set_title(f"Small messages against the floors - {title}\n(under each value: "
                 "size, and the ratio to the address-space-switch floor)", fontsize=10)
    ax.grid(True, axis="y", which="major", alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.13, 1))
    files = _save(fig, base, title)
    plt.close(fig)
    return files


def event_size(rows):
    """The size most pingpong mechanisms have (smallest non-zero on a tie)."""
    count = {}
    for name, s in round_trips(rows).items():
        for r in s:
            count[r["size"]] = count.get(r["size"], 0) + 1
    if not count:
        return None
    return min(count, key=lambda size: (-count[size], size == 0, size))


def event_rows(rows, size):
    """[(tick label, row)]: the floors with events, then every mechanism at
    `size` (or at its smallest size when it has no row at `size`)."""
    out = []
    for mech, _ in LINE_FLOORS:
        for r in rows:
            if r["mech"] == mech:
                out.append((mech, r))
                break
    for name, s in round_trips(rows).items():
        row = next((r for r in s if r["size"] == size), s[0])
        out.append((name if row["size"] == size else f"{name} ({human_size(row['size'])} B)", row))
    return out


EVENT_PANELS = EVENTS + (("kcopy_bytes_per_op", "bytes copied by the kernel"),)


def events(plt, rows, title, base):
    """One panel per event kind (counts of unlike things never share a
    bar): floors and every mechanism at the most common size."""
    size = event_size(rows)
    if size is None:
        return []
    items = event_rows(rows, size)
    panels = [(col, what) for col, what in EVENT_PANELS
              if any(r.get(col) is not None for _, r in items)]
    if not panels:
        return []               # a system that counts no kernel events (Linux host)
    names = [n for n, _ in items]
    colors = ["0.55" if n.startswith("floor-") else
              series_style(n.split(" (")[0].removesuffix(" call"))["color"] for n in names]
    cols = 3
    nrows = -(-len(panels) // cols)
    width = min(18, max(10, 0.45 * len(items) * cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(width, 3.6 * nrows), sharex=True)
    flat = list(axes.flat)
    for ax, (col, what) in zip(flat, panels):     # a kind not counted has no panel
        vals = [r[col] or 0.0 for _, r in items]
        ax.bar(range(len(items)), vals, color=colors, edgecolor="0.2", linewidth=0.4)
        ax.set_title(f"{what} per round trip", fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    for ax in flat[-cols:]:
        ax.set_xticks(range(len(items)))
        ax.set_xticklabels(names, rotation=60, ha="right", fontsize=6)
    return finish_with_suptitle(
        plt, fig, base, title,
        f"Kernel events per operation, {human_size(size)} B (floors grey) - {title}")


NUMERIC = ("min", "p50", "p90", "p99", "max", "mean", "mbps", "kcopy_bytes_per_op") + \
    tuple(c for c, _ in EVENTS)


def aggregate(rows, warn):
    """One row per case: the median of every statistic over the repeated
    boots of a configuration (--repeat); rows without a boot column (older
    runs) keep the first of a duplicated case, with a warning."""
    if not any(r.get(csvframe.BOOT_COLUMN) for r in rows):
        return dedupe(rows, warn)
    from .stats import median
    by = {}
    for r in rows:
        by.setdefault((r["mech"], r["variant"], r["pattern"], r["size"]), []).append(r)
    out = []
    for rs in by.values():
        row = dict(rs[0])
        if len(rs) > 1:
            for col in NUMERIC:
                row[col] = median([r[col] for r in rs])
            row["boots"] = len(rs)
        out.append(row)
    return out


UNIT_NOTES = {
    "instructions": "unit: guest instructions under QEMU -icount - exact, repeatable "
                    "path lengths, not time (a rep-string instruction counts once; "
                    "no cache or TLB effects)",
    "tcg": "unit: TSC cycles of QEMU TCG's virtual clock - the cost of emulating the "
           "kernel, not of running it: each CR3 load flushes QEMU's software TLB, so "
           "address-space switches look far dearer than on a CPU; identical runs have "
           "differed 1.5x. Use --icount for path lengths, KVM or hardware for time",
    "cycles": "unit: TSC cycles of the CPU (second axis: ns at the measured TSC rate)",
}


def unit_note(accel, unit):
    if unit == "instructions":
        return UNIT_NOTES["instructions"]
    if unit == "cycles" and accel == "tcg":
        return UNIT_NOTES["tcg"]
    return UNIT_NOTES.get(unit, f"unit: {unit}")


def labels_for(key, group, meta):
    """Title, caption and ns scale of one configuration's figures."""
    accel, pcid, unit = key[:3]
    system = key[4] if len(key) > 4 else "ipcbench"
    placement = key[5] if len(key) > 5 else ""
    meta = meta or {}
    title = f"{accel.upper()}, PCID {pcid}" + (", icount" if unit == "instructions" else "")
    title += (f", {placement}" if placement else "") + \
        ("" if system == "ipcbench" else f", {system}")
    iters = sorted({r["iters"] for r in group if not csvframe.is_floor(r)})
    it = (f"{iters[0]} iterations" if len(iters) == 1 else
          f"{iters[0]}-{iters[-1]} iterations (time budget)" if iters else "")
    boots = len({r.get(csvframe.BOOT_COLUMN) for r in group}) or 1
    host = ((meta.get("host") or {}).get("cpu") or {}).get("model_name") or "?"
    commit = ((meta.get("git") or {}).get("commit") or "?")[:10]
    facts = [f"guest CPU: {group[0]['cpu']}", f"host: {host}",
             f"{accel}{' + icount' if unit == 'instructions' else ''}", it,
             f"{boots} boot(s), median shown" if boots > 1 else "1 boot",
             meta.get("started_utc") or "", f"git {commit}"]
    caption = "\n".join(textwrap.wrap("; ".join(f for f in facts if f), 150) +
                        textwrap.wrap(unit_note(accel, unit), 150))
    ns = next((r[csvframe.NS_COLUMN] / r["p50"] for r in group
               if r.get(csvframe.NS_COLUMN) and r["p50"]), None)
    return Labels(title, caption, ns)


def _read_side_files(src_dir, warn):
    from . import rundir, samples
    meta = rundir.read_meta(os.path.join(src_dir, "meta.json")) if src_dir else None
    sets = {}
    path = os.path.join(src_dir, samples.FILE) if src_dir else None
    if path and os.path.isfile(path):
        try:
            sets = samples.read(path)
        except (OSError, ValueError, EOFError) as e:
            warn(f"{path}: unreadable ({e}); no distribution plots")
    return meta, sets


def draw_run(outdir, rows, warn=None, src_dir=None):
    """Every figure for every configuration in rows; returns the files.
    src_dir (default outdir): where meta.json and samples.csv.gz are."""
    from . import plots_cdf
    warn = warn or (lambda msg: None)
    if not rows:
        raise PlotError("no rows to plot")
    plt = _pyplot()
    meta, sets = _read_side_files(src_dir or outdir, warn)
    files = []
    for key, group in csvframe.groups(rows).items():
        group = aggregate(group, warn)
        name = csvframe.group_name(key)
        labels = labels_for(key, group, meta)
        for kind, fn in (("latency", latency), ("bandwidth", bandwidth),
                         ("smallmsg", small_messages), ("events", events)):
            files += fn(plt, group, labels, os.path.join(outdir, f"{kind}-{name}"))
        # samples.csv.gz names a boot's configuration and the placement apart
        cases = plots_cdf.config_sets(sets, csvframe.group_name(key[:5]), key[5])
        if cases:
            files += plots_cdf.cdf(plt, cases, key[2], labels,
                                   os.path.join(outdir, f"cdf-{name}"))
    from . import plots_placement   # both placements of a configuration side by side

    def placement_labels(key):
        return labels_for(key, [r for r in rows if csvframe.group_key(r)[:5] == key], meta)
    files += plots_placement.draw(plt, rows, outdir, placement_labels)
    from . import sideplots     # rows of several systems: also on one figure
    return files + sideplots.draw(outdir, rows)


# ---------------------------------------------------------------- command

def add_options(p):
    p.add_argument("path", metavar="RUN_DIR", nargs="?",
                   help="a run dir with results.csv (default: results/latest)")
    p.add_argument("--out", metavar="DIR", help="write the figures here (default RUN_DIR)")
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command instead")


def cmd_plot(args, prog):
    path = stages.latest_or(args.path, "run dir")
    csv_path = os.path.join(path, "results.csv") if os.path.isdir(path) else path
    if not os.path.isfile(csv_path):
        raise stages.EnvError(f"{csv_path}: no such file; make one with ./run.py sweep "
                           f"(or ./run.py parse LOG --csv {csv_path})")
    try:
        rows = csvframe.read(csv_path)
    except csvframe.SchemaError as e:
        raise stages.EnvError(str(e)) from None
    if not rows:
        raise stages.EnvError(f"{csv_path}: header only, no rows to plot")
    stages.stage_deps(args, prog, ["plot"], f"./run.py plot {path}")
    out = args.out or os.path.dirname(os.path.abspath(csv_path))
    os.makedirs(out, exist_ok=True)
    files = draw_run(out, rows, prog.say, os.path.dirname(os.path.abspath(csv_path)))
    rel = os.path.relpath(out)
    prog.say(f"{len(files)} files in {out if rel.startswith('..') else rel}: " +
             ", ".join(sorted({os.path.basename(f).rsplit('.', 1)[0] for f in files})))
    return 0
