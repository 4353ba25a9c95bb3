"""usb - the bare-metal path: `./run.py usb` writes a stick image whose
plan benchmarks in borrow mode (results saved on the stick itself), and
`./run.py import` brings those results home, checks them and plots them.
`./run.py sweep --via-usb` (sweep.py) uses read_back() to take a QEMU
boot's results from the image file, exactly as import does from a stick.
"""
import json
import os
import shutil
import stat
import tempfile

from . import csvframe, plan, plancheck, presets, rundir, seriallog, stages, stick

HEADER = ("# ipcbench plan for a USB stick, written by ./run.py usb (docs/PLAN.md).\n"
          "# Edit it on the stick as \\EFI\\IPCBENCH\\PLAN.TXT.  handoff = borrow\n"
          "# saves the results on the stick in \\RESULTS\\<run-id>\\.\n")
MODES = ("bench", "selftest")


class UsbError(Exception):
    """A usage or host problem (exit status 2)."""


def add_parsers(sub):
    us = sub.add_parser("usb", help="write a bootable image file for a USB stick "
                        "(benchmarks; results saved on the stick)")
    us.add_argument("--out", required=True, metavar="FILE")
    us.add_argument("--mode", choices=MODES, default=None,
                    help="bench (default, or the --plan file's mode) or selftest")
    us.add_argument("--preset", choices=tuple(presets.PRESETS), default=None,
                    help="quick (default) or full; the options below override it")
    us.add_argument("--mech", metavar="A,B", help="mechanisms (default: all)")
    us.add_argument("--sizes", metavar="N,N", help="message sizes, e.g. 8,1K,64K")
    us.add_argument("--iters", type=int, metavar="N", help="measured iterations per case")
    us.add_argument("--plan", metavar="FILE",
                    help="start from this plan file (docs/PLAN.md); options override it")
    us.add_argument("--plan-extra", action="extend", nargs="+", default=[],
                    metavar="KEY=VALUE", help="more plan lines")
    us.add_argument("--no-install", action="store_true",
                    help="never install missing packages; print the command instead")
    im = sub.add_parser("import", help="copy results from a stick (mounted) or an "
                        "image file into results/, check and plot them")
    im.add_argument("source", metavar="IMAGE_OR_MOUNTED_STICK")
    im.add_argument("--into", metavar="DIR", help="results root (default results/)")
    im.add_argument("--no-plots", action="store_true", help="copy and check only")
    im.add_argument("--no-install", action="store_true",
                    help="never install missing packages; print the command instead")


# ------------------------------------------------------------------ usb

def check_target(out):
    """Refuse to write an image file onto a device or over a directory."""
    try:
        mode = os.stat(out).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISBLK(mode):
        raise UsbError(f"{out} is a block device; write the image file with dd "
                       "instead (see ./run.py usb --help)")
    if stat.S_ISDIR(mode):
        raise UsbError(f"{out} is a directory; give a file name, e.g. {out}/ipcbench.img")


def _base_value(base, key):
    """The value a plan file gives key, or None."""
    for line in (base or "").splitlines():
        if plan._key(line) == key:
            return line.split("#", 1)[0].split("=", 1)[1].strip()
    return None


def plan_text(args):
    """The stick's plan.  Without --plan: the preset (bench) or selftest
    mode, pcid = both, borrow mode.  With --plan FILE: that file, plus only
    the options given, and borrow mode / pcid = both where it says nothing
    about them.  run_id and accel are left to the loader (date and time;
    `bare` without a hypervisor)."""
    base = None
    if args.plan:
        try:
            with open(args.plan, encoding="utf-8") as f:
                base = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise UsbError(f"--plan {args.plan}: {getattr(e, 'strerror', None) or e}") \
                from None
    mode = args.mode or _base_value(base, "mode") or "bench"
    lines = [f"mode={mode}"]
    given = any(v is not None for v in (args.preset, args.mech, args.sizes, args.iters))
    if mode == "bench" and (base is None or given):
        try:
            s = presets.resolve(args.preset, args.mech, args.sizes, None, args.iters)
        except presets.PresetError as e:
            raise UsbError(str(e)) from None
        lines = s.plan_lines()
        if base is not None:        # keep the file's values for what was not given
            lines = [l for l in lines if l.split("=")[0] == "mode" or
                     getattr(args, l.split("=")[0], None) is not None or args.preset]
    # One boot gives the PCID on/off comparison where the CPU has PCID.
    if mode == "bench" and _base_value(base, "pcid") is None:
        lines.append("pcid=both")
    if _base_value(base, "handoff") is None:
        lines.append("handoff=borrow")
    return plan.build_text(mode, lines + list(args.plan_extra),
                           base if base is not None else HEADER + f"mode = {mode}\n")


def cmd_usb(args, prog):
    check_target(args.out)
    text = plan_text(args)
    stages.stage_deps(args, prog, ["build"], f"./run.py usb --out {args.out}")
    image = stages.stage_build(prog)
    try:
        plancheck.check(stages.REPO, text, args.plan_extra, ("mech", "sizes", "iters"),
                        args.plan)
    except plancheck.PlanCheckError as e:
        raise UsbError(str(e)) from None
    partial = args.out + ".partial"
    shutil.copyfile(image, partial)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False,
                                     encoding="utf-8") as f:
        f.write(text)
    try:
        plan.write_into_image(stages.REPO, f.name, partial, stages.PYTHON)
    except plan.PlanError as e:
        raise UsbError(str(e)) from None
    finally:
        os.unlink(f.name)
    os.replace(partial, args.out)
    prog.say(f"wrote {args.out} ({os.path.getsize(args.out) // (1 << 20)} MiB); plan "
             "(\\EFI\\IPCBENCH\\PLAN.TXT on the stick):\n  " +
             "\n  ".join(l for l in text.splitlines() if not l.startswith("#")))
    print(f"write it to a USB stick (this ERASES the stick; check the device "
          f"name with lsblk first, /dev/sdX is a placeholder):\n"
          f"  sudo dd if={args.out} of=/dev/sdX bs=4M conv=fsync status=progress\n"
          "boot the machine from it (Secure Boot off); it powers off when done.\n"
          "then plug the stick in here and:  ./run.py import /media/$USER/IPCBENCH\n"
          "(README.md, \"Benchmarking a real machine\", has every step)")
    return 0


# --------------------------------------------------------------- import

def read_meta(run):
    path = stick.canonical_file(run, "meta.json")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def copy_run(run, dest):
    """The run's known files under their canonical names."""
    os.makedirs(dest, exist_ok=True)
    for name in stick.FILES:
        src = stick.canonical_file(run, name)
        if src:
            shutil.copyfile(src, os.path.join(dest, name))


def same_run(a, b):
    return a is not None and b is not None and a == b


def check_rows(dest):
    """(rows, problem) of an imported results.csv (problem None when fine)."""
    path = os.path.join(dest, "results.csv")
    if not os.path.isfile(path):
        return [], None
    try:
        return csvframe.read(path), None
    except csvframe.SchemaError as e:
        return [], str(e)


def import_one(run, root, plots_wanted, say):
    """Copies one stick run into root/<run_id>; returns (ok, line)."""
    meta = read_meta(run)
    dest = os.path.join(root, run.run_id)
    if meta is None:
        return False, (f"{run.run_id}: no meta.json: the run was cut short "
                       "(power lost before the loader finished writing); skipped")
    if os.path.isdir(dest) and same_run(rundir.read_meta(os.path.join(dest, "meta.json")),
                                        meta):
        return meta.get("verdict") == "PASS", f"{run.run_id}: already imported in {dest}"
    copy_run(run, dest)
    rows, problem = check_rows(dest)
    verdict = meta.get("verdict", "?")
    line = (f"{run.run_id}: {verdict}, {len(rows)} rows, accel {meta.get('accel')}, "
            f"{(meta.get('cpu') or {}).get('brand', '?')} -> {dest}")
    if problem:
        return False, line + f"; results.csv: {problem}"
    if rows and plots_wanted:
        from . import plots
        try:
            files = plots.draw_run(dest, rows, say)
            line += f" ({len(files)} plot files)"
        except Exception as e:      # a plot failure must not lose the import
            line += f" (plots failed: {type(e).__name__}: {e})"
    return verdict == "PASS", line


def cmd_import(args, prog):
    root = os.path.abspath(args.into or os.path.join(stages.REPO, "results"))
    if not args.no_plots:
        stages.stage_deps(args, prog, ["plot"], f"./run.py import {args.source}")
    with tempfile.TemporaryDirectory(prefix="ipcbench-import-") as tmp:
        try:
            runs = stick.runs(args.source, tmp)
        except stick.StickError as e:
            raise UsbError(str(e)) from None
        if not runs:
            raise UsbError(f"{args.source}: no \\RESULTS\\<run-id>\\ directories; boot "
                           "the stick once (plan handoff = borrow) first")
        results = [import_one(r, root, not args.no_plots, prog.say) for r in runs]
    prog.say("\n".join(line for _, line in results))
    return 0 if all(ok for ok, _ in results) else 1


# ------------------------------------------------------------ read back

def read_back(image, seen, dest):
    """The one run a boot added to the image (ids not in `seen`), copied
    to dest: (StickRun, meta, CSV block from its serial.log) or a reason."""
    ids = [i for i in stick.image_run_ids(image) if i not in seen]
    if len(ids) != 1:
        return None, (f"{len(ids)} new \\RESULTS runs on the image "
                      f"(expected 1: borrow mode {'wrote nothing' if not ids else 'ran twice'})")
    seen.add(ids[0])
    run = stick.copy_from_image(image, ids[0], dest)
    meta = read_meta(run)
    if meta is None:
        return None, f"{ids[0]}: no meta.json on the image"
    log = stick.canonical_file(run, "serial.log")
    with open(log, "rb") as f:
        block = csvframe.extract(seriallog.clean(f.read()))
    return (run, meta, block), None
