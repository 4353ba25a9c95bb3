"""The fuzzer: `./run.py fuzz`'s host logic without QEMU (plan keys, limits,
timeout, the progress tail, bad options), and one real boot of the fuzz
selftest: 50,000 random and adversarial system calls by four fuzzers beside
a checksummed victim (docs/RELIABILITY.md).  That boot has its own timeout:
the fuzz row is not part of `tests = all`, so the default selftest boot
stays as short as it was."""
import argparse
import os
import re
import subprocess
import sys

import pytest

from ipcbench_py import fuzz

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(REPO, "run.py")
# The boot's limit; measured: 50,000 calls take 5-25 s of a 40-80 s boot on
# a loaded 2-core host.
FUZZ_BOOT_TIMEOUT = 400


def args_for(*argv):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd")

    def boot_options(p):
        p.add_argument("--timeout", type=float)
        p.add_argument("--icount", action="store_true")
        p.add_argument("--out")
        p.add_argument("--plan-extra", action="extend", nargs="+", default=[])

    fuzz.add_parser(sub, boot_options)
    return ap.parse_args(["fuzz", *argv])


def test_plan_keys_carry_calls_seed_and_procs():
    a = args_for("--calls", "1234", "--seed", "99", "--procs", "3")
    assert fuzz.plan_extras(a) == ["tests=fuzz", "fuzz_calls=1234", "fuzz_seed=99",
                                   "fuzz_procs=3"]


def test_defaults_are_the_make_test_fuzz():
    a = args_for()
    assert (a.calls, a.seed, a.procs) == (50000, 1, 4)


@pytest.mark.parametrize("argv, what", [
    (("--calls", "0"), "--calls"), (("--calls", "1000000001"), "--calls"),
    (("--seed", "-1"), "--seed"), (("--seed", "4294967296"), "--seed"),
    (("--procs", "0"), "--procs"), (("--procs", "9"), "--procs"),
])
def test_out_of_range_options_are_refused(argv, what):
    with pytest.raises(fuzz.FuzzUsage, match=what):
        fuzz.check(args_for(*argv))


def test_timeout_grows_with_calls_and_icount():
    assert fuzz.timeout_for(1000000, False) > fuzz.timeout_for(50000, False)
    assert fuzz.timeout_for(50000, True) == 10 * fuzz.timeout_for(50000, False)


def test_replay_command_names_the_seed_and_icount():
    cmd = fuzz.replay_command(args_for("--calls", "7", "--seed", "42", "--procs", "2"))
    assert cmd == "./run.py fuzz --calls 7 --seed 42 --procs 2 --icount"


def test_progress_tail_says_fuzz_lines_only(tmp_path):
    log = tmp_path / "serial.log"
    said = []
    tail = fuzz.ProgressTail(str(log), said.append)
    tail.poll()                                  # no file yet: nothing, no error
    log.write_bytes(b"ok 1 - x\r\n# fuzz: 100 of 500 calls, seed 3, victim rounds 2\r\n# fu")
    tail.poll()
    with open(log, "ab") as f:
        f.write(b"zz: half a line\n# other comment\n")
    tail.poll()
    assert said == ["fuzz: 100 of 500 calls, seed 3, victim rounds 2", "fuzz: half a line"]


def test_run_py_refuses_bad_procs_with_status_2():
    res = subprocess.run([sys.executable, RUN_PY, "fuzz", "--procs", "9", "--no-install"],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "--procs must be 1..8" in res.stderr


@pytest.mark.qemu
@pytest.mark.timeout(FUZZ_BOOT_TIMEOUT + 120)
def test_fuzz_boot_50000_calls_leave_kernel_and_victim_intact(tmp_path):
    out = tmp_path / "fuzz"
    res = subprocess.run([sys.executable, RUN_PY, "fuzz", "--accel", "tcg", "--no-install",
                          "--calls", "50000", "--seed", "1", "--procs", "4",
                          "--timeout", str(FUZZ_BOOT_TIMEOUT), "--out", str(out)],
                         cwd=REPO, capture_output=True, text=True,
                         timeout=FUZZ_BOOT_TIMEOUT + 60)
    log = (out / "serial.log").read_bytes().decode("utf-8", "replace")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    made = re.search(r"^ok \d+ - fuzz: 4 fuzzers made (\d+) of 50000 calls and all came back", log, re.M)
    assert made and int(made.group(1)) >= 50000, log[-3000:]
    for proof in ("no fuzzer hung", "the victim's memory, shared memory and IPC stayed intact",
                  "no process or kernel object left", "frames and heap back to baseline"):
        assert re.search(rf"^ok \d+ - fuzz: {proof}", log, re.M), proof
    assert "not ok" not in log
    assert "replay: ./run.py fuzz --calls 50000 --seed 1 --procs 4 --icount" in res.stdout
