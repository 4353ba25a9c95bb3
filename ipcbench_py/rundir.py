"""rundir - results/<run-id>/: naming, results/latest, meta.json.

A run directory holds everything needed to judge a run again later: the
image copy with its plan, the OVMF_VARS copy, serial.log, qemu.log (QEMU's
own output) and meta.json.
"""
import json
import os
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


def create(root, out=None, now=None):
    """Make the run directory: `out` if given, else root/<run-id>."""
    if out:
        os.makedirs(out, exist_ok=True)
        return RunDir(os.path.abspath(out), os.path.basename(os.path.abspath(out)))
    os.makedirs(root, exist_ok=True)
    run_id = new_run_id(root, now)
    path = os.path.join(root, run_id)
    os.makedirs(path)
    return RunDir(os.path.abspath(path), run_id)


def point_latest(root, run):
    """root/latest -> <run-id>, replaced atomically (relative link, so the
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
    status = git("status", "--porcelain", "--untracked-files=no")
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
