"""cli - ./run.py's subcommands, each a short list of typed stages.

Exit codes: 0 success, 1 kernel/test failure or timeout, 2 usage or
environment error.  Every environment error names the command to run next.
"""
import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

from . import (compare, fuzz, linux, listing, placement, plan, plancheck,
               plots, profile, qemu, rundir, seriallog, shake, summary, sweep, sweepmeta, usb,
               verdict)
from .progress import Progress
from .stages import (IMAGE, PYTHON, REPO, EnvError, latest_or, shown, stage_accel,
                     stage_build, stage_deps, stage_firmware)

# Only a hang should reach it: the whole selftest boot takes about 45 s on
# a quiet 2-core host and 90 s at a load of 6.
TIMEOUT_S = 300.0
# OVMF alone takes about 30 s under -icount shift=0 (one insn per ns).
TIMEOUT_ICOUNT_S = 180.0


# ---------------------------------------------------------------- options

def add_install_option(p):
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command "
                        "instead (also: IPCBENCH_NO_INSTALL=1)")


def add_boot_options(p):
    p.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                   help="KVM needs /dev/kvm and vmx/svm (default: auto)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help=f"stop QEMU after S seconds (default {TIMEOUT_S:g}, "
                        f"{TIMEOUT_ICOUNT_S:g} with --icount)")
    p.add_argument("--plan-extra", action="extend", nargs="+", default=[],
                   metavar="KEY=VALUE", help="extra plan lines (docs/PLAN.md)")
    p.add_argument("--plan", metavar="FILE",
                   help="start from this plan file instead of the defaults")
    p.add_argument("--out", metavar="DIR",
                   help="run directory (default results/<run-id>)")
    p.add_argument("--force", action="store_true",
                   help="with --out: replace the files of a run already there")
    p.add_argument("--no-plan-check", action="store_true",
                   help="hand the guest the plan unchecked (to test the guest's "
                        "own plan errors)")
    p.add_argument("--icount", action="store_true",
                   help="deterministic: one TSC tick per guest instruction")
    placement.add_smp_option(p)
    p.add_argument("--monitor", metavar="SOCK",
                   help="QEMU monitor on this unix socket (HMP); with it, "
                        "QEMU is left running after the result until the timeout")
    add_install_option(p)


def parser():
    ap = argparse.ArgumentParser(
        prog="run.py", description="Build and boot ipcbench under QEMU.")
    sub = ap.add_subparsers(dest="cmd")
    st = sub.add_parser("selftest", help="boot the guest selftests; exit 0 iff all pass")
    add_boot_options(st)
    st.add_argument("--repeat", type=int, metavar="N",
                    help="boot N times, each with its own timing (timer jitter seed, "
                         "timeslice, icount shift with --icount) to shake out races; "
                         "exit 0 iff every boot passes (docs/RELIABILITY.md)")
    st.add_argument("--seed", type=int, metavar="S",
                    help="with --repeat: the first boot's seed (boot i gets S+i); "
                         "default random, printed so a failing boot can be replayed")
    dp = sub.add_parser("deps", help="check (and on Debian install) host tools")
    dp.add_argument("--need", default="build,run,test",
                    help="comma list of build,run,test,plot,linux (default build,run,test)")
    add_install_option(dp)
    usb.add_parsers(sub)        # usb, import
    pa = sub.add_parser("parse", help="re-read a saved serial log or run dir")
    pa.add_argument("path", metavar="LOG_OR_RUN_DIR", nargs="?",
                    help="default: results/latest")
    pa.add_argument("--csv", metavar="FILE",
                    help="write the benchmark rows re-extracted from the log(s) "
                         "to FILE ('-' for stdout)")
    sweep.add_parsers(sub)      # sweep, plot, compare
    listing.add_parser(sub)
    linux.add_parser(sub)       # linux --host | --guest
    fuzz.add_parser(sub, add_boot_options)
    profile.add_parser(sub)
    return ap


# ----------------------------------------------------------------- stages

def read_plan_base(args):
    if not args.plan:
        return None
    try:
        with open(args.plan, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise EnvError(f"--plan {args.plan}: {e.strerror}") from None


def check_plan(args, text):
    if args.no_plan_check:
        return
    try:
        plancheck.check(REPO, text, args.plan_extra, (), args.plan)
    except plancheck.PlanCheckError as e:
        raise EnvError(f"{e}\n(--no-plan-check hands it to the guest anyway)") from None


def stage_prepare(args, prog, image, fw, out=None, extras=None):
    """Run dir with its own image (plan written in) and OVMF_VARS copy."""
    root = os.path.join(REPO, "results")
    extras = args.plan_extra if extras is None else extras
    text = plan.build_text("selftest", extras, read_plan_base(args))
    check_plan(args, text)
    try:
        run = rundir.create(root, args.out if out is None else out, force=args.force)
    except rundir.RunDirError as e:
        raise EnvError(str(e)) from None
    prog.say(f"run dir: {shown(run.path)}")
    img = shutil.copyfile(image, run.file("ipcbench.img"))
    with open(run.file("plan.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    try:
        plan.write_into_image(REPO, run.file("plan.txt"), img, PYTHON)
    except plan.PlanError as e:
        raise EnvError(str(e)) from None
    vars_copy = shutil.copyfile(fw.vars, run.file("OVMF_VARS.fd")) if fw.vars else None
    return run, text, img, vars_copy


def timeout_of(args):
    if args.timeout is not None:
        if args.timeout <= 0:
            raise EnvError("--timeout must be positive")
        return args.timeout
    return TIMEOUT_ICOUNT_S if args.icount else TIMEOUT_S


def smp_of(args):
    try:
        return placement.smp_of(getattr(args, "smp", None))
    except placement.PlacementError as e:
        raise EnvError(str(e)) from None


def stage_boot(args, prog, cfg, run, timeout):
    mode = f" with icount shift={cfg.icount_shift}" if args.icount else ""
    mode += f", {cfg.smp} CPUs" if cfg.smp > 1 else ""
    prog.say(f"booting under {cfg.accel.name.upper()}{mode} "
             f"(timeout {timeout:g} s) ...")
    proc = qemu.start(cfg, run.file("qemu.log"))
    # With a monitor the user (or a test) drives QEMU: no early stop.
    grace = None if args.monitor else qemu.AFTER_RESULT_GRACE_S
    return proc.argv, proc.wait(timeout, grace)


def first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def host_cpu():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _round(seconds):
    return None if seconds is None else round(seconds, 3)


def build_meta(run, cfg, argv, plan_text, outcome, report, v, started):
    return {
        "run_id": run.run_id, "command": "selftest", "smp": cfg.smp,
        "run_py_argv": sys.argv, "started_utc": started,
        "qemu": {"argv": argv, "cmdline": shlex.join(argv),
                 "version": qemu.version(cfg.qemu)},
        "accel": {"name": cfg.accel.name, "reason": cfg.accel.reason,
                  "icount": cfg.icount},
        "firmware": {"code": cfg.firmware.code, "vars": cfg.firmware.vars},
        "git": rundir.git_info(REPO), "host": dict(rundir.host_info(), cpu=host_cpu()),
        "compiler": first_line(["gcc", "--version"]), "plan": plan_text,
        "image": {"file": IMAGE, "sha256": sweepmeta.sha256_of(os.path.join(REPO, IMAGE))},
        "packages": sweepmeta.package_versions(),
        "wall_s": round(outcome.wall_s, 3),
        "first_output_s": _round(outcome.first_output_s),
        "result_s": _round(outcome.result_s),
        "exit": {"ok": v.ok, "exit_code": v.exit_code, "reason": v.reason,
                 "qemu_status": outcome.status, "timed_out": outcome.timed_out},
        "tests": {"passed": report.passed, "failed": report.failed,
                  "skipped": report.skipped, "tap_plan": report.tap_plan,
                  "failed_names": report.failed_names},
    }


def drop_image_after_pass(run, v):
    """A passing run's 64 MiB image copy is dead weight; a failing run keeps
    it (and its OVMF_VARS) so the failure can be booted again as it was."""
    if not v.ok:
        return "kept for reproduction"
    for name in ("ipcbench.img", "OVMF_VARS.fd"):
        if os.path.exists(run.file(name)):
            os.unlink(run.file(name))
    return "removed after PASS"


def next_steps(run, v):
    if v.ok:
        return []
    rel = shown(run.path)
    return [f"re-read: ./run.py parse {rel}   (full log: {rel}/serial.log)"]


# --------------------------------------------------------------- commands

def selftest_boot(args, prog, env, out=None, timing=None):
    """One selftest boot into its run dir; `timing` (a shake.Shake) varies
    it.  Returns (verdict, report, outcome, run)."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    choice, fw, image = env
    extras = list(args.plan_extra)
    if timing is not None:      # the user's own extras win (e.g. a fixed timeslice)
        extras = timing.plan_extras() + extras
    run, plan_text, img, vars_copy = stage_prepare(args, prog, image, fw, out, extras)
    shift = timing.icount_shift if timing and timing.icount_shift is not None else 0
    cfg = qemu.Config(image=img, firmware=fw, vars_copy=vars_copy,
                      serial_log=run.file("serial.log"), accel=choice,
                      icount=args.icount, icount_shift=shift, monitor=args.monitor,
                      smp=smp_of(args))
    argv, outcome = stage_boot(args, prog, cfg, run, timeout_of(args))
    report = seriallog.parse_file(cfg.serial_log)
    v = verdict.judge(outcome, report, choice.name)
    meta = build_meta(run, cfg, argv, plan_text, outcome, report, v, started)
    meta["run_wall_s"] = round(prog.elapsed(), 3)
    meta["image"]["copy"] = drop_image_after_pass(run, v)
    if timing is not None:
        meta["shake"] = dict(timing.as_dict(),
                             replay=shake.replay_command(timing, args.icount, replay_args(args)))
    rundir.write_meta(run, meta)       # results/latest is for sweeps only
    return v, report, outcome, run


def stage_selftest_env(args, prog):
    timeout_of(args)            # reject a bad --timeout or --smp before building
    smp_of(args)
    choice = stage_accel(args, prog)
    stage_deps(args, prog, ["build", "run"], "./run.py selftest")
    fw = stage_firmware(prog)
    return choice, fw, stage_build(prog)


def cmd_selftest(args, prog):
    if args.repeat is not None or args.seed is not None:
        return cmd_selftest_repeat(args, prog)
    return selftest_once(args, prog)


def selftest_once(args, prog):
    v, report, outcome, run = selftest_boot(args, prog, stage_selftest_env(args, prog))
    lines = summary.lines_for(report, v, outcome, shown(run.path))
    prog.say(summary.render(lines + next_steps(run, v)))
    return v.exit_code


def replay_args(args):
    """The options besides the seed that made a boot what it was."""
    out = ["--accel", args.accel] if args.accel != "auto" else []
    if args.plan:
        out += ["--plan", shlex.quote(args.plan)]
    if args.plan_extra:
        out += ["--plan-extra"] + [shlex.quote(x) for x in args.plan_extra]
    return out


def repeat_plan(args):
    """The Shake of every boot, checked before anything is built."""
    first = args.seed if args.seed is not None else shake.fresh_seed()
    try:
        return [shake.settings(s, args.icount)
                for s in shake.seeds(first, args.repeat if args.repeat is not None else 1)]
    except shake.ShakeError as e:
        raise EnvError(str(e)) from None


def cmd_selftest_repeat(args, prog):
    """N shaken boots under one run dir (boot-<i>-seed-<S>/ each); exit 0
    iff all pass.  Every failure names the command that replays it."""
    if args.monitor:
        raise EnvError("--repeat and --monitor do not mix (one boot per monitor)")
    timings = repeat_plan(args)
    env = stage_selftest_env(args, prog)
    try:
        root = rundir.create(os.path.join(REPO, "results"), args.out, force=args.force)
    except rundir.RunDirError as e:
        raise EnvError(str(e)) from None
    prog.say(f"{len(timings)} shaken boots from seed {timings[0].seed} into {shown(root.path)}")
    boots, failed = [], 0
    for i, timing in enumerate(timings, 1):
        prog.say(f"boot {i}/{len(timings)}: {timing.describe()}")
        out = os.path.join(root.path, f"boot-{i}-seed-{timing.seed}")
        v, report, outcome, run = selftest_boot(args, prog, env, out, timing)
        failed += not v.ok
        replay = shake.replay_command(timing, args.icount, replay_args(args))
        lines = summary.lines_for(report, v, outcome, shown(run.path))
        prog.say(summary.render([f"boot {i}/{len(timings)} {lines[0]}"] + lines[1:] +
                                ([] if v.ok else [f"replay: {replay}"])))
        boots.append(dict(timing.as_dict(), ok=v.ok, reason=v.reason, passed=report.passed,
                          failed=report.failed, run_dir=shown(run.path), replay=replay))
    with open(root.file("repeat.json"), "w", encoding="utf-8") as f:
        json.dump({"icount": args.icount, "boots": boots}, f, indent=1)
    verdict_line = "PASS" if not failed else "FAIL"
    prog.say(f"{verdict_line}: {len(timings) - failed} of {len(timings)} shaken boots passed "
             f"(seeds {timings[0].seed}..{timings[-1].seed}; {shown(root.file('repeat.json'))})")
    return 0 if not failed else 1


def cmd_deps(args, prog):
    groups = [g.strip() for g in args.need.split(",") if g.strip()]
    bad = [g for g in groups if g not in ("build", "run", "test", "plot", "linux")]
    if bad:
        raise EnvError(f"--need: unknown group {', '.join(bad)} "
                       "(build, run, test, plot)")
    stage_deps(args, prog, groups, "./run.py deps")
    prog.say(f"host tools present ({', '.join(groups)})")
    return 0


def cmd_usb(args, prog):
    try:
        return usb.cmd_usb(args, prog)
    except usb.UsbError as e:
        raise EnvError(str(e)) from None


def cmd_import(args, prog):
    try:
        return usb.cmd_import(args, prog)
    except usb.UsbError as e:
        raise EnvError(str(e)) from None


def cmd_parse(args, prog):
    path = args.path = latest_or(args.path, "log or run dir")
    if sweep.wants_parse(path) or args.csv:
        return sweep.cmd_parse(args, prog)     # benchmark logs: CSV too
    log = os.path.join(path, "serial.log") if os.path.isdir(path) else path
    if not os.path.isfile(log):
        raise EnvError(f"{log}: no such serial log")
    report = seriallog.parse_file(log)
    v = verdict.judge_log(report)
    meta = rundir.read_meta(os.path.join(os.path.dirname(log), "meta.json"))
    lines = summary.lines_for(report, v)
    if meta and meta.get("exit"):
        lines.append(f"recorded at run time: {meta['exit'].get('reason')} "
                     f"(QEMU status {meta['exit'].get('qemu_status')})")
        v = verdict.Verdict(v.ok and meta["exit"].get("ok", False),
                            meta["exit"].get("exit_code", v.exit_code), v.reason)
    prog.say(summary.render(lines))
    return v.exit_code


def cmd_fuzz(args, prog):
    try:
        return fuzz.cmd_fuzz(args, prog, selftest_once, os.path.join(REPO, "results"))
    except fuzz.FuzzUsage as e:
        raise EnvError(str(e)) from None


def cmd_sweep(args, prog):
    """sweep, with linux.py's step for --with-linux (sweep cannot import linux)."""
    return sweep.cmd_sweep(args, prog, linux.after_sweep)


COMMANDS = {"selftest": cmd_selftest, "fuzz": cmd_fuzz, "deps": cmd_deps, "usb": cmd_usb,
            "import": cmd_import, "parse": cmd_parse, "sweep": cmd_sweep,
            "plot": plots.cmd_plot, "compare": compare.cmd_compare, "list": listing.cmd_list,
            "linux": linux.cmd_linux,
            "profile": lambda args, prog: profile.cmd_profile(args, prog, sys.modules[__name__])}


def _terminate(signum, frame):
    # SIGTERM (a test harness, `timeout`, systemd) ends a run like Ctrl-C:
    # QEMU is stopped and the run dir still gets its meta.json.
    raise KeyboardInterrupt


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _terminate)
    prog = Progress()
    if not argv:
        prog.say("no subcommand: quick benchmark sweep (./run.py --help for more)")
        argv = ["sweep"]
    args = parser().parse_args(argv)
    if args.cmd is None:
        parser().print_help()
        return 2
    try:
        return COMMANDS[args.cmd](args, prog)
    except EnvError as e:
        print(f"run.py {args.cmd}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130
