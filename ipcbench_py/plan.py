"""plan - the plan text for one run, and writing it into the disk image.

The plan is \\EFI\\IPCBENCH\\PLAN.TXT on the image's FAT partition (see
common/plan.h for the syntax).  run.py writes it into its own copy of the
image for every run, so build/ipcbench.img keeps the default plan.
"""
import os
import subprocess

PLAN_PATH_IN_IMAGE = "::/EFI/IPCBENCH/PLAN.TXT"
# The FAT partition starts 1 MiB into the image (tools/mkimage.py).
FAT_OFFSET = "1M"


class PlanError(Exception):
    pass


def _key(line):
    """The key of a 'key = value' line, None for comments and raw lines."""
    body = line.split("#", 1)[0]
    key, sep, _ = body.partition("=")
    return key.strip().lower() if sep and key.strip() else None


def build_text(mode, extras, base=None):
    """Plan text: `base` (or just the mode) with each extra 'key=value'
    replacing the line of the same key or appended.  An extra without '='
    is appended verbatim, so a test can hand the kernel a malformed line."""
    lines = base.splitlines() if base is not None else [f"mode = {mode}"]
    if base is None:
        lines.insert(0, "# written by run.py for this run")
    for extra in extras:
        key = _key(extra)
        if key is None:
            lines.append(extra.strip())
            continue
        value = extra.split("=", 1)[1].strip()
        new = f"{key} = {value}"
        hits = [i for i, l in enumerate(lines) if _key(l) == key]
        if hits:
            lines[hits[0]] = new
        else:
            lines.append(new)
    return "\n".join(lines) + "\n"


def mkimage_supports_set_plan(repo):
    path = os.path.join(repo, "tools", "mkimage.py")
    try:
        with open(path, encoding="utf-8") as f:
            return "--set-plan" in f.read()
    except OSError:
        return False


def set_plan_argv(repo, plan_file, image, python):
    """tools/mkimage.py --set-plan when it has it, else mtools directly."""
    if mkimage_supports_set_plan(repo):
        return [python, os.path.join(repo, "tools", "mkimage.py"),
                "--set-plan", plan_file, "--image", image]
    return ["mcopy", "-o", "-i", f"{image}@@{FAT_OFFSET}", plan_file,
            PLAN_PATH_IN_IMAGE]


def write_into_image(repo, plan_file, image, python):
    argv = set_plan_argv(repo, plan_file, image, python)
    # mtools refuses FAT images whose geometry it cannot check otherwise.
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    res = subprocess.run(argv, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise PlanError(f"writing the plan into {image} failed "
                        f"({' '.join(argv)}): {res.stderr.strip() or res.stdout.strip()}")
