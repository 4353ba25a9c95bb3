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
import sys

import pytest

from ipcbench_py import accel, csvframe, ovmf, qemu, stick

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT_TIMEOUT = 240          # a tiny plan boots in ~15 s; the limit only bites on a hang
TINY_PLAN = ("mode = bench\nmech = pipe\nsizes = 8\npatterns = pingpong\n"
             "iters = 20\nwarmup = 2\nhandoff = borrow\n")

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="module")
def image(built_image):
    return built_image


def stick_config(image, tmp_path, plan_text=TINY_PLAN, disk="ahci", smp=1, tag=""):
    """A copy of the image holding plan_text (None: keep its plan) and the
    QEMU configuration that boots it."""
    img = str(tmp_path / "stick.img")
    if not os.path.exists(img) or plan_text is not None:
        shutil.copyfile(image, img)
    if plan_text is not None:
        plan = tmp_path / "plan.txt"
        plan.write_text(plan_text)
        subprocess.run([os.path.join(REPO, "tools", "mkimage.py"), "--set-plan",
                        str(plan), "--image", img], check=True)
    fw = ovmf.require()
    vars_copy = shutil.copyfile(fw.vars, str(tmp_path / f"VARS{tag}.fd")) if fw.vars else None
    return img, qemu.Config(image=img, firmware=fw, vars_copy=vars_copy,
                            serial_log=str(tmp_path / f"serial{tag}.log"),
                            accel=accel.Accel("tcg", "test"), disk=disk, smp=smp)


def boot(cfg, argv=None):
    """(outcome, serial log text); QEMU ends by itself (no grace cut)."""
    argv = argv or qemu.command(cfg)
    qlog = cfg.serial_log[:-len(".log")] + "-qemu.log"
    out = qemu.Run(argv, cfg.serial_log, qlog).wait(BOOT_TIMEOUT, grace=None)
    with open(cfg.serial_log, "rb") as f:
        return out, f.read().decode("utf-8", "replace")


def boot_borrowed(image, tmp_path, plan_text=TINY_PLAN, disk="ahci", smp=1):
    """Boots a copy of the image with plan_text; returns (outcome, runs on
    the image, the serial log text)."""
    img, cfg = stick_config(image, tmp_path, plan_text, disk, smp)
    out, log = boot(cfg)
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
# AHCI with 1 CPU and USB storage boot in the tests further down as well.
@pytest.mark.parametrize("disk,smp", [("ide", 1), ("ahci", 2)])
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
    # The screen was cleared for the kernel's last lines (its panic) and the verdict.
    shown = log[log.rindex("the end of the kernel's log:"):]
    assert "kernel| ipcbench: result FAIL (kernel exception)" in shown, shown
    assert "kernel|   #0 0x" in shown, shown


# ------------------------------------------------ run.py usb, import, sweep

RUN_PY = os.path.join(REPO, "run.py")
TINY_ARGS = ("--mech", "pipe", "--sizes", "8", "--iters", "20",
             "--plan-extra", "patterns=pingpong", "warmup=2")


def run_py(*argv, timeout=300):
    return subprocess.run([sys.executable, RUN_PY, *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def stick_plan(img):
    res = subprocess.run(["mtype", "-i", stick.esp_spec(img), "::/EFI/IPCBENCH/PLAN.TXT"],
                         env=dict(os.environ, MTOOLS_SKIP_CHECK="1"),
                         capture_output=True, text=True, check=True)
    return {k.strip(): v.strip() for k, _, v in
            (l.partition("=") for l in res.stdout.splitlines())
            if not k.startswith("#") and v}


@pytest.mark.timeout(120)
def test_usb_default_image_benchmarks_the_quick_preset_in_borrow_mode(image, tmp_path):
    img = str(tmp_path / "stick.img")
    res = run_py("usb", "--out", img, "--no-install")
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"sudo dd if={img} of=/dev/sdX bs=4M conv=fsync status=progress" in res.stdout
    assert "./run.py import" in res.stdout
    plan = stick_plan(img)
    assert plan["mode"] == "bench" and plan["handoff"] == "borrow"
    assert plan["sizes"] == "8,1K,64K" and plan["iters"] == "200"    # presets.py quick
    assert plan["pcid"] == "both"
    assert "run_id" not in plan and "accel" not in plan             # the loader's to set
    res = run_py("usb", "--out", img, "--mode", "selftest", "--no-install")
    assert res.returncode == 0 and stick_plan(img)["mode"] == "selftest"
    assert stick_plan(img)["handoff"] == "borrow"
    # --plan FILE: the file as written, only the options given on top, and
    # borrow mode / pcid = both only where the file says nothing.
    mine = tmp_path / "mine.plan"
    mine.write_text("mode = bench\nmech = pipe\niters = 50\npcid = off\n")
    res = run_py("usb", "--out", img, "--plan", str(mine), "--iters", "7", "--no-install")
    assert res.returncode == 0, res.stderr
    assert stick_plan(img) == {"mode": "bench", "mech": "pipe", "iters": "7", "pcid": "off",
                               "handoff": "borrow"}
    mine.write_text("mode = selftest\ntests = boot\nhandoff = exit\n")
    assert run_py("usb", "--out", img, "--plan", str(mine), "--no-install").returncode == 0
    assert stick_plan(img) == {"mode": "selftest", "tests": "boot", "handoff": "exit"}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("bad,says", [
    (("--sizes", "12Q"), "--sizes"), (("--iters", "0"), "--iters"),
    (("--plan-extra", "handoff=lend"), "handoff: 'lend' is not one of exit, borrow"),
])
def test_usb_refuses_bad_options_before_writing(image, tmp_path, bad, says):
    img = tmp_path / "stick.img"
    res = run_py("usb", "--out", str(img), "--no-install", *bad)
    assert res.returncode == 2 and says in res.stderr, res.stderr
    assert not img.exists() and not (tmp_path / "stick.img.partial").exists()


@pytest.mark.timeout(2 * BOOT_TIMEOUT + 120)
def test_usb_image_boots_and_imports_with_plots(image, tmp_path):
    img = str(tmp_path / "stick.img")
    assert run_py("usb", "--out", img, "--no-install", *TINY_ARGS).returncode == 0
    _, cfg = stick_config(image, tmp_path, None, disk="usb")
    out, _ = boot(cfg)
    # A second boot of the same stick gets its own run directory.
    _, cfg2 = stick_config(image, tmp_path, None, tag="2")
    out2, _ = boot(cfg2)
    assert out.status == out2.status == qemu.EXIT_SUCCESS
    assert len(stick.image_run_ids(img)) == 2
    into = tmp_path / "results"
    res = run_py("import", img, "--into", str(into), "--no-install")
    assert res.returncode == 0, res.stdout + res.stderr
    # 4 size-free floors, floor-memcpy and floor-touch of 8 bytes, pipe pingpong 8.
    assert res.stdout.count("PASS, 7 rows") == 2, res.stdout
    run_id = sorted(os.listdir(into))[0]
    got = sorted(os.listdir(into / run_id))
    # Borrow mode runs one CPU: every row is same-core, and the figures of a
    # configuration are named with its placement (csvframe.group_name).
    for name in ("meta.json", "results.csv", "serial.log", "plan.txt",
                 "latency-tcg-pcidoff-same-core.png"):
        assert name in got, got
    # The stick's pcid = both on a CPU without PCID (TCG): one pass, said so.
    assert "pcid = both, but PCID is not in use" in (into / run_id / "serial.log").read_text()
    again = run_py("import", img, "--into", str(into), "--no-install", "--no-plots")
    assert again.returncode == 0 and "already imported" in again.stdout
    # A mounted stick: FAT may show upper-case names; import finds them.
    mnt = tmp_path / "mnt" / "RESULTS" / run_id
    mnt.mkdir(parents=True)
    for name in ("meta.json", "results.csv", "serial.log", "plan.txt"):
        shutil.copyfile(into / run_id / name, mnt / name.upper())
    res = run_py("import", str(tmp_path / "mnt"), "--into", str(tmp_path / "r2"),
                 "--no-install", "--no-plots")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "r2" / run_id / "results.csv").read_text() == \
        (into / run_id / "results.csv").read_text()


def test_import_of_an_image_without_results_says_so(image, tmp_path):
    img = shutil.copyfile(image, str(tmp_path / "fresh.img"))
    res = run_py("import", img, "--into", str(tmp_path / "r"), "--no-install")
    assert res.returncode == 2 and "no \\RESULTS\\<run-id>\\ directories" in res.stderr
    res = run_py("import", str(tmp_path / "nothing-here"), "--no-install")
    assert res.returncode == 2 and "neither an image file nor a mounted stick" in res.stderr


@pytest.mark.timeout(BOOT_TIMEOUT + 200)
def test_sweep_via_usb_reads_the_rows_back_from_the_image(image, tmp_path):
    out = tmp_path / "sweep"
    res = run_py("sweep", "--via-usb", "--accel", "tcg", "--out", str(out), "--no-install",
                 "--no-plots", "--patterns", "pingpong", "--warmup", "2", *TINY_ARGS[:6])
    assert res.returncode == 0, res.stdout + res.stderr
    stick_dir, = [d for d in os.listdir(out) if d.startswith("stick-")]
    run_id, = os.listdir(out / stick_dir)
    assert (out / stick_dir / run_id / "meta.json").is_file()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["via_usb"] is True
    rows = csvframe.read(str(out / "results.csv"))
    assert [r["mech"] for r in rows if not csvframe.is_floor(r)] == ["pipe"]


# ------------------------------------------------------ Bochs, no writing

@pytest.mark.timeout(600)
def test_borrowed_run_under_bochs_writes_csv(image, tmp_path):
    """Another firmware/CPU combination: OVMF under Bochs' Haswell model
    (PCID on, x2APIC offered but left off, PMU v3: more state to restore);
    the image is Bochs' IDE disk, written in place."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import bochs_run
    if bochs_run.missing():
        pytest.skip("Bochs not installed: sudo apt-get install " + bochs_run.PACKAGES)
    img = str(tmp_path / "stick.img")
    assert run_py("usb", "--out", img, "--no-install", *TINY_ARGS).returncode == 0
    res = bochs_run.run(None, "haswell", 480, str(tmp_path / "bochs"), image=img, grace=120)
    assert res.passed, res.serial[-3000:]
    run, = stick.runs(img, str(tmp_path / "read-back"))
    meta = read_meta(run)
    assert meta["verdict"] == "PASS", (meta, res.serial[-2000:])
    check_restored(meta)
    assert meta["pcid"].startswith("pcid: on") and meta["accel"] == "bare"
    assert meta["restore"]["kernel"]["fields"] >= 36
    # pcid = both (the stick's default) on a CPU with PCID: two passes.
    assert meta["csv"]["blocks"] == 2 and meta["csv"]["complete"] is True
    assert [(r["mech"], r["pcid"]) for r in csvframe.read(run.file("results.csv"))
            if not csvframe.is_floor(r)] == [("pipe", "on"), ("pipe", "off")]


@pytest.mark.timeout(BOOT_TIMEOUT + 60)
def test_unwritable_stick_fails_with_the_reason_on_screen(image, tmp_path):
    _, cfg = stick_config(image, tmp_path, disk="usb")
    # A write-protected USB stick (QEMU's IDE/AHCI disks cannot be read-only).
    argv = [a + ",readonly=on" if a.startswith("if=none,id=stick,") else a
            for a in qemu.command(cfg)]
    assert argv != qemu.command(cfg)
    out, log = boot(cfg, argv)
    assert out.status == qemu.EXIT_FAILURE, (out.status, log[-2000:])
    assert "could not save the results: creating \\RESULTS failed" in log, log[-2000:]
    assert "the run FAILED (reason above)" in log
