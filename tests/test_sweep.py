"""./run.py sweep: the stages after the build against a stand-in QEMU that
replays captured serial logs (fast), and one real QEMU test: two -icount
runs of the same small plan give identical instruction counts."""
import gzip
import io
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from ipcbench_py import accel, csvframe, plan, presets, registry, rundir, samples, sweep
from ipcbench_py.progress import Progress

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "tests", "data")
RUN_PY = os.path.join(REPO, "run.py")
FAKE = os.path.join(DATA, "fake_qemu_bench.py")
PASS_LOG = os.path.join(DATA, "bench_tcg_pass.log")
FAIL_LOG = os.path.join(DATA, "bench_quick_failures.log")
TCG = accel.Accel("tcg", "test")


def make_ctx(tmp_path, monkeypatch, log, pcids=("auto",), timeout=30.0, cut=None):
    monkeypatch.setenv("FAKE_BENCH_LOG", log)
    if cut is not None:
        monkeypatch.setenv("FAKE_BENCH_CUT", str(cut))
    monkeypatch.setattr(plan, "write_into_image", lambda *a: None)
    run = rundir.create(str(tmp_path), str(tmp_path / "run"))
    fw = SimpleNamespace(code="/none/OVMF.fd", vars=None, combined=True)
    settings = presets.resolve("quick", mech="pipe")
    boots = [sweep.Boot(sweep.Combo(TCG, p), f"serial-tcg-pcid{p}.log",
                        sweep.plan_for(settings, sweep.Combo(TCG, p), False, [])) for p in pcids]
    out = io.StringIO()
    ctx = sweep.Ctx(REPO, sys.executable, Progress(stream=out), run, fw,
                    str(tmp_path / "img"), False, timeout, boots, qemu=FAKE)
    return ctx, settings, out


def started():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@pytest.mark.timeout(60)
def test_two_boots_pass_and_gather(tmp_path, monkeypatch):
    ctx, settings, out = make_ctx(tmp_path, monkeypatch, PASS_LOG, pcids=("auto", "off"))
    rows, files = sweep.execute(ctx, settings, 8, started(), plots_wanted=False)
    assert sweep.exit_code(ctx.boots) == 0, [b.reason for b in ctx.boots]
    assert [b.ok for b in ctx.boots] == [True, True]
    got = csvframe.read(ctx.run.file("results.csv"))
    assert len(got) == 28 and got == rows
    assert {r["run_id"] for r in got} == {"run"} and {r["accel"] for r in got} == {"tcg"}
    meta = json.load(open(ctx.run.file("meta.json")))
    assert meta["ok"] and meta["preset"] == "quick" and len(meta["boots"]) == 2
    b = meta["boots"][1]
    assert b["combination"] == "tcg-pcidoff" and b["serial_log"] == "serial-tcg-pcidoff.log"
    assert b["guest"]["tsc_khz"] == 2098760 and b["guest"]["pcid"] is False
    assert "pcid = off" in b["plan"] and "accel = tcg" in b["plan"]
    assert len(b["skips"]) == 4 and b["skips"][0]["reason"] == "no-call-operation"
    assert b["qemu_argv"][0] == FAKE and meta["qemu_version"].startswith("QEMU emulator")
    assert {"vendor", "model_name", "flags"} <= set(meta["host"]["cpu"])
    assert "commit" in meta["git"] and "wall_s_total" in meta
    text = out.getvalue()
    assert "boot 1/2 tcg-pcidauto#1: case 1/~8 pipe/xv6 pingpong 8 B x 200" in text
    assert "boot 2/2 tcg-pcidoff#1: case 8/8" in text        # exact after boot 1
    assert "boot 2/2 tcg-pcidoff#1: PASS (14 rows, 4 skips" in text


@pytest.mark.timeout(60)
def test_cut_short_boot_keeps_rows_and_names_last_row(tmp_path, monkeypatch):
    with open(PASS_LOG, "rb") as f:
        data = f.read()
    cut = data.index(b"@csv 10 ") + 20
    ctx, settings, out = make_ctx(tmp_path, monkeypatch, PASS_LOG, timeout=3, cut=cut)
    rows, _ = sweep.execute(ctx, settings, None, started(), plots_wanted=False)
    boot = ctx.boots[0]
    assert not boot.ok and sweep.exit_code(ctx.boots) == 1
    assert boot.reason.startswith(
        "CSV cut short after row 9 (pipe/xv6 stream 8), while running pipe/xv6 "
        "stream 4096: timeout after 3 s"), boot.reason
    assert len(csvframe.read(ctx.run.file("results.csv"))) == 9 == len(rows)
    assert os.path.exists(ctx.run.file("OVMF_VARS.fd")) is False   # combined firmware
    lines = sweep.summary_lines(ctx.boots, ctx.run, rows, None, 5.0)
    assert lines[0].startswith("FAIL: tcg-pcidauto#1: CSV cut short after row 9")
    assert any(l.startswith("re-read: ./run.py parse ") for l in lines)


@pytest.mark.timeout(60)
def test_failed_cases_are_named(tmp_path, monkeypatch):
    ctx, settings, _ = make_ctx(tmp_path, monkeypatch, FAIL_LOG)
    rows, _ = sweep.execute(ctx, settings, None, started(), plots_wanted=False)
    boot = ctx.boots[0]
    assert not boot.ok and boot.outcome.status == 35
    assert boot.reason.startswith("kernel FAIL (benchmark cases failed); 34 failed "
                                  "case(s): shm-poll/spin pingpong 0 (failed:-5)")
    assert boot.reason.endswith("and 30 more")
    assert any(w.startswith("fault: pid 3 (bench) killed") for w in boot.warnings)
    assert len(rows) == 29
    meta = json.load(open(ctx.run.file("meta.json")))
    assert not meta["ok"] and len(meta["boots"][0]["skips"]) == 42


def test_combinations_and_plan(tmp_path):
    none = str(tmp_path / "none")
    combos = sweep.combinations("auto,tcg", "auto,off", False, none, none)
    assert [c.name for c in combos] == ["tcg-pcidauto", "tcg-pcidoff"]
    assert "no vmx/svm" in combos[0].accel.reason
    kvm = tmp_path / "kvm"
    kvm.write_text("")
    cpu = tmp_path / "cpu"
    cpu.write_text("flags\t: vmx\n")
    with pytest.raises(sweep.SweepError, match="--icount needs TCG"):
        sweep.combinations("kvm", "on", True, str(cpu), str(kvm))
    assert [c.name for c in sweep.combinations("kvm,tcg", "on", False, str(cpu), str(kvm))] \
        == ["kvm-pcidon", "tcg-pcidon"]
    with pytest.raises(sweep.SweepError, match="--accel: xen"):
        sweep.combinations("xen", "on", False, none, none)
    text = sweep.plan_for(presets.resolve("quick"), combos[1], True, ["pipesize=4096"])
    for line in ("mode = bench", "pcid = off", "accel = tcg",
                 "unit = instructions", "iters = 200", "pipesize = 4096"):
        assert line in text.splitlines(), text
    # The run id stays on the host: its length would move the guest's counts.
    assert "run_id" not in text, text
    long_id = sweep.csv_run_id(rundir.RunDir("/x", "my run: a very long name indeed"))
    assert long_id == "my-run--a-very-long-nam" and len(long_id) == 23


# ------------------------------------------------------------------ QEMU

def icount_sweep(out, mech):
    # Two CPUs: QEMU runs them in turn, and the test shows that where the
    # turns end is fixed by the instruction stream too (docs/SMP.md,
    # "Determinism").
    argv = [sys.executable, RUN_PY, "sweep", "--accel", "tcg", "--icount", "--smp", "2",
            "--mech", mech, "--sizes", "64", "--iters", "50", "--warmup", "5",
            "--patterns", "pingpong,stream", "--no-plots", "--no-install",
            "--timeout", "500", "--out", str(out)]
    return subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.qemu
@pytest.mark.timeout(900)
def test_two_icount_runs_count_the_same(tmp_path):
    """Under -icount the guest TSC counts instructions: two sweeps of the same
    image and configuration, with two CPUs and both placements, must give
    byte-identical serial logs (firmware and kernel output, every CSV row)
    and the same samples, even when their run dirs' names differ in length
    (the run id once reached the guest and moved where ticks landed).  The
    two run at once; about 3 min on a loaded 2-core machine."""
    res = subprocess.run(["make", "-s"], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    names = [m.name for m in registry.mechanisms(REPO)]
    if not names:
        pytest.skip("no mechanism registered in ipc/user/registry.c")
    mech = "pipe" if "pipe" in names else names[0]
    runs = ("a", "a-run-dir-with-a-longer-name")
    procs = [icount_sweep(tmp_path / n, mech) for n in runs]
    outs = [p.communicate(timeout=800)[0] for p in procs]
    for p, o in zip(procs, outs):
        assert p.returncode == 0, o
    a, b = (csvframe.read(tmp_path / n / "results.csv") for n in runs)
    assert len(a) == len(b) >= 8
    assert {r["unit"] for r in a} == {"instructions"}
    assert {r["placement"] for r in a if r["mech"] == mech} == {"same-core", "cross-core"}
    for ra, rb in zip(a, b):
        assert dict(ra, run_id=None) == dict(rb, run_id=None), (ra, rb)
    logs, samples_gz = ([(tmp_path / n / f).read_bytes() for n in runs]
                        for f in ("serial-tcg-pcidauto-icount.log", samples.FILE))
    assert logs[0] == logs[1]
    assert gzip.decompress(samples_gz[0]) == gzip.decompress(samples_gz[1])
