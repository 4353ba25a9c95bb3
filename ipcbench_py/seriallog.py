"""seriallog - read the kernel's serial log: TAP lines, result, panic.

The kernel's reporting contract:
  ok N - name / not ok N - name [# SKIP|TODO why]   one line per check
  1..N                                              TAP plan
  KERNEL PANIC: ...                                 start of an exception dump
  ipcbench: result PASS | ipcbench: result FAIL (reason)   exactly once, last
Firmware and loader lines (and ANSI escapes from OVMF's console) are noise
around these and are ignored.  parse() is pure, so it is tested against
captured logs in tests/data/.
"""
import re
from dataclasses import dataclass, field

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TAP = re.compile(r"^\s*(not )?ok\s+(\d+)\b\s*(?:-\s*)?(.*?)"
                 r"(?:\s*#\s*(SKIP|TODO)\b.*)?\s*$", re.IGNORECASE)
TAP_PLAN = re.compile(r"^\s*1\.\.(\d+)\b")
RESULT = re.compile(r"(?:^|\s)ipcbench: result (PASS|FAIL)\b\s*(?:\((.*)\))?")
PANIC = "KERNEL PANIC:"
# OVMF's own exception handler: the firmware or the loader faulted before
# the kernel ran.  OVMF then hangs, so run.py stops QEMU on seeing this.
FW_EXCEPTION = re.compile(r"!!!! X64 Exception Type - (.*?)\s+CPU Apic ID")
FW_RIP = re.compile(r"^RIP\s+-\s+([0-9A-Fa-f]+)")
FW_IMAGE = re.compile(r"ImageBase=([0-9A-Fa-f]+)")
PLAN_ERROR = re.compile(r"plan line \d+:")
# The loader's own failure report (boot/: "ipcbench loader: error: ...").
LOADER_ERROR = re.compile(r"ipcbench loader: error:\s*(.*)")
# Hardware facts the kernel reports at boot, echoed in run.py's summary.
INFO = re.compile(r"^\s*(cpu|mem|timer|tsc|pcid|fb|boot):\s")
PANIC_MAX_LINES = 60


@dataclass(frozen=True)
class TapResult:
    number: int
    ok: bool
    name: str
    directive: str = None        # "SKIP", "TODO" or None

    @property
    def counts_as_failure(self):
        # TAP: a TODO test is expected to fail; SKIP never ran.
        return not self.ok and self.directive is None


@dataclass
class SerialReport:
    lines: list = field(default_factory=list)
    tap: list = field(default_factory=list)
    tap_plan: int = None
    result: str = None           # "PASS", "FAIL" or None (never reported)
    fail_reason: str = None
    result_count: int = 0
    panic: list = field(default_factory=list)
    plan_errors: list = field(default_factory=list)
    info: list = field(default_factory=list)
    firmware_exception: str = None   # "0D(#GP - General Protection) at ..."
    loader_error: str = None         # first "ipcbench loader: error: ..." text

    @property
    def passed(self):
        return sum(1 for t in self.tap if t.ok and t.directive != "SKIP")

    @property
    def failed(self):
        return sum(1 for t in self.tap if t.counts_as_failure)

    @property
    def skipped(self):
        return sum(1 for t in self.tap if t.directive == "SKIP")

    @property
    def failed_names(self):
        return [f"{t.number} - {t.name}" for t in self.tap if t.counts_as_failure]

    @property
    def missing(self):
        """Checks the TAP plan announced that never reported."""
        if self.tap_plan is None:
            return 0
        return max(0, self.tap_plan - len({t.number for t in self.tap}))

    @property
    def last_line(self):
        for line in reversed(self.lines):
            if line.strip():
                return line.strip()
        return ""


def clean(raw):
    """Bytes or str of a serial capture -> list of printable lines."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    raw = ANSI.sub("", raw).replace("\r\n", "\n").replace("\r", "\n")
    return [CONTROL.sub("", line) for line in raw.split("\n")]


def _tap_line(line):
    m = TAP.match(line)
    if not m:
        return None
    directive = m.group(4).upper() if m.group(4) else None
    return TapResult(int(m.group(2)), m.group(1) is None, m.group(3), directive)


def _result_line(report, m):
    report.result_count += 1
    # Exactly one is the contract; if a buggy kernel prints more, the last
    # one wins but a FAIL is never overwritten by a later PASS.
    if report.result != "FAIL":
        report.result = m.group(1)
        report.fail_reason = (m.group(2) or "no reason given") \
            if m.group(1) == "FAIL" else None


def _collect_panic(lines, start):
    block = []
    for line in lines[start:start + PANIC_MAX_LINES]:
        if RESULT.search(line) and block:
            break
        block.append(line.rstrip())
    return block


def _firmware_exception(lines, start, kind):
    """'<kind>, RIP x = ImageBase y + 0xoff' from OVMF's dump, so the
    faulting loader instruction can be found with objdump."""
    rip = base = None
    for line in lines[start:start + 30]:
        rip = rip or (FW_RIP.match(line) and int(FW_RIP.match(line).group(1), 16))
        m = FW_IMAGE.search(line)
        if m:
            base = int(m.group(1), 16)
            break
    if rip is None:
        return kind
    where = f"RIP {rip:#x}"
    if base is not None and rip >= base:
        where += f" = image base {base:#x} + {rip - base:#x}"
    return f"{kind}, {where}"


def parse(raw):
    """Parse a whole serial capture into a SerialReport."""
    report = SerialReport(lines=clean(raw))
    # A last line without its newline was cut off (timeout, crash): "ok 1"
    # might be the start of "ok 12 - ...", so it is shown but not counted.
    complete = report.lines[:-1]
    for i, line in enumerate(complete):
        tap = _tap_line(line)
        if tap:
            report.tap.append(tap)
        elif TAP_PLAN.match(line):
            report.tap_plan = int(TAP_PLAN.match(line).group(1))
        elif (m := RESULT.search(line)):
            _result_line(report, m)
        elif PANIC in line and not report.panic:
            report.panic = _collect_panic(complete, i)
        elif (m := FW_EXCEPTION.search(line)) and not report.firmware_exception:
            report.firmware_exception = _firmware_exception(complete, i, m.group(1))
        elif (m := LOADER_ERROR.search(line)) and not report.loader_error:
            report.loader_error = m.group(1).strip()
        elif PLAN_ERROR.search(line):
            report.plan_errors.append(line.strip())
        elif INFO.match(line):
            report.info.append(line.strip())
    return report


def parse_file(path):
    with open(path, "rb") as f:
        return parse(f.read())


class SerialTail:
    """Follow a serial log QEMU is still writing: when did output start,
    when did the result line appear.  `on_line`, when given, is called with
    every complete line as it arrives."""

    def __init__(self, path, on_line=None):
        self.path = path
        self.on_line = on_line
        self.offset = 0
        self.partial = b""
        self.last_line = ""
        self.saw_output = False
        self.result = None
        self.firmware_exception = False

    def poll(self):
        """Read what is new; return True when the result line has appeared."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return False
        if data:
            self.saw_output = True
            self.offset += len(data)
            self._feed(data)
        return self.result is not None

    def _feed(self, data):
        *complete, self.partial = (self.partial + data).split(b"\n")
        for raw in complete:
            for line in clean(raw):
                if line.strip():
                    self.last_line = line.strip()
                if self.on_line:
                    self.on_line(line)
                m = RESULT.search(line)
                if m and self.result is None:
                    self.result = m.group(1)
                if FW_EXCEPTION.search(line):
                    self.firmware_exception = True
        if self.partial.strip():
            tail = [l for l in clean(self.partial) if l.strip()]
            if tail:
                self.last_line = tail[-1].strip()

