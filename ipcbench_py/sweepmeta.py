"""sweepmeta - meta.json of a sweep: where the numbers came from.

The run record (README.md, docs/CSV.md) holds the QEMU command line and
version, CPU vendor, model and features, TSC frequency, PCID/INVPCID, git
commit, compiler, plan, and the wall time.  Host facts come from
/proc/cpuinfo; guest facts from the kernel's "tsc:" and "pcid:" lines in
each boot's serial log.
"""
import re
import shlex
import subprocess

from . import rundir

CPUINFO = "/proc/cpuinfo"
TSC = re.compile(r"^\s*tsc:\s*(\d+)\s*kHz\s*(?:\((.*)\))?")
PCID = re.compile(r"^\s*pcid:\s*(.*)$")


def host_cpu(path=CPUINFO):
    """Vendor, model name, family/model/stepping, flags (of the first CPU)
    and the number of logical CPUs."""
    info, count = {}, 0
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                key = key.strip()
                if not sep:
                    continue
                if key == "processor":
                    count += 1
                if count <= 1 and key not in info:
                    info[key] = value.strip()
    except OSError as e:
        return {"error": f"{path}: {e.strerror}"}
    return {"vendor": info.get("vendor_id"), "model_name": info.get("model name"),
            "family": info.get("cpu family"), "model": info.get("model"),
            "stepping": info.get("stepping"), "logical_cpus": count,
            "flags": info.get("flags", "").split()}


def guest_facts(info_lines):
    """{"tsc_khz", "tsc_source", "pcid", "invpcid", "pcid_line", ...} from
    seriallog's info lines (mem:, tsc:, pcid:, ...)."""
    out = {"lines": list(info_lines), "tsc_khz": None, "tsc_source": None,
           "pcid_line": None, "pcid": None, "invpcid": None}
    for line in info_lines:
        if (m := TSC.match(line)):
            out["tsc_khz"], out["tsc_source"] = int(m.group(1)), m.group(2)
        elif (m := PCID.match(line)):
            text = m.group(1)
            out["pcid_line"] = line.strip()
            out["pcid"] = text.startswith("on")
            out["invpcid"] = out["pcid"] and "without INVPCID" not in text
    return out


def first_line(argv):
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (res.stdout or res.stderr).splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


# Debian package of each tool whose version a result depends on.
PACKAGES = {"qemu": "qemu-system-x86", "ovmf": "ovmf", "gnu-efi": "gnu-efi"}


def package_versions(packages=PACKAGES):
    """{tool: installed package version or None} (dpkg-query; None where
    the host has no dpkg or the package is not installed)."""
    out = {}
    for tool, pkg in packages.items():
        try:
            res = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                                 capture_output=True, text=True, timeout=10)
            out[tool] = res.stdout.strip() or None if res.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            out[tool] = None
    return out


def sha256_of(path):
    import hashlib
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def boot_entry(boot):
    """One boot of a sweep (sweep.Boot) as meta.json shows it."""
    o = boot.outcome
    return {
        "combination": boot.combo.name, "boot": boot.name, "repeat": boot.repeat,
        "accel": boot.combo.accel.name,
        "accel_reason": boot.combo.accel.reason, "pcid_requested": boot.combo.pcid,
        "serial_log": boot.serial_name, "plan": boot.plan_text,
        "qemu_argv": boot.argv, "qemu_cmdline": shlex.join(boot.argv) if boot.argv else None,
        "wall_s": round(o.wall_s, 3) if o else None,
        "first_output_s": round(o.first_output_s, 3) if o and o.first_output_s else None,
        "guest": guest_facts(boot.report.info) if boot.report else None,
        "verdict": {"ok": boot.ok, "reason": boot.reason,
                    "qemu_status": o.status if o else None,
                    "timed_out": o.timed_out if o else None},
        "csv": {"rows": len(boot.block.rows) if boot.block else 0,
                "complete": boot.block.complete if boot.block else False,
                "problems": boot.block.problems if boot.block else [],
                "cases_started": boot.block.cases_started if boot.block else 0},
        "skips": [s.as_dict() for s in boot.block.skips] if boot.block else [],
        "warnings": boot.warnings,
        # bench/placement.c's one line: the CPUs it found and where the ends ran
        "placement": next((l.strip() for l in (boot.report.lines if boot.report else [])
                           if "bench: placement:" in l), None),
    }


def build(repo, run, settings, boots, started, total_s, icount, qemu_version,
          argv, firmware, image_sha256=None):
    return {
        "image": {"file": "build/ipcbench.img", "sha256": image_sha256,
                  "note": "before run.py wrote each boot's plan into its copy"},
        "packages": package_versions(),
        "run_id": run.run_id, "command": "sweep", "run_py_argv": argv,
        "started_utc": started, "preset": settings.preset,
        "settings": {"mech": settings.mech or "all", "sizes": settings.sizes or "default",
                     "patterns": settings.patterns or "all", "iters": settings.iters,
                     "warmup": settings.warmup,
                     "placement": getattr(settings, "placement", None) or "auto"},
        "icount": icount, "unit": "instructions" if icount else "cycles",
        "qemu_version": qemu_version,
        "firmware": {"code": firmware.code, "vars": firmware.vars},
        "host": dict(rundir.host_info(), cpu=host_cpu()),
        "git": rundir.git_info(repo),
        "compiler": first_line(["gcc", "--version"]),
        "boots": [boot_entry(b) for b in boots],
        "wall_s_total": round(total_s, 3),
        "ok": all(b.ok for b in boots) and bool(boots),
    }
