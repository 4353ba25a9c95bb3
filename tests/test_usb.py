"""Borrow mode end to end: the image boots with `handoff = borrow`, the
kernel benchmarks and gives the CPU back, the loader writes
\\RESULTS\\<run-id>\\ to the image's own FAT volume, and the test reads it
back from the image file with mtools, as a user reads a stick.

Each boot runs a tiny plan (one mechanism, one size, 20 iterations: about
10 s under TCG) and is checked in full: QEMU's exit status, both restore
checks (every saved register equal), the firmware timer event after the
return, and the CSV rows.  The disk variants are the ways firmware may see
a stick: AHCI (q35), IDE (i440fx), USB mass storage on xHCI; with 2 CPUs
the firmware's second core stays parked.
"""
import json
import os
import shutil
import subprocess

import pytest

from ipcbench_py import accel, csvframe, ovmf, qemu, stick

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT_TIMEOUT = 120
TINY_PLAN = ("mode = bench\nmech = pipe\nsizes = 8\npatterns = pingpong\n"
             "iters = 20\nwarmup = 2\nhandoff = borrow\n")

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="module")
def image(built_image):
    return built_image


def boot_borrowed(image, tmp_path, plan_text=TINY_PLAN, disk="ahci", smp=1):
    """Boots a copy of the image with plan_text; returns (outcome, runs on
    the image, the serial log text)."""
    img = shutil.copyfile(image, str(tmp_path / "stick.img"))
    plan = tmp_path / "plan.txt"
    plan.write_text(plan_text)
    subprocess.run([os.path.join(REPO, "tools", "mkimage.py"), "--set-plan", str(plan),
                    "--image", img], check=True)
    fw = ovmf.require()
    vars_copy = shutil.copyfile(fw.vars, str(tmp_path / "VARS.fd")) if fw.vars else None
    cfg = qemu.Config(image=img, firmware=fw, vars_copy=vars_copy,
                      serial_log=str(tmp_path / "serial.log"),
                      accel=accel.Accel("tcg", "test"), disk=disk, smp=smp)
    out = qemu.start(cfg, str(tmp_path / "qemu.log")).wait(BOOT_TIMEOUT, grace=None)
    with open(cfg.serial_log, "rb") as f:
        log = f.read().decode("utf-8", "replace")
    return out, stick.runs(img, str(tmp_path / "read-back")), log


def read_meta(run):
    with open(run.file("meta.json"), encoding="utf-8") as f:
        return json.load(f)


def check_restored(meta):
    r = meta["restore"]
    assert r["kernel"]["mismatches"] == 0, r
    assert r["loader"]["mismatches"] == 0, r
    assert r["kernel"]["fields"] >= 30 and r["loader"]["fields"] > r["kernel"]["fields"], r
    assert r["firmware_timer"]["fired"] is True, r


@pytest.mark.timeout(BOOT_TIMEOUT + 60)
@pytest.mark.parametrize("disk,smp", [("ahci", 1), ("ide", 1), ("usb", 1), ("ahci", 2)])
def test_borrowed_run_writes_csv_to_its_volume(image, tmp_path, disk, smp):
    out, runs, log = boot_borrowed(image, tmp_path, disk=disk, smp=smp)
    assert out.status == qemu.EXIT_SUCCESS, (out.status, log[-3000:])
    assert len(runs) == 1, runs
    run = runs[0]
    meta = read_meta(run)
    assert meta["verdict"] == "PASS", meta
    assert meta["handoff"] == "borrow" and meta["accel"] == "tcg"
    assert meta["cpu"]["smp"] == "single-CPU (other cores parked by firmware)"
    assert meta["cpu"]["firmware_cpus"] in (0, smp), meta["cpu"]
    assert meta["tsc_hz"] > 0 and meta["pcid"].startswith("pcid: ")
    check_restored(meta)
    rows = csvframe.read(run.file("results.csv"))
    pipe = [r for r in rows if r["mech"] == "pipe"]
    assert [(r["pattern"], r["size"], r["iters"]) for r in pipe] == [("pingpong", 8, 20)]
    assert all(r["run_id"] == run.run_id and r["accel"] == "tcg" for r in rows)
    assert pipe[0]["p50"] > 0 and meta["csv"]["complete"] is True
    # The saved log is the kernel's whole output, CSV block included.
    with open(run.file("serial.log"), encoding="utf-8") as f:
        saved = f.read()
    assert "ipcbench: result PASS" in saved and "@csv-end" in saved
    assert "results saved on this stick in \\RESULTS\\" + run.run_id in log


@pytest.mark.timeout(BOOT_TIMEOUT + 60)
def test_kernel_fault_in_borrow_mode_is_saved_and_reported(image, tmp_path):
    out, runs, log = boot_borrowed(image, tmp_path, TINY_PLAN + "inject = ud\n")
    assert out.status == qemu.EXIT_FAILURE, (out.status, log[-3000:])
    run, = runs
    meta = read_meta(run)
    assert meta["kernel_result"] == "FAIL" and meta["verdict"] == "kernel exception"
    check_restored(meta)             # a panicking kernel still gives it all back
    with open(run.file("serial.log"), encoding="utf-8") as f:
        assert "KERNEL PANIC:" in f.read()
    assert "the run FAILED (reason above)" in log


@pytest.mark.timeout(BOOT_TIMEOUT + 60)
def test_second_run_gets_its_own_directory(image, tmp_path):
    out, runs, _ = boot_borrowed(image, tmp_path)
    img = str(tmp_path / "stick.img")
    first = runs[0].run_id
    fw = ovmf.require()
    cfg = qemu.Config(image=img, firmware=fw,
                      vars_copy=shutil.copyfile(fw.vars, str(tmp_path / "V2.fd"))
                      if fw.vars else None, serial_log=str(tmp_path / "serial2.log"),
                      accel=accel.Accel("tcg", "test"))
    out2 = qemu.start(cfg, str(tmp_path / "qemu2.log")).wait(BOOT_TIMEOUT, grace=None)
    assert out.status == out2.status == qemu.EXIT_SUCCESS
    ids = stick.image_run_ids(img)
    assert len(ids) == 2 and first in ids, ids
