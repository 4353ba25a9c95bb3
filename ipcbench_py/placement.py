"""placement - `--smp N` and `--placement same,cross` (issue 12): how many
CPUs the guest gets, and where the two ends of each benchmark case run.

The guest does the placing (bench/placement.c, the plan key `placement`,
docs/PLAN.md); run.py chooses the plan word and checks that it can be
honoured:
  --smp N          QEMU's -smp N; default 2 when the host has 2 or more
                   CPUs, else 1 (--smp 1: one CPU, as before issue 12)
  --placement P    same, cross or same,cross (= both); default both with
                   2 or more CPUs, same with 1.  cross needs --smp 2.
The same-core rows of shm-poll spin and periodic (pollers whose partner
only runs when their time slice ends) are skipped with the reason
`needs-a-partner-on-another-cpu` whenever the boot also measures cross-core
rows; they are measured when same-core is all a boot runs: --placement
same (or --smp 1).
"""
import os

# kernel/arch/x86_64/percpu.h: MAX_CPUS, the most CPUs the kernel keeps.
MAX_SMP = 8
# The default --smp on a host with that many CPUs: the kernel starts its
# other CPUs and idle ones halt (before it did, a second vCPU only burned a
# host core in OVMF's parking loop).  Under --icount two boots of a small
# 2-CPU sweep agreed on every row (cross-core pipe and shm-poll spin, 0b5e9ea;
# docs/SMP.md promises exact counts only for one CPU), and the boot takes
# about twice as long: OVMF's parked AP spins through the firmware phase
# (179 s against ~90 s).
DEFAULT_SMP = 2
WORDS = ("same", "cross")


class PlacementError(ValueError):
    pass


def host_cpus():
    """CPUs this process may run on (a container's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def smp_of(value, host=None, default=DEFAULT_SMP):
    """--smp as given, or `default` when the host has that many CPUs, else 1."""
    if value is None:
        return default if (host if host is not None else host_cpus()) >= default else 1
    if not 1 <= value <= MAX_SMP:
        raise PlacementError(f"--smp: {value} is not 1..{MAX_SMP} (the kernel's MAX_CPUS, "
                             "kernel/arch/x86_64/percpu.h)")
    return value


def plan_word(text, smp):
    """The plan's `placement` value for --placement TEXT on `smp` CPUs."""
    if text is None:
        return "both" if smp >= 2 else "same"
    items = [t.strip() for t in text.split(",") if t.strip()]
    items = ["same", "cross"] if items == ["both"] else items
    bad = [t for t in items if t not in WORDS]
    if bad or not items:
        raise PlacementError(f"--placement: {', '.join(bad) or repr(text)} is not one of "
                             "same, cross (comma list, or both)")
    if "cross" in items and smp < 2:
        raise PlacementError(f"--placement {text}: cross-core needs two CPUs, and the guest "
                             f"gets --smp {smp}; add --smp 2 (or leave out cross)")
    return "both" if len(set(items)) == 2 else items[0]


def add_smp_option(p, default=DEFAULT_SMP):
    p.add_argument("--smp", type=int, metavar="N",
                   help=f"CPUs of the guest (QEMU -smp N; default {default}"
                        + (" when the host has that many, else 1)" if default > 1 else ")"))


def add_options(p):
    """--smp and --placement for a benchmark run."""
    add_smp_option(p)
    p.add_argument("--placement", metavar="P[,P]",
                   help="same, cross or same,cross: both ends of a case on one CPU, "
                        "the server on another, or each case both ways (default: "
                        "same,cross with --smp 2 or more, else same); same-core rows of "
                        "shm-poll spin/periodic run only with --placement same")
