"""report - summary.md beside each sweep's results.csv: what ran where, and
per configuration one line per case with the median of its boots' p50s and
a 95 % bootstrap interval (stats.py), p99, and p50 in ns where the unit is
a clock.  Markdown, so it pastes into a paper draft or an issue."""
from . import csvframe, stats
from .plots import unit_note

FILE = "summary.md"


def _num(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _times_floor(p50, floor):
    return f"{p50 / floor:.1f}x" if floor and p50 is not None else "-"


def case_lines(group):
    """Table rows of one configuration: one per case, boots pooled; the
    last column is the median p50 over the address-space-switch floor's."""
    floor = stats.median([r["p50"] for r in group if r["mech"] == "floor-as-switch"])
    by = {}
    for r in group:
        by.setdefault((r["mech"], r["variant"], r["pattern"], r["size"]), []).append(r)
    out = []
    for rs in by.values():
        p50s = [r["p50"] for r in rs]
        ci = stats.bootstrap_ci(p50s)
        ns = [r.get(csvframe.NS_COLUMN) for r in rs if r.get(csvframe.NS_COLUMN)]
        out.append("| " + " | ".join((
            csvframe.label(rs[0]), rs[0]["pattern"], str(rs[0]["size"]), str(len(rs)),
            _num(stats.median(p50s)), "-" if ci is None else f"{_num(ci[0])}..{_num(ci[1])}",
            _num(stats.median([r["p99"] for r in rs])),
            _num(stats.median(ns)) if ns else "-",
            _num(stats.median([r["mbps"] for r in rs])) if rs[0]["pattern"] == "stream"
            else "-",
            _times_floor(stats.median(p50s), floor)
            if rs[0]["pattern"] in ("pingpong", "call") else "-")) + " |")
    return out


def head_lines(meta):
    meta = meta or {}
    host = ((meta.get("host") or {}).get("cpu") or {}).get("model_name") or "?"
    git = meta.get("git") or {}
    pk = meta.get("packages") or {}
    s = meta.get("settings") or {}
    bad = [f"{b.get('boot')}: {(b.get('verdict') or {}).get('reason')}"
           for b in meta.get("boots", []) if not (b.get("verdict") or {}).get("ok")]
    return [
        f"# ipcbench run {meta.get('run_id', '?')}", "",
        f"- started {meta.get('started_utc', '?')}, {len(meta.get('boots', []))} boot(s), "
        f"{'all passed' if meta.get('ok') else 'NOT all passed'}",
        f"- host CPU: {host}; QEMU {pk.get('qemu') or meta.get('qemu_version')}, "
        f"OVMF {pk.get('ovmf')}, gnu-efi {pk.get('gnu-efi')}; compiler: {meta.get('compiler')}",
        f"- git {git.get('commit')}{' (dirty)' if git.get('dirty') else ''}; image sha256 "
        f"{(meta.get('image') or {}).get('sha256')}",
        f"- preset {meta.get('preset')}: mech {s.get('mech')}, sizes {s.get('sizes')}, "
        f"patterns {s.get('patterns')}, iters {s.get('iters')}, warmup {s.get('warmup')}",
    ] + [f"- failed: {b}" for b in bad]


HEAD = ("| mech/variant | pattern | size | boots | median p50 | 95% CI of median "
        "| p99 | p50 ns | MB/s | / AS-switch floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def skip_lines(meta):
    """The cases the guest left out on purpose because of where they would
    run (bench/placement.c), counted per boot and reason."""
    out = []
    for b in (meta or {}).get("boots", []):
        counts = {}
        for s in b.get("skips") or []:
            if s.get("placement") and "failed" not in s.get("reason", ""):
                key = (s["reason"], s["placement"])
                counts.setdefault(key, []).append(f"{s['mech']}/{s['variant']} "
                                                  f"{s['pattern']} {s['size']}")
        out += [f"- {b.get('boot')}: {len(cases)} {where} case(s) skipped, "
                f"`{why}`: {', '.join(cases[:6])}{' ...' if len(cases) > 6 else ''}"
                for (why, where), cases in counts.items()]
    if not out:
        return []
    return ["", "## Skipped by placement", "",
            "`needs-a-partner-on-another-cpu`: a poller whose partner shares its CPU "
            "waits for its time slice to end, so the row would measure the tick; "
            "`--placement same` measures them. `needs-a-second-cpu`: the kernel ran one "
            "CPU.", ""] + out


def lines(rows, meta):
    out = head_lines(meta) + skip_lines(meta)
    for key, group in csvframe.groups(rows).items():
        accel, pcid, unit = key[:3]
        out += ["", f"## {csvframe.group_name(key)} (accel {accel}, PCID {pcid} in effect, "
                    f"unit {unit})", "", f"_{unit_note(accel, unit)}._", "",
                "Values are medians over the configuration's boots; the interval "
                "needs 2 or more boots (`--repeat N`). Two cases whose intervals "
                "overlap are not told apart by this run.", "", *HEAD]
        out += case_lines(group)
    return out


def write(path, rows, meta):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines(rows, meta)) + "\n")
