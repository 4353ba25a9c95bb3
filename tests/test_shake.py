"""run.py selftest --repeat: shaken boots (varied timing per boot) that shake
out races, each replayable from its seed.  The pure parts run without QEMU;
one test boots the whole selftest twice with different timing, as
`make test` promises (about 1-2 minutes under TCG)."""
import json
import os
import random
import re
import subprocess
import sys

import pytest

from ipcbench_py import accel, ovmf, qemu, shake

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(REPO, "run.py")


def run_py(*args, timeout=60):
    return subprocess.run([sys.executable, RUN_PY, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def test_settings_are_a_function_of_the_seed_alone():
    for seed in (1, 2, 12345, shake.SEED_MAX):
        assert shake.settings(seed, True) == shake.settings(seed, True)
        assert shake.settings(seed, False).icount_shift is None
    got = {shake.settings(s, True) for s in range(1, 200)}
    assert {g.timeslice_us for g in got} == set(shake.TIMESLICES_US)
    assert {g.icount_shift for g in got} == set(shake.ICOUNT_SHIFTS)


def test_plan_lines_carry_the_seed_and_the_timeslice():
    s = shake.settings(42, False)
    assert s.plan_extras() == ["shake=42", f"timeslice_us={s.timeslice_us}"]


@pytest.mark.parametrize("seed", [0, -1, shake.SEED_MAX + 1])
def test_seed_out_of_range_is_refused(seed):
    with pytest.raises(shake.ShakeError):
        shake.settings(seed, False)


def test_seeds_are_consecutive_and_wrap_past_the_top():
    assert shake.seeds(5, 3) == [5, 6, 7]
    assert shake.seeds(shake.SEED_MAX, 2) == [shake.SEED_MAX, 1]
    with pytest.raises(shake.ShakeError):
        shake.seeds(1, 0)
    assert 1 <= shake.fresh_seed(random.Random(3)) < 2**31


def test_replay_command_names_seed_icount_and_extras():
    s = shake.settings(9, True)
    cmd = shake.replay_command(s, True, ["--plan-extra", "tests=proc"])
    assert cmd == "./run.py selftest --repeat 1 --seed 9 --icount --plan-extra tests=proc"


def test_icount_shift_reaches_the_qemu_command_line():
    cfg = qemu.Config(image="i", firmware=ovmf.Firmware("c", "v"), vars_copy="v", serial_log="s",
                      accel=accel.Accel("tcg", "test"), icount=True, icount_shift=2)
    argv = qemu.command(cfg)
    assert argv[argv.index("-icount") + 1].startswith("shift=2,")


@pytest.mark.parametrize("args", [["--repeat", "0"], ["--repeat", "1", "--seed", "0"],
                                  ["--repeat", "2", "--monitor", "/tmp/x.sock"]])
def test_bad_repeat_options_exit_2(args):
    res = run_py("selftest", "--accel", "tcg", "--no-install", *args)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "run.py selftest:" in res.stderr


@pytest.mark.qemu
@pytest.mark.timeout(900)
def test_two_shaken_boots_of_the_whole_selftest_pass(tmp_path):
    """The shaken boots of `make test`: fresh seeds every run (the seeds are
    printed; a failure names the command that replays its boot)."""
    out = tmp_path / "shake"
    res = run_py("selftest", "--accel", "tcg", "--no-install", "--repeat", "2",
                 "--timeout", "400", "--out", str(out), timeout=880)
    print(res.stdout)
    assert res.returncode == 0, res.stdout + res.stderr
    assert re.search(r"PASS: 2 of 2 shaken boots passed", res.stdout)
    boots = json.loads((out / "repeat.json").read_text())["boots"]
    assert len(boots) == 2 and boots[0]["seed"] != boots[1]["seed"]
    for b in boots:
        run = out / f"boot-{boots.index(b) + 1}-seed-{b['seed']}"
        plan = (run / "plan.txt").read_text()
        assert f"shake = {b['seed']}" in plan and f"timeslice_us = {b['timeslice_us']}" in plan
        log = (run / "serial.log").read_text(errors="replace")
        assert f"shake: seed {b['seed']}, tick periods drawn from 50..150%" in log
        assert b["ok"] and b["failed"] == 0 and b["passed"] > 1000
