"""registry - which IPC mechanisms this source tree registers, read from
ipc/user/registry.c and the descriptors it names (no build needed).

Used for an *estimate* only: how many cases a sweep will run (progress and
time left), which mechanism a test may pick, and a clear message for a
mistyped --mech.  The guest is the authority; its "bench: ..." lines and CSV
rows are what counts.  A descriptor this reader cannot follow is reported
with unknown limits, never guessed as absent.
"""
import ast
import glob
import os
import re
from dataclasses import dataclass

REGISTRY = os.path.join("ipc", "user", "registry.c")
# driver.c's lists (bench/driver.c: default_sizes, empty_only).
DEFAULT_SIZES = (8, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)
PATTERNS = ("pingpong", "stream", "call")
# ipc/user/ipc.h: IPC_VARIANT_LEND, the stream pattern filling and reading
# messages in place; the driver runs it for stream messages of 1 byte or more.
LEND = "lend"
# Mechanisms only the Linux harness has (bench/linux/registry.c): a sweep
# --with-linux may name them; ipcbench's guest warns that it has none.
LINUX_ONLY = ("posix-mq", "eventfd")

ROW = re.compile(r"^\s*&(ipc_\w+)\s*,", re.M)
ARRAY = re.compile(r"mechanisms\[\]\s*=\s*\{(.*?)\};", re.S)
DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s+(.+?)\s*(?:/\*.*)?$", re.M)


@dataclass(frozen=True)
class Mech:
    name: str
    variants: tuple          # ("",) when the mechanism has none
    caps: frozenset          # {"STREAM", "CALL", ...}
    max_msg: int = None      # None: could not be read
    same_core_skip: tuple = ()   # variants whose same-core rows are skipped
                                 # when cross-core rows run (bench/placement.c)


def _strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def _sources(repo):
    files = sorted(glob.glob(os.path.join(repo, "ipc", "user", "*.[ch]")))
    files += sorted(glob.glob(os.path.join(repo, "common", "*.h")))
    out = {}
    for path in files:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                out[path] = _strip_comments(f.read())
        except OSError:
            pass
    return out


def _eval_int(expr, defines, depth=0):
    """A C integer constant expression of literals, macros, + - * << >> and
    parentheses; None when it is anything else."""
    if depth > 8:
        return None
    expr = re.sub(r"\(\s*(?:u?int\d+_t|unsigned(?: long)*|long|size_t)\s*\)", "", expr)
    expr = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", expr)

    def sub(m):
        name = m.group(0)
        if name not in defines:
            raise KeyError(name)
        value = _eval_int(defines[name], defines, depth + 1)
        if value is None:
            raise KeyError(name)
        return str(value)
    try:
        expr = re.sub(r"\b[A-Za-z_]\w*\b", sub, expr)
        tree = ast.parse(expr.strip(), mode="eval")
    except (KeyError, SyntaxError):
        return None
    allowed = (ast.Expression, ast.BinOp, ast.Constant, ast.Add, ast.Sub,
               ast.Mult, ast.LShift, ast.RShift, ast.FloorDiv, ast.Div)
    if not all(isinstance(n, allowed) for n in ast.walk(tree)):
        return None
    try:
        value = eval(compile(tree, "<max_msg>", "eval"), {"__builtins__": {}})
    except (ArithmeticError, ValueError):
        return None
    return int(value)


def _field(body, name):
    m = re.search(rf"\.{name}\s*=\s*([^,]+?)\s*,\s*(?=\.|$)", body, re.S)
    return m.group(1).strip() if m else None


def _variants(ref, texts):
    if ref in (None, "0", "NULL"):
        return ("",)
    for text in texts.values():
        m = re.search(rf"\b{re.escape(ref)}\s*\[\s*\]\s*=\s*\{{(.*?)\}}", text, re.S)
        if m:
            names = tuple(re.findall(r'"([^"]*)"', m.group(1)))
            return names or ("",)
    return ("",)


def _descriptor(symbol, texts, defines):
    pat = re.compile(rf"struct\s+ipc_mech\s+{symbol}\s*=\s*\{{(.*?)\}};", re.S)
    for text in texts.values():
        m = pat.search(text)
        if not m:
            continue
        body = m.group(1).rstrip().rstrip(",") + ","
        name = _field(body, "name")
        caps = _field(body, "caps") or ""
        max_msg = _field(body, "max_msg")
        skip = _field(body, "same_core_skip")
        return Mech(name=name.strip('"') if name else symbol[4:].replace("_", "-"),
                    variants=_variants(_field(body, "variants"), texts),
                    same_core_skip=tuple(v for v in _variants(skip, texts) if v),
                    caps=frozenset(re.findall(r"IPC_CAP_(\w+)", caps)),
                    max_msg=_eval_int(max_msg, defines) if max_msg else None)
    return None


def mechanisms(repo):
    """The registered mechanisms in registry order; [] when the registry
    cannot be read."""
    texts = _sources(repo)
    reg = texts.get(os.path.join(repo, REGISTRY))
    if reg is None:
        return []
    m = ARRAY.search(reg)
    if not m:
        return []
    defines = {}
    for text in texts.values():
        for name, value in DEFINE.findall(text):
            defines.setdefault(name, value)
    out = []
    for symbol in ROW.findall(m.group(1)):
        mech = _descriptor(symbol, texts, defines)
        out.append(mech or Mech(symbol[4:].replace("_", "-"), ("",), frozenset()))
    return out


def _size(text):
    m = re.match(r"^(\d+)([KkMm]?)$", text)
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20}[m.group(2).lower()]


def _cases_for(mech, variant, patterns, sizes, placements=("",)):
    """(mech, variant, pattern, size, placement) of one variant, in
    bench/driver.c's order: patterns in the driver's fixed order, sizes as
    listed, then each placement (bench/placement.c)."""
    out = []
    for pattern in (p for p in PATTERNS if p in patterns):
        if pattern == "call" and "CALL" not in mech.caps:
            continue
        if variant == LEND and pattern != "stream":
            continue
        if mech.max_msg == 0:
            mine = (0,)             # its only size, whatever the list says
        else:
            mine = DEFAULT_SIZES if sizes is None else sizes
        for size in mine:
            if mech.max_msg is not None and size > mech.max_msg:
                continue
            if size == 0 and ("STREAM" in mech.caps or variant == LEND):
                continue
            for where in placements:
                if where == "same-core" and "cross-core" in placements \
                        and variant in mech.same_core_skip:
                    continue        # needs-a-partner-on-another-cpu
                out.append((mech.name, variant_name(variant), pattern, size, where))
    return out


# The plan's placement word -> the placements a boot runs (bench/placement.c;
# None: the guest's auto, which run.py's sweeps never leave to the guest).
PLACEMENTS = {"same": ("same-core",), "cross": ("cross-core",),
              "both": ("same-core", "cross-core"), None: ("",)}


def variant_name(variant):
    """A variant as lists and CSV rows show it: '-' for none."""
    return variant or "-"


def selection(mechs, mech_list):
    """[(Mech, variants)] a plan's mech list selects, in registry order:
    'name' picks every variant, 'name/variant' one (bench/driver.c does
    the same)."""
    entries = mech_list.split(",") if mech_list else None
    out = []
    for m in mechs:
        if entries is None:
            out.append((m, m.variants))
            continue
        mine = [e.partition("/") for e in entries if e.partition("/")[0] == m.name]
        if not mine:
            continue
        if any(not sep for _, sep, _ in mine):
            out.append((m, m.variants))
        else:
            picked = {v for _, _, v in mine}
            out.append((m, tuple(v for v in m.variants if variant_name(v) in picked)))
    return out


def planned_cases(mechs, settings):
    """Every 'bench:' case a boot with these presets.Settings runs, in the
    order the guest runs them: [(mech, variant, pattern, size, placement)]
    (placement "" when the settings leave it to the guest)."""
    patterns = settings.patterns.split(",") if settings.patterns else PATTERNS
    sizes = [_size(s) for s in settings.sizes.split(",")] if settings.sizes else None
    where = PLACEMENTS[getattr(settings, "placement", None)]
    return [case for m, variants in selection(mechs, settings.mech)
            for v in variants for case in _cases_for(m, v, patterns, sizes, where)]


def expected_cases(mechs, settings):
    """How many 'bench:' cases a boot with these presets.Settings runs."""
    return len(planned_cases(mechs, settings))


def unknown_names(mechs, settings):
    """--mech entries that name no registered mechanism (or no variant of
    it), and are no floor."""
    if not settings.mech or not mechs:
        return []
    have = {m.name: m for m in mechs}
    bad = []
    for entry in settings.mech.split(","):
        name, sep, variant = entry.partition("/")
        if name.startswith("floor"):
            continue
        m = have.get(name)
        if m is None or (sep and variant not in map(variant_name, m.variants)):
            bad.append(entry)
    return bad
