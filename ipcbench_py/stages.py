"""stages - what every ./run.py subcommand shares: where the repository is,
the environment error (exit status 2), and the typed stages (host tools,
build, accelerator, firmware) a command runs before booting.

cli.py builds the parser from the subcommand modules (sweep, linux, usb,
plots, compare, listing); those modules take their stages from here, not
from cli, so no module imports the one that imports it.
"""
import os
import subprocess

from . import accel, deps, ovmf, rundir

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = os.path.join("build", "ipcbench.img")
PYTHON = "/usr/bin/python3"


class EnvError(Exception):
    """A usage or host problem: exit status 2, message says what to do."""


def shown(path):
    """A path as the user should see it: relative when below the cwd."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def stage_deps(args, prog, groups, rerun):
    try:
        deps.ensure(groups, args.no_install, prog.say, rerun)
    except deps.DepsError as e:
        raise EnvError(str(e)) from None


def stage_build(prog):
    """make knows what is stale; always ask it."""
    prog.say("building (make -s)")
    res = subprocess.run(["make", "-s"], cwd=REPO)
    image = os.path.join(REPO, IMAGE)
    if res.returncode != 0 or not os.path.isfile(image):
        raise EnvError(f"build failed (make exited {res.returncode}); "
                       f"run `make -C {REPO}` to see the full error")
    return image


def stage_accel(args, prog):
    # Overridable so tests can fake a machine with or without vmx/svm.
    cpuinfo = os.environ.get("IPCBENCH_CPUINFO", accel.CPUINFO)
    dev_kvm = os.environ.get("IPCBENCH_DEV_KVM", accel.DEV_KVM)
    try:
        choice = accel.choose(args.accel, cpuinfo, dev_kvm)
    except accel.AccelError as e:
        raise EnvError(str(e)) from None
    prog.say(f"accel: {choice.name} ({choice.reason})")
    return choice


def stage_firmware(prog):
    try:
        fw = ovmf.require()
    except ovmf.OvmfError as e:
        raise EnvError(str(e)) from None
    prog.say(f"firmware: {fw.code}" + (f" + {fw.vars}" if fw.vars else " (-bios)"))
    return fw


def latest_or(path, what):
    """`path`, or the run results/latest points at when path is None."""
    if path:
        return path
    latest = rundir.latest(os.path.join(REPO, "results"))
    if latest is None:
        raise EnvError(f"no {what} given and no results/latest (it points at the last "
                       "completed sweep); run ./run.py sweep or name a run dir")
    return latest
