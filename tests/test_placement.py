"""Same-core / cross-core placement (issue 12): --smp and --placement, the
plan key, the CSV column and skips, the summary, the matrix plot.  All on
the host: a stand-in QEMU replays a synthetic two-placement log."""
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace

import pytest

from ipcbench_py import (accel, csvframe, placement, plan, plancheck, presets, qemu,
                         registry, rundir, samples, sweep)
from ipcbench_py.progress import Progress

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(REPO, "run.py")
FAKE = os.path.join(REPO, "tests", "data", "fake_qemu_bench.py")
TCG = accel.Accel("tcg", "test")


# ------------------------------------------------------------- options

def test_smp_defaults_to_two_on_a_host_with_two_cpus():
    assert placement.smp_of(None, host=2) == 2
    assert placement.smp_of(None, host=16) == 2
    assert placement.smp_of(None, host=1) == 1
    assert placement.smp_of(1) == 1 and placement.smp_of(4) == 4
    assert placement.smp_of(None, host=3, default=4) == 1      # the host has too few
    for bad in (0, -1, placement.MAX_SMP + 1):
        with pytest.raises(placement.PlacementError, match="--smp"):
            placement.smp_of(bad)


def test_placement_word_defaults_and_refusals():
    assert placement.plan_word(None, 2) == "both"
    assert placement.plan_word(None, 1) == "same"
    assert placement.plan_word("same,cross", 2) == "both"
    assert placement.plan_word(" cross , same ", 4) == "both"
    assert placement.plan_word("both", 2) == "both"
    assert placement.plan_word("cross", 2) == "cross"
    assert placement.plan_word("same", 1) == "same"
    with pytest.raises(placement.PlacementError, match="cross-core needs two CPUs.*--smp 2"):
        placement.plan_word("cross", 1)
    with pytest.raises(placement.PlacementError, match="cross-core needs two CPUs"):
        placement.plan_word("same,cross", 1)
    for bad in ("far", "same,far", ",", ""):
        with pytest.raises(placement.PlacementError, match="--placement"):
            placement.plan_word(bad, 2)


def test_the_plan_key_is_checked_by_the_guests_parser():
    good = plan.build_text("bench", ["placement=both"])
    plancheck.check(REPO, good)
    with pytest.raises(plancheck.PlanCheckError) as e:
        plancheck.check(REPO, plan.build_text("bench", ["placement=far"]), ["placement=far"])
    msg = str(e.value)
    assert "placement = far" in msg and "'far' is not one of same, cross, both, auto" in msg
    assert "--plan-extra 'placement=far'" in msg


def sweep_args(**kw):
    args = SimpleNamespace(smp=None, placement=None)
    args.__dict__.update(kw)
    return args


def test_sweep_puts_placement_in_the_plan():
    base = presets.resolve("quick", mech="pipe")
    smp, s = sweep.placed(sweep_args(smp=2), base)
    assert smp == 2 and "placement=both" in s.plan_lines()
    smp, s = sweep.placed(sweep_args(smp=1), base)
    assert smp == 1 and "placement=same" in s.plan_lines()
    _, s = sweep.placed(sweep_args(smp=2, placement="same"), base)
    assert "placement=same" in s.plan_lines()
    with pytest.raises(sweep.SweepError, match="cross-core needs two CPUs"):
        sweep.placed(sweep_args(smp=1, placement="cross"), base)
    assert "placement" not in " ".join(base.plan_lines())     # usb images: the guest's auto


@pytest.mark.timeout(60)
@pytest.mark.parametrize("argv,msg", [
    (["sweep", "--smp", "1", "--placement", "cross"], "cross-core needs two CPUs"),
    (["sweep", "--placement", "far"], "--placement: far is not one of"),
    (["sweep", "--smp", "0"], "--smp: 0 is not 1..8"),
    (["selftest", "--smp", "9"], "--smp: 9 is not 1..8"),
])
def test_run_py_refuses_bad_smp_and_placement_before_booting(argv, msg):
    res = subprocess.run([sys.executable, RUN_PY] + argv + ["--no-install"],
                         capture_output=True, text=True, cwd=REPO, timeout=50)
    assert res.returncode == 2, res.stdout + res.stderr
    assert msg in res.stderr and "booting" not in res.stdout


def test_qemu_gets_the_cpus():
    fw = SimpleNamespace(code="/fw/OVMF.fd", vars=None, combined=True)
    cfg = qemu.Config(image="/r/i.img", firmware=fw, vars_copy=None,
                      serial_log="/r/s.log", accel=TCG, smp=2, icount=True)
    argv = qemu.command(cfg)
    assert argv[argv.index("-smp") + 1] == "2" and "-icount" in argv


def test_planned_cases_per_placement_skip_same_core_polling():
    mechs = registry.mechanisms(REPO)
    poll = next(m for m in mechs if m.name == "shm-poll")
    assert set(poll.same_core_skip) == {"spin", "periodic"}
    s = presets.resolve("quick", mech="shm-poll,pipe", sizes="8", patterns="pingpong")
    both = registry.planned_cases(mechs, replace(s, placement="both"))
    assert ("shm-poll", "spin", "pingpong", 8, "cross-core") in both
    assert ("shm-poll", "spin", "pingpong", 8, "same-core") not in both
    assert ("shm-poll", "yield", "pingpong", 8, "same-core") in both
    assert ("pipe", "xv6", "pingpong", 8, "same-core") in both
    same = registry.planned_cases(mechs, replace(s, placement="same"))
    assert ("shm-poll", "spin", "pingpong", 8, "same-core") in same    # asked for explicitly
    assert len(same) == 4 and len(both) == 6


# --------------------------------------------- the CSV, skips and summary

CPU = "QEMU TCG CPU version 2.5+"


def _row(n, mech, variant, pattern, size, p50, where):
    return (f"@csv {n} -,{mech},{variant},{pattern},{size},20,cycles,{p50},{p50},{p50},"
            f"{p50},{p50},{p50},0,0.000,2.000,2.000,2.000,2.000,0.000,1.000,off,-,{CPU},,,"
            f"{where}")


def two_placement_log(path):
    """A boot as bench/driver.c prints it with placement = both on 2 CPUs."""
    header = ",".join(csvframe.COLUMNS + ("instructions_per_op", "unhalted_cycles_per_op",
                                          "placement"))
    cases = [("floor-as-switch", "-", "pingpong", 0, 20000, "same-core")]
    for size, k in ((8, 1), (4096, 10)):
        cases += [("pipe", "xv6", "pingpong", size, 40000 * k, "same-core"),
                  ("pipe", "xv6", "pingpong", size, 30000 * k, "cross-core"),
                  ("shm-poll", "spin", "pingpong", size, 900 * k, "cross-core")]
    lines = ["tsc: 2000000 kHz (pit-calibrated)",
             "bench: starting driver placement=both",
             "bench: placement: 2 CPUs; driver and same-core ends on CPU 1, "
             "cross-core client on CPU 1 and server on CPU 0",
             "@csv-begin 1 -", f"@csv-header {header}"]
    for n, c in enumerate(cases, 1):
        if c[0] == "shm-poll":
            lines.append(f"@csv-skip shm-poll spin pingpong {c[3]} "
                         "needs-a-partner-on-another-cpu same-core")
        if not c[0].startswith("floor"):
            lines.append(f"bench: {c[0]}/{c[1]} {c[2]} {c[3]} bytes x 20 {c[5]}")
        lines.append(f"@s {n} 0 " + ",".join([str(c[4])] * 20))
        lines.append(_row(n, *c))
    lines += ["@csv-skip pipe xv6 call 8 no-call-operation", f"@csv-end {len(cases)}",
              "ipcbench: result PASS", ""]
    path.write_text("\n".join(lines))
    return str(path)


def test_extract_reads_the_placement_column_and_skips(tmp_path):
    block = csvframe.extract_file(two_placement_log(tmp_path / "s.log"))
    assert block.complete, block.problems
    assert [r["placement"] for r in block.rows[:3]] == ["same-core"] * 2 + ["cross-core"]
    poll = [s for s in block.skips if s.mech == "shm-poll"]
    assert poll[0].reason == "needs-a-partner-on-another-cpu"
    assert poll[0].placement == "same-core"
    assert poll[0].as_dict()["placement"] == "same-core"
    plain = next(s for s in block.skips if s.reason == "no-call-operation")
    assert plain.placement == "" and "placement" not in plain.as_dict()
    # a log from before placements: the reason is the whole rest of the line
    old = csvframe.extract("@csv-begin 1 -\n@csv-skip a b c 8 failed:-5\n@csv-end 0\n")
    assert old.skips[0].reason == "failed:-5" and old.skips[0].placement == ""
    # two rows of one case, told apart by placement
    keys = {(r["mech"], r["size"], r["placement"]) for r in block.rows}
    assert len(keys) == len(block.rows)


@pytest.mark.timeout(120)
def test_sweep_of_two_placements(tmp_path, monkeypatch):
    log = two_placement_log(tmp_path / "replay.log")
    monkeypatch.setenv("FAKE_BENCH_LOG", log)
    monkeypatch.setattr(plan, "write_into_image", lambda *a: None)
    run = rundir.create(str(tmp_path), str(tmp_path / "run"))
    fw = SimpleNamespace(code="/none/OVMF.fd", vars=None, combined=True)
    smp, settings = sweep.placed(sweep_args(smp=2),
                                 presets.resolve("quick", mech="pipe,shm-poll"))
    combo = sweep.Combo(TCG, "auto")
    boots = [sweep.Boot(combo, "serial-tcg-pcidauto.log",
                        sweep.plan_for(settings, combo, False, []))]
    out = io.StringIO()
    ctx = sweep.Ctx(REPO, sys.executable, Progress(stream=out), run, fw,
                    str(tmp_path / "img"), False, 30.0, boots, qemu=FAKE, smp=smp)
    rows, files = sweep.execute(ctx, settings, None, "2026-12-07T00:00:00Z")
    assert sweep.exit_code(ctx.boots) == 0, ctx.boots[0].reason
    assert "placement = both" in boots[0].plan_text
    argv = boots[0].argv
    assert argv[argv.index("-smp") + 1] == "2"
    back = csvframe.read(run.file("results.csv"))
    names = list(back[0])
    assert names.index("placement") == names.index("p50_ns") + 1      # column 29
    assert {r["placement"] for r in back} == {"same-core", "cross-core"}
    meta = json.load(open(run.file("meta.json")))
    assert meta["smp"] == 2 and meta["settings"]["placement"] == "both"
    b = meta["boots"][0]
    assert b["placement"].startswith("bench: placement: 2 CPUs")
    assert {"mech": "shm-poll", "variant": "spin", "pattern": "pingpong", "size": 8,
            "reason": "needs-a-partner-on-another-cpu", "placement": "same-core"} in b["skips"]
    lines = sweep.summary_lines(ctx.boots, run, rows, files, 1.0)
    assert "  skipped 2 same-core case(s): needs-a-partner-on-another-cpu " \
           "(--placement same measures them)" in lines
    got = samples.read(run.file(samples.FILE))
    assert got[("tcg-pcidauto#1", "pipe", "xv6", "pingpong", 8, "cross-core")][1] == [30000] * 20
    assert got[("tcg-pcidauto#1", "pipe", "xv6", "pingpong", 8, "same-core")][1] == [40000] * 20
    # the matrix, and the CDFs of each placement
    base = {os.path.basename(f) for f in files}
    assert "placement-tcg-pcidauto.png" in base and "placement-tcg-pcidauto.svg" in base
    assert {"cdf-tcg-pcidauto-same-core.png", "cdf-tcg-pcidauto-cross-core.png"} <= base
    md = open(run.file("summary.md")).read()
    assert "## tcg-pcidauto-cross-core" in md and "## tcg-pcidauto-same-core" in md
    assert "- tcg-pcidauto#1: 2 same-core case(s) skipped, `needs-a-partner-on-another-cpu`: " \
           "shm-poll/spin pingpong 8, shm-poll/spin pingpong 4096" in md


def test_matrix_cells_and_sizes():
    from ipcbench_py import plots_placement
    r = dict(accel="tcg", pcid="off", unit="cycles", boot="tcg-pcidauto#1", variant="xv6",
             pattern="pingpong", mech="pipe")
    rows = [dict(r, size=8, p50=10, placement="same-core"),
            dict(r, size=8, p50=5, placement="cross-core"),
            dict(r, size=64, p50=7, placement="cross-core")]
    m = plots_placement.matrix(rows)
    (key, cells), = m.items()
    assert csvframe.group_name(key) == "tcg-pcidauto"
    assert cells[("pipe/xv6", 8)] == {"same-core": 10, "cross-core": 5}
    assert plots_placement.sizes_for(cells) == [8]
    assert plots_placement.sizes_for({("a", 16): {}, ("a", 1 << 20): {}}) == [16, 1 << 20]
    # one placement only: no matrix
    assert plots_placement.matrix([x for x in rows if x["placement"] == "cross-core"]) == {}


def test_compare_picks_a_placement_group():
    from ipcbench_py import compare
    r = dict(accel="tcg", pcid="off", unit="cycles", boot="tcg-pcidauto#1", variant="xv6",
             pattern="pingpong", mech="pipe", size=8, p50=1, mbps=0.0)
    rows = [dict(r, placement="same-core"), dict(r, placement="cross-core", p50=2)]
    assert [x["p50"] for x in compare.select(rows, "cross-core", "B")] == [2]
    assert [x["p50"] for x in compare.select(rows, "tcg-pcidauto-same-core", "B")] == [1]
    assert len(compare.select(rows, "tcg-pcidauto", "B")) == 2


def test_bochs_gets_the_cpus_too():
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import bochs_run
    one = bochs_run.bochsrc_text("/esp", "haswell", "/s", "/l")
    two = bochs_run.bochsrc_text("/esp", "haswell", "/s", "/l", smp=2)
    assert "cpu: model=corei7_haswell_4770\n" in one
    assert "cpu: model=corei7_haswell_4770, count=2\n" in two
    assert bochs_run.main(["--smp", "9"]) == 2
