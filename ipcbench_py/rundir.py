"""rundir - results/<run-id>/: naming, results/latest, meta.json.

A run directory holds everything needed to judge a run again later: the
image copy with its plan, the OVMF_VARS copy, serial.log, qemu.log (QEMU's
own output) and meta.json.
"""
import json
import os
import re
import platform
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RunDir:
    path: str
    run_id: str

    def file(self, name):
        return os.path.join(self.path, name)


def new_run_id(root, now=None):
    """UTC timestamp; '-2', '-3', ... when that name is taken."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    run_id, n = stamp, 1
    while os.path.exists(os.path.join(root, run_id)):
        n += 1
        run_id = f"{stamp}-{n}"
    return run_id


class RunDirError(Exception):
    """--out cannot be used: the message says why and what to do."""


# What a run writes into its directory; --force removes exactly these
# (so no stale plot or log of the run before stays beside the new one).
RUN_FILES = re.compile(r"^(results\.csv|samples\.csv\.gz|meta\.json|summary\.md|"
                       r"ipcbench\.img|OVMF_VARS\.fd|plan(-.*)?\.txt|"
                       r"(serial|qemu)(-.*)?\.log|.*\.(png|svg))$")


def run_files(path):
    return sorted(n for n in os.listdir(path)
                  if RUN_FILES.match(n) and os.path.isfile(os.path.join(path, n)))


def _use_out(out, force):
    """Make or reuse the --out directory; refuse to mix two runs."""
    if os.path.lexists(out) and not os.path.isdir(out):
        raise RunDirError(f"--out {out}: exists and is not a directory; "
                          "give a new directory name")
    try:
        os.makedirs(out, exist_ok=True)
        old = run_files(out)
    except OSError as e:
        raise RunDirError(f"--out {out}: cannot create a directory there "
                          f"({e.strerror})") from None
    if old and not force:
        raise RunDirError(f"--out {out}: already holds a run ({', '.join(old[:4])}"
                          f"{' ...' if len(old) > 4 else ''}); pick a new directory "
                          "or add --force to replace that run's files")
    try:
        for name in old:
            os.unlink(os.path.join(out, name))
        probe = os.path.join(out, f".write-test.{os.getpid()}")
        with open(probe, "w"):
            pass
        os.unlink(probe)
    except OSError as e:
        raise RunDirError(f"--out {out}: not writable ({e.strerror})") from None
    return RunDir(os.path.abspath(out), os.path.basename(os.path.abspath(out)))


def create(root, out=None, now=None, force=False):
    """Make the run directory: `out` if given (refused when it holds
    another run's files, unless force), else root/<run-id>."""
    if out:
        return _use_out(out, force)
    try:
        os.makedirs(root, exist_ok=True)
        run_id = new_run_id(root, now)
        path = os.path.join(root, run_id)
        os.makedirs(path)
    except OSError as e:
        raise RunDirError(f"{root}: cannot create the run directory ({e.strerror})") \
            from None
    return RunDir(os.path.abspath(path), run_id)


def point_latest(root, run):
    """root/latest -> <run-id> (only ever a completed, passing sweep),
    replaced atomically (relative link, so the
    results tree can be moved or copied whole)."""
    link = os.path.join(root, "latest")
    tmp = os.path.join(root, f".latest.{os.getpid()}")
    target = os.path.relpath(run.path, root)
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def git_info(repo):
    def git(*args):
        try:
            res = subprocess.run(["git", "-C", repo, *args], capture_output=True,
                                 text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return res.stdout.strip() if res.returncode == 0 else None
    # Whether the sources differ from the commit; results/ is left out: a run
    # written into a tracked run directory (results/reference/...) must not
    # call the tree that built it dirty.
    status = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                 ":(exclude)results")
    return {"commit": git("rev-parse", "HEAD"),
            "dirty": bool(status) if status is not None else None}


def host_info():
    return {"hostname": platform.node(), "kernel": platform.release(),
            "machine": platform.machine(), "python": platform.python_version()}


def write_meta(run, meta):
    with open(run.file("meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, sort_keys=False)
        f.write("\n")


def read_meta(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def latest(root):
    """The run dir results/latest points at, or None."""
    link = os.path.join(root, "latest")
    return os.path.realpath(link) if os.path.isdir(link) else None


def completed_runs(root):
    """Run dirs under root whose meta.json says a sweep passed, oldest
    first (by start time, then name)."""
    out = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    for name in names:
        path = os.path.join(root, name)
        if name == "latest" or os.path.islink(path) or not os.path.isdir(path):
            continue
        meta = read_meta(os.path.join(path, "meta.json"))
        if meta and meta.get("command") == "sweep" and meta.get("ok") \
                and os.path.isfile(os.path.join(path, "results.csv")):
            out.append((meta.get("started_utc") or "", name, path))
    return [p for _, _, p in sorted(out)]
