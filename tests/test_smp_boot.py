"""The selftest on several CPUs (issue 12): QEMU TCG with -smp 2 and -smp 4
(test_boot.py's selftest boot is the -smp 1 one).  TCG runs each vCPU in a
host thread of its own, so the two ends of a channel really run at the same
time: lost wakeups, missed TLB shootdowns and lock-order mistakes show here
and not on one CPU.

Each boot must say the kernel runs N CPUs, pass every TAP line, and show the
smp row's channels with their ends on two CPUs.  -smp 2 runs the whole
selftest; -smp 4 the rows that exercise several CPUs (SUBSET_4, below), to
keep `make test` short on a 2-core host where four vCPUs take turns
(docs/SMP.md, "Testing on several CPUs", has the timings).
"""
import re

import pytest

from test_boot import image, selftest  # noqa: F401  (image: fixture)

pytestmark = pytest.mark.qemu

# Rows whose names start with these (kernel/test/selftests.c): the smp row
# itself, processes and threads (scheduler, affinity, exit while running
# elsewhere), the TLB, the wakeup paths of pipe, futex, shm-notify and
# semaphore, the direct switches (chcore, lrpc), and leak for the baseline
# and the final count.  Not shm-poll: its million-message yield stream
# takes 40-100 s with four vCPUs on two host cores, more than all of these.
SUBSET_4 = "smp,proc,tlb,pipe,shm-futex,shm-notify,sem,chcore,lrpc,leak"
# A full -smp 2 boot takes about 3 times the -smp 1 one (vCPUs in parallel
# host threads contend for the host's cores): 303 s once on a 2-core host
# with a load average of 16, hence a limit above test_boot.py's.
SMP_BOOT_TIMEOUT = 540


def ran_across_cpus(log, n):
    """Problems (empty: none) in how the smp row used the N CPUs."""
    lines = log.splitlines()
    problems = []
    row = f"smp: placement rules, every mechanism across {n} CPUs " \
          "(client on CPU 0, server on CPU 1)"
    if not any(l.startswith("ok ") and l.endswith(row) for l in lines):
        problems.append(f"no passed line ending {row!r}")
    for cpu in range(n):
        if not any(l.startswith("ok ") and f"smp: pinned to CPU {cpu}, runs there" in l
                   for l in lines):
            problems.append(f"no passed 'pinned to CPU {cpu}' line")
    trips = [l for l in lines if re.search(r"t_smp: smp: .* round trips, client on CPU", l)]
    across = [l for l in trips if "client on CPU 0, server on CPU 1," in l]
    # Every mechanism and variant, then the 1,000-round wakeup stress of four.
    if len(across) < 20 or len(across) != len(trips):
        problems.append(f"{len(across)} of {len(trips)} channels had their ends on "
                        "CPU 0 and CPU 1")
    return problems


@pytest.mark.timeout(SMP_BOOT_TIMEOUT + 120)
@pytest.mark.parametrize("cpus,tests", [(2, None), (4, SUBSET_4)],
                         ids=["smp2-all", "smp4-subset"])
def test_selftest_on_several_cpus(image, tmp_path, cpus, tests):  # noqa: F811
    extra = ["--smp", str(cpus)]
    if tests:
        extra += ["--plan-extra", f"tests = {tests}"]
    res, log = selftest(tmp_path / "run", *extra, timeout=SMP_BOOT_TIMEOUT)
    tail = log[-3000:]
    assert res.returncode == 0, res.stdout + res.stderr + tail
    assert f"smp: {cpus} CPUs running (MADT lists {cpus})" in log.splitlines(), tail
    assert "ipcbench: result PASS" in log
    tap = [l for l in log.splitlines() if re.match(r"(not )?ok \d+ ", l)]
    failed = [l for l in tap if l.startswith("not ok")]
    assert tap and not failed, "\n".join(failed[:20])
    assert re.search(r"PASS\n\s+\d+ passed, 0 failed", res.stdout), res.stdout
    assert ran_across_cpus(log, cpus) == []
    if tests:       # the subset ran, and only it
        assert "# leak-check" in log and "# smp" in log, tail
        assert "# mailbox" not in log and "# shm-poll" not in log, tail


def test_across_cpus_check_catches_one_cpu_and_a_same_cpu_channel():
    """The check above is not vacuous: a one-CPU log and a log with one
    channel on a single CPU both fail it."""
    ok_lines = [f"ok {i} - t_smp: smp: pinned to CPU {c}, runs there (set 0)"
                for i, c in enumerate(range(2), 1)]
    trips = [f"ok {i} - t_smp: smp: m{i}/-: 64 round trips, client on CPU 0, server on "
             f"CPU 1, every byte right (status 0, 0; 9 us)" for i in range(3, 30)]
    row = "ok 30 - smp: placement rules, every mechanism across 2 CPUs " \
          "(client on CPU 0, server on CPU 1)"
    good = "\n".join(ok_lines + trips + [row])
    assert ran_across_cpus(good, 2) == []
    same = good.replace("client on CPU 0, server on CPU 1, every", "client on CPU 0, "
                        "server on CPU 0, every", 1)
    assert any("channels" in p for p in ran_across_cpus(same, 2))
    one = good.replace("across 2 CPUs (client on CPU 0, server on CPU 1)",
                       "across 1 CPU (both ends on CPU 0)")
    assert ran_across_cpus(one, 2) != []
    assert any("CPU 2" in p for p in ran_across_cpus(good, 3))
