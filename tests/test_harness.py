"""The harness a researcher trusts (issue 13): boot column, compare that
matches on it and says what it could not match or cannot tell apart, plan
limits checked on the host by the guest's own parser, safe --out,
results/latest, `list`, NAME/VARIANT.  No QEMU: a stand-in replays logs."""
import os
import subprocess
import sys

import pytest

from ipcbench_py import (accel, compare, csvframe, plancheck, plan, presets, samples,
                         registry, rundir, stages, stats, sweep)
from test_bench_py import make_run, synthetic_rows

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(REPO, "run.py")
TCG = accel.Accel("tcg", "test")


def run_py(*args, timeout=120, env=None):
    return subprocess.run([sys.executable, RUN_PY, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def booted(rows, boot):
    return [dict(r, boot=boot) for r in rows]


# ------------------------------------------------------------ boot column

def test_boots_interleave_repeats_and_name_the_boot():
    combos = [sweep.Combo(TCG, "auto"), sweep.Combo(TCG, "off")]
    boots = sweep.make_boots(combos, 2, lambda c: f"plan {c.name}")
    assert [b.name for b in boots] == ["tcg-pcidauto#1", "tcg-pcidoff#1",
                                       "tcg-pcidauto#2", "tcg-pcidoff#2"]
    assert boots[3].serial_name == "serial-tcg-pcidoff-r2.log"
    assert sweep.make_boots(combos, 1, str)[0].serial_name == "serial-tcg-pcidauto.log"
    assert sweep.Combo(TCG, "on", icount=True).name == "tcg-pcidon-icount"
    with pytest.raises(sweep.SweepError, match="--repeat: 0"):
        sweep.make_boots(combos, 0, str)


def test_boot_column_makes_keys_unique_and_is_written_in_order(tmp_path):
    """--pcid auto,off on a CPU without PCID: both boots run with pcid=off,
    the boot column still tells them apart."""
    rows = booted(synthetic_rows(), "tcg-pcidauto#1") + booted(synthetic_rows(), "tcg-pcidoff#1")
    keys = [(r["mech"], r["variant"], r["pattern"], r["size"], r["boot"]) for r in rows]
    assert len(set(keys)) == len(keys)
    assert [csvframe.group_name(k) for k in csvframe.groups(rows)] == \
        ["tcg-pcidauto", "tcg-pcidoff"]
    # boot comes after the PMU columns whatever order the dicts have.
    names = csvframe.names_of([dict(rows[0], p50_ns=1.0, instructions_per_op=None,
                                    unhalted_cycles_per_op=None, system="ipcbench",
                                    placement="same-core")])
    assert names[len(csvframe.COLUMNS):] == list(csvframe.APPENDED)
    path = tmp_path / "results.csv"
    csvframe.write(path, rows)
    back = csvframe.read(path)
    assert [r["boot"] for r in back] == [r["boot"] for r in rows]


# --------------------------------------------------------------- compare

def test_compare_matches_on_boot_and_picks_requested_pcid():
    rows = booted(synthetic_rows(), "tcg-pcidauto#1") + \
        booted(synthetic_rows(scale=0.5), "tcg-pcidoff#1")
    auto = compare.select(rows, "tcg/auto", "A")       # the failing case
    off = compare.select(rows, "tcg-pcidoff", "B")
    rs = compare.ratios(auto, off)
    assert rs and all(abs(r.p50 - 0.5) < 0.01 for r in rs if r.a_p50 > 1000)
    both = compare.match(rows, rows)
    assert {r.group for r in both.ratios} == {"tcg-pcidauto", "tcg-pcidoff"}


def test_compare_lists_unmatched_cases():
    a = synthetic_rows()
    b = [r for r in synthetic_rows() if not (r["mech"] == "pipe" and r["size"] == 8)] \
        + [dict(synthetic_rows()[-1], size=4096)]
    res = compare.match(a, b)
    assert res.only_a == ["pipe/xv6 pingpong 8", "pipe/xv6 stream 8"]
    assert res.only_b == ["lrpc/migrate call 4096"]
    text = "\n".join(compare.table(res.ratios, res))
    assert "only in A (2 case(s), not compared): pipe/xv6 pingpong 8" in text
    assert "only in B (1 case(s), not compared): lrpc/migrate call 4096" in text


def test_compare_repeats_flag_noise_and_real_differences():
    a = [r for k in (1.0, 1.05, 0.97) for r in
         booted(synthetic_rows(scale=k), f"tcg-pcidoff#{int(k * 100)}")]
    noisy = [r for k in (1.02, 0.99, 1.04) for r in
             booted(synthetic_rows(scale=k), f"tcg-pcidoff#{int(k * 100)}")]
    faster = [r for k in (0.5, 0.52, 0.49) for r in
              booted(synthetic_rows(scale=k), f"tcg-pcidoff#{int(k * 100)}")]
    pipe8 = lambda rs: next(r for r in rs if r.label == "pipe/xv6" and r.size == 8
                            and r.pattern == "pingpong")
    r = pipe8(compare.ratios(a, noisy))
    assert r.noise == "noise" and r.a.p50s == (40024, 42025, 38823)
    assert r.a_p50 == 40024 and r.a.ci[0] <= 40024 <= r.a.ci[1]
    assert pipe8(compare.ratios(a, faster)).noise == "real"
    lines = compare.table(compare.ratios(a, noisy))
    assert "inside the noise" in lines[-1] and "95% CI" in lines[0]
    assert pipe8(compare.ratios(synthetic_rows(), synthetic_rows())).noise == "n=1"


def test_bootstrap_is_deterministic_and_sane():
    v = [100, 104, 98, 101, 150]
    assert stats.bootstrap_ci(v) == stats.bootstrap_ci(v)
    lo, hi = stats.bootstrap_ci(v)
    assert 98 <= lo <= stats.median(v) <= hi <= 150
    assert stats.bootstrap_ci([5]) is None and stats.median([]) is None
    assert stats.overlap((1, 3), (3, 4)) and not stats.overlap((1, 2), (3, 4))


@pytest.mark.timeout(120)
def test_cli_compare_units_markdown_and_out(tmp_path):
    a = make_run(tmp_path / "a", synthetic_rows())
    b = make_run(tmp_path / "b", synthetic_rows(unit="instructions"))
    out = str(tmp_path / "cmp")
    res = run_py("compare", a, b, "--no-plot", "--out", out)
    assert res.returncode == 2 and "--allow-unit-mismatch" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    res = run_py("compare", a, b, "--no-plot", "--out", out, "--allow-unit-mismatch",
                 "--format", "md")
    assert res.returncode == 0, res.stderr
    assert "| mech/variant | pattern | size |" in res.stdout and "warning:" in res.stdout
    assert "QEMU TCG's virtual clock" in res.stdout and "QEMU -icount" in res.stdout
    assert os.path.isfile(os.path.join(out, "compare.md"))
    assert os.path.isfile(os.path.join(out, "compare.txt"))
    res = run_py("compare", a, b, "--no-plot", "--out", out, "--allow-unit-mismatch")
    assert res.returncode == 2 and "--force" in res.stderr
    res = run_py("compare", a, a, "--no-plot", "--out", str(tmp_path / "a" / "results.csv"))
    assert res.returncode == 2 and "not a directory" in res.stderr


def test_compare_default_sides_and_out_dir(tmp_path):
    root = tmp_path / "results"
    for name, start in (("r1", "2026-01-01T00:00:00Z"), ("r2", "2026-01-02T00:00:00Z"),
                        ("r3", "2026-01-03T00:00:00Z")):
        make_run(root / name, synthetic_rows())
        ok = name != "r3"                         # r3 failed: never a default
        rundir.write_meta(rundir.RunDir(str(root / name), name),
                          {"command": "sweep", "ok": ok, "started_utc": start})
    assert [os.path.basename(p) for p in rundir.completed_runs(str(root))] == ["r1", "r2"]
    assert [os.path.basename(p) for p in compare.default_sides(str(root), [])] == ["r1", "r2"]
    with pytest.raises(compare.CompareError, match="has 0 completed"):
        compare.default_sides(str(tmp_path / "none"), [])
    args = type("A", (), {"out": None, "force": False})()
    first = compare.out_dir(args, str(root), str(root / "r1"), str(root / "r2") + ":tcg/off")
    second = compare.out_dir(args, str(root), str(root / "r1"), str(root / "r2") + ":tcg/off")
    assert os.path.basename(first) == "compare-r1-r2-tcg-off"
    assert os.path.basename(second) == "compare-r1-r2-tcg-off-2"


# ------------------------------------------------------------ plan limits

def test_plancheck_uses_the_guests_table():
    text = plan.build_text("bench", ["iters=99999999", "sizes=8,32M", "warmup=5"])
    bad = plancheck.errors(REPO, text)
    assert [n for n, _ in bad] == [3, 4]
    assert "1..10000000" in bad[0][1] and "32M" in bad[1][1]
    with pytest.raises(plancheck.PlanCheckError) as e:
        plancheck.check(REPO, text, ["sizes=8,32M"], ("iters",))
    msg = str(e.value)
    assert "plan line 3 `iters = 99999999`" in msg and "(from --iters)" in msg
    assert "(from --plan-extra 'sizes=8,32M')" in msg
    assert plancheck.errors(REPO, plan.build_text("bench", ["iters=10000000"])) == []


@pytest.mark.timeout(300)
def test_cli_sweep_refuses_guest_limits_before_booting(tmp_path):
    env = dict(os.environ, IPCBENCH_CPUINFO=str(tmp_path / "none"),
               IPCBENCH_DEV_KVM=str(tmp_path / "none"), IPCBENCH_QEMU="/bin/false")
    out = tmp_path / "run"
    for args, words in ((["--iters", "99999999"], "iters: 99999999 is out of range"),
                        (["--plan-extra", "timeslice_us=5"], "timeslice_us = 5"),
                        (["--plan-extra", "no equals here"], "plan line"),
                        (["--mech", "shm-poll/nope"], "no mechanism named shm-poll/nope")):
        res = run_py("sweep", "--accel", "tcg", "--out", str(out), *args, env=env,
                     timeout=280)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert words in res.stderr, (args, res.stderr)
        assert not out.exists() or not os.listdir(out)      # nothing booted
    plan_file = tmp_path / "my.plan"
    plan_file.write_text("mode = bench\ntimeslice_us = 0\n")
    res = run_py("sweep", "--accel", "tcg", "--plan", str(plan_file), "--out", str(out),
                 env=env, timeout=280)
    assert res.returncode == 2 and f"(from --plan {plan_file})" in res.stderr, res.stderr
    assert "accel: tcg (requested with --accel tcg)" in res.stdout


# ------------------------------------------------------------------ --out

def test_out_refuses_files_and_other_runs_unless_forced(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(rundir.RunDirError, match="not a directory"):
        rundir.create(str(tmp_path), str(f))
    with pytest.raises(rundir.RunDirError, match="cannot create"):
        rundir.create(str(tmp_path), "/proc/x")
    old = tmp_path / "old"
    old.mkdir()
    for name in ("results.csv", "meta.json", "latency-tcg-pcidon.png", "notes.txt"):
        (old / name).write_text("x")
    with pytest.raises(rundir.RunDirError, match="already holds a run .*--force"):
        rundir.create(str(tmp_path), str(old))
    rundir.create(str(tmp_path), str(old), force=True)
    assert sorted(os.listdir(old)) == ["notes.txt"]          # stale plot gone
    empty = tmp_path / "empty"
    empty.mkdir()
    assert rundir.create(str(tmp_path), str(empty)).run_id == "empty"


def test_cli_out_errors_have_no_traceback(tmp_path):
    env = dict(os.environ, IPCBENCH_CPUINFO=str(tmp_path / "none"),
               IPCBENCH_DEV_KVM=str(tmp_path / "none"), IPCBENCH_QEMU="/bin/false")
    f = tmp_path / "file"
    f.write_text("x")
    for out, words in (("/proc/x", "cannot create"), (str(f), "not a directory")):
        res = run_py("sweep", "--accel", "tcg", "--mech", "pipe", "--out", out, env=env,
                     timeout=280)
        assert res.returncode == 2 and words in res.stderr, res.stderr
        assert "Traceback" not in res.stderr


def test_latest_or_explains_when_there_is_no_latest(tmp_path, monkeypatch):
    monkeypatch.setattr(stages, "REPO", str(tmp_path))
    with pytest.raises(stages.EnvError, match="no results/latest"):
        stages.latest_or(None, "run dir")
    assert stages.latest_or("given", "run dir") == "given"
    run = rundir.create(str(tmp_path / "results"))
    rundir.point_latest(str(tmp_path / "results"), run)
    assert stages.latest_or(None, "run dir") == run.path


# ------------------------------------------------------ list, NAME/VARIANT

def test_mech_variant_selection():
    mechs = registry.mechanisms(REPO)
    s = presets.resolve("quick", mech="shm-poll/yield,pipe")
    sel = {m.name: v for m, v in registry.selection(mechs, s.mech)}
    assert sel["shm-poll"] == ("yield",) and sel["pipe"] == ("xv6",)
    whole = registry.expected_cases(mechs, presets.resolve("quick", mech="shm-poll"))
    assert registry.expected_cases(mechs, presets.resolve("quick", mech="shm-poll/yield")) \
        == whole // 3
    assert registry.unknown_names(mechs, presets.resolve("quick", mech="shm-poll/x,pip")) \
        == ["shm-poll/x", "pip"]


def test_cli_list():
    res = run_py("list")
    assert res.returncode == 0, res.stderr
    assert "shm-poll     variants: spin, yield, periodic" in res.stdout
    assert "sizes: 0 only (carries no data)" in res.stdout
    assert "iters: 1..10000000" in res.stdout
    assert "chcore       variants: direct, slowpath, lend" in res.stdout
    assert "lrpc         variants: migrate, thread, lend" in res.stdout
    assert res.stdout.count("lend: stream only") == 2


def test_lend_variant_runs_only_stream_of_data():
    """bench/driver.c runs variant lend for stream messages of 1 byte or
    more only; the case plan (progress, time left) must agree."""
    mechs = registry.mechanisms(REPO)
    s = presets.resolve("quick", mech="chcore/lend,lrpc/lend,lrpc/migrate",
                        patterns="all", sizes="0,8,64K")
    assert [c[:4] for c in registry.planned_cases(mechs, s)] == [
        ("lrpc", "migrate", "pingpong", 0), ("lrpc", "migrate", "pingpong", 8),
        ("lrpc", "migrate", "pingpong", 65536), ("lrpc", "migrate", "stream", 0),
        ("lrpc", "migrate", "stream", 8), ("lrpc", "migrate", "stream", 65536),
        ("lrpc", "migrate", "call", 0), ("lrpc", "migrate", "call", 8),
        ("lrpc", "migrate", "call", 65536),
        ("lrpc", "lend", "stream", 8), ("lrpc", "lend", "stream", 65536),
        ("chcore", "lend", "stream", 8), ("chcore", "lend", "stream", 65536)]
    # A mechanism without lending has no such variant to pick.
    assert registry.unknown_names(mechs, presets.resolve("quick", mech="pipe/lend")) \
        == ["pipe/lend"]


# ------------------------------------------------------------ raw samples

SAMPLES_LOG = os.path.join(REPO, "tests", "data", "bench_tcg_samples.log")


def test_samples_arrive_whole_and_agree_with_the_guests_statistics():
    with open(SAMPLES_LOG, "rb") as f:
        block = csvframe.extract(f.read())
    assert block.complete and not block.sample_problems
    got = csvframe.row_samples(block)
    assert len(got) == len(block.rows) == 14
    for row, values in got:
        assert len(values) == row["iters"]
        s = sorted(values)
        # The host's nearest rank over the raw samples is the guest's p50/p99.
        assert (s[0], samples.percentile(s, 50), samples.percentile(s, 99), s[-1]) == \
            (row["min"], row["p50"], row["p99"], row["max"]), csvframe.case_name(row)


def test_a_lost_samples_line_drops_that_rows_samples_only():
    with open(SAMPLES_LOG, "rb") as f:
        lines = f.read().split(b"\n")
    row3 = next(i for i, l in enumerate(lines) if l.startswith(b"@s 3 "))
    block = csvframe.extract(b"\n".join(lines[:row3] + lines[row3 + 1:]))
    assert block.complete                      # the rows are all there
    kept = csvframe.row_samples(block)
    assert len(kept) == 13 and block.rows[2] not in [r for r, _ in kept]
    # A chunk that does not continue where the last ended: a lost line.
    split = lines[:row3] + [b"@s 3 0 1,2", b"@s 3 5 6,7"] + lines[row3 + 1:]
    block = csvframe.extract(b"\n".join(split))
    assert block.sample_problems == ["samples of row 3: lost line before index 5"]
    assert len(csvframe.row_samples(block)) == 13


def test_ns_column_from_the_boots_tsc():
    row = {"unit": "cycles", "p50": 2000}
    assert samples.add_ns(row, 2_000_000)["p50_ns"] == 1000.0      # 2 GHz
    assert samples.add_ns(dict(row, unit="instructions"), 2_000_000)["p50_ns"] is None
    assert samples.add_ns(row, None)["p50_ns"] is None


@pytest.mark.timeout(60)
def test_sweep_writes_samples_and_ns(tmp_path, monkeypatch):
    from test_sweep import make_ctx, started
    ctx, settings, _ = make_ctx(tmp_path, monkeypatch, SAMPLES_LOG)
    rows, _ = sweep.execute(ctx, settings, None, started(), plots_wanted=False)
    assert sweep.exit_code(ctx.boots) == 0
    back = csvframe.read(ctx.run.file("results.csv"))
    khz = sweep.tsc_khz(ctx.boots[0])
    assert khz and all(r["p50_ns"] == pytest.approx(round(r["p50"] * 1e6 / khz, 1))
                       for r in back)
    got = samples.read(ctx.run.file(samples.FILE))
    key = ("tcg-pcidauto#1", "pipe", "xv6", "pingpong", 8, "")   # a log from before placement
    assert got[key][0] == "cycles" and len(got[key][1]) == 30


# ------------------------------------------------- summary.md, meta, plots

@pytest.mark.timeout(120)
def test_sweep_writes_summary_meta_and_distribution_plots(tmp_path, monkeypatch):
    from test_sweep import make_ctx, started
    from ipcbench_py import plots
    ctx, settings, _ = make_ctx(tmp_path, monkeypatch, SAMPLES_LOG, pcids=("auto", "auto"))
    ctx.boots[1].repeat = 2                       # the same config booted twice
    ctx.image_sha256 = "ab" * 32
    rows, files = sweep.execute(ctx, settings, None, started(), plots_wanted=True)
    assert sweep.exit_code(ctx.boots) == 0
    meta = rundir.read_meta(ctx.run.file("meta.json"))
    assert meta["image"]["sha256"] == "ab" * 32
    assert set(meta["packages"]) == {"qemu", "ovmf", "gnu-efi"} and meta["compiler"]
    md = open(ctx.run.file("summary.md")).read()
    assert "| pipe/xv6 | pingpong | 8 | 2 |" in md          # two boots pooled
    line = next(l for l in md.splitlines() if l.startswith("| pipe/xv6 | pingpong | 8 |"))
    pipe = next(r for r in rows if r["mech"] == "pipe" and r["size"] == 8
                and r["pattern"] == "pingpong")
    floor = next(r for r in rows if r["mech"] == "floor-as-switch")
    assert line.endswith(f"| {pipe['p50'] / floor['p50']:.1f}x |")
    assert "QEMU TCG's virtual clock" in md and "image sha256 " + "ab" * 32 in md
    names = {os.path.basename(f) for f in files}
    assert "cdf-tcg-pcidauto.png" in names and "events-tcg-pcidauto.png" in names
    key = csvframe.group_key(rows[0])
    labels = plots.labels_for(key, rows, meta)
    assert "30 iterations" in labels.caption and "2 boot(s), median shown" in labels.caption
    assert labels.ns_per_unit == pytest.approx(1e6 / sweep.tsc_khz(ctx.boots[0]), rel=0.01)


def test_aggregate_takes_medians_over_boots():
    from ipcbench_py import plots
    rows = [dict(r, boot=f"tcg-pcidoff#{k}", p50=r["p50"] * k)
            for k in (1, 2, 4) for r in synthetic_rows()[:3]]
    agg = plots.aggregate(rows, print)
    assert len(agg) == 3 and agg[0]["p50"] == rows[0]["p50"] * 2 and agg[0]["boots"] == 3


def test_series_styles_are_distinct_and_grouped_by_family():
    from ipcbench_py import plotkit
    labels = plotkit._known_labels()
    styles = [plotkit.series_style(l) for l in labels]
    pairs = {(s["marker"], tuple(round(c, 3) for c in s["color"])) for s in styles}
    assert len(pairs) == len(labels)              # no two series look alike
    assert plotkit.family_of("shm-poll") is plotkit.family_of("shm-notify")
    assert plotkit.series_style("pipe/xv6") == plotkit.series_style("pipe/xv6")


# -------------------------------------------------------------------- ETA

def test_cost_model_eta_beats_the_average_when_slow_cases_come_first(tmp_path):
    """Two slow polling cases first, then cheap ones: the plain average
    says 10x too much; the model, paced on the finished cases, is close."""
    from ipcbench_py import eta
    ref = tmp_path / "results" / "reference" / "x"
    ref.mkdir(parents=True)
    rows = [dict(r, unit="instructions") for r in synthetic_rows()]
    for r in rows:
        if r["mech"] == "shm-poll" and r["variant"] == "spin" and r["pattern"] == "pingpong":
            r["mean"] = 20_000_000
    csvframe.write(ref / "results.csv", rows)
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "bench.h").write_text("#define BENCH_CASE_BUDGET_S 5\n")
    planned = [("shm-poll", "spin", "pingpong", 8), ("shm-poll", "spin", "pingpong", 1024)] + \
        [("pipe", "xv6", p, s) for p in ("pingpong", "stream") for s in (8, 1024, 65536)]
    model = eta.CostModel.build(str(tmp_path), planned, 200, 20)
    slow, cheap = 100.0, 1.0          # wall seconds per case, as measured
    actual_left = 6 * cheap
    naive = 2 * slow / 2 * 6
    got = model.left(2, 2 * slow)
    assert naive / actual_left > 10
    assert 0.2 < got / actual_left < 5, got
    assert model.left(0, 1.0) is None


def test_planned_cases_follow_the_drivers_order():
    mechs = registry.mechanisms(REPO)
    s = presets.resolve("quick", mech="pipe", patterns="stream,pingpong", sizes="8,1K")
    assert registry.planned_cases(mechs, s) == [
        ("pipe", "xv6", "pingpong", 8, ""), ("pipe", "xv6", "pingpong", 1024, ""),
        ("pipe", "xv6", "stream", 8, ""), ("pipe", "xv6", "stream", 1024, "")]
    from dataclasses import replace
    assert registry.planned_cases(mechs, replace(s, placement="both"))[:2] == [
        ("pipe", "xv6", "pingpong", 8, "same-core"), ("pipe", "xv6", "pingpong", 8, "cross-core")]


def test_parse_of_a_run_dir_restores_boot_and_ns(tmp_path):
    from ipcbench_py.progress import Progress
    import io
    run = tmp_path / "run"
    run.mkdir()
    with open(SAMPLES_LOG, "rb") as f:
        (run / "serial-tcg-pcidoff-r2.log").write_bytes(f.read())
    rundir.write_meta(rundir.RunDir(str(run), "run"), {"boots": [
        {"serial_log": "serial-tcg-pcidoff-r2.log", "boot": "tcg-pcidoff#2",
         "guest": {"tsc_khz": 2_000_000}, "verdict": {"ok": True}}]})
    out = tmp_path / "x.csv"
    args = type("A", (), {"path": str(run), "csv": str(out)})()
    assert sweep.cmd_parse(args, Progress(stream=io.StringIO())) == 0
    rows = csvframe.read(out)
    assert {r["boot"] for r in rows} == {"tcg-pcidoff#2"}
    assert rows[0]["p50_ns"] == pytest.approx(rows[0]["p50"] / 2, abs=0.05)
