"""compare - ./run.py compare [A [B]]: how B differs from A, case by case.

Rows are matched on (mech, variant, pattern, size, boot configuration);
repeated boots of one configuration (--repeat) are summarised by the median
of their p50s with a 95 % bootstrap interval (stats.py), and a difference
whose intervals overlap is flagged as inside the noise, not ranked.  Cases
found on one side only are listed.  Sides with different units are refused
unless --allow-unit-mismatch.  A side may pick one configuration of a
multi-boot sweep: DIR:GROUP, GROUP as in the boot column (tcg-pcidoff),
accel/pcid (kvm/on) or the accel alone.  Without arguments: the two most
recent completed sweeps under results/; with one: it against the latest.
Outputs (compare.txt, compare.md, compare.png/svg) go to a new
results/compare-<A>-<B>/ unless --out says where.
"""
import math
import os
import re
from dataclasses import dataclass

from . import csvframe, rundir, stages, stats


class CompareError(Exception):
    pass


@dataclass(frozen=True)
class Side:
    """One side's summary of one case: per-boot p50s and MB/s."""
    p50s: tuple
    mbps: tuple

    @property
    def p50(self):
        return stats.median(self.p50s)

    @property
    def ci(self):
        return stats.bootstrap_ci(self.p50s)

    @property
    def mbps_median(self):
        return stats.median(self.mbps)


@dataclass(frozen=True)
class Ratio:
    group: str               # "" when each side has one configuration
    mech: str
    variant: str
    pattern: str
    size: int
    a: Side
    b: Side

    @property
    def label(self):
        return self.mech if self.variant in ("", "-") else f"{self.mech}/{self.variant}"

    @property
    def a_p50(self):
        return self.a.p50

    @property
    def b_p50(self):
        return self.b.p50

    @property
    def a_mbps(self):
        return self.a.mbps_median

    @property
    def b_mbps(self):
        return self.b.mbps_median

    @property
    def p50(self):
        return self.b_p50 / self.a_p50 if self.a_p50 else None

    @property
    def mbps(self):
        if self.pattern != "stream" or not self.a_mbps:
            return None
        return self.b_mbps / self.a_mbps

    @property
    def noise(self):
        """'noise' (intervals overlap), 'real' (they do not), or 'n=1'
        when a side has a single boot (no interval to judge by)."""
        ca, cb = self.a.ci, self.b.ci
        if ca is None or cb is None:
            return "n=1"
        return "noise" if stats.overlap(ca, cb) else "real"


@dataclass
class Result:
    ratios: list
    only_a: list             # case names found in A only
    only_b: list


# ------------------------------------------------------------------ sides

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


def _requested_pcid(config):
    m = re.match(r"^[a-z]+-pcid([a-z]+)", config or "")
    return m.group(1) if m else None


def matches(key, group):
    """Rows with a boot column are named by their configuration (what the
    boot asked for); older rows by the PCID in effect.  A placement
    (same-core, cross-core) or a whole group name picks that group only."""
    accel, pcid, _ = key[:3]
    config = key[3] if len(key) > 3 else None
    system = key[4] if len(key) > 4 else None
    where = key[5] if len(key) > 5 else ""
    if group in (system, csvframe.group_name(key)) or (where and group == where):
        return True
    if config:
        return group in (config, f"{accel}/{_requested_pcid(config)}", accel)
    return group in (csvframe.group_name(key), f"{accel}/{pcid}", accel)


def select(rows, group, side):
    if group is None:
        return rows
    picked = [r for r in rows if matches(csvframe.group_key(r), group)]
    if not picked:
        have = ", ".join(csvframe.group_name(k) for k in csvframe.groups(rows))
        raise CompareError(f"{side}: no rows for {group!r} (it has: {have})")
    return picked


def load(text, side):
    path, group = split_side(text)
    try:
        rows = csvframe.read(path)
    except (csvframe.SchemaError, OSError, UnicodeDecodeError) as e:
        raise CompareError(str(e)) from None
    return path, select(rows, group, side)


def default_sides(root, given):
    """The sides when fewer than two were given: the latest completed
    sweeps under root."""
    for text in given:
        split_side(text)                # a typo is named before any default
    runs = rundir.completed_runs(root)
    if len(given) == 2:
        return list(given)
    if len(given) == 1:
        latest = rundir.latest(root) or (runs[-1] if runs else None)
        if latest is None:
            raise CompareError("no completed sweep under results/ to compare "
                               f"{given[0]} with; give B")
        return [given[0], latest]
    if len(runs) < 2:
        raise CompareError(f"compare needs two runs; {root} has {len(runs)} completed "
                           "sweep(s): give A and B")
    return runs[-2:]


# ------------------------------------------------------------------ match

def _cases(rows, with_group):
    """{(group, mech, variant, pattern, size): Side} over every boot."""
    acc = {}
    for r in rows:
        g = csvframe.group_name(csvframe.group_key(r)) if with_group else ""
        key = (g, r["mech"], r["variant"], r["pattern"], r["size"])
        p50s, mbps = acc.setdefault(key, ([], []))
        p50s.append(r["p50"])
        mbps.append(r["mbps"])
    return {k: Side(tuple(p), tuple(m)) for k, (p, m) in acc.items()}


def _case_name(key):
    g, mech, variant, pattern, size = key
    label = mech if variant in ("", "-") else f"{mech}/{variant}"
    return f"{g + ' ' if g else ''}{label} {pattern} {size}"


def variant_aliases(rows_a, rows_b):
    """{(mech, A's variant): B's variant} for a mechanism with one variant
    on each side under different names: the same mechanism on two systems
    (ipcbench's pipe is "xv6", the Linux harness's "linux")."""
    def variants(rows):
        out = {}
        for r in rows:
            if not csvframe.is_floor(r):
                out.setdefault(r["mech"], set()).add(r["variant"])
        return out
    va, vb = variants(rows_a), variants(rows_b)
    return {(m, next(iter(va[m]))): next(iter(vb[m])) for m in va
            if m in vb and len(va[m]) == 1 and len(vb[m]) == 1 and va[m] != vb[m]}


def match(rows_a, rows_b):
    """Result: ratios for every case in both (in A's order) and the cases
    of one side only."""
    ga, gb = csvframe.groups(rows_a), csvframe.groups(rows_b)
    names_a = set(map(csvframe.group_name, ga))
    names_b = set(map(csvframe.group_name, gb))
    if len(names_a) == 1 and len(names_b) == 1:
        with_group = False
    elif names_a == names_b:
        with_group = True
    else:
        raise CompareError(
            "the sides have different configurations (A: "
            f"{', '.join(sorted(names_a))}; B: {', '.join(sorted(names_b))}); "
            "pick one each with DIR:GROUP, e.g. ./run.py compare A:tcg-pcidoff "
            "B:tcg-pcidoff")
    ia, ib = _cases(rows_a, with_group), _cases(rows_b, with_group)
    alias = variant_aliases(rows_a, rows_b)

    def in_b(key):
        g, mech, variant, pattern, size = key
        other = (g, mech, alias.get((mech, variant)), pattern, size)
        return key if key in ib else other if other in ib else None
    pair = {key: in_b(key) for key in ia}
    out = [Ratio(key[0], *key[1:], a, ib[pair[key]]) for key, a in ia.items() if pair[key]]
    matched = set(pair.values())
    return Result(out, [_case_name(k) for k in ia if not pair[k]],
                  [_case_name(k) for k in ib if k not in matched])


def ratios(rows_a, rows_b):
    return match(rows_a, rows_b).ratios


def check_units(rows_a, rows_b, allow):
    ua, ub = {r["unit"] for r in rows_a}, {r["unit"] for r in rows_b}
    if ua == ub and len(ua) == 1:
        return None
    msg = (f"the sides use different units (A: {', '.join(sorted(ua))}; B: "
           f"{', '.join(sorted(ub))}); their ratios compare unlike things")
    if not allow:
        raise CompareError(msg + "; add --allow-unit-mismatch to compare anyway")
    return "warning: " + msg


# ------------------------------------------------------------------ tables

def geomean(values):
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def _num(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _ci(side):
    ci = side.ci
    return "-" if ci is None else f"{_num(ci[0])}..{_num(ci[1])}"


HEAD = ("config", "mech/variant", "pattern", "size", "A p50", "B p50", "B/A",
        "noise", "A 95% CI", "B 95% CI", "A MB/s", "B MB/s", "B/A MB/s")


def rows_of(rs):
    body = [(r.group or "-", r.label, r.pattern, str(r.size), _num(r.a_p50),
             _num(r.b_p50), _fmt(r.p50), r.noise, _ci(r.a), _ci(r.b),
             _fmt(r.a_mbps, 1) if r.pattern == "stream" else "-",
             _fmt(r.b_mbps, 1) if r.pattern == "stream" else "-", _fmt(r.mbps))
            for r in rs]
    head = HEAD
    drop = []
    if not any(r.group for r in rs):
        drop.append(0)
    if all(r.noise == "n=1" for r in rs):
        drop += [8, 9]
    keep = [i for i in range(len(head)) if i not in drop]
    return [head[i] for i in keep], [[b[i] for i in keep] for b in body]


def verdict_line(rs):
    mech = [r for r in rs if not r.mech.startswith("floor-")]
    g = geomean([r.p50 for r in mech])
    line = (f"geometric mean of p50 B/A over {len(mech)} mechanism cases: {_fmt(g)} "
            "(< 1: B is faster)")
    if all(r.noise == "n=1" for r in rs):
        return [line, "one boot per side: no noise estimate (two identical TCG runs "
                "have differed 1.5x); rerun both with --repeat 3 or more"]
    inside = sum(1 for r in mech if r.noise == "noise")
    return [line, f"{inside} of {len(mech)} differences are inside the noise "
            "(95% intervals of the median p50 overlap): do not rank those"]


def unmatched_lines(res):
    out = []
    for side, names in (("A", res.only_a), ("B", res.only_b)):
        if names:
            shown = ", ".join(names[:12]) + (f" ... ({len(names)} in all)"
                                             if len(names) > 12 else "")
            out.append(f"only in {side} ({len(names)} case(s), not compared): {shown}")
    return out


def table(rs, res=None):
    """Text table lines, then the geometric mean and the noise verdict."""
    head, body = rows_of(rs)
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    first_num = head.index("size")
    fmt = lambda cols: "  ".join(c.rjust(w) if i >= first_num else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cols, widths)))
    lines = [fmt(head)] + [fmt(b) for b in body] + verdict_line(rs)
    return lines + (unmatched_lines(res) if res else [])


def markdown(rs, res, title):
    head, body = rows_of(rs)
    out = [f"# {title}", "", "| " + " | ".join(head) + " |",
           "|" + "|".join("---" if i < head.index("size") else "---:"
                          for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(b) + " |" for b in body]
    out += [""] + [f"- {l}" for l in verdict_line(rs) + unmatched_lines(res)]
    return out


# ------------------------------------------------------------------ plot

def draw(rs, base, title):
    from .plots import _pyplot, _save, _size_axis, series_style, xpos
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
        for (group, name), s in series.items():
            s.sort(key=lambda r: r.size)
            ax.plot([xpos(r.size) for r in s], [getattr(r, attr) for r in s],
                    label=f"{group} {name}".strip(),
                    **series_style(name.removesuffix(" call")))
            noisy = [r for r in s if r.noise == "noise"]
            if noisy:
                ax.plot([xpos(r.size) for r in noisy], [getattr(r, attr) for r in noisy],
                        linestyle="none", marker="o", markersize=11, fillstyle="none",
                        color="0.6")
            sizes += [r.size for r in s]
        ax.axhline(1.0, color="0.3", linewidth=1)
        if sizes:
            _size_axis(ax, sizes)
            ax.legend(fontsize=6, ncol=2)
        ax.set_yscale("log")
        ax.set_ylabel(f"B / A of {what}")
        ax.set_title(f"{what}: B / A (grey ring: inside the noise)", fontsize=10)
        ax.grid(True, alpha=0.3)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    files = _save(fig, base)
    plt.close(fig)
    return files


# ---------------------------------------------------------------- command

def add_options(p):
    p.add_argument("a", metavar="A", nargs="?",
                   help="baseline: RUN_DIR, its results.csv, or DIR:GROUP "
                        "(default: the second most recent completed sweep)")
    p.add_argument("b", metavar="B", nargs="?",
                   help="compared with A (default: results/latest)")
    p.add_argument("--out", metavar="DIR",
                   help="where compare.txt/.md/.png go (default: a new "
                        "results/compare-<A>-<B>/)")
    p.add_argument("--force", action="store_true",
                   help="with --out: replace an earlier comparison there")
    p.add_argument("--format", choices=("text", "md"), default="text",
                   help="table format on stdout (both are written to the out dir)")
    p.add_argument("--allow-unit-mismatch", action="store_true",
                   help="compare sides measured in different units anyway")
    p.add_argument("--no-plot", action="store_true", help="tables only")
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command instead")


def side_name(text):
    path, _, group = text.partition(":") if not os.path.exists(text) else (text, "", "")
    path = path.rstrip("/")
    base = os.path.basename(path)
    if base == "results.csv":
        base = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return re.sub(r"[^A-Za-z0-9_.-]", "-", base + (f"-{group}" if group else ""))


def out_dir(args, root, a, b):
    """The out dir: --out (refused when it holds a comparison, unless
    --force), else a new results/compare-<A>-<B>[-N]/."""
    names = ("compare.txt", "compare.md", "compare.png", "compare.svg")
    if args.out:
        if os.path.lexists(args.out) and not os.path.isdir(args.out):
            raise CompareError(f"--out {args.out}: exists and is not a directory")
        old = [n for n in names if os.path.exists(os.path.join(args.out, n))]
        if old and not args.force:
            raise CompareError(f"--out {args.out}: already holds {', '.join(old)}; "
                               "pick a new directory or add --force")
        path = args.out
    else:
        stem = os.path.join(root, f"compare-{side_name(a)}-{side_name(b)}")
        path, n = stem, 1
        while os.path.exists(path):
            n += 1
            path = f"{stem}-{n}"
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise CompareError(f"{path}: cannot create ({e.strerror})") from None
    return path


def unit_notes(rows):
    """What each (accel, unit) of the compared rows means (plots.unit_note)."""
    from .plots import unit_note
    seen = dict.fromkeys((r["accel"], r["unit"]) for r in rows)
    return [unit_note(accel, unit) for accel, unit in seen]


def cmd_compare(args, prog):
    root = os.path.join(stages.REPO, "results")
    try:
        a, b = default_sides(root, [x for x in (args.a, args.b) if x])
        pa, rows_a = load(a, "A")
        pb, rows_b = load(b, "B")
        res = match(rows_a, rows_b)
        warning = check_units(rows_a, rows_b, args.allow_unit_mismatch)
        if not res.ratios:
            raise CompareError("no case is in both A and B (same mech, variant, pattern, "
                               "size and boot configuration); compare runs with common "
                               "settings")
        out = out_dir(args, root, a, b)
    except CompareError as e:
        raise stages.EnvError(str(e)) from None
    title = f"B / A   A = {a}   B = {b}"
    notes = unit_notes(rows_a + rows_b)
    text = [f"A = {a}", f"B = {b}"] + ([warning] if warning else []) + \
        table(res.ratios, res) + notes
    md = markdown(res.ratios, res, title) + ([f"- {warning}"] if warning else []) + \
        [f"- {n}" for n in notes]
    for name, lines in (("compare.txt", text), ("compare.md", md)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(md if args.format == "md" else text))
    files = []
    if not args.no_plot:
        stages.stage_deps(args, prog, ["plot"], f"./run.py compare {a} {b}")
        files = draw(res.ratios, os.path.join(out, "compare"),
                     title + "\n" + "\n".join(notes))
    prog.say(f"comparison in {stages.shown(out)}: compare.txt, compare.md"
             + (", compare.png, compare.svg" if files else ""))
    return 0
