"""csvframe - the benchmark CSV: pull the framed block out of a serial log,
check it against the schema, write results.csv and read it back.

The guest's framing (bench/csv.c, docs/CSV.md):
  @csv-begin <version> <run_id>
  @csv-header run_id,mech,...        docs/CSV.md's columns, in order
  @csv <n> <row>                     n = 1, 2, ...; a gap means a lost line
  @csv-skip <mech> <variant> <pattern> <size> <reason> [<placement>]
  @csv-end <rows>
Anything else (kernel messages, "bench: ..." progress lines, OVMF escapes)
may sit between these lines and is ignored.  extract() is pure, so it is
tested against captured and synthetic logs without QEMU.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from . import seriallog

COLUMNS = ("run_id", "mech", "variant", "pattern", "size", "iters", "unit",
           "min", "p50", "p90", "p99", "max", "mean", "stddev", "mbps",
           "syscalls_per_op", "switches_per_op", "as_switches_per_op",
           "tlb_flushes_per_op", "kcopy_bytes_per_op", "wakeups_per_op",
           "pcid", "accel", "cpu")
# Appended after docs/CSV.md's columns (empty when the guest has no PMU).
PMU_COLUMNS = ("instructions_per_op", "unhalted_cycles_per_op")
# Appended by run.py, not printed by the guest: which boot made the row
# ("<config>#<k>", docs/CSV.md).
BOOT_COLUMN = "boot"
# Also run.py's: p50 in ns from the boot's measured TSC frequency (unit
# cycles only; empty otherwise).
NS_COLUMN = "p50_ns"
# Every appended column in the order docs/CSV.md documents; results.csv
# writes them in this order whatever order rows gained them.
APPENDED = PMU_COLUMNS + (BOOT_COLUMN, NS_COLUMN, "placement", "system")
# Which system measured a row (appended by run.py, docs/CSV.md); rows
# without the column are ipcbench's.
SYSTEMS = ("ipcbench", "linux-guest", "linux-host")
# Where a case's two ends ran (the guest prints it since issue 12; rows
# from before have none, and the Linux harness's come from run.py).
PLACEMENTS = ("same-core", "cross-core")
# What bench/csv.c prints, in its order (results.csv orders by APPENDED).
GUEST_COLUMNS = COLUMNS + PMU_COLUMNS + ("placement",)
INT_COLUMNS = ("size", "iters", "min", "p50", "p90", "p99", "max", "mean", "stddev")
FLOAT_COLUMNS = ("mbps",)
# Per-op kernel events; empty where the system under test cannot count one
# (the Linux harness counts only context switches, and only in its guest).
EVENT_COLUMNS = ("syscalls_per_op", "switches_per_op", "as_switches_per_op",
                 "tlb_flushes_per_op", "wakeups_per_op")
OPTIONAL_FLOAT_COLUMNS = EVENT_COLUMNS + ("kcopy_bytes_per_op",) + PMU_COLUMNS + (NS_COLUMN,)
UNITS = ("cycles", "instructions", "ns")
FORMAT_VERSION = 1
FLOORS = ("floor-timer", "floor-syscall", "floor-yield", "floor-as-switch",
          "floor-memcpy", "floor-touch")

BEGIN = re.compile(r"@csv-begin\s+(\d+)\s*(\S*)")
HEADER = re.compile(r"@csv-header\s+(\S+)")
ROW = re.compile(r"@csv\s+(\d+)\s+(\S.*?)\s*$")
SKIP = re.compile(r"@csv-skip\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(.*?)"
                  r"(?:\s+(same-core|cross-core))?\s*$")
END = re.compile(r"@csv-end\s+(\d+)")
# bench/csv.c: row n's samples in iteration order, printed before row n.
SAMPLES = re.compile(r"^@s\s+(\d+)\s+(\d+)\s+(\d+(?:,\d+)*)\s*$")
# driver.c prints this before each case: "bench: pipe/xv6 pingpong 8 bytes x 200"
# (then " same-core" or " cross-core" when the boot places its ends)
CASE = re.compile(r"bench: ([^\s/]+)/(\S+) (\S+) (\d+) bytes x (\d+)(?: (same-core|cross-core))?")


class SchemaError(ValueError):
    pass


def is_floor(row):
    return row["mech"].startswith("floor-")


def label(row):
    """mech/variant as shown in tables and legends ('pipe/xv6', 'floor-yield')."""
    v = row["variant"]
    return row["mech"] if v in ("", "-") else f"{row['mech']}/{v}"


def case_name(row):
    where = row.get("placement")
    return f"{label(row)} {row['pattern']} {row['size']}" + (f" {where}" if where else "")


def check_header(names):
    """Problems with a header: docs/CSV.md's columns must come first, in order
    (more may be appended, none removed or renamed)."""
    names = list(names)
    if names[:len(COLUMNS)] == list(COLUMNS):
        return []
    for i, want in enumerate(COLUMNS):
        got = names[i] if i < len(names) else None
        if got != want:
            return [f"header column {i + 1} is {got!r}, expected {want!r} "
                    f"(docs/CSV.md)"]
    return []


def _number(name, text, kind):
    try:
        value = kind(text)
    except ValueError:
        raise SchemaError(f"{name}: {text!r} is not a number") from None
    if value < 0:
        raise SchemaError(f"{name}: {text!r} is negative")
    return value


def typed_row(fields, names=COLUMNS):
    """A dict of one row's values with numbers as int/float; SchemaError
    names the first bad field."""
    if len(fields) != len(names):
        raise SchemaError(f"{len(fields)} fields, expected {len(names)}")
    row = dict(zip(names, (f.strip() for f in fields)))
    for name in INT_COLUMNS:
        row[name] = _number(name, row[name], int)
    for name in FLOAT_COLUMNS:
        row[name] = _number(name, row[name], float)
    for name in OPTIONAL_FLOAT_COLUMNS:  # empty: not measured or not counted
        if name in row:
            row[name] = _number(name, row[name], float) if row[name] else None
    if row["unit"] not in UNITS:
        raise SchemaError(f"unit: {row['unit']!r} is not one of {', '.join(UNITS)}")
    if not row["mech"]:
        raise SchemaError("mech is empty")
    return row


@dataclass(frozen=True)
class Skip:
    mech: str
    variant: str
    pattern: str
    size: int
    reason: str
    placement: str = ""      # "" when the skip is not about one placement

    def as_dict(self):
        out = {"mech": self.mech, "variant": self.variant, "pattern": self.pattern,
               "size": self.size, "reason": self.reason}
        return dict(out, placement=self.placement) if self.placement else out


@dataclass
class CsvBlock:
    """What one boot's serial log says about its CSV block."""
    began: bool = False
    version: int = None
    run_id: str = None
    header: list = None
    rows: list = field(default_factory=list)      # typed dicts, in sequence order
    seqs: list = field(default_factory=list)      # the @csv number of each row
    skips: list = field(default_factory=list)
    end_count: int = None
    problems: list = field(default_factory=list)  # gaps, bad rows, bad header
    samples: dict = field(default_factory=dict)   # row number -> [values]
    sample_problems: list = field(default_factory=list)   # lost "@s" lines
    cases_started: int = 0       # "bench: ..." lines seen
    running: str = None          # the case started with no row or skip yet

    @property
    def complete(self):
        return (self.began and self.end_count is not None and not self.problems
                and len(self.rows) == self.end_count)

    @property
    def last_row(self):
        return self.rows[-1] if self.rows else None

    def cut_short(self, why):
        """One line for a block that did not end properly."""
        if not self.began:
            return f"no CSV block in the serial log: {why}"
        if self.last_row is None:
            head = "CSV cut short before the first row"
        else:
            head = (f"CSV cut short after row {self.seqs[-1]} "
                    f"({case_name(self.last_row)})")
        if self.running:
            head += f", while running {self.running}"
        return f"{head}: {why}"


def _gaps(seqs):
    """Missing sequence numbers (a lost serial line each)."""
    seen = set(seqs)
    top = max(seqs) if seqs else 0
    return [n for n in range(1, top + 1) if n not in seen]


def _span(numbers):
    if len(numbers) <= 3:
        return ", ".join(map(str, numbers))
    return f"{numbers[0]}, {numbers[1]} ... {numbers[-1]} ({len(numbers)} in all)"


def _on_row(block, m, names):
    seq = int(m.group(1))
    if seq in block.seqs:
        block.problems.append(f"row {seq} appears twice")
        return
    try:
        fields = next(csv.reader([m.group(2)]))
        row = typed_row(fields, names)
    except (SchemaError, StopIteration) as e:
        block.problems.append(f"row {seq} is damaged ({e}); treated as lost")
        return
    block.rows.append(row)
    block.seqs.append(seq)


def _on_samples(block, m):
    """One "@s" line; a chunk that does not continue where the last one
    ended means a lost line: that row's samples are dropped, not guessed."""
    seq, start = int(m.group(1)), int(m.group(2))
    have = block.samples.get(seq)
    if have is None and seq in block.samples:
        return                          # already found broken
    if len(have or []) != start:
        block.sample_problems.append(f"samples of row {seq}: lost line before "
                                     f"index {start}")
        block.samples[seq] = None
        return
    block.samples.setdefault(seq, []).extend(int(v) for v in m.group(3).split(","))


def row_samples(block):
    """[(row, samples)] for each row whose samples arrived whole (one per
    measured iteration, up to the guest's 2^20 kept)."""
    out = []
    for seq, row in zip(block.seqs, block.rows):
        values = block.samples.get(seq)
        if values and len(values) == min(row["iters"], 1 << 20):
            out.append((row, values))
    return out


def _on_line(block, line):
    if (m := BEGIN.search(line)):
        if block.began:
            block.problems.append("a second @csv-begin in one log")
            return
        block.began, block.version = True, int(m.group(1))
        block.run_id = m.group(2) or None
        if block.version != FORMAT_VERSION:
            block.problems.append(f"CSV format version {block.version}, this "
                                  f"run.py reads version {FORMAT_VERSION}")
    elif not block.began:
        return
    elif (m := HEADER.search(line)):
        block.header = m.group(1).split(",")
        block.problems.extend(check_header(block.header))
    elif (m := SKIP.search(line)):
        block.skips.append(Skip(m.group(1), m.group(2), m.group(3),
                                int(m.group(4)), m.group(5), m.group(6) or ""))
        block.running = None
    elif (m := END.search(line)):
        block.end_count = int(m.group(1))
    elif (m := SAMPLES.search(line)):
        _on_samples(block, m)
    elif (m := ROW.search(line)):
        _on_row(block, m, block.header or COLUMNS)
        block.running = None
    elif (m := CASE.search(line)):
        block.cases_started += 1
        block.running = f"{m.group(1)}/{m.group(2)} {m.group(3)} {m.group(4)}" + \
            (f" {m.group(6)}" if m.group(6) else "")


def _finish(block):
    """The checks that need a whole block."""
    if block.began and block.header is None:
        block.problems.append("no @csv-header line")
    gaps = _gaps(block.seqs)
    if gaps:
        block.problems.append(f"lost row(s) {_span(gaps)} (sequence gap)")
    if block.end_count is not None and not gaps and len(block.rows) != block.end_count:
        block.problems.append(f"@csv-end says {block.end_count} rows, "
                              f"the log has {len(block.rows)}")
    return block


def _merge(passes):
    """One block from the blocks of one boot's passes (`pcid = both` prints
    a whole block per PCID setting): rows and their samples renumbered in
    order, counts summed, problems named by pass."""
    out = passes[0]
    for k, nxt in enumerate(passes[1:], start=2):
        offset = max(out.seqs, default=0)
        out.rows += nxt.rows
        out.seqs += [seq + offset for seq in nxt.seqs]
        out.skips += nxt.skips
        out.samples.update({seq + offset: v for seq, v in nxt.samples.items()})
        out.sample_problems += [f"pass {k}: {p}" for p in nxt.sample_problems]
        out.problems += [f"pass {k}: {p}" for p in nxt.problems]
        out.cases_started += nxt.cases_started
        out.running = nxt.running
        if nxt.header != out.header:
            out.problems.append(f"pass {k}: a header unlike pass 1's")
        if out.end_count is not None and nxt.end_count is not None:
            out.end_count += nxt.end_count
        else:
            out.end_count = None
    return out


def extract(raw):
    """Parse a serial capture (bytes, str or list of cleaned lines).  A
    block that begins after another one ended is a further pass of the same
    boot (`pcid = both`); the passes are merged into one block."""
    lines = raw if isinstance(raw, list) else seriallog.clean(raw)
    passes = [CsvBlock()]
    # The last line without a newline may be cut mid-row: not counted.
    complete = lines[:-1] if lines and lines[-1] != "" else lines
    for line in complete:
        if passes[-1].end_count is not None and BEGIN.search(line):
            passes.append(CsvBlock())
        _on_line(passes[-1], line)
    return _merge([_finish(b) for b in passes])


def extract_file(path):
    with open(path, "rb") as f:
        return extract(f.read())


# ------------------------------------------------------------ results.csv

def _text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def names_of(rows):
    """docs/CSV.md's columns, then the documented appended columns the rows
    have (in APPENDED's order), then any other column in the order first
    seen (rows of different guests may differ)."""
    present = set()
    extra = []
    for row in rows:
        for n in row:
            if n not in present:
                present.add(n)
                if n not in COLUMNS and n not in APPENDED:
                    extra.append(n)
    return list(COLUMNS) + [n for n in APPENDED if n in present] + extra


def to_text(rows, names=None):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = names or names_of(rows)
    w.writerow(names)
    for row in rows:
        w.writerow([_text(row.get(n)) for n in names])
    return buf.getvalue()


def write(path, rows, names=None):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(to_text(rows, names))


def read(path):
    """results.csv -> list of typed rows; SchemaError says what is wrong
    and where."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise SchemaError(f"{path}: empty file (no header)")
        bad = check_header(header)
        if bad:
            raise SchemaError(f"{path}: {bad[0]}")
        rows = []
        for lineno, fields in enumerate(reader, start=2):
            if not fields:
                continue
            try:
                rows.append(typed_row(fields, header))
            except SchemaError as e:
                raise SchemaError(f"{path}:{lineno}: {e}") from None
    return rows


def boot_config(row):
    """The configuration part of a row's boot ("tcg-pcidauto" of
    "tcg-pcidauto#2"), or None for rows from before the boot column."""
    boot = row.get(BOOT_COLUMN)
    return boot.split("#", 1)[0] if boot else None


def system_of(row):
    return row.get("system") or "ipcbench"


def group_key(row):
    """Rows of one boot configuration: (accel, pcid in effect, unit), and
    the configuration of the boot column when there is one (two boots that
    asked for different PCID settings may both run without PCID); then the
    system and the placement (ipcbench and "" for rows without them)."""
    return (row["accel"], row["pcid"], row["unit"], boot_config(row), system_of(row),
            row.get("placement") or "")


def group_name(key):
    accel, pcid, unit = key[:3]
    config = key[3] if len(key) > 3 else None
    system = key[4] if len(key) > 4 else "ipcbench"
    placement = key[5] if len(key) > 5 else ""
    name = config or f"{accel}-pcid{pcid}" + ("-icount" if unit == "instructions" else "")
    name += f"-{placement}" if placement else ""
    return name + ("" if system == "ipcbench" else f"-{system}")


def groups(rows):
    """{group_key: [rows]} in first-seen order."""
    out = {}
    for row in rows:
        out.setdefault(group_key(row), []).append(row)
    return out
