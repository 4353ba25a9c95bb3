"""The benchmark side of run.py without QEMU: pulling the framed CSV out of
serial logs (captured ones in tests/data/ and doctored copies), the schema,
presets, the registry scan, plots from a synthetic CSV, compare's ratios,
and the parse/plot/compare commands."""
import os
import re
import subprocess
import sys

import pytest

from ipcbench_py import compare, csvframe, plots, presets, registry, sweepmeta, watch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "tests", "data")
RUN_PY = os.path.join(REPO, "run.py")
PASS_LOG = os.path.join(DATA, "bench_tcg_pass.log")           # pipe + sysv-msgq, PASS
FAIL_LOG = os.path.join(DATA, "bench_quick_failures.log")     # quick preset, failed cases


def run_py(*args, timeout=120):
    return subprocess.run([sys.executable, RUN_PY, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def raw(path=PASS_LOG):
    with open(path, "rb") as f:
        return f.read()


def cut_after_row(data, n, extra=0):
    """The log up to the end of row n's line (+ extra bytes of what follows)."""
    m = re.search(rb"@csv %d [^\r\n]*\r?\n" % n, data)
    return data[:m.end() + extra]


# ------------------------------------------------------------ extraction

def test_captured_log_is_complete():
    b = csvframe.extract(raw())
    assert b.complete, b.problems
    assert b.version == 1 and len(b.rows) == b.end_count == 14
    assert b.seqs == list(range(1, 15))
    assert [r["mech"] for r in b.rows[:6]] == [
        "floor-timer", "floor-syscall", "floor-yield", "floor-as-switch",
        "floor-memcpy", "floor-memcpy"]
    pipe = b.rows[6]
    assert (pipe["mech"], pipe["variant"], pipe["pattern"], pipe["size"]) == \
        ("pipe", "xv6", "pingpong", 8)
    assert isinstance(pipe["p50"], int) and isinstance(pipe["syscalls_per_op"], float)
    assert len(b.skips) == 4 and b.skips[0].reason == "no-call-operation"
    assert b.cases_started == 8


def noisy(data):
    """Kernel messages between rows, OVMF escapes, CR/LF mixes, blank lines,
    a message glued in front of a row (same serial line)."""
    out = []
    for i, line in enumerate(data.split(b"\n")):
        if line.startswith(b"@csv ") and i % 2:
            out.append(b"\x1b[0m\x1b[37m\x1b[40msched: tick 42\r")
            out.append(b"")
            line = b"\x1b[2J\x1b[01;01H" + line
        if line.startswith(b"@csv 3 "):
            line = b"fault: nothing here " + line
        out.append(line)
    return b"\r\n".join(out)


def test_noise_between_and_before_rows_is_ignored():
    clean, dirty = csvframe.extract(raw()), csvframe.extract(noisy(raw()))
    assert dirty.complete, dirty.problems
    assert dirty.rows == clean.rows and dirty.skips == clean.skips


def test_cut_short_names_last_complete_row_and_running_case():
    data = cut_after_row(raw(), 9, extra=50)    # the next case line + part of a row
    b = csvframe.extract(data)
    assert not b.complete and len(b.rows) == 9
    msg = b.cut_short("timeout after 60 s")
    assert msg == ("CSV cut short after row 9 (pipe/xv6 stream 8), while running "
                   "pipe/xv6 stream 4096: timeout after 60 s")


def test_partial_last_row_is_not_counted():
    data = cut_after_row(raw(), 7)
    data += re.search(rb"@csv 8 [^\r\n]*", raw()).group(0)[:-10]
    b = csvframe.extract(data)
    assert len(b.rows) == 7 and not b.problems


def test_cut_before_first_row_and_no_block():
    data = raw()
    b = csvframe.extract(data[:data.index(b"@csv 1 ")])
    assert b.cut_short("kernel panic") == "CSV cut short before the first row: kernel panic"
    with open(os.path.join(DATA, "real_pass.log"), "rb") as f:
        b = csvframe.extract(f.read())
    assert not b.began and b.cut_short("x").startswith("no CSV block")


def test_sequence_gap_is_a_lost_line():
    data = re.sub(rb"@csv 5 [^\n]*\n", b"", raw())
    b = csvframe.extract(data)
    assert not b.complete
    assert any("lost row(s) 5" in p for p in b.problems), b.problems
    assert len(b.rows) == 13


def test_damaged_row_is_reported_and_dropped():
    data = raw().replace(b"@csv 7 -,pipe,xv6,pingpong,8,200,cycles,",
                         b"@csv 7 -,pipe,xv6,pingpong,8,200,cycles,x")
    b = csvframe.extract(data)
    assert any(p.startswith("row 7 is damaged (min:") for p in b.problems), b.problems
    assert any("lost row(s) 7" in p for p in b.problems)


def test_end_count_mismatch():
    data = raw().replace(b"@csv-end 14", b"@csv-end 15")
    b = csvframe.extract(data)
    assert not b.complete and "@csv-end says 15 rows, the log has 14" in b.problems


def test_two_passes_of_one_boot_are_merged():
    """pcid = both prints a whole block per PCID setting in one boot."""
    one = raw()
    block = one[one.index(b"@csv-begin"):one.index(b"@csv-end 14") + len(b"@csv-end 14\n")]
    b = csvframe.extract(one + b"bench: pcid = both: pass 2 of 2, PCID off\n" + block)
    assert b.complete, b.problems
    assert len(b.rows) == b.end_count == 28 and b.seqs == list(range(1, 29))
    assert b.rows[14:] == b.rows[:14] and len(b.skips) == 8
    cut = csvframe.extract(one + block[:block.index(b"@csv 3 ")])
    assert not cut.complete and len(cut.rows) == 16
    assert cut.cut_short("timeout").startswith("CSV cut short after row 16 ")


def test_duplicate_row_number():
    line = re.search(rb"@csv 3 [^\n]*\n", raw()).group(0)
    b = csvframe.extract(raw().replace(line, line + line))
    assert "row 3 appears twice" in b.problems


def test_failures_log_keeps_rows_and_skip_reasons():
    b = csvframe.extract(raw(FAIL_LOG))
    assert b.complete                     # the block is whole; cases failed
    failed = [s for s in b.skips if s.reason.startswith("failed:")]
    assert failed and all(s.reason == "failed:-5" for s in failed)


# ---------------------------------------------------------------- schema

def test_columns_match_the_guest_and_the_docs():
    with open(os.path.join(REPO, "bench", "csv.c")) as f:
        src = f.read()
    macro = re.search(r"#define CSV_COLUMNS (.*?)\n\n", src, re.S).group(1)
    guest = "".join(re.findall(r'"([^"]*)"', macro)).split(",")
    assert tuple(guest) == csvframe.GUEST_COLUMNS
    with open(os.path.join(REPO, "docs", "CSV.md")) as f:
        doc = f.read()
    documented = re.findall(r"^\| *\d+ *\| *`(\w+)` *\|", doc, re.M)
    assert tuple(documented) == csvframe.COLUMNS + csvframe.APPENDED


def test_header_checks():
    assert csvframe.check_header(csvframe.COLUMNS) == []
    assert csvframe.check_header(csvframe.COLUMNS + ("extra",)) == []    # appended: fine
    swapped = list(csvframe.COLUMNS)
    swapped[7], swapped[8] = swapped[8], swapped[7]
    assert csvframe.check_header(swapped) == [
        "header column 8 is 'p50', expected 'min' (docs/CSV.md)"]
    assert "header column 24 is None" in csvframe.check_header(csvframe.COLUMNS[:-1])[0]


def good_fields(**over):
    row = dict(zip(csvframe.COLUMNS, (
        "r", "pipe", "xv6", "pingpong", "8", "100", "cycles", "1", "2", "3", "4", "5",
        "3", "1", "0.000", "12.000", "2.000", "2.000", "2.000", "32.000", "2.000",
        "off", "tcg", "QEMU TCG CPU")))
    row.update(over)
    return [row[c] for c in csvframe.COLUMNS]


def test_typed_row_checks_numbers_and_unit():
    r = csvframe.typed_row(good_fields())
    assert r["size"] == 8 and r["kcopy_bytes_per_op"] == 32.0
    for unit in csvframe.UNITS:
        assert csvframe.typed_row(good_fields(unit=unit))["unit"] == unit
    bad = [dict(unit="ticks"), dict(p50="1.5"), dict(mbps="fast"), dict(size="-8")]
    for over in bad:
        with pytest.raises(csvframe.SchemaError):
            csvframe.typed_row(good_fields(**over))
    with pytest.raises(csvframe.SchemaError, match="23 fields, expected 24"):
        csvframe.typed_row(good_fields()[:-1])


def test_appended_pmu_columns(tmp_path):
    """A guest with the PMU columns (empty under TCG): parsed, kept in
    results.csv, read back; a value there is a number."""
    b = csvframe.extract(raw(os.path.join(DATA, "bench_tcg_pmu_columns.log")))
    assert b.complete and b.header[-2:] == list(csvframe.PMU_COLUMNS)
    assert all(r["instructions_per_op"] is None for r in b.rows)
    rows = [dict(r) for r in b.rows]
    rows[0]["instructions_per_op"], rows[0]["unhalted_cycles_per_op"] = 12.5, 30.0
    path = tmp_path / "results.csv"
    csvframe.write(path, rows)
    with open(path) as f:
        assert f.readline().strip().endswith(",cpu,instructions_per_op,unhalted_cycles_per_op")
    back = csvframe.read(path)
    assert back == rows and back[0]["instructions_per_op"] == 12.5
    mixed = csvframe.extract(raw()).rows[:1] + rows[:1]      # old and new guest
    assert csvframe.names_of(mixed)[-2:] == list(csvframe.PMU_COLUMNS)
    assert csvframe.to_text(mixed).splitlines()[1].endswith("QEMU TCG CPU version 2.5+,,")


def test_write_read_roundtrip(tmp_path):
    rows = csvframe.extract(raw()).rows
    path = tmp_path / "results.csv"
    csvframe.write(path, rows)
    assert csvframe.read(path) == rows
    with open(path) as f:
        assert f.readline().strip() == ",".join(csvframe.COLUMNS)


def test_read_names_file_and_line(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(",".join(csvframe.COLUMNS) + "\n" + ",".join(good_fields(unit="ms")) + "\n")
    with pytest.raises(csvframe.SchemaError, match=r"results.csv:2: unit: 'ms'"):
        csvframe.read(path)
    path.write_text("mech,run_id\n")
    with pytest.raises(csvframe.SchemaError, match="header column 1 is 'mech'"):
        csvframe.read(path)


# --------------------------------------------------- presets, registry

def test_presets_and_overrides():
    q = presets.resolve(None)
    assert q.preset == "quick" and q.iters == 200 and q.patterns == "pingpong,stream,call"
    assert "sizes=8,1K,64K" in q.plan_lines()
    f = presets.resolve("full")
    assert f.sizes is None and f.patterns is None and f.iters == 1000
    assert "sizes" not in " ".join(f.plan_lines())     # the guest's default list
    o = presets.resolve("quick", mech="pipe, sem", sizes="8,4k", patterns="all", iters=5)
    assert (o.mech, o.sizes, o.patterns, o.iters) == ("pipe,sem", "8,4k", None, 5)
    assert presets.resolve("quick", mech="all").mech is None
    for kw in (dict(sizes="12Q"), dict(sizes="32M"), dict(patterns="ring"),
               dict(mech="a b"), dict(iters=0), dict(sizes="8,,64")):
        with pytest.raises(presets.PresetError):
            presets.resolve("quick", **kw)
    with pytest.raises(presets.PresetError, match="unknown preset"):
        presets.resolve("slow")


def test_full_preset_under_icount_counts_200_iterations():
    # Exact counts repeat per iteration: under --icount full measures 200
    # after 20 warm-up ones (presets.ICOUNT); quick is unchanged, and the
    # options still win, checked like any other value.
    f = presets.resolve("full", icount=True)
    assert (f.iters, f.warmup, f.sizes, f.patterns) == (200, 20, None, None)
    assert "iters=200" in f.plan_lines() and "warmup=20" in f.plan_lines()
    assert presets.resolve("quick", icount=True) == presets.resolve("quick")
    assert presets.resolve("full", iters=1000, warmup=100, icount=True).iters == 1000
    for kw in (dict(iters=0), dict(warmup=-1)):
        with pytest.raises(presets.PresetError, match="out of range"):
            presets.resolve("full", icount=True, **kw)


def fake_tree(tmp_path):
    user = tmp_path / "ipc" / "user"
    user.mkdir(parents=True)
    (tmp_path / "common").mkdir()
    (user / "registry.c").write_text(
        "static const struct ipc_mech *const mechanisms[] = {\n\t0,\n"
        "\t&ipc_alpha,   /* a */\n\t&ipc_beta,\n\t/* &ipc_gamma, */\n};\n")
    (user / "alpha.c").write_text(
        '#define ALPHA_MAX (4u << 10)   /* 4 KiB */\n'
        'static const char *const av[] = { "one", "two", 0 };\n'
        'const struct ipc_mech ipc_alpha = {\n\t.name = "alpha",\n'
        '\t.caps = IPC_CAP_MESSAGE | IPC_CAP_CALL,\n\t.max_msg = ALPHA_MAX,\n'
        '\t.variants = av,\n\t.open = a_open,\n};\n')
    (user / "beta.c").write_text(
        'const struct ipc_mech ipc_beta = {\n\t.name = "beta",\n'
        '\t.caps = IPC_CAP_STREAM,\n\t.max_msg = 1u << 20,\n\t.variants = 0,\n};\n')
    (user / "gamma.c").write_text(
        'const struct ipc_mech ipc_gamma = {\n\t.name = "gamma",\n'
        '\t.caps = IPC_CAP_MESSAGE,\n\t.max_msg = 0,\n};\n')
    return str(tmp_path)


def test_registry_scan_of_a_tree(tmp_path):
    mechs = registry.mechanisms(fake_tree(tmp_path))
    assert [m.name for m in mechs] == ["alpha", "beta"]
    a, b = mechs
    assert a.variants == ("one", "two") and a.max_msg == 4096 and "CALL" in a.caps
    assert b.variants == ("",) and b.max_msg == 1 << 20 and "STREAM" in b.caps
    s = presets.resolve("quick", sizes="0,8,64K", patterns="all")
    # alpha: 2 variants x 3 patterns x {0, 8} (64K > 4K); beta: 2 patterns x {8, 64K}
    assert registry.expected_cases(mechs, s) == 2 * 3 * 2 + 2 * 2
    gamma = registry.Mech("gamma", ("",), frozenset({"MESSAGE"}), 0)
    # a data-less mechanism runs size 0 whatever the list says
    assert registry.expected_cases([gamma], presets.resolve("quick")) == 2
    assert registry.expected_cases(mechs, presets.resolve("full", mech="beta")) == 2 * 9
    assert registry.unknown_names(mechs, presets.resolve("quick", mech="beta,gama")) == ["gama"]


def test_registry_scan_of_this_tree():
    names = [m.name for m in registry.mechanisms(REPO)]
    assert names, "ipc/user/registry.c lists no mechanism the scan can read"
    assert len(names) == len(set(names))


# ----------------------------------------------------- meta, progress

def test_guest_facts_and_host_cpu(tmp_path):
    g = sweepmeta.guest_facts(["tsc: 2098760 kHz (pit-calibrated)",
                               "pcid: on without INVPCID (CPUID.07H:EBX[10]=0)"])
    assert (g["tsc_khz"], g["tsc_source"], g["pcid"], g["invpcid"]) == \
        (2098760, "pit-calibrated", True, False)
    g = sweepmeta.guest_facts(["pcid: off (plan says pcid = off)"])
    assert g["pcid"] is False and g["tsc_khz"] is None
    cpu = tmp_path / "cpuinfo"
    cpu.write_text("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon X\n"
                   "flags\t\t: fpu pcid invpcid\n\nprocessor\t: 1\nvendor_id\t: other\n")
    h = sweepmeta.host_cpu(str(cpu))
    assert h["vendor"] == "GenuineIntel" and h["logical_cpus"] == 2
    assert "invpcid" in h["flags"]


def test_watcher_follows_a_growing_log(tmp_path):
    log = tmp_path / "serial.log"
    said = []
    w = watch.Watcher(str(log), said.append, "boot 1/1 tcg", expected=8)
    w.poll()                                   # no file yet: nothing, no error
    data = raw()
    half = data.index(b"bench: pipe/xv6 stream 8")
    log.write_bytes(data[:half])
    w.poll()
    assert len(said) == 2 and "case 2/~8 pipe/xv6 pingpong 4096 B x 200" in said[-1]
    log.write_bytes(data)
    w.poll()
    assert len(said) == 8 and w.counter.rows == 14
    assert watch.estimate_left(2, 8, 10.0) == 30.0
    assert watch.estimate_left(0, 8, 10.0, boot_guess=5.0) == 5.0
    assert watch.clock(3725) == "1:02:05"


# ------------------------------------------------------------------ plots

def synthetic_rows(accel="tcg", pcid="off", unit="cycles", scale=1.0):
    rows = []

    def add(mech, variant, pattern, size, p50, mbps=0.0, **ev):
        fields = dict(zip(csvframe.COLUMNS, good_fields()))
        fields.update(mech=mech, variant=variant, pattern=pattern, size=str(size),
                      p50=str(int(p50 * scale)), min=str(int(p50 * scale * 0.9)),
                      p90=str(int(p50 * scale * 1.2)), p99=str(int(p50 * scale * 2)),
                      max=str(int(p50 * scale * 3)), mbps=f"{mbps:.3f}", unit=unit,
                      pcid=pcid, accel=accel,
                      **{k: f"{v:.3f}" for k, v in ev.items()})
        rows.append(csvframe.typed_row([fields[c] for c in csvframe.COLUMNS]))
    add("floor-timer", "-", "timer", 0, 20)
    add("floor-syscall", "-", "null", 0, 400, syscalls_per_op=1)
    add("floor-yield", "-", "pingpong", 0, 1800, switches_per_op=2, syscalls_per_op=2)
    add("floor-as-switch", "-", "pingpong", 0, 20000, as_switches_per_op=2)
    for size in (8, 1024, 65536):
        add("floor-memcpy", "-", "copy", size, 10 + size / 4)
    for mech, variant, base in (("pipe", "xv6", 40000), ("sysv-msgq", "mtype", 60000),
                                ("shm-poll", "spin", 5000), ("shm-poll", "yield", 9000)):
        for size in (8, 1024, 65536):
            add(mech, variant, "pingpong", size, base + size * 3)
            add(mech, variant, "stream", size, base / 2 + size, mbps=size / 100.0)
    add("signal", "sigwait", "pingpong", 0, 50000, wakeups_per_op=2)
    for size in (8, 1024, 65536):
        add("lrpc", "migrate", "call", size, 3000 + size, switches_per_op=0)
    return rows


def test_plots_from_a_synthetic_csv(tmp_path):
    rows = synthetic_rows() + synthetic_rows("kvm", "on", scale=0.1)
    files = plots.draw_run(str(tmp_path), rows)
    names = sorted(os.path.basename(f) for f in files)
    for cfg in ("tcg-pcidoff", "kvm-pcidon"):
        for kind in ("latency", "bandwidth", "smallmsg", "events"):
            assert f"{kind}-{cfg}.png" in names and f"{kind}-{cfg}.svg" in names
    import matplotlib.image
    for f in files:
        assert os.path.getsize(f) > 10_000, f
        if f.endswith(".png"):
            with open(f, "rb") as fh:
                assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
            img = matplotlib.image.imread(f)
            assert img.shape[0] > 300 and img.shape[1] > 400
            assert img.std() > 0.01             # not a blank canvas


def test_plot_helpers():
    rows = synthetic_rows(unit="instructions")
    assert plots.event_size(rows) == 8
    ev = plots.event_rows(rows, 8)
    assert [n for n, _ in ev][:3] == ["floor-syscall", "floor-yield", "floor-as-switch"]
    assert "signal/sigwait (0 B)" in [n for n, _ in ev]
    assert plots.smallest_pingpong(rows)["pipe/xv6"]["size"] == 8
    assert plots.smallest_pingpong(rows)["lrpc/migrate call"]["p50"] == 3008
    assert "lrpc/migrate call" in [n for n, _ in ev]
    assert plots.human_size(65536) == "64K" and plots.human_size(1000) == "1000"
    assert plots.unit_label("instructions").startswith("guest instructions")
    said = []
    assert len(plots.dedupe(rows + rows[:2], said.append)) == len(rows)
    assert len(said) == 2
    assert csvframe.group_name(("tcg", "off", "instructions")) == "tcg-pcidoff-icount"


# ---------------------------------------------------------------- compare

def test_compare_ratios_and_table():
    a, b = synthetic_rows(), synthetic_rows(scale=0.5)
    rs = compare.ratios(a, b)
    assert len(rs) == len(a)
    pp = [r for r in rs if r.pattern == "pingpong" and r.mech == "pipe"]
    assert all(abs(r.p50 - 0.5) < 0.01 for r in pp)
    st = next(r for r in rs if r.pattern == "stream" and r.size == 1024)
    assert st.mbps == pytest.approx(1.0)
    assert next(r for r in rs if r.mech == "floor-syscall").mbps is None
    lines = compare.table(rs)
    assert lines[0].split()[:4] == ["mech/variant", "pattern", "size", "A"]
    assert "geometric mean of p50 B/A over 28 mechanism cases: 0.50" in lines[-2]
    assert "no noise estimate" in lines[-1]
    assert compare.geomean([2.0, 8.0]) == pytest.approx(4.0)


def test_compare_only_common_cases_and_groups():
    a = synthetic_rows()
    b = [r for r in synthetic_rows(scale=2) if r["mech"] != "pipe"]
    assert {r.mech for r in compare.ratios(a, b)} == {r["mech"] for r in b}
    two = synthetic_rows() + synthetic_rows(pcid="on", scale=0.8)
    with pytest.raises(compare.CompareError, match="pick one each with"):
        compare.ratios(a, two)
    assert all(r.group for r in compare.ratios(two, two))
    off = compare.select(two, "tcg/off", "A")
    on = compare.select(two, "tcg-pcidon", "B")
    assert all(r.p50 == pytest.approx(0.8, abs=0.01) for r in compare.ratios(off, on)
               if r.a_p50 > 1000)
    with pytest.raises(compare.CompareError, match="it has: tcg-pcidoff, tcg-pcidon"):
        compare.select(two, "kvm/on", "A")


# ------------------------------------------------------------- commands

def make_run(path, rows):
    os.makedirs(path, exist_ok=True)
    csvframe.write(os.path.join(path, "results.csv"), rows)
    return str(path)


@pytest.mark.timeout(120)
def test_cli_plot_and_compare(tmp_path):
    a = make_run(tmp_path / "a", synthetic_rows())
    b = make_run(tmp_path / "b", synthetic_rows(scale=0.25))
    res = run_py("plot", a, "--no-install")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "8 files in" in res.stdout
    assert os.path.getsize(os.path.join(a, "latency-tcg-pcidoff.png")) > 10_000
    out = str(tmp_path / "cmp")
    res = run_py("compare", a, b, "--no-install", "--out", out)
    assert res.returncode == 0, res.stdout + res.stderr
    assert re.search(r"pipe/xv6\s+pingpong\s+8\s+40,024\s+10,006\s+0\.250", res.stdout)
    assert os.path.getsize(os.path.join(out, "compare.png")) > 10_000
    assert not os.path.exists(os.path.join(b, "compare.png"))     # B is left alone
    res = run_py("compare", a, str(tmp_path / "nope"))
    assert res.returncode == 2 and "nope: no such file" in res.stderr
    res = run_py("plot", str(tmp_path / "nope"))
    assert res.returncode == 2 and "./run.py sweep" in res.stderr


def test_cli_parse_bench_log_writes_csv(tmp_path):
    out = tmp_path / "x.csv"
    res = run_py("parse", PASS_LOG, "--csv", str(out))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "CSV complete: 14 rows, 4 skips" in res.stdout
    assert len(csvframe.read(out)) == 14
    res = run_py("parse", PASS_LOG, "--csv", "-")
    assert res.stdout.startswith(",".join(csvframe.COLUMNS))


def test_cli_parse_cut_log(tmp_path):
    log = tmp_path / "serial-tcg-pcidauto.log"
    log.write_bytes(cut_after_row(raw(), 17 - 3))
    res = run_py("parse", str(tmp_path))
    assert res.returncode == 1
    assert "CSV cut short after row 14 (sysv-msgq/mtype stream 4096)" in res.stdout


def test_cli_sweep_usage_errors(tmp_path):
    env_ok = dict(os.environ, IPCBENCH_CPUINFO=str(tmp_path / "none"),
                  IPCBENCH_DEV_KVM=str(tmp_path / "none"))
    for args, words in ((["--sizes", "12Q"], "is not a size"),
                        (["--pcid", "maybe"], "is not one of on, off, auto"),
                        (["--accel", "kvm"], "rerun with --accel tcg"),
                        (["--accel", "tcg", "--mech", "pipee"], "no mechanism named pipee"),
                        (["--accel", "tcg", "--timeout", "0"], "must be positive")):
        res = subprocess.run([sys.executable, RUN_PY, "sweep", *args], cwd=REPO,
                             env=env_ok, capture_output=True, text=True, timeout=60)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert words in res.stderr, (args, res.stderr)
