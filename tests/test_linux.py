"""./run.py linux: the static Linux harness on the host (without root), the
guest's initramfs, a short guest boot, and the Python pieces around them
(bench/linux/, ipcbench_py/linux.py, linuxguest.py, sideplots.py)."""
import csv
import json
import os
import pwd
import stat
import subprocess
import sys

import pytest

from ipcbench_py import compare, csvframe, linux, linuxguest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(REPO, "run.py")
BENCH = os.path.join(REPO, linux.BENCH)
ROW_OF = lambda r: (r["mech"], r["variant"], r["pattern"], int(r["size"]))


def read_cpio(data):
    """{name: (mode, data, (rdevmajor, rdevminor))} of a newc archive."""
    out, off = {}, 0
    while True:
        head = data[off:off + 110]
        assert head[:6] == b"070701", f"bad cpio magic at {off}"
        f = [int(head[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, rmaj, rmin, namesize = f[1], f[6], f[9], f[10], f[11]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off += 110 + namesize
        off += -off % 4
        if name == "TRAILER!!!":
            return out
        out[name] = (mode, data[off:off + size], (rmaj, rmin))
        off += size + (-size % 4)


@pytest.fixture(scope="module")
def bench():
    res = subprocess.run(["make", "-s", "linux-bench"], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    return BENCH


def run_as_nobody():
    """preexec_fn that drops root, so the run proves it needs none."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")

    def drop():
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    return drop


# ------------------------------------------------------- pure Python

def test_cpio_is_newc_with_device_node_and_trailer():
    data = linuxguest.cpio([("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
                            ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
                            ("init", stat.S_IFREG | 0o755, b"#!/bin/sh\n", (0, 0))])
    entries = read_cpio(data)
    assert list(entries) == ["dev", "dev/console", "init"]
    assert stat.S_ISCHR(entries["dev/console"][0]) and entries["dev/console"][2] == (5, 1)
    assert entries["init"][1] == b"#!/bin/sh\n"
    assert len(data) % 4 == 0


def test_driver_args_follow_the_preset_with_sizes_in_bytes():
    s = linux.settings_of(type("A", (), dict(preset="quick", mech="pipe,sem", sizes=None,
                                             patterns=None, iters=None, warmup=None))())
    words = linux.driver_args(s, "r1", "tcg", "instructions")
    assert words[0] == "driver"
    assert "sizes=8,1024,65536" in words and "iters=200" in words and "warmup=20" in words
    assert "mech=pipe,sem" in words and words[-3:] == ["run_id=r1", "accel=tcg",
                                                        "unit=instructions"]


def test_host_placements_one_or_two_cpus():
    assert linux.host_placements(allowed={3}) == [("same-core", "3")]
    assert linux.host_placements(allowed={5, 1, 7}) == [("same-core", "1"),
                                                        ("cross-core", "1,5")]
    assert linux.host_placements("2,4") == [("same-core", "2"), ("cross-core", "2,4")]
    for bad in ("x", "1,2,3", ""):
        with pytest.raises(linux.LinuxError):
            linux.host_placements(bad or ",")


def test_appended_columns_keep_design_order_and_systems_group_apart():
    a = {c: "0" for c in csvframe.COLUMNS}
    rows = [dict(a, system="linux-guest", placement="same-core", boot="1"),
            dict(a, instructions_per_op="")]
    names = csvframe.names_of(rows)
    assert names[len(csvframe.COLUMNS):] == ["instructions_per_op", "boot", "placement", "system"]
    names = csvframe.names_of([dict(a, system="ipcbench", p50_ns="1.0", boot="b#1")])
    assert names[len(csvframe.COLUMNS):] == ["boot", "p50_ns", "system"]
    r = dict(a, accel="tcg", pcid="off", unit="instructions")
    assert csvframe.group_name(csvframe.group_key(r)) == "tcg-pcidoff-icount"
    r.update(system="linux-guest", placement="same-core")
    assert csvframe.group_name(csvframe.group_key(r)) == \
        "tcg-pcidoff-icount-same-core-linux-guest"


def test_event_columns_may_be_empty_but_not_garbage():
    fields = ["r", "pipe", "linux", "pingpong", "8", "10", "cycles"] + ["1"] * 7 + \
        ["0.000", "", "2.000", "", "", "", "", "off", "tcg", "cpu"]
    row = csvframe.typed_row(fields)
    assert row["syscalls_per_op"] is None and row["switches_per_op"] == 2.0
    fields[16] = "x"
    with pytest.raises(csvframe.SchemaError):
        csvframe.typed_row(fields)


def test_compare_pairs_single_variants_across_systems():
    base = {c: 0 for c in csvframe.COLUMNS}
    mk = lambda variant, p50, system: dict(base, mech="pipe", variant=variant,
                                           pattern="pingpong", size=8, p50=p50, unit="cycles",
                                           accel="tcg", pcid="off", mbps=0.0, system=system)
    rs = compare.ratios([mk("xv6", 100, "ipcbench")], [mk("linux", 250, "linux-guest")])
    assert len(rs) == 1 and rs[0].p50 == 2.5
    # two variants on one side: no guessing
    rs = compare.ratios([mk("a", 1, "ipcbench"), mk("b", 1, "ipcbench")],
                        [mk("linux", 2, "linux-guest")])
    assert rs == []


def test_static_elf_check(tmp_path, bench):
    assert linuxguest.is_static_elf(bench)
    assert not linuxguest.is_static_elf("/bin/sh")        # dynamic on Debian
    junk = tmp_path / "junk"
    junk.write_bytes(b"not an elf")
    assert not linuxguest.is_static_elf(str(junk))


# ------------------------------------------------------ host, no root

@pytest.mark.timeout(300)
def test_host_run_without_root_alternates_and_checks_replies(bench, tmp_path):
    """The static harness as an unprivileged user: every case passes, the
    yield floors alternate strictly with both ends on one CPU."""
    cpu = sorted(os.sched_getaffinity(0))[0]
    env = dict(os.environ, IPCBENCH_CPUS=str(cpu))
    res = subprocess.run([bench, "driver", "mech=pipe,shm-notify,signal,eventfd,posix-mq",
                          "sizes=8,1024", "patterns=pingpong,stream", "iters=50", "warmup=5",
                          "run_id=t", "accel=host"], env=env, cwd="/", capture_output=True,
                         preexec_fn=run_as_nobody(), timeout=240)
    out = res.stdout.decode()
    assert res.returncode == 0, out[-3000:]
    block = csvframe.extract(res.stdout)
    assert block.complete, block.problems
    got = {ROW_OF(r) for r in block.rows}
    for case in (("pipe", "linux", "pingpong", 8), ("shm-notify", "futex", "stream", 1024),
                 ("signal", "sigwait", "pingpong", 0), ("eventfd", "-", "pingpong", 0),
                 ("posix-mq", "-", "pingpong", 1024), ("floor-as-switch", "-", "pingpong", 0)):
        assert case in got, f"{case} missing"
    alt = linux.alternation(out.splitlines())
    assert alt["floor-as-switch"]["alternating"] == alt["floor-as-switch"]["round_trips"] == 50
    assert all(r["syscalls_per_op"] is None for r in block.rows)   # not counted on a host


@pytest.mark.timeout(400)
def test_run_py_linux_host_writes_a_run_dir(tmp_path):
    out = tmp_path / "host"
    res = subprocess.run([sys.executable, RUN_PY, "linux", "--host", "--mech", "pipe,eventfd",
                          "--sizes", "8", "--patterns", "pingpong", "--iters", "30",
                          "--warmup", "5", "--no-plots", "--out", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=380)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = list(csv.DictReader(open(out / "results.csv")))
    assert {r["system"] for r in rows} == {"linux-host"}
    assert "same-core" in {r["placement"] for r in rows}
    meta = json.load(open(out / "meta.json"))
    assert meta["command"] == "linux" and all(p["ok"] for p in meta["linux"])


# ----------------------------------------------------------- guest

def test_initramfs_builds_with_init_bench_busybox_console(bench, tmp_path):
    try:
        busybox = linuxguest.busybox(REPO, print)
    except linuxguest.GuestError as e:
        pytest.fail(f"no static busybox (busybox-static package or apt-get download): {e}")
    init = linuxguest.init_script("driver iters=5", {"IPCBENCH_CPUS": "0"})
    out = tmp_path / "initramfs.cpio"
    size = linuxguest.build_initramfs(str(out), bench, busybox, init)
    entries = read_cpio(out.read_bytes())
    assert size == out.stat().st_size
    assert entries["init"][1].decode() == init and entries["init"][0] & 0o111
    assert "IPCBENCH_CPUS=0 /bench driver iters=5" in init
    assert "echo 65536 > /proc/sys/kernel/msgmax" in init
    assert entries["bench"][1] == open(bench, "rb").read()
    assert stat.S_ISCHR(entries["dev/console"][0]) and entries["dev/console"][2] == (5, 1)
    assert stat.S_ISLNK(entries["bin/sh"][0]) and entries["bin/sh"][1] == b"busybox"


@pytest.mark.qemu
@pytest.mark.timeout(900)
def test_short_guest_run_produces_the_rows(tmp_path):
    """A Debian kernel boots under TCG with the initramfs and runs three
    mechanisms: every expected row, system linux-guest, the kernel and its
    command line in meta.json."""
    try:
        linuxguest.kernel(REPO, None, print)
    except linuxguest.GuestError as e:
        pytest.skip(f"no Debian kernel to boot (apt-get download failed): {e}")
    out = tmp_path / "guest"
    res = subprocess.run([sys.executable, RUN_PY, "linux", "--guest", "--accel", "tcg",
                          "--mech", "pipe,shm-notify,eventfd", "--sizes", "8",
                          "--patterns", "pingpong", "--iters", "20", "--warmup", "5",
                          "--no-plots", "--out", str(out), "--timeout", "700"],
                         cwd=REPO, capture_output=True, text=True, timeout=880)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    rows = list(csv.DictReader(open(out / "results.csv")))
    got = {ROW_OF(r) for r in rows}
    assert {("pipe", "linux", "pingpong", 8), ("shm-notify", "futex", "pingpong", 8),
            ("eventfd", "-", "pingpong", 0), ("floor-syscall", "-", "null", 0),
            ("floor-as-switch", "-", "pingpong", 0)} <= got
    assert {r["system"] for r in rows} == {"linux-guest"}
    assert {r["accel"] for r in rows} == {"tcg"}
    # the guest counts context switches machine-wide: a round trip needs two
    pipe = next(r for r in rows if r["mech"] == "pipe")
    assert float(pipe["switches_per_op"]) >= 1.9
    meta = json.load(open(out / "meta.json"))
    g = meta["linux"][0]
    assert g["ok"] and g["kernel_release"] and "mitigations=off" in g["cmdline"]
    assert g["kernel_package_version"]
