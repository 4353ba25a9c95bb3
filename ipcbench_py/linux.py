"""linux - ./run.py linux --host | --guest: the same benchmark on Linux.

The harness built as a static Linux program (bench/linux/, `make
linux-bench`) runs the same cases, sizes, iteration counts and statistics
as ipcbench and prints the same framed CSV; this module runs it and writes
a run directory like a sweep's (results.csv, meta.json, plots), with
`system` = linux-host or linux-guest and `placement` on every row, so
`./run.py compare` and `./run.py plot` take it beside an ipcbench run.

--host   natively on this machine, no root needed: once with both ends on
         one CPU (same-core), and once with the server end on a second CPU
         (cross-core) when this process may use two.  Unit: TSC cycles.
--guest  a Debian kernel under ipcbench's own QEMU configuration (same
         accel, CPU model, memory, CPUs, -icount flags), booted with an
         initramfs made on the fly (linuxguest.py).  Unit: TSC cycles, or
         guest instructions with --icount.
sweep --with-linux (sweep.py) runs --guest after an ipcbench sweep into
the same run directory and draws both on one figure (sideplots.py).
"""
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field

from . import (csvframe, linuxguest, presets, qemu, rundir, seriallog, stages, sweep, sweepmeta,
               watch)

SYSTEM_HOST = "linux-host"
SYSTEM_GUEST = "linux-guest"
BENCH = os.path.join("build", "linux", "bench")
HOST_TIMEOUT_S = {"quick": 600.0, "full": 3600.0}
GUEST_TIMEOUT_S = {"quick": 900.0, "full": 3600.0}
ALTERNATION = re.compile(r"bench: (floor-\S+) alternation: (\d+) of (\d+) round trips.*"
                         r"\(warm-up (\d+) yields, settled: (yes|no)\)")
KERNEL_LINE = re.compile(r"linux-guest: kernel (\S+) cmdline (.*)$")
EXIT_LINE = re.compile(re.escape(linuxguest.RESULT_LINE) + r" (\d+)")
SIZE = re.compile(r"^(\d+)([KkMm]?)$")


class LinuxError(Exception):
    """A usage or host problem (exit status 2)."""


@dataclass
class Part:
    """One run of the Linux benchmark: a placement on the host, or a boot."""
    system: str
    placement: str
    log: str                      # file name in the run dir
    argv: list = None
    env: dict = field(default_factory=dict)
    wall_s: float = 0.0
    status: int = None
    block: object = None          # csvframe.CsvBlock
    ok: bool = False
    reason: str = "not run"
    facts: dict = field(default_factory=dict)


# ---------------------------------------------------------------- options

def add_parser(sub):
    p = sub.add_parser("linux", help="the same benchmark on Linux (host or QEMU guest)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--host", action="store_true",
                       help="natively, ends pinned to one CPU (and to two when there are two)")
    where.add_argument("--guest", action="store_true",
                       help="a Linux kernel under ipcbench's QEMU configuration")
    p.add_argument("--preset", choices=tuple(presets.PRESETS), default=None)
    p.add_argument("--mech", metavar="A,B", help="mechanisms (default: all the Linux build has)")
    p.add_argument("--sizes", metavar="N,N", help="message sizes, e.g. 8,1K,64K")
    p.add_argument("--patterns", metavar="P,P", help="pingpong,stream,call")
    p.add_argument("--iters", type=int, metavar="N")
    p.add_argument("--warmup", type=int, metavar="N")
    p.add_argument("--accel", default="auto", choices=("auto", "kvm", "tcg"),
                   help="guest: as for sweep (default auto)")
    p.add_argument("--icount", action="store_true",
                   help="guest: deterministic instruction counts (TCG)")
    p.add_argument("--kernel", metavar="PATH",
                   help="guest: this bzImage/vmlinuz instead of Debian's linux-image-amd64")
    p.add_argument("--cmdline", default=linuxguest.DEFAULT_CMDLINE, metavar="TEXT",
                   help=f"guest: kernel command line (default {linuxguest.DEFAULT_CMDLINE!r}; "
                        "the console and init options are always added)")
    p.add_argument("--cpus", metavar="A[,B]",
                   help="host: CPU for both ends [and for the cross-core server] "
                        "(default: the first two this process may use)")
    p.add_argument("--out", metavar="DIR", help="run directory (default results/<run-id>)")
    p.add_argument("--timeout", type=float, metavar="S", help="per run or boot")
    p.add_argument("--no-plots", action="store_true", help="CSV and meta.json only")
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command instead")


def settings_of(args):
    try:
        return sweep.settings_of(args)
    except sweep.SweepError as e:
        raise LinuxError(str(e)) from None


def _bytes(size):
    m = SIZE.match(size)
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20}[m.group(2).lower()]


def driver_args(settings, run_id, accel, unit):
    """The driver's KEY=VALUE words (bench/args.c), as ipcbench's kernel
    builds them from a plan."""
    words = ["driver"]
    for key in ("mech", "patterns"):
        if getattr(settings, key):
            words.append(f"{key}={getattr(settings, key)}")
    if settings.sizes:
        words.append("sizes=" + ",".join(str(_bytes(s)) for s in settings.sizes.split(",")))
    for key in ("iters", "warmup"):
        if getattr(settings, key) is not None:
            words.append(f"{key}={getattr(settings, key)}")
    return words + [f"run_id={run_id}", f"accel={accel}", f"unit={unit}"]


def timeout_of(args, settings, table):
    try:
        return sweep.timeout_of(args, settings, table)
    except sweep.SweepError as e:
        raise LinuxError(str(e)) from None


# ------------------------------------------------------------ judgement

def alternation(lines):
    """{floor: {...}} from the floors' "alternation" lines."""
    out = {}
    for line in lines:
        if (m := ALTERNATION.search(line)):
            out[m.group(1)] = {"alternating": int(m.group(2)), "round_trips": int(m.group(3)),
                               "warmup_yields": int(m.group(4)), "settled": m.group(5) == "yes"}
    return out


def judge(part, lines, finished, why):
    """Sets part.ok/reason from how the run ended (finished: the driver
    ran to its end, whatever its status) and its CSV block."""
    block = part.block
    failed = [f"{s.mech}/{s.variant} {s.pattern} {s.size} ({s.reason})"
              for s in block.skips if "failed" in s.reason]
    if not finished:
        part.reason = block.cut_short(why) if block.began else why
    elif not block.complete:
        part.reason = block.cut_short("; ".join(block.problems) or "no @csv-end line")
    elif failed:
        part.reason = f"{len(failed)} failed case(s): " + ", ".join(failed[:4])
    else:
        part.ok, part.reason = True, "PASS"
    part.facts["alternation"] = alternation(lines)


def rows_of(part, run_id):
    return [dict(r, run_id=run_id, system=part.system, placement=part.placement)
            for r in (part.block.rows if part.block else [])]


# ------------------------------------------------------------------ host

def host_placements(cpus_text=None, allowed=None):
    """[(placement, "A" or "A,B")]: same-core always, cross-core with two CPUs."""
    if cpus_text:
        cpus = [c.strip() for c in cpus_text.split(",") if c.strip()]
        if not 1 <= len(cpus) <= 2 or not all(c.isdigit() for c in cpus):
            raise LinuxError(f"--cpus: {cpus_text!r} is not A or A,B (CPU numbers)")
    else:
        cpus = [str(c) for c in sorted(allowed if allowed is not None
                                       else os.sched_getaffinity(0))][:2]
    out = [("same-core", cpus[0])]
    if len(cpus) > 1:
        out.append(("cross-core", f"{cpus[0]},{cpus[1]}"))
    return out


def run_host_part(repo, run, part, words, timeout, prog):
    env = dict(os.environ, **part.env)
    part.argv = [os.path.join(repo, BENCH)] + words
    prog.say(f"{part.system} {part.placement} (CPUs {part.env['IPCBENCH_CPUS']}): "
             f"{' '.join(words[1:])}")
    t0 = time.monotonic()
    with open(run.file(part.log), "wb") as out:
        try:
            res = subprocess.run(part.argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                 timeout=timeout)
            part.status, why = res.returncode, f"bench exited {res.returncode}"
        except subprocess.TimeoutExpired:
            part.status, why = None, f"timeout after {timeout:g} s"
    part.wall_s = time.monotonic() - t0
    lines = seriallog.parse_file(run.file(part.log)).lines
    part.block = csvframe.extract(lines)
    judge(part, lines, part.status is not None and part.status >= 0, why)


def run_host(repo, run, settings, args, prog):
    words = driver_args(settings, sweep.csv_run_id(run), "host", "cycles")
    parts = []
    for placement, cpus in host_placements(args.cpus):
        part = Part(SYSTEM_HOST, placement, f"linux-host-{placement}.log",
                    env={"IPCBENCH_CPUS": cpus})
        run_host_part(repo, run, part, words, timeout_of(args, settings, HOST_TIMEOUT_S), prog)
        prog.say(f"{part.placement}: {'PASS' if part.ok else 'FAIL: ' + part.reason} "
                 f"({len(part.block.rows)} rows, {part.wall_s:.1f} s)")
        parts.append(part)
    return parts


# ----------------------------------------------------------------- guest

def guest_facts(part, lines):
    for line in lines:
        if (m := KERNEL_LINE.search(line)):
            part.facts.update(kernel_release=m.group(1), cmdline=m.group(2).strip())
        elif (m := EXIT_LINE.search(line)):
            part.facts["bench_exit"] = int(m.group(1))


def run_guest(repo, run, settings, args, choice, prog, tag=SYSTEM_GUEST):
    """Boot the guest once; returns its Part."""
    try:
        vmlinuz, kinfo = linuxguest.kernel(repo, args.kernel, prog.say)
        busybox = linuxguest.busybox(repo, prog.say)
    except linuxguest.GuestError as e:
        raise LinuxError(str(e)) from None
    unit = "instructions" if args.icount else "cycles"
    words = driver_args(settings, sweep.csv_run_id(run), choice.name, unit)
    part = Part(SYSTEM_GUEST, "same-core", "serial-linux-guest.log",
                env={"IPCBENCH_CPUS": "0", "IPCBENCH_EVENTS": "system"})
    init = linuxguest.init_script(" ".join(words[0:1] + [shlex.quote(w) for w in words[1:]]),
                                  part.env)
    initrd = run.file("linux-initramfs.cpio")
    size = linuxguest.build_initramfs(initrd, os.path.join(repo, BENCH), busybox, init)
    part.argv = linuxguest.qemu_argv(os.environ.get("IPCBENCH_QEMU", qemu.QEMU), choice,
                                     run.file(part.log), vmlinuz, initrd, args.cmdline,
                                     args.icount)
    part.facts.update(kernel=vmlinuz, kernel_package=kinfo["package"],
                      kernel_package_version=kinfo["version"], busybox=busybox,
                      initramfs_bytes=size, sysctl=linuxguest.GUEST_SYSCTL, init=init,
                      qemu_cmdline=shlex.join(part.argv), icount=args.icount)
    timeout = timeout_of(args, settings, GUEST_TIMEOUT_S)
    prog.say(f"{tag}: booting {os.path.basename(vmlinuz)} under {choice.name.upper()}"
             f"{' with icount' if args.icount else ''} (timeout {timeout:g} s)")
    proc = qemu.Run(part.argv, run.file(part.log), run.file("qemu-linux-guest.log"))
    w = watch.Watcher(run.file(part.log), prog.say, tag, None, None, 0.0)
    w.start()
    try:
        outcome = proc.wait(timeout, grace=None)
    finally:
        w.stop()
    part.wall_s, part.status = outcome.wall_s, outcome.status
    lines = seriallog.parse_file(run.file(part.log)).lines
    part.block = csvframe.extract(lines)
    guest_facts(part, lines)
    why = (f"timeout after {timeout:g} s" if outcome.timed_out else
           "interrupted" if outcome.interrupted else
           f"bench exited {part.facts.get('bench_exit')}")
    judge(part, lines, part.facts.get("bench_exit") is not None, why)
    if part.ok:                 # like the sweep's image copy: kept only to rerun a failure
        os.unlink(initrd)
    prog.say(f"{tag}: {'PASS' if part.ok else 'FAIL: ' + part.reason} "
             f"({len(part.block.rows)} rows, {len(part.block.skips)} skips, "
             f"{part.wall_s:.1f} s)")
    return part


# ------------------------------------------------------------------ run

def build(repo, prog):
    prog.say("building the Linux harness (make -s linux-bench)")
    res = subprocess.run(["make", "-s", "linux-bench"], cwd=repo)
    if res.returncode != 0 or not os.path.isfile(os.path.join(repo, BENCH)):
        raise LinuxError(f"build failed (make exited {res.returncode}); run "
                         f"`make -C {repo} linux-bench` to see the full error")


def part_meta(part):
    return {"system": part.system, "placement": part.placement, "log": part.log,
            "argv": part.argv, "env": part.env, "wall_s": round(part.wall_s, 3),
            "status": part.status, "ok": part.ok, "reason": part.reason,
            "rows": len(part.block.rows) if part.block else 0,
            "skips": [s.as_dict() for s in part.block.skips] if part.block else [],
            **part.facts}


def meta_of(repo, run, settings, parts, started, total_s):
    return {"run_id": run.run_id, "command": "linux", "run_py_argv": sys.argv,
            "started_utc": started, "preset": settings.preset,
            "settings": {k: getattr(settings, k) for k in
                         ("mech", "sizes", "patterns", "iters", "warmup")},
            "git": rundir.git_info(repo),
            "host": dict(rundir.host_info(), cpu=sweepmeta.host_cpu(),
                         os=platform.platform()),
            "compiler": sweepmeta.first_line(["gcc", "--version"]),
            "qemu_version": qemu.version(os.environ.get("IPCBENCH_QEMU", qemu.QEMU)),
            "linux": [part_meta(p) for p in parts], "total_wall_s": round(total_s, 3)}


def cmd_linux(args, prog):
    try:
        return _linux(args, prog)
    except LinuxError as e:
        raise stages.EnvError(str(e)) from None


def _linux(args, prog):
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    settings = settings_of(args)
    if args.host and (args.icount or args.kernel):
        raise LinuxError("--icount and --kernel are for --guest")
    choice = stages.stage_accel(args, prog) if args.guest else None
    if args.icount and choice.name != "tcg":
        raise LinuxError("--icount needs TCG; rerun with --accel tcg")
    stages.stage_deps(args, prog, ["build", "linux"] + (["run"] if args.guest else []) +
                   ([] if args.no_plots else ["plot"]), "./run.py linux")
    build(stages.REPO, prog)
    run = rundir.create(os.path.join(stages.REPO, "results"), args.out)
    prog.say(f"run dir: {stages.shown(run.path)}")
    parts = run_host(stages.REPO, run, settings, args, prog) if args.host else \
        [run_guest(stages.REPO, run, settings, args, choice, prog)]
    rows = [r for p in parts for r in rows_of(p, sweep.csv_run_id(run))]
    csvframe.write(run.file("results.csv"), rows)
    rundir.write_meta(run, meta_of(stages.REPO, run, settings, parts, started, prog.elapsed()))
    files = sweep.draw_plots(run, rows, prog) if rows and not args.no_plots else None
    ok = all(p.ok for p in parts)
    lines = ["PASS" if ok else "FAIL: " + next(p.reason for p in parts if not p.ok)]
    for p in parts:
        alt = "; ".join(f"{k} {v['alternating']}/{v['round_trips']} alternating"
                        for k, v in p.facts.get("alternation", {}).items())
        lines.append(f"{p.system} {p.placement}: {'PASS' if p.ok else 'FAIL'}, "
                     f"{len(p.block.rows)} rows, {p.wall_s:.1f} s ({p.log}); {alt}")
    lines.append(f"results: {stages.shown(run.file('results.csv'))} ({len(rows)} rows), "
                 f"meta.json, {len(files or [])} plot files; total "
                 f"{watch.clock(prog.elapsed())}")
    prog.say("\n".join(lines))
    return 0 if ok else 1


# ------------------------------------------------- beside a sweep

@dataclass
class _GuestArgs:
    """What run_guest reads of the options, for a guest started by sweep."""
    kernel: str
    icount: bool
    cmdline: str
    timeout: float


def after_sweep(repo, run, settings, args, choice, rows, prog):
    """sweep --with-linux: the guest with the sweep's settings, accel and
    icount into the sweep's run dir, after its boots; rewrites results.csv
    with both systems' rows, adds the guest to meta.json and draws the
    plots (side by side included).  Returns (rows, plot files, guest ok)."""
    try:
        build(repo, prog)
        part = run_guest(repo, run, settings,
                         _GuestArgs(None, args.icount, linuxguest.DEFAULT_CMDLINE, args.timeout),
                         choice, prog, tag="with-linux")
    except LinuxError as e:
        prog.say(f"with-linux: {e}")
        return rows, None, False
    rows = rows + rows_of(part, sweep.csv_run_id(run))
    csvframe.write(run.file("results.csv"), rows)
    meta = rundir.read_meta(run.file("meta.json")) or {}
    meta["linux"] = [part_meta(part)]
    rundir.write_meta(run, meta)
    from . import report
    report.write(run.file(report.FILE), rows, meta)     # summary.md: both systems
    files = sweep.draw_plots(run, rows, prog) if not args.no_plots else None
    return rows, files, part.ok
