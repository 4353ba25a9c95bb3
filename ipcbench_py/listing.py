"""listing - ./run.py list: what a sweep can run, read from the source tree
(ipc/user/registry.c and the descriptors, common/plan.c's key table), so
the list is what this tree's guest would do, not a copy kept by hand."""
import os
import re

from . import registry, stages

PLAN_C = os.path.join("common", "plan.c")
KEY_ROW = re.compile(r'\{\s*"(\w+)",\s*KIND_(NUMBER|SIZES),\s*(\w+),\s*(\w+),')


def human(n):
    for suffix, shift in (("M", 20), ("K", 10)):
        if n and n % (1 << shift) == 0:
            return f"{n >> shift}{suffix}"
    return str(n)


def sizes_of(m):
    """What message sizes a mechanism runs, in words."""
    if m.max_msg == 0:
        return "0 only (carries no data)"
    low = "1" if "STREAM" in m.caps else "0"
    high = "?" if m.max_msg is None else human(m.max_msg)
    note = " (a byte stream: no empty messages)" if "STREAM" in m.caps else ""
    return f"{low}..{high}{note}"


def patterns_of(m):
    return [p for p in registry.PATTERNS if p != "call" or "CALL" in m.caps]


def lend_note(m):
    """What the lend variant is, for a mechanism that has one."""
    if registry.LEND not in m.variants:
        return None
    return (f"  {'':<12} {registry.LEND}: stream only, messages filled and read in place "
            "(send_lend/recv_view, ipc/user/ipc.h)")


def plan_ranges(repo):
    """{key: (min, max)} of the plan's numeric keys, from plan.c's table."""
    try:
        with open(os.path.join(repo, PLAN_C), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return {}
    shifts = re.findall(r"#define\s+(\w+)\s+\((\d+)u\s*<<\s*(\d+)\)", text)
    defines = {n: str(int(a) << int(b)) for n, a, b in shifts}
    out = {}
    for key, _, lo, hi in KEY_ROW.findall(text):
        lo, hi = defines.get(lo, lo), defines.get(hi, hi)
        if lo.isdigit() and hi.isdigit():
            out[key] = (int(lo), int(hi))
    return out


def lines(repo):
    mechs = registry.mechanisms(repo)
    out = ["mechanisms (--mech NAME or NAME/VARIANT; registry order):"]
    for m in mechs:
        variants = ", ".join(registry.variant_name(v) for v in m.variants)
        out.append(f"  {m.name:<12} variants: {variants}")
        out.append(f"  {'':<12} patterns: {', '.join(patterns_of(m))}; sizes: {sizes_of(m)}")
        if lend_note(m):
            out.append(lend_note(m))
    out.append("floors (always measured): floor-timer, floor-syscall, floor-yield, "
               "floor-as-switch, floor-memcpy, floor-touch")
    out.append(f"patterns (--patterns): {', '.join(registry.PATTERNS)}")
    ranges = plan_ranges(repo)
    if ranges:
        out.append("plan limits (common/plan.c; run.py checks them before booting):")
        for key in ("iters", "warmup", "sizes"):
            if key in ranges:
                lo, hi = ranges[key]
                out.append(f"  {key}: {human(lo) if key == 'sizes' else lo}.."
                           f"{human(hi) if key == 'sizes' else hi}")
    return out


def add_parser(sub):
    sub.add_parser("list", help="mechanisms, variants, patterns and size limits")


def cmd_list(args, prog):
    print("\n".join(lines(stages.REPO)))
    return 0
