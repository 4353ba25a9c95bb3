"""The debug build (`make DEBUG=1`, build/debug): the kernel with its debug
checks compiled in - assert_irqs_off() where a rule says interrupts are off
(kernel/sync/irqs_off.h), and the lock-order check (kernel/sync/lockorder.h)
- boots the whole selftest once and must pass (one CPU: the order check
learns orders, not races, and two CPUs would double this boot's time).  A call made with
interrupts on, or two locks taken in both orders, panics there, naming them."""
import os
import re
import shutil
import subprocess

import pytest

from tests.test_boot import BOOT_TIMEOUT, boot_plain, mtools

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEBUG_IMAGE = os.path.join(REPO, "build", "debug", "ipcbench.img")


@pytest.mark.qemu
@pytest.mark.timeout(BOOT_TIMEOUT + 600)
def test_debug_build_passes_every_selftest(tmp_path):
    res = subprocess.run(["make", "-s", "-j2", "DEBUG=1"], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    img = shutil.copyfile(DEBUG_IMAGE, str(tmp_path / "debug.img"))
    plan_file = tmp_path / "plan.txt"
    plan_file.write_text("mode = selftest\n")
    mtools("mcopy", "-o", "-i", f"{img}@@1M", str(plan_file), "::/EFI/IPCBENCH/PLAN.TXT")
    out, report = boot_plain(img, str(tmp_path))
    log = "\n".join(report.lines)
    assert "debug: checks on (assert_irqs_off, lock order)" in log, log[-2000:]
    assert "interrupts are on, the rule says off" not in log, log[-3000:]
    assert "lock order:" not in log, log[-3000:]
    assert re.search(r"^ok \d+ - lock-order: b then a is caught|^ok \d+ - lock-order: the same order",
                     log, re.M), "the lock-order row did not run"
    assert "ipcbench: result PASS" in log and report.failed == 0, log[-3000:]
