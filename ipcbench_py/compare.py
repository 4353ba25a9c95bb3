"""compare - ./run.py compare A B: how B differs from A, case by case.

For every (mech, variant, pattern, size) present in both: B/A of p50 (for
stream also B/A of mbps), as a table and as a plot written into B's run dir
(or --out).  A side may select one configuration of a multi-boot sweep:
DIR:GROUP, GROUP as in the plot names (tcg-pcidoff, kvm-pcidon-icount) or
accel/pcid (kvm/on) - so `compare R:kvm/off R:kvm/on` is PCID's effect
within one sweep.
"""
import math
import os
from dataclasses import dataclass

from . import csvframe


class CompareError(Exception):
    pass


@dataclass(frozen=True)
class Ratio:
    group: str               # "" when each side has one configuration
    mech: str
    variant: str
    pattern: str
    size: int
    a_p50: int
    b_p50: int
    a_mbps: float
    b_mbps: float

    @property
    def label(self):
        return self.mech if self.variant in ("", "-") else f"{self.mech}/{self.variant}"

    @property
    def p50(self):
        return self.b_p50 / self.a_p50 if self.a_p50 else None

    @property
    def mbps(self):
        if self.pattern != "stream" or not self.a_mbps:
            return None
        return self.b_mbps / self.a_mbps


def split_side(text):
    """'DIR' or 'DIR:GROUP' -> (csv path, group or None)."""
    path, group = text, None
    if not os.path.exists(text) and ":" in text:
        path, group = text.rsplit(":", 1)
    csv_path = os.path.join(path, "results.csv") if os.path.isdir(path) else path
    if not os.path.isfile(csv_path):
        raise CompareError(f"{csv_path}: no such file (a run dir made by "
                           "./run.py sweep, or its results.csv)")
    return csv_path, group


def matches(key, group):
    accel, pcid, _ = key
    return group in (csvframe.group_name(key), f"{accel}/{pcid}", accel)


def select(rows, group, side):
    if group is None:
        return rows
    picked = [r for r in rows if matches(csvframe.group_key(r), group)]
    if not picked:
        have = ", ".join(csvframe.group_name(k) for k in csvframe.groups(rows))
        raise CompareError(f"{side}: no rows for {group!r} (it has: {have})")
    return picked


def _index(rows, with_group):
    out = {}
    for r in rows:
        g = csvframe.group_name(csvframe.group_key(r)) if with_group else ""
        out.setdefault((g, r["mech"], r["variant"], r["pattern"], r["size"]), r)
    return out


def ratios(rows_a, rows_b):
    """Ratios for every case in both, in A's order."""
    ga, gb = csvframe.groups(rows_a), csvframe.groups(rows_b)
    if len(ga) == 1 and len(gb) == 1:
        with_group = False
    elif set(map(csvframe.group_name, ga)) == set(map(csvframe.group_name, gb)):
        with_group = True
    else:
        raise CompareError(
            "the sides have different configurations (A: "
            f"{', '.join(map(csvframe.group_name, ga))}; B: "
            f"{', '.join(map(csvframe.group_name, gb))}); pick one each with "
            "DIR:GROUP, e.g. ./run.py compare A:tcg-pcidoff B:tcg-pcidoff")
    ia, ib = _index(rows_a, with_group), _index(rows_b, with_group)
    out = []
    for key, a in ia.items():
        b = ib.get(key)
        if b is None:
            continue
        out.append(Ratio(key[0], a["mech"], a["variant"], a["pattern"], a["size"],
                         a["p50"], b["p50"], a["mbps"], b["mbps"]))
    return out


def geomean(values):
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def table(rs):
    """Text table lines; the last line is the geometric mean of p50 ratios."""
    head = ("config", "mech/variant", "pattern", "size", "A p50", "B p50", "B/A",
            "A MB/s", "B MB/s", "B/A MB/s")
    body = [(r.group or "-", r.label, r.pattern, str(r.size), f"{r.a_p50:,}",
             f"{r.b_p50:,}", _fmt(r.p50),
             _fmt(r.a_mbps, 1) if r.pattern == "stream" else "-",
             _fmt(r.b_mbps, 1) if r.pattern == "stream" else "-", _fmt(r.mbps))
            for r in rs]
    if not any(r.group for r in rs):
        head, body = head[1:], [b[1:] for b in body]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    fmt = lambda cols: "  ".join(c.rjust(w) if i >= 2 else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cols, widths)))
    lines = [fmt(head)] + [fmt(b) for b in body]
    g = geomean([r.p50 for r in rs if not r.mech.startswith("floor-")])
    lines.append(f"geometric mean of p50 B/A over {sum(1 for r in rs if not r.mech.startswith('floor-'))} "
                 f"mechanism cases: {_fmt(g)} (< 1: B is faster)")
    return lines


def draw(rs, base, title):
    from .plots import _pyplot, _save, _size_axis, _style, xpos
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, pattern, attr, what in ((axes[0], "pingpong", "p50", "p50 round trip"),
                                    (axes[1], "stream", "mbps", "stream MB/s")):
        series = {}
        for r in rs:
            if (r.pattern == pattern or (pattern, r.pattern) == ("pingpong", "call")) \
                    and getattr(r, attr) is not None \
                    and not r.mech.startswith("floor-"):
                name = r.label + (" call" if r.pattern == "call" else "")
                series.setdefault((r.group, name), []).append(r)
        sizes = []
        for i, ((group, name), s) in enumerate(series.items()):
            s.sort(key=lambda r: r.size)
            ax.plot([xpos(r.size) for r in s], [getattr(r, attr) for r in s],
                    label=f"{group} {name}".strip(), **_style(i))
            sizes += [r.size for r in s]
        ax.axhline(1.0, color="0.3", linewidth=1)
        if sizes:
            _size_axis(ax, sizes)
            ax.legend(fontsize=7)
        ax.set_ylabel(f"B / A of {what}")
        ax.set_title(f"{what}: B / A", fontsize=10)
        ax.grid(True, alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    files = _save(fig, base)
    plt.close(fig)
    return files


# ---------------------------------------------------------------- command

def add_options(p):
    p.add_argument("a", metavar="A", help="baseline: RUN_DIR, its results.csv, or DIR:GROUP")
    p.add_argument("b", metavar="B", help="compared with A: RUN_DIR, results.csv or DIR:GROUP")
    p.add_argument("--out", metavar="DIR", help="where the ratio plot goes (default B's dir)")
    p.add_argument("--no-plot", action="store_true", help="table only")
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command instead")


def load(text, side):
    path, group = split_side(text)
    try:
        rows = csvframe.read(path)
    except csvframe.SchemaError as e:
        raise CompareError(str(e)) from None
    return path, select(rows, group, side)


def cmd_compare(args, prog):
    from . import cli
    try:
        pa, rows_a = load(args.a, "A")
        pb, rows_b = load(args.b, "B")
        rs = ratios(rows_a, rows_b)
    except CompareError as e:
        raise cli.EnvError(str(e)) from None
    if not rs:
        raise cli.EnvError("no case is in both A and B (same mech, variant, "
                           "pattern and size); compare runs with common settings")
    units = {r["unit"] for r in rows_a} | {r["unit"] for r in rows_b}
    print(f"A = {args.a}\nB = {args.b}")
    if len(units) > 1:
        print(f"warning: the sides use different units ({', '.join(sorted(units))}); "
              "their ratios compare unlike things")
    print("\n".join(table(rs)))
    if args.no_plot:
        return 0
    cli.stage_deps(args, prog, ["plot"], f"./run.py compare {args.a} {args.b}")
    out = args.out or os.path.dirname(os.path.abspath(pb))
    os.makedirs(out, exist_ok=True)
    files = draw(rs, os.path.join(out, "compare"), f"B / A   A = {args.a}   B = {args.b}")
    prog.say(f"ratio plot: {', '.join(os.path.relpath(f) for f in files)}")
    return 0
