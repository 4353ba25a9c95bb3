"""plancheck - refuse a bad plan on the host, before a boot.

The check is the guest's own parser (common/plan.c) built for the host as
build/host/plancheck (tools/plancheck.c), so every limit it enforces -
iterations, sizes, list lengths, name lengths and characters, known keys -
comes from the one table the kernel uses; nothing here copies a number.
Errors name the plan line, its text, and the option it came from.
"""
import os
import subprocess
import tempfile

from . import plan

BINARY = os.path.join("build", "host", "plancheck")


class PlanCheckError(Exception):
    pass


def binary(repo):
    """The checker, built by make when it is missing."""
    path = os.path.join(repo, BINARY)
    if not os.path.isfile(path):
        res = subprocess.run(["make", "-s", "-C", repo, BINARY],
                             capture_output=True, text=True)
        if res.returncode != 0 or not os.path.isfile(path):
            raise PlanCheckError(f"cannot build {BINARY}: "
                                 f"{(res.stderr or res.stdout).strip()[-300:]}")
    return path


def errors(repo, text):
    """[(line number, message)] the guest's parser reports for text."""
    with tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False,
                                     encoding="utf-8") as f:
        f.write(text)
    try:
        res = subprocess.run([binary(repo), f.name], capture_output=True, text=True,
                             timeout=30)
    finally:
        os.unlink(f.name)
    if res.returncode == 0:
        return []
    if res.returncode != 1:
        raise PlanCheckError(f"plancheck failed: {res.stderr.strip()}")
    out = []
    for line in res.stdout.splitlines():
        number, _, msg = line.partition("\t")
        out.append((int(number) if number.isdigit() else 0, msg))
    return out


def origin(line, extras, settings_keys, plan_file):
    """Which option a plan line came from, as the user typed it."""
    key = plan._key(line)
    for extra in extras:
        if extra.strip() == line.strip() or (key and plan._key(extra) == key):
            return f"--plan-extra {extra!r}"
    if key in settings_keys:
        return f"--{key}"
    if plan_file:
        return f"--plan {plan_file}"
    return "run.py's own plan lines"


def check(repo, text, extras=(), settings_keys=(), plan_file=None):
    """Raise PlanCheckError naming every bad line, or return quietly."""
    bad = errors(repo, text)
    if not bad:
        return
    lines = text.splitlines()
    said = []
    for number, msg in bad:
        if 1 <= number <= len(lines):
            src = lines[number - 1]
            said.append(f"plan line {number} `{src.strip()}`: {msg} "
                        f"(from {origin(src, extras, settings_keys, plan_file)})")
        else:
            said.append(msg)
    raise PlanCheckError("the guest would refuse this plan:\n  " + "\n  ".join(said)
                         + "\n(limits: common/plan.c, docs/PLAN.md)")
