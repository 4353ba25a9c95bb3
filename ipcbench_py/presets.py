"""presets - named sweep settings, and how command-line options override them.

quick: every registered mechanism, a few sizes, few iterations, every
       pattern; about a minute under TCG on a 2-core machine.
full:  the guest's default size list (8 B .. 1 MiB, or 0 for mechanisms that
       carry no data), 1000 iterations, every pattern; under --icount 200
       iterations after 20 warm-up ones (ICOUNT below).
A value of None leaves the plan key out, so the guest's own default applies.
"""
import re
from dataclasses import dataclass, replace

# Mechanisms that carry no data (signals) always run their one size, 0,
# whatever the list says (bench/driver.c).
PRESETS = {
    "quick": dict(mech=None, sizes="8,1K,64K", patterns="pingpong,stream,call",
                  iters=200, warmup=20),
    "full": dict(mech=None, sizes=None, patterns=None, iters=1000, warmup=100),
}
DEFAULT_PRESET = "quick"
# Under --icount every figure is an exact instruction count, so iterations of
# one path give one value (docs/SMP.md): 1000 of them only sample the tail
# (ticks, refills) more finely, and cost 5x the guest time of 200.  At 1000 a
# full -icount sweep is about 4.5e11 guest instructions (an hour or more at
# TCG's 50-150 million a second on a 2-core host); at 200, about 9e10.
# --iters/--warmup still win.
ICOUNT = {"full": dict(iters=200, warmup=20)}


@dataclass(frozen=True)
class Settings:
    preset: str
    mech: str = None          # "pipe,sysv-msgq" or None = all
    sizes: str = None         # "8,1K,64K" or None = guest default list
    patterns: str = None      # "pingpong,stream" or None = all
    iters: int = None
    warmup: int = None
    placement: str = None     # "same", "cross", "both" or None = the guest's auto

    def plan_lines(self):
        """key=value lines for plan.build_text (only the keys that are set)."""
        out = ["mode=bench"]
        for key in ("mech", "patterns", "sizes", "iters", "warmup", "placement"):
            value = getattr(self, key)
            if value is not None:
                out.append(f"{key}={value}")
        return out


class PresetError(ValueError):
    pass


PATTERNS = ("pingpong", "stream", "call")
NAME = re.compile(r"^[A-Za-z0-9_./-]{1,23}$")
SIZE = re.compile(r"^(\d+)([KkMm]?)$")
MAX_SIZE = 16 << 20


def _check_size(text):
    m = SIZE.match(text)
    if not m:
        raise PresetError(f"--sizes: {text!r} is not a size (bytes, or a K/M suffix)")
    n = int(m.group(1)) << {"": 0, "k": 10, "m": 20}[m.group(2).lower()]
    if n > MAX_SIZE:
        raise PresetError(f"--sizes: {text} is above 16M")


def _list(value, what):
    """'a, b ,c' -> 'a,b,c'; 'all' -> None (the guest's 'all')."""
    if value is None:
        return None
    items = [v.strip() for v in value.split(",")]
    if not all(items):
        raise PresetError(f"--{what}: empty entry in {value!r}")
    if items == ["all"]:
        return None
    if len(items) > 16:
        raise PresetError(f"--{what}: at most 16 entries (the plan's limit)")
    for item in items:
        if what == "sizes":
            _check_size(item)
        elif what == "patterns" and item not in PATTERNS:
            raise PresetError(f"--patterns: {item!r} is not one of {', '.join(PATTERNS)}")
        elif not NAME.match(item):
            raise PresetError(f"--{what}: {item!r} is not a name (letters, digits, _-./)")
    return ",".join(items)


def resolve(preset, mech=None, sizes=None, patterns=None, iters=None, warmup=None,
            icount=False):
    """The preset's settings (its ICOUNT values under --icount) with every
    option that was given replacing its value."""
    name = preset or DEFAULT_PRESET
    if name not in PRESETS:
        raise PresetError(f"--preset: unknown preset {name!r} "
                          f"({', '.join(PRESETS)})")
    s = Settings(preset=name, **PRESETS[name])
    if icount:
        s = replace(s, **ICOUNT.get(name, {}))
    if mech is not None:
        s = replace(s, mech=_list(mech, "mech"))
    if sizes is not None:
        s = replace(s, sizes=_list(sizes, "sizes"))
    if patterns is not None:
        s = replace(s, patterns=_list(patterns, "patterns"))
    for key, value in (("iters", iters), ("warmup", warmup)):
        if value is not None:
            if value < (1 if key == "iters" else 0):
                raise PresetError(f"--{key}: {value} is out of range")
            s = replace(s, **{key: value})
    return s
