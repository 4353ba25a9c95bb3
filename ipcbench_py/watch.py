"""watch - live progress of one benchmark boot, from the serial log QEMU is
writing: which case is running, how many of how many, time left.

A thread polls the file (QEMU writes it; nothing else to hook into) and
prints one timestamped line per case the guest starts.  The numbers are
estimates: `expected` comes from the source scan (registry.py) or from an
earlier boot of the same sweep, and the time left assumes the remaining
cases cost what the finished ones did on average - or, with a cost model
(eta.py), that the measured pace per unit of modelled cost holds.
"""
import threading
import time

from . import csvframe, seriallog

POLL_S = 0.5
# Firmware boot under -icount takes a minute or more with nothing from the
# kernel yet; say something at least this often.
QUIET_S = 30.0


def clock(seconds):
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Counter:
    """Feeds on serial lines; knows cases started and rows seen."""

    def __init__(self):
        self.cases = 0
        self.rows = 0
        self.current = None
        self.first_case_s = None

    def feed(self, line, now):
        m = csvframe.CASE.search(line)
        if m:
            self.cases += 1
            self.current = f"{m.group(1)}/{m.group(2)} {m.group(3)} {m.group(4)} B x {m.group(5)}" \
                + (f" {m.group(6)}" if m.group(6) else "")
            if self.first_case_s is None:
                self.first_case_s = now
            return True
        if csvframe.ROW.search(line):
            self.rows += 1
        return False


def estimate_left(done, expected, since_first_case, boot_guess=None):
    """Seconds left in this boot, or None when there is nothing to go on.
    `done` cases finished (the running one not counted)."""
    if expected and done > 0 and since_first_case > 0:
        return since_first_case / done * max(0, expected - done)
    return boot_guess


class Watcher(threading.Thread):
    """Prints progress for one boot until stop() is called."""

    def __init__(self, path, say, tag, expected=None, boot_guess_s=None,
                 later_boots_s=0.0, clock_fn=None, exact=False, model=None):
        super().__init__(daemon=True)
        self.path = path
        self.say = say
        self.tag = tag
        self.expected = expected
        self.exact = exact
        self.model = model          # eta.CostModel of the planned cases, or None
        self.boot_guess_s = boot_guess_s
        self.later_boots_s = later_boots_s
        self.counter = Counter()
        # seriallog's follower reads the growing file; we only count lines.
        self.tail = seriallog.SerialTail(path, on_line=self._line)
        self._stop_event = threading.Event()
        self.now = clock_fn or time.monotonic
        self.t0 = self.now()
        self.last_said = self.t0

    def stop(self):
        self._stop_event.set()
        self.join(timeout=5)
        self.poll()                      # whatever came last

    def run(self):
        while not self._stop_event.wait(POLL_S):
            try:
                self.poll()
                if self.now() - self.last_said >= QUIET_S:
                    self.heartbeat()
            except Exception as e:       # progress must never kill a run
                self.say(f"{self.tag}: progress display failed: {e}")
                return

    def poll(self):
        self.tail.poll()

    def _line(self, line):
        if self.counter.feed(line, self.now() - self.t0):
            self.report()

    def heartbeat(self):
        t = self.now() - self.t0
        last = self.tail.last_line
        what = f"last line: {last[:70]}" if last \
            else "no serial output yet (firmware booting)"
        self.last_said = self.now()
        self.say(f"{self.tag}: {clock(t)} in, {self.counter.cases} case(s) started; {what}")

    def report(self):
        c = self.counter
        self.last_said = self.now()
        t = self.now() - self.t0
        of = f"/{'' if self.exact else '~'}{self.expected}" if self.expected else ""
        since = t - (c.first_case_s or t)
        left = self.model.left(c.cases - 1, since) if self.model else None
        if left is None:
            left = estimate_left(c.cases - 1, self.expected, since,
                                 None if self.boot_guess_s is None
                                 else max(0.0, self.boot_guess_s - t))
        tail = f", boot {clock(t)}"
        if left is not None:
            tail += f", ~{clock(left + self.later_boots_s)} left at this pace"
        self.say(f"{self.tag}: case {c.cases}{of} {c.current} "
                 f"({c.rows} rows so far{tail})")
