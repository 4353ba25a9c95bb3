"""sweep - ./run.py sweep (and ./run.py with no arguments): one QEMU boot
per (accel, pcid) combination, all in one results/<run-id>/ directory.

Stages: settings (preset + options) -> combinations -> deps, firmware,
build -> run dir -> one boot each (plan written into the image copy, live
progress from the serial log) -> results.csv (every row of every boot, also
those of a boot cut short) -> meta.json -> plots -> results/latest.
Exit 0 only when every boot printed `ipcbench: result PASS` and its CSV
block is complete (every row from 1 to @csv-end, no gap).
"""
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field, replace

from . import (accel, csvframe, eta, placement, plan, plancheck, presets, qemu, registry,
               report, rundir, samples, seriallog, stages, summary, sweepmeta, verdict, watch)

ACCELS = ("auto", "kvm", "tcg")
PCIDS = ("on", "off", "auto")
# Per boot.  quick under TCG takes a few minutes; -icount runs several times
# slower than plain TCG (measured: see results/README.md).
TIMEOUT_S = {"quick": 900.0, "full": 3600.0}
ICOUNT_FACTOR = 4
RUN_ID_OK = re.compile(r"[^A-Za-z0-9_./-]")
SHOWN_FAILED = 4
# --via-usb: time after the result line for the loader to write the stick.
USB_WRITE_GRACE_S = 60.0
# The guest's iters/warmup when the plan sets none (bench/args.c).
DEFAULT_ITERS, DEFAULT_WARMUP = 1000, 100
# Guest lines worth repeating in the summary: the driver's warnings (an
# unknown --mech) and processes the kernel killed (a benchmark end crashed).
WARNING = re.compile(r"bench: warning:|^\s*fault: pid \d+")


@dataclass(frozen=True)
class Combo:
    accel: object            # accel.Accel
    pcid: str                # what the plan asks: on, off, auto
    icount: bool = False

    @property
    def name(self):
        """The configuration: what the boot column says before '#'."""
        return f"{self.accel.name}-pcid{self.pcid}" + ("-icount" if self.icount else "")


@dataclass
class Boot:
    combo: Combo
    serial_name: str
    plan_text: str
    repeat: int = 1          # 1..N with --repeat N
    argv: list = None
    outcome: object = None   # qemu.Outcome
    report: object = None    # seriallog.SerialReport
    block: object = None     # csvframe.CsvBlock
    ok: bool = False
    exit_code: int = 1
    reason: str = "not run"
    warnings: list = field(default_factory=list)

    @property
    def name(self):
        """The boot column: configuration and repetition, e.g. tcg-pcidoff#2."""
        return f"{self.combo.name}#{self.repeat}"


class SweepError(Exception):
    """A usage or host problem (exit status 2)."""


# ---------------------------------------------------------------- options

def add_sweep_options(p):
    p.add_argument("--preset", choices=tuple(presets.PRESETS), default=None,
                   help="quick (default) or full (200 iterations under --icount); "
                        "options below override it")
    p.add_argument("--mech", metavar="A,B", help="mechanisms (default: all registered)")
    p.add_argument("--sizes", metavar="N,N", help="message sizes, e.g. 0,8,1K,64K,1M")
    p.add_argument("--patterns", metavar="P,P", help="pingpong,stream,call (or all)")
    p.add_argument("--iters", type=int, metavar="N", help="measured iterations per case")
    p.add_argument("--warmup", type=int, metavar="N", help="discarded iterations first")
    p.add_argument("--accel", default="auto", metavar="A[,A]",
                   help="auto|kvm|tcg, comma list for one boot each (default auto)")
    p.add_argument("--pcid", default="auto", metavar="P[,P]",
                   help="on|off|auto, comma list for one boot each (default auto)")
    p.add_argument("--icount", action="store_true",
                   help="QEMU -icount: deterministic instruction counts (TCG only)")
    placement.add_options(p)
    p.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="boot each configuration N times (one row per boot; "
                        "summary.md gives the median p50 and a 95%% CI)")
    p.add_argument("--out", metavar="DIR", help="run directory (default results/<run-id>)")
    p.add_argument("--force", action="store_true",
                   help="with --out: replace the files of a run already there")
    p.add_argument("--plan", metavar="FILE",
                   help="start from this plan file (options below replace its lines)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="per boot (default 900 s quick, 3600 s full; x4 with --icount)")
    p.add_argument("--plan-extra", action="extend", nargs="+", default=[],
                   metavar="KEY=VALUE", help="more plan lines (docs/PLAN.md)")
    p.add_argument("--no-plots", action="store_true", help="CSV and meta.json only")
    p.add_argument("--via-usb", action="store_true",
                   help="the USB stick's path: borrow mode, the loader writes the "
                        "results to the image's own volume and they are read back "
                        "from the image file (README, \"Benchmarking a real machine\")")
    p.add_argument("--with-linux", action="store_true",
                   help="also boot a Linux guest with the same settings (./run.py linux "
                        "--guest) into the same run dir; plots draw both")
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command instead")


def add_parsers(sub):
    """sweep, plot and compare subcommands for cli.parser()."""
    from . import compare, plots
    sw = sub.add_parser("sweep", help="benchmark sweep: CSV, meta.json, plots")
    add_sweep_options(sw)
    pl = sub.add_parser("plot", help="draw the plots of a run dir's results.csv")
    plots.add_options(pl)
    cp = sub.add_parser("compare", help="ratios B/A of two runs (p50, and mbps)")
    compare.add_options(cp)


def _items(text, allowed, what):
    items = [x.strip() for x in text.split(",") if x.strip()]
    bad = [x for x in items if x not in allowed]
    if bad or not items:
        raise SweepError(f"--{what}: {', '.join(bad) or 'empty'} is not one of "
                         f"{', '.join(allowed)}")
    return list(dict.fromkeys(items))


def combinations(accel_text, pcid_text, icount, cpuinfo=None, dev_kvm=None):
    """[Combo] for every (accel, pcid) pair asked for, accels resolved."""
    cpuinfo = cpuinfo or os.environ.get("IPCBENCH_CPUINFO", accel.CPUINFO)
    dev_kvm = dev_kvm or os.environ.get("IPCBENCH_DEV_KVM", accel.DEV_KVM)
    resolved = {}
    for name in _items(accel_text, ACCELS, "accel"):
        try:
            a = accel.choose(name, cpuinfo, dev_kvm)
        except accel.AccelError as e:
            raise SweepError(str(e)) from None
        resolved.setdefault(a.name, a)
    if icount and "kvm" in resolved:
        raise SweepError("--icount needs TCG (QEMU has no icount under KVM); "
                         "rerun with --accel tcg")
    return [Combo(a, p, icount) for a in resolved.values()
            for p in _items(pcid_text, PCIDS, "pcid")]


def make_boots(combos, repeat, plan_of):
    """Every boot of the sweep: repetition k of every configuration before
    repetition k+1 (so a slow drift of the host spreads over all of them)."""
    if repeat < 1:
        raise SweepError(f"--repeat: {repeat} is not a number of boots (1 or more)")
    boots = []
    for k in range(1, repeat + 1):
        for c in combos:
            serial = f"serial-{c.name}.log" if repeat == 1 else f"serial-{c.name}-r{k}.log"
            boots.append(Boot(c, serial, plan_of(c), k))
    return boots


def settings_of(args):
    try:
        return presets.resolve(args.preset, args.mech, args.sizes, args.patterns,
                               args.iters, args.warmup,
                               icount=getattr(args, "icount", False))  # linux --host has none
    except presets.PresetError as e:
        raise SweepError(str(e)) from None


def placed(args, settings):
    """(CPUs of the guest, settings with the plan's placement word) from
    --smp and --placement (placement.py)."""
    try:
        smp = placement.smp_of(args.smp)
        return smp, replace(settings, placement=placement.plan_word(args.placement, smp))
    except placement.PlacementError as e:
        raise SweepError(str(e)) from None


def timeout_of(args, settings, table=TIMEOUT_S):
    """--timeout, else the preset's time from `table` (x4 under icount)."""
    if args.timeout is not None:
        if args.timeout <= 0:
            raise SweepError("--timeout must be positive")
        return args.timeout
    base = table.get(settings.preset, table["full"])
    return base * (ICOUNT_FACTOR if args.icount else 1)


def csv_run_id(run):
    """The plan's run_id: a name of 1..23 letters, digits, _-./"""
    return (RUN_ID_OK.sub("-", run.run_id) or "run")[:23]


def plan_for(settings, combo, icount, extra, base=None):
    """The guest's plan for one boot.  No run_id: it is the host's label
    (gather() writes the column), and the guest prints it in every CSV line,
    so its length would move every later instruction, and under -icount
    where each tick lands in the samples: two runs that differ only in
    their --out would differ in tails and bimodal p50s (docs/SMP.md)."""
    lines = settings.plan_lines() + [f"pcid={combo.pcid}", f"accel={combo.accel.name}"]
    if icount:
        lines.append("unit=instructions")
    return plan.build_text("bench", lines + list(extra), base)


def read_plan_file(path):
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise SweepError(f"--plan {path}: {getattr(e, 'strerror', None) or e}") from None


def check_plans(repo, boots, args):
    """Every boot's plan through the guest's own parser, before any boot."""
    keys = ("mech", "sizes", "patterns", "iters", "warmup", "placement")
    for text in dict.fromkeys(b.plan_text for b in boots):
        try:
            plancheck.check(repo, text, args.plan_extra, keys, getattr(args, "plan", None))
        except plancheck.PlanCheckError as e:
            raise SweepError(str(e)) from None


# ------------------------------------------------------------------ boots

def judge(boot):
    """Sets boot.ok/exit_code/reason from the verdict and the CSV block."""
    v = verdict.judge(boot.outcome, boot.report, boot.combo.accel.name)
    block = boot.block
    failed = [f"{s.mech}/{s.variant} {s.pattern} {s.size} ({s.reason})"
              for s in block.skips if "failed" in s.reason]
    if not v.ok:
        boot.exit_code = v.exit_code
        boot.reason = block.cut_short(v.reason) if block.began and not block.complete \
            else v.reason
        if failed:
            more = f" and {len(failed) - SHOWN_FAILED} more" \
                if len(failed) > SHOWN_FAILED else ""
            boot.reason += f"; {len(failed)} failed case(s): " + \
                ", ".join(failed[:SHOWN_FAILED]) + more
    elif not block.complete:
        why = "; ".join(block.problems) or "no @csv-end line"
        boot.exit_code, boot.reason = 1, block.cut_short(why)
    else:
        boot.ok, boot.exit_code, boot.reason = True, 0, "PASS"
    boot.warnings = [l.strip() for l in boot.report.lines if WARNING.search(l)]


def run_boot(ctx, boot, index, expected, guess_s, later_s, exact=False):
    """Write the plan, boot, watch, judge.  ctx: the sweep's shared state;
    expected: cases this boot should run (exact when an earlier boot of the
    same plan counted them)."""
    name = boot.serial_name[len("serial-"):-len(".log")]
    plan_file = ctx.run.file(f"plan-{name}.txt")
    with open(plan_file, "w", encoding="utf-8") as f:
        f.write(boot.plan_text)
    try:
        plan.write_into_image(ctx.repo, plan_file, ctx.img, ctx.python)
    except plan.PlanError as e:
        raise SweepError(str(e)) from None
    vars_copy = shutil.copyfile(ctx.fw.vars, ctx.run.file("OVMF_VARS.fd")) \
        if ctx.fw.vars else None      # fresh per boot: same start, same counts
    cfg = qemu.Config(image=ctx.img, firmware=ctx.fw, vars_copy=vars_copy,
                      serial_log=ctx.run.file(boot.serial_name), accel=boot.combo.accel,
                      icount=ctx.icount, qemu=ctx.qemu, smp=ctx.smp)
    tag = f"boot {index + 1}/{len(ctx.boots)} {boot.name}"
    ctx.prog.say(f"{tag}: booting under {boot.combo.accel.name.upper()}"
                 f"{' with icount' if ctx.icount else ''} (timeout {ctx.timeout:g} s), "
                 f"{'' if exact else '~'}{expected or '?'} cases")
    proc = qemu.start(cfg, ctx.run.file(f"qemu-{name}.log"))
    w = watch.Watcher(cfg.serial_log, ctx.prog.say, tag, expected, guess_s, later_s,
                      exact=exact, model=ctx.cost_model)
    w.start()
    # Borrow mode writes the files after the result line, then exits itself.
    grace = USB_WRITE_GRACE_S if ctx.via_usb else qemu.AFTER_RESULT_GRACE_S
    try:
        boot.outcome = proc.wait(ctx.timeout, grace)
    finally:
        w.stop()
    boot.argv = proc.argv
    if not os.path.exists(cfg.serial_log):      # QEMU died before opening it
        open(cfg.serial_log, "wb").close()
    boot.report = seriallog.parse_file(cfg.serial_log)
    boot.block = csvframe.extract(boot.report.lines)
    judge(boot)
    if ctx.via_usb:
        take_from_image(ctx, boot, name)
    ctx.prog.say(f"{tag}: {'PASS' if boot.ok else 'FAIL: ' + boot.reason} "
                 f"({len(boot.block.rows)} rows, {len(boot.block.skips)} skips, "
                 f"{boot.outcome.wall_s:.1f} s)")


def take_from_image(ctx, boot, name):
    """--via-usb: the rows are the ones the loader saved on the image (its
    serial.log's CSV block), and they must match what the serial port saw;
    the stick's meta.json verdict (restore checks, firmware timer) counts."""
    from . import usb
    got, why = usb.read_back(ctx.img, ctx.stick_seen, ctx.run.file(f"stick-{name}"))
    if why is None:
        run, meta, block = got
        if meta.get("verdict") != "PASS":
            why = f"the stick's meta.json says: {meta.get('verdict')}"
        elif [r for r in block.rows] != [r for r in boot.block.rows]:
            why = (f"the image's CSV ({len(block.rows)} rows) differs from the serial "
                   f"port's ({len(boot.block.rows)} rows)")
        else:
            boot.block = block
    if why and boot.ok:
        boot.ok, boot.exit_code, boot.reason = False, 1, f"via USB: {why}"


def tsc_khz(boot):
    return sweepmeta.guest_facts(boot.report.info)["tsc_khz"] if boot.report else None


def gather(boots, run_id):
    """Every row of every boot, run_id and accel as the host knows them,
    the boot column and p50 in ns (from that boot's measured TSC)."""
    rows = []
    for b in boots:
        khz = tsc_khz(b)
        for row in (b.block.rows if b.block else []):
            rows.append(samples.add_ns(dict(row, run_id=run_id, accel=b.combo.accel.name,
                                            system=row.get("system") or "ipcbench",
                                            **{csvframe.BOOT_COLUMN: b.name}), khz))
    return rows


def gather_samples(boots):
    """(boot name, row, values) of every row whose samples arrived whole."""
    return [(b.name, row, values) for b in boots if b.block
            for row, values in csvframe.row_samples(b.block)]


@dataclass
class Ctx:
    repo: str
    python: str
    prog: object
    run: object
    fw: object
    img: str
    icount: bool
    timeout: float
    boots: list
    # QEMU binary; tests point IPCBENCH_QEMU at a stand-in that replays logs.
    qemu: str = os.environ.get("IPCBENCH_QEMU", qemu.QEMU)
    image_sha256: str = None
    via_usb: bool = False       # results come from the image's \RESULTS (usb.py)
    stick_seen: set = field(default_factory=set)
    cost_model: object = None     # eta.CostModel of one boot's planned cases
    smp: int = 1                  # QEMU -smp: CPUs of every boot


def _boot_all(ctx, expected):
    boot_s, exact = None, False
    for i, boot in enumerate(ctx.boots):
        later = (len(ctx.boots) - i - 1) * boot_s if boot_s else 0.0
        run_boot(ctx, boot, i, expected, boot_s, later, exact)
        if boot.outcome.interrupted:
            break
        if boot.ok and boot_s is None:
            boot_s = boot.outcome.wall_s
            expected, exact = boot.block.cases_started, True


def _check_names(mechs, settings, also=()):
    """--mech names ipcbench has; `also`: names another system of the run
    has (sweep --with-linux: the Linux-only mechanisms)."""
    unknown = [n for n in registry.unknown_names(mechs, settings) if n not in also]
    if unknown:
        have = ", ".join(m.name for m in mechs)
        raise SweepError(f"--mech: no mechanism named {', '.join(unknown)} "
                         f"(registered in ipc/user/registry.c: {have})")


def draw_plots(run, rows, prog):
    from . import plots
    try:
        files = plots.draw_run(run.path, rows)
    except Exception as e:      # a plot failure must not lose the CSV
        prog.say(f"plots failed ({type(e).__name__}: {e}); retry with "
                 f"./run.py plot {shown(run.path)}")
        return None
    return files


def shown(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def skip_lines(skips):
    """One line per placement skip reason with its count, so the cases a
    boot left out on purpose are said (failures are in the verdict)."""
    counts = {}
    for s in skips:
        if s.placement and "failed" not in s.reason:
            key = (s.reason, s.placement)
            counts[key] = counts.get(key, 0) + 1
    return [f"skipped {n} {where} case(s): {why}" + (
        " (--placement same measures them)" if why == "needs-a-partner-on-another-cpu" else "")
        for (why, where), n in counts.items()]


def summary_lines(boots, run, rows, files, total_s):
    ok = all(b.ok for b in boots) and bool(boots)
    head = "PASS" if ok else "FAIL: " + next(
        (f"{b.name}: {b.reason}" for b in boots if not b.ok), "no boot ran")
    out = [head]
    for b in boots:
        if b.outcome is None:
            continue
        n_skip = len(b.block.skips) if b.block else 0
        out.append(f"{b.name}: {'PASS' if b.ok else 'FAIL'}, "
                   f"{len(b.block.rows) if b.block else 0} rows, {n_skip} skips, "
                   f"{b.outcome.wall_s:.1f} s ({b.serial_name})")
        out.extend(f"  {w}" for w in skip_lines(b.block.skips if b.block else []))
        out.extend(f"  {w}" for w in b.warnings[:SHOWN_FAILED])
        if len(b.warnings) > SHOWN_FAILED:
            out.append(f"  ... {len(b.warnings) - SHOWN_FAILED} more such lines "
                       f"in {b.serial_name}")
    out.append(f"results: {shown(run.file('results.csv'))} ({len(rows)} rows), "
               f"samples.csv.gz, summary.md, meta.json, {len(files or [])} plot files; "
               f"total {watch.clock(total_s)}")
    if not ok:
        rel = shown(run.path)
        out.append(f"re-read: ./run.py parse {rel}   (logs: {rel}/serial-*.log)")
    elif files is None:
        out.append(f"draw the plots: ./run.py plot {shown(run.path)}")
    return out


def cmd_sweep(args, prog, after_sweep=None):
    """`after_sweep`: the --with-linux step (linux.after_sweep), handed in by
    cli because linux.py builds on this module and so cannot be imported here."""
    try:
        return _sweep(args, prog, after_sweep)
    except SweepError as e:
        raise stages.EnvError(str(e)) from None


def cost_model(repo, mechs, settings):
    planned = registry.planned_cases(mechs, settings)
    if not planned:
        return None
    return eta.CostModel.build(repo, planned, settings.iters or DEFAULT_ITERS,
                               settings.warmup if settings.warmup is not None
                               else DEFAULT_WARMUP)


def say_accels(prog, combos):
    """Which accelerator and why (the reason for falling back to TCG)."""
    for a in dict.fromkeys(c.accel for c in combos):
        prog.say(f"accel: {a.name} ({a.reason})")


def _sweep(args, prog, after_sweep):
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    smp, settings = placed(args, settings_of(args))
    combos = combinations(args.accel, args.pcid, args.icount)
    timeout = timeout_of(args, settings)
    mechs = registry.mechanisms(stages.REPO)
    _check_names(mechs, settings, also=registry.LINUX_ONLY if args.with_linux else ())
    base = read_plan_file(args.plan)
    extra = list(args.plan_extra) + (["handoff=borrow"] if args.via_usb else [])
    boots = make_boots(combos, args.repeat, lambda c: plan_for(
        settings, c, args.icount, extra, base))
    say_accels(prog, combos)
    prog.say(f"sweep: preset {settings.preset}, {len(boots)} boot(s): "
             f"{', '.join(dict.fromkeys(c.name for c in combos))}"
             f"{f' x {args.repeat}' if args.repeat > 1 else ''}, {smp} CPU(s) each; plan: "
             f"{' '.join(settings.plan_lines()[1:]) or 'guest defaults'}")
    stages.stage_deps(args, prog, ["build", "run", "plot"], "./run.py sweep")
    fw = stages.stage_firmware(prog)
    image = stages.stage_build(prog)
    check_plans(stages.REPO, boots, args)
    try:
        run = rundir.create(os.path.join(stages.REPO, "results"), args.out,
                            force=args.force)
    except rundir.RunDirError as e:
        raise SweepError(str(e)) from None
    prog.say(f"run dir: {shown(run.path)}")
    img = shutil.copyfile(image, run.file("ipcbench.img"))
    ctx = Ctx(stages.REPO, stages.PYTHON, prog, run, fw, img, args.icount, timeout, boots,
              image_sha256=sweepmeta.sha256_of(image), via_usb=args.via_usb,
              cost_model=cost_model(stages.REPO, mechs, settings), smp=smp)
    rows, files = execute(ctx, settings, registry.expected_cases(mechs, settings) or None,
                          started, plots_wanted=not args.no_plots and not args.with_linux)
    code = exit_code(boots)
    if args.with_linux and code != 130:          # not after Ctrl-C/SIGTERM
        rows, files, linux_ok = after_sweep(stages.REPO, run, settings, args,
                                            boots[0].combo.accel, rows, prog)
        code = code or (0 if linux_ok else 1)
    if not args.out and code == 0:
        rundir.point_latest(os.path.join(stages.REPO, "results"), run)
    prog.say(summary.render(summary_lines(boots, run, rows, files, prog.elapsed())))
    return code


def execute(ctx, settings, expected, started, plots_wanted=True):
    """The stages after the build: every boot, then results.csv (rows of a
    boot cut short included), meta.json and the plots."""
    _boot_all(ctx, expected)
    run = ctx.run
    ran = [b for b in ctx.boots if b.outcome is not None]
    rows = gather(ran, csv_run_id(run))
    csvframe.write(run.file("results.csv"), rows)
    samples.write(run.file(samples.FILE), gather_samples(ran))
    meta = sweepmeta.build(ctx.repo, run, settings, ran, started, ctx.prog.elapsed(),
                           ctx.icount, qemu.version(ctx.qemu), sys.argv, ctx.fw,
                           ctx.image_sha256)
    meta["via_usb"] = ctx.via_usb
    meta["smp"] = ctx.smp
    rundir.write_meta(run, meta)
    report.write(run.file(report.FILE), rows, meta)
    files = draw_plots(run, rows, ctx.prog) if plots_wanted and rows else None
    if all(b.ok for b in ctx.boots):
        for name in ("ipcbench.img", "OVMF_VARS.fd"):
            if os.path.exists(run.file(name)):
                os.unlink(run.file(name))
    return rows, files


def exit_code(boots):
    if any(b.outcome is not None and b.outcome.interrupted for b in boots):
        return 130
    bad = [b.exit_code for b in boots if not b.ok]
    return max(bad) if bad else 0


# ------------------------------------------------------------------ parse

def sweep_logs(path):
    """The serial logs of a run dir (a sweep's serial-*.log, or serial.log)."""
    names = sorted(n for n in os.listdir(path)
                   if n.startswith("serial") and n.endswith(".log"))
    return [os.path.join(path, n) for n in names]


def _has_csv(log):
    try:
        with open(log, "rb") as f:
            return b"@csv-begin" in f.read()
    except OSError:
        return False


def wants_parse(path):
    """True when `./run.py parse PATH` is about benchmark output: a sweep
    dir (serial-*.log), or logs with a CSV block."""
    if os.path.isdir(path):
        logs = sweep_logs(path)
        return bool(logs) and (not os.path.isfile(os.path.join(path, "serial.log"))
                               or any(map(_has_csv, logs)))
    return _has_csv(path)


def parse_lines(log, recorded=None):
    """Summary lines and the CSV block of one saved log."""
    report = seriallog.parse_file(log)
    v = verdict.judge_log(report)
    block = csvframe.extract(report.lines)
    name = os.path.basename(log)
    if block.complete:
        csv_line = f"CSV complete: {len(block.rows)} rows, {len(block.skips)} skips"
    else:
        why = "; ".join(block.problems) or ("no @csv-end line" if v.ok else v.reason)
        csv_line = block.cut_short(why) + f" ({len(block.rows)} rows kept)"
    out = [f"{name}: {'PASS' if v.ok else 'FAIL: ' + v.reason}", "  " + csv_line]
    out += ["  " + l for l in report.info if l.startswith(("tsc:", "pcid:"))]
    if recorded:
        out.append(f"  recorded at run time: {recorded.get('reason')} "
                   f"(QEMU status {recorded.get('qemu_status')})")
    ok = v.ok and block.complete and (recorded or {}).get("ok", True)
    return out, block, ok


def cmd_parse(args, prog):
    """./run.py parse DIR|LOG for benchmark output; --csv FILE writes the
    rows re-extracted from the log(s)."""
    path = args.path
    logs = sweep_logs(path) if os.path.isdir(path) else [path]
    meta = rundir.read_meta(os.path.join(path if os.path.isdir(path)
                                         else os.path.dirname(path), "meta.json")) or {}
    recorded = {b.get("serial_log"): b.get("verdict") for b in meta.get("boots", [])}
    boot_of = {b.get("serial_log"): b.get("boot") for b in meta.get("boots", [])}
    khz_of = {b.get("serial_log"): (b.get("guest") or {}).get("tsc_khz")
              for b in meta.get("boots", [])}
    lines, rows, all_ok = [], [], True
    for log in logs:
        out, block, ok = parse_lines(log, recorded.get(os.path.basename(log)))
        lines += out
        name = os.path.basename(log)
        boot, khz = boot_of.get(name), khz_of.get(name)
        rows += [samples.add_ns(dict(r, **{csvframe.BOOT_COLUMN: boot}), khz) if boot else r
                 for r in block.rows]
        all_ok = all_ok and ok
    lines.insert(0, "PASS" if all_ok else "FAIL (see below)")
    csv_out = getattr(args, "csv", None)
    if csv_out:
        if csv_out == "-":
            sys.stdout.write(csvframe.to_text(rows))
        else:
            csvframe.write(csv_out, rows)
            lines.append(f"wrote {len(rows)} rows to {csv_out}")
    elif rows:
        lines.append(f"write the {len(rows)} rows out with: ./run.py parse {path} --csv FILE")
    prog.say(summary.render(lines))
    return 0 if all_ok else 1

