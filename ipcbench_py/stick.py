"""stick - the results a borrow-mode boot left on its own volume
(\\RESULTS\\<run-id>\\ with results.csv, meta.json, serial.log, plan.txt),
read from a disk image file (mtools, no mounting) or a mounted stick.

The loader writes meta.json last, so a run directory without it was cut
short (power lost while writing); it is listed but marked incomplete.
"""
import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = "RESULTS"
FILES = ("results.csv", "meta.json", "serial.log", "plan.txt")


class StickError(Exception):
    pass


@dataclass
class StickRun:
    run_id: str
    path: str               # a host directory holding the run's files

    def file(self, name):
        return os.path.join(self.path, name)

    @property
    def complete(self):
        return os.path.isfile(self.file("meta.json"))


def _mkimage():
    """tools/mkimage.py as a module (it knows where the ESP starts)."""
    path = os.path.join(REPO, "tools", "mkimage.py")
    spec = importlib.util.spec_from_file_location("ipcbench_mkimage", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def esp_spec(image):
    """image@@offset, the mtools name of the image's ESP."""
    mk = _mkimage()
    try:
        return f"{image}@@{mk.esp_offset(image)}"
    except mk.ImageError as e:
        raise StickError(str(e)) from None


def _mtools(argv):
    if not shutil.which(argv[0]):
        raise StickError(f"{argv[0]} not found: install mtools "
                         "(sudo apt-get install mtools)")
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(argv, env=env, capture_output=True, text=True)


def image_run_ids(image):
    """Names of the run directories under ::/RESULTS in an image file."""
    res = _mtools(["mdir", "-b", "-i", esp_spec(image), f"::/{RESULTS}"])
    if res.returncode != 0:
        return []                       # no RESULTS directory yet
    out = []
    for line in res.stdout.splitlines():
        name = line.strip().rstrip("/").rsplit("/", 1)[-1]
        if name and name not in (".", ".."):
            out.append(name)
    return sorted(out)


def copy_from_image(image, run_id, dest_root):
    """Copies ::/RESULTS/<run_id> of the image to dest_root/<run_id>."""
    dest = os.path.join(dest_root, run_id)
    os.makedirs(dest, exist_ok=True)
    res = _mtools(["mcopy", "-s", "-n", "-o", "-i", esp_spec(image),
                   f"::/{RESULTS}/{run_id}/", dest + "/"])
    if res.returncode != 0:
        raise StickError(f"mcopy of {run_id} from {image} failed: "
                         f"{res.stderr.strip() or res.stdout.strip()}")
    # mcopy -s of a directory may nest it once more; flatten that.
    nested = os.path.join(dest, run_id)
    if os.path.isdir(nested):
        for name in os.listdir(nested):
            os.replace(os.path.join(nested, name), os.path.join(dest, name))
        os.rmdir(nested)
    return StickRun(run_id, dest)


def _find_ci(parent, name):
    """parent/name matched case-insensitively (FAT names on a mount)."""
    try:
        for entry in os.listdir(parent):
            if entry.lower() == name.lower():
                return os.path.join(parent, entry)
    except OSError:
        pass
    return None


def mounted_runs(mount):
    """StickRuns of a mounted stick (or any directory with RESULTS/)."""
    top = _find_ci(mount, RESULTS)
    if not top:
        return []
    return [StickRun(n, os.path.join(top, n)) for n in sorted(os.listdir(top))
            if os.path.isdir(os.path.join(top, n))]


def runs(source, workdir=None):
    """Every run on an image file or a mounted stick, as host directories
    (image runs are copied out into workdir, a fresh temp dir if None)."""
    if os.path.isdir(source):
        return mounted_runs(source)
    if not os.path.isfile(source):
        raise StickError(f"{source}: neither an image file nor a mounted stick")
    workdir = workdir or tempfile.mkdtemp(prefix="ipcbench-stick-")
    return [copy_from_image(source, rid, workdir) for rid in image_run_ids(source)]


def canonical_file(run, name):
    """A run's file by its canonical name, whatever case FAT gave it."""
    return _find_ci(run.path, name)
