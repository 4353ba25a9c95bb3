"""Boot the real image under QEMU (TCG) and check what a user relies on:
the selftest passes and reports the hardware, faults and bad plans end the
run with a clear report instead of a hang, the framebuffer shows text, and a
broken image fails loudly in the loader (the USB image: tests/test_usb.py).

Each test boots once (about 5-15 s under TCG) and is bounded by a timeout.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

import pytest

from ipcbench_py import accel, ovmf, qemu, seriallog
from ipcbench_py.monitor import Monitor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(REPO, "run.py")
IMAGE = os.path.join(REPO, "build", "ipcbench.img")
# run.py's own limit per boot.  A quiet 2-core machine needs about 25 s for
# the full selftest boot; the limit only bites on a hang, so it leaves room
# for a host loaded several times over (CI machines, parallel builds).
BOOT_TIMEOUT = 300
TEST_TIMEOUT = BOOT_TIMEOUT + 120  # per test: the boot plus building and checks

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="session")
def image():
    """build/ipcbench.img, built once for the whole session."""
    res = subprocess.run(["make", "-s"], cwd=REPO, capture_output=True, text=True)
    if res.returncode != 0 or not os.path.isfile(IMAGE):
        pytest.fail(f"make failed ({res.returncode}):\n{res.stdout}{res.stderr}")
    return IMAGE


def selftest(out, *extra, timeout=BOOT_TIMEOUT):
    """./run.py selftest under TCG into the run dir `out`."""
    argv = [sys.executable, RUN_PY, "selftest", "--accel", "tcg", "--no-install",
            "--timeout", str(timeout), "--out", str(out), *extra]
    res = subprocess.run(argv, cwd=REPO, capture_output=True, text=True,
                         timeout=timeout + 60)
    log = os.path.join(out, "serial.log")
    if not os.path.exists(log):
        pytest.fail(f"run.py never booted (exit {res.returncode}):\n"
                    f"{res.stdout}{res.stderr}")
    with open(log, "rb") as f:
        log = seriallog.clean(f.read())
    return res, "\n".join(log)


class CpuModel(accel.Accel):
    """TCG with another -cpu than run.py's `max` (e.g. a feature taken away)."""

    def __init__(self, model):
        super().__init__("tcg", f"test: -cpu {model}")
        object.__setattr__(self, "model", model)

    @property
    def cpu(self):
        return self.model


def boot_plain(img, workdir, timeout=BOOT_TIMEOUT, cpu=None, smp=1):
    """Boot an image as a user would, without run.py writing a plan."""
    fw = ovmf.require()
    vars_copy = shutil.copyfile(fw.vars, os.path.join(workdir, "VARS.fd")) \
        if fw.vars else None
    cfg = qemu.Config(image=img, firmware=fw, vars_copy=vars_copy,
                      serial_log=os.path.join(workdir, "serial.log"), smp=smp,
                      accel=CpuModel(cpu) if cpu else accel.Accel("tcg", "test"))
    out = qemu.start(cfg, os.path.join(workdir, "qemu.log")).wait(timeout, grace=None)
    return out, seriallog.parse_file(cfg.serial_log)


def has_line(log, key):
    """A line `key: <figure>` as the kernel prints its hardware facts."""
    return re.search(rf"^\s*{key}:.*\d", log, re.M) is not None


# ---------------------------------------------------------------- selftest

@pytest.mark.timeout(TEST_TIMEOUT)
def test_selftest_passes_and_reports_hardware(image, tmp_path):
    """The whole selftest on one CPU (several: tests/test_smp_boot.py)."""
    res, log = selftest(tmp_path / "run", "--smp", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    for key in ("mem", "timer", "tsc"):
        assert has_line(log, key), f"no '{key}:' figure in the serial log"
    assert "smp: 1 CPU running (MADT lists 1)" in log.splitlines(), log[:3000]
    assert "ipcbench: result PASS" in log
    assert re.search(r"PASS\n\s+\d+ passed, 0 failed", res.stdout), res.stdout
    meta = (tmp_path / "run" / "meta.json").read_text()
    assert '"reason": "PASS"' in meta and '"name": "tcg"' in meta


@pytest.mark.timeout(TEST_TIMEOUT)
def test_injected_ud_gives_a_panic_dump(image, tmp_path):
    res, log = selftest(tmp_path / "run", "--plan-extra", "inject=ud")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "KERNEL PANIC:" in log
    panic = log[log.index("KERNEL PANIC:"):]
    for word in ("vector", "rip", "cr2", "rax", "rsp", "backtrace:"):
        assert word in panic.lower(), f"panic dump lacks {word!r}:\n{panic}"
    assert "kernel panic" in res.stdout


@pytest.mark.timeout(TEST_TIMEOUT)
def test_bad_plan_line_is_reported_not_hung(image, tmp_path):
    t0 = time.monotonic()
    res, log = selftest(tmp_path / "run", "--plan-extra", "bogus = 1", "--no-plan-check")
    assert res.returncode == 1, res.stdout + res.stderr
    assert re.search(r"plan line \d+:.*bogus", log), log
    assert "FAIL: timeout" not in res.stdout
    assert time.monotonic() - t0 < BOOT_TIMEOUT


# ------------------------------------------------------------- framebuffer

def read_ppm(path):
    """(width, height, rows of RGB tuples) from a binary P6 PPM."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:          # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6", fields
    w, h = int(fields[1]), int(fields[2])
    pix = data[pos + 1:pos + 1 + w * h * 3]
    rows = [[tuple(pix[(y * w + x) * 3:(y * w + x) * 3 + 3]) for x in range(w)]
            for y in range(h)]
    return w, h, rows


def wait_for_file_line(path, pattern, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, "rb") as f:
                if re.search(pattern, f.read()):
                    return True
        time.sleep(0.2)
    return False


def screendump_after_result(tmp_path):
    """Boot with end = halt, wait for the result line, screendump, quit."""
    sockdir = tempfile.mkdtemp(prefix="ipcb-")      # unix socket paths are short
    sock, out = os.path.join(sockdir, "mon"), tmp_path / "run"
    ppm = str(tmp_path / "screen.ppm")
    proc = subprocess.Popen(
        [sys.executable, RUN_PY, "selftest", "--accel", "tcg", "--no-install",
         "--timeout", str(BOOT_TIMEOUT), "--out", str(out), "--monitor", sock,
         "--plan-extra", "end=halt"], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert wait_for_file_line(str(out / "serial.log"), rb"ipcbench: result",
                                  BOOT_TIMEOUT), "no result line on serial"
        time.sleep(0.5)             # let the console finish drawing
        with Monitor(sock) as mon:
            mon.command(f"screendump {ppm}")
            mon.command("quit")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.terminate()        # run.py stops its QEMU on SIGTERM
            proc.wait(timeout=30)
        shutil.rmtree(sockdir, ignore_errors=True)
    return read_ppm(ppm)


@pytest.mark.timeout(TEST_TIMEOUT)
def test_framebuffer_draws_text(image, tmp_path):
    w, h, rows = screendump_after_result(tmp_path)
    background = Counter(p for row in rows for p in row).most_common(1)[0][0]
    ink_per_row = [sum(1 for p in row if p != background) for row in rows]
    ink = sum(ink_per_row)
    text_rows = sum(1 for n in ink_per_row if n)
    # Text: many pixels set, but sparse (not a filled screen), across at
    # least two 16-pixel lines of glyphs.
    assert ink > 1000, f"only {ink} non-background pixels on a {w}x{h} screen"
    assert ink < 0.5 * w * h
    assert text_rows >= 24, f"ink on only {text_rows} pixel rows"
    # Glyph rows alternate ink and gaps: some rows in the text area are empty.
    first = ink_per_row.index(next(n for n in ink_per_row if n))
    assert 0 in ink_per_row[first:first + 64]


# --------------------------------------------------------- images as shipped

def mtools(*argv):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(argv, check=True, env=env, capture_output=True)


@pytest.mark.timeout(TEST_TIMEOUT)
@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_broken_kernel_is_a_loader_error(image, tmp_path, damage):
    img = shutil.copyfile(image, str(tmp_path / "broken.img"))
    elf = "::/EFI/IPCBENCH/KERNEL.ELF"
    if damage == "missing":
        mtools("mdel", "-i", f"{img}@@1M", elf)
    else:
        junk = tmp_path / "junk"
        junk.write_bytes(b"\x7fELF" + bytes(range(256)) * 64)
        mtools("mcopy", "-o", "-i", f"{img}@@1M", str(junk), elf)
    out, report = boot_plain(img, str(tmp_path))
    log = "\n".join(report.lines).lower()
    assert out.status is not None, f"QEMU did not exit by itself: {report.last_line}"
    assert out.status != qemu.EXIT_SUCCESS
    # Loose on wording: it must name the kernel and say what is wrong.
    assert "kernel" in log, log[-2000:]
    assert re.search(r"invalid|not found|not a |bad |missing|cannot", log), log[-2000:]


@pytest.mark.timeout(TEST_TIMEOUT)
def test_fpu_state_switched_with_fxsave_when_cpu_lacks_xsave(image, tmp_path):
    """-cpu max has XSAVEOPT and AVX (the selftest covers that path); without
    XSAVE the kernel must fall back to FXSAVE and still keep every thread's
    x87/SSE registers its own."""
    img = shutil.copyfile(image, str(tmp_path / "fx.img"))
    plan_file = tmp_path / "plan.txt"
    plan_file.write_text("mode = selftest\ntests = leak,cpu-fpu\n")
    mtools("mcopy", "-o", "-i", f"{img}@@1M", str(plan_file), "::/EFI/IPCBENCH/PLAN.TXT")
    out, report = boot_plain(img, str(tmp_path), cpu="max,-xsave")
    log = "\n".join(report.lines)
    assert "fpu: fxsave/fxrstor, 512-byte areas" in log, log[-2000:]
    assert "ipcbench: result PASS" in log and report.failed == 0, log[-2000:]
    assert sum(1 for l in report.lines if l.startswith("ok ") and "fpu:" in l) == 3, log[-2000:]
