"""run.py profile: attribution of a trace to functions and parts (quick), and
one real profile whose per-function total must equal the p50 that the same
boot's CSV row reports (boots QEMU under -icount with gdb)."""
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from ipcbench_py import profile  # noqa: E402


def fake_symbolizer():
    kernel = [(0xffffffff80001000, "syscall_entry", ""),
              (0xffffffff80002000, "spin_lock", ""),
              (0xffffffff80003000, "chcore_fastpath_call", ""),
              (0xffffffff80004000, "tlb_switch_to", ""),
              (0xffffffff80005000, "sched_handoff_user", "")]
    user = [(0x401000, "roundtrips", os.path.join(REPO, "bench/endpoint.c:10")),
            (0x402000, "memcpy", os.path.join(REPO, "common/string.c:6"))]
    return profile.Symbolizer(kernel, user)


def test_attribution_counts_every_pc_once():
    pcs = [0x401004, 0x402000, 0x402004, 0xffffffff80001010, 0xffffffff80002008,
           0xffffffff80003000, 0xffffffff80003004, 0xffffffff80004000, 0xffffffff80005000]
    funcs, parts, part_of = profile.attribute(pcs, fake_symbolizer(), REPO)
    assert sum(funcs.values()) == sum(parts.values()) == len(pcs)
    assert parts == {"harness": 1, "user library": 2, "entry/exit": 1, "locks": 1,
                     "mechanism logic": 2, "CR3/TLB": 1, "scheduler": 1}
    assert part_of[("kernel", "chcore_fastpath_call")] == "mechanism logic"


def test_marker_hit_picks_the_variant():
    assert profile.marker_hit(("direct", "slowpath"), "direct") == profile.TRACED_SAMPLE
    assert profile.marker_hit(("direct", "slowpath"), "slowpath") == \
        profile.ITERS + profile.TRACED_SAMPLE
    with pytest.raises(profile.ProfileError):
        profile.marker_hit(("direct",), "nope")
    # lend runs only the stream pattern: it passes no marker, and has none to trace.
    assert profile.marker_hit(("direct", "lend", "slowpath"), "slowpath") == \
        profile.ITERS + profile.TRACED_SAMPLE
    with pytest.raises(profile.ProfileError, match="stream"):
        profile.marker_hit(("direct", "slowpath", "lend"), "lend")


def test_csv_totals(tmp_path):
    pcs = [0x401004, 0x402000, 0xffffffff80003000]
    funcs, parts, part_of = profile.attribute(pcs, fake_symbolizer(), REPO)
    out = tmp_path / "p.csv"
    profile.write_csv(out, funcs, parts, part_of, len(pcs), 3)
    rows = out.read_text().splitlines()
    assert rows[0] == "kind,name,side,part,instructions,share"
    assert sum(int(r.split(",")[4]) for r in rows if r.startswith("function,")) == 3
    assert "total,traced round trip,,,3,1.0000" in rows and "p50,this boot's CSV row,,,3," in rows


@pytest.mark.qemu
@pytest.mark.timeout(2400)
def test_profile_total_equals_the_p50_of_the_same_case(tmp_path):
    """The traced round trip (gdb single steps between the client's two TSC
    reads) has as many instructions as the case's p50 under -icount."""
    out = tmp_path / "prof"
    res = subprocess.run([sys.executable, "run.py", "profile", "--mech", "chcore", "--pattern",
                          "call", "--size", "8", "--out", str(out), "--no-install"],
                         cwd=REPO, capture_output=True, text=True, timeout=2300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "the traced total equals it" in res.stdout
    rows = (out / "profile.csv").read_text().splitlines()
    total = int(next(r for r in rows if r.startswith("total,")).split(",")[4])
    p50 = int(next(r for r in rows if r.startswith("p50,")).split(",")[4])
    funcs = sum(int(r.split(",")[4]) for r in rows if r.startswith("function,"))
    assert total == p50 == funcs > 0
