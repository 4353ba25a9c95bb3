#!/usr/bin/env python3
"""bochs_run.py - boot ipcbench under Bochs with a chosen CPU model and
return what the kernel wrote on serial (stdlib only; run.py may import it).

Bochs is the one emulator here whose CPU models expose PCID and INVPCID and
enforce their #GP/#UD rules (QEMU TCG has no PCID), so it proves the PCID
path runs; its TLB is not tagged by PCID, so it cannot prove invalidation
is complete (the host model test, tests/host/test_tlb_model.c, does that).

    tools/bochs_run.py --model haswell --plan-line "tests = boot,paging,tlb"
    tools/bochs_run.py --model penryn --image build/ipcbench.img --timeout 300

The ESP is a directory Bochs presents as a FAT disk (vvfat), made from
build/boot/BOOTX64.EFI + build/kernel/kernel.elf + a plan, or copied out of
a disk image with mtools.  The kernel ends with "ipcbench: result PASS" or
"... FAIL (reason)" and powers off through UEFI ResetSystem, which ends
Bochs; its exit status is always 1, so the serial log is the verdict.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Short names for the three models the tests use (any Bochs model works).
CPU_MODELS = {
    "haswell": "corei7_haswell_4770",       # PCID + INVPCID
    "sandy": "corei7_sandy_bridge_2600k",   # PCID, no INVPCID
    "penryn": "core2_penryn_t9600",         # neither
}
PACKAGES = "bochs bochsbios vgabios bochs-term ovmf mtools"
OVMF_PATHS = ("/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF.fd", "/usr/share/qemu/OVMF.fd")
VGABIOS_PATHS = ("/usr/share/vgabios/vgabios.bin", "/usr/share/bochs/VGABIOS-lgpl-latest")
OVMF_ADDRESS = 0xffe00000           # a 2 MiB OVMF.fd ends at 4 GiB
ESP_OFFSET = 1 << 20                # tools/mkimage.py puts the ESP at LBA 2048
RESULT_MARK = "ipcbench: result "
POWER_OFF_GRACE = 15                # seconds Bochs gets to exit after the result

# The plan keys a Bochs selftest run needs; plan_with() overrides them.
DEFAULT_PLAN = {"mode": "selftest", "pcid": "auto", "end": "poweroff"}


class BochsError(Exception):
    """A setup problem (missing package, bad input) with a message to show."""


@dataclass
class BochsResult:
    model: str
    serial: str             # what the guest wrote on COM1, "\r" removed
    seconds: float          # wall time from start to Bochs' exit (or kill)
    timed_out: bool
    returncode: int
    workdir: str            # bochsrc, bochs.log, stdout.txt, serial.txt

    @property
    def result_line(self):
        """"ipcbench: result PASS" / "... FAIL (reason)", or None."""
        for line in self.serial.splitlines():
            if line.startswith(RESULT_MARK):
                return line.strip()
        return None

    @property
    def passed(self):
        return self.result_line == RESULT_MARK + "PASS"


def first_existing(paths):
    return next((p for p in paths if os.path.isfile(p)), None)


def find_bochs():
    """The real binary (the Debian `bochs` wrapper only adds -q and execs it)."""
    return shutil.which("bochs-bin") or shutil.which("bochs")


def missing():
    """What is not installed, as a list of words for a message (empty = ready)."""
    out = []
    if not find_bochs():
        out.append("bochs")
    if not first_existing(OVMF_PATHS):
        out.append("OVMF.fd (ovmf)")
    if not first_existing(VGABIOS_PATHS):
        out.append("vgabios")
    return out


def require():
    gone = missing()
    if gone:
        raise BochsError("%s not found: install with `sudo apt-get install %s`"
                         % (", ".join(gone), PACKAGES))


def model_name(model):
    return CPU_MODELS.get(model, model)


# ------------------------------------------------------------------ the ESP

def esp_from_files(dest, efi, kernel, plan_text=None):
    """Lays out the ESP as the loader expects it, in directory dest."""
    for src in (efi, kernel):
        if not os.path.isfile(src):
            raise BochsError("%s is missing: run `make` first" % src)
    os.makedirs(os.path.join(dest, "EFI", "BOOT"), exist_ok=True)
    os.makedirs(os.path.join(dest, "EFI", "IPCBENCH"), exist_ok=True)
    shutil.copyfile(efi, os.path.join(dest, "EFI", "BOOT", "BOOTX64.EFI"))
    shutil.copyfile(kernel, os.path.join(dest, "EFI", "IPCBENCH", "KERNEL.ELF"))
    write_plan(dest, plan_text if plan_text is not None else plan_with())
    return dest


def esp_from_image(dest, image, plan_text=None):
    """Copies \\EFI out of a tools/mkimage.py disk image (ESP at 1 MiB)."""
    if not shutil.which("mcopy"):
        raise BochsError("mcopy not found: install with `sudo apt-get install mtools`")
    os.makedirs(dest, exist_ok=True)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    res = subprocess.run(["mcopy", "-s", "-n", "-i", "%s@@%d" % (image, ESP_OFFSET),
                          "::/EFI", dest], env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise BochsError("mcopy from %s failed: %s" % (image, res.stderr.strip()))
    if plan_text is not None:
        write_plan(dest, plan_text)
    return dest


def write_plan(esp, plan_text):
    with open(os.path.join(esp, "EFI", "IPCBENCH", "PLAN.TXT"), "w") as f:
        f.write(plan_text)


def plan_with(lines=()):
    """Plan text: DEFAULT_PLAN with `key = value` lines applied (the plan
    parser rejects a key given twice, so a line replaces the default)."""
    keys = dict(DEFAULT_PLAN)
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep:
            raise BochsError("plan line %r is not `key = value`" % line)
        keys[key.strip()] = value.strip()
    return "".join("%s = %s\n" % kv for kv in keys.items())


# ----------------------------------------------------------------- running

def bochsrc_text(esp, model, serial, log, megs=512, image=None, smp=1):
    """The machine: OVMF as the ROM, the ESP as a vvfat IDE disk (or a whole
    disk image, written in place: borrow mode saves its results there), COM1
    to a file, no window (rfb that waits for no viewer), logs for diagnosis;
    `smp` CPUs (Bochs' cpu count; Debian's Bochs is built with SMP)."""
    disk = "mode=flat, path=%s" % image if image else "mode=vvfat, path=%s" % esp
    return "\n".join([
        "megs: %d" % megs,
        "romimage: file=%s, address=0x%x" % (first_existing(OVMF_PATHS), OVMF_ADDRESS),
        "vgaromimage: file=%s" % first_existing(VGABIOS_PATHS),
        "cpu: model=%s" % model_name(model) + (", count=%d" % smp if smp > 1 else ""),
        "pci: enabled=1, chipset=i440fx",
        "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
        "ata0-master: type=disk, %s" % disk,
        "boot: disk",
        "com1: enabled=1, mode=file, dev=%s" % serial,
        'display_library: rfb, options="timeout=0"',
        "log: %s" % log,
        "panic: action=fatal",
        "error: action=report",
        "info: action=report",
        "debug: action=ignore",
        "",
    ])


def read_serial(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "")
    except FileNotFoundError:
        return ""


def _wait(proc, serial, timeout, grace=POWER_OFF_GRACE):
    """Waits for Bochs to exit; stops it when the run is over or too long.
    Returns True if it had to be killed for the timeout."""
    deadline = time.monotonic() + timeout
    result_seen = None
    while proc.poll() is None:
        now = time.monotonic()
        if result_seen is None and RESULT_MARK in read_serial(serial):
            result_seen = now
        if now > deadline or (result_seen and now - result_seen > grace):
            proc.kill()
            proc.wait()
            return result_seen is None
        time.sleep(0.25)
    return False


def run(esp, model, timeout=300, workdir=None, megs=512, image=None,
        grace=POWER_OFF_GRACE, smp=1):
    """Boots the ESP directory (or the disk `image`) under Bochs' CPU `model`
    (a CPU_MODELS key or a Bochs model name) and returns a BochsResult;
    Bochs is stopped `grace` seconds after the kernel's result line."""
    require()
    workdir = workdir or tempfile.mkdtemp(prefix="ipcbench-bochs-")
    os.makedirs(workdir, exist_ok=True)
    serial = os.path.join(workdir, "serial.txt")
    rc, dbg = os.path.join(workdir, "bochsrc"), os.path.join(workdir, "debugger.rc")
    if os.path.exists(serial):
        os.unlink(serial)
    with open(rc, "w") as f:
        f.write(bochsrc_text(esp and os.path.abspath(esp), model, serial,
                             os.path.join(workdir, "bochs.log"), megs,
                             image and os.path.abspath(image), smp))
    # Debian's Bochs has the debugger built in: it stops at the first
    # instruction and again on a fatal event; `quit` then ends it.
    with open(dbg, "w") as f:
        f.write("continue\nquit\n")
    t0 = time.monotonic()
    with open(os.path.join(workdir, "stdout.txt"), "wb") as out:
        proc = subprocess.Popen([find_bochs(), "-q", "-f", rc, "-rc", dbg],
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=workdir)
        timed_out = _wait(proc, serial, timeout, grace)
    if image and os.path.exists(image + ".lock"):
        os.unlink(image + ".lock")      # Bochs leaves it when it is killed
    return BochsResult(model_name(model), read_serial(serial), time.monotonic() - t0,
                       timed_out, proc.returncode, workdir)


def run_build(model, plan_lines=(), timeout=300, workdir=None, image=None, smp=1):
    """Builds a temporary ESP from the build tree (or from `image`) and
    boots it; the ESP is removed afterwards, the workdir kept."""
    with tempfile.TemporaryDirectory(prefix="ipcbench-esp-") as esp:
        plan = plan_with(plan_lines)
        if image:
            esp_from_image(esp, image, plan if plan_lines else None)
        else:
            esp_from_files(esp, os.path.join(REPO, "build", "boot", "BOOTX64.EFI"),
                           os.path.join(REPO, "build", "kernel", "kernel.elf"), plan)
        return run(esp, model, timeout, workdir, smp=smp)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="haswell",
                    help="haswell, sandy, penryn or a Bochs cpu model (default haswell)")
    ap.add_argument("--image", help="take the ESP from this disk image instead of build/")
    ap.add_argument("--plan-line", action="append", default=[], metavar="KEY=VALUE",
                    help="extra plan line (repeatable), e.g. 'tests = boot,tlb'")
    ap.add_argument("--timeout", type=float, default=300, help="seconds (default 300)")
    ap.add_argument("--workdir", help="keep bochsrc, bochs.log and serial.txt here")
    ap.add_argument("--smp", type=int, default=1, metavar="N",
                    help="CPUs of the machine (default 1)")
    args = ap.parse_args(argv)
    if not 1 <= args.smp <= 8:
        print("bochs_run: --smp %d is not 1..8 (the kernel's MAX_CPUS)" % args.smp,
              file=sys.stderr)
        return 2
    try:
        res = run_build(args.model, args.plan_line, args.timeout, args.workdir, args.image,
                        args.smp)
    except BochsError as e:
        print("bochs_run: %s" % e, file=sys.stderr)
        return 2
    sys.stdout.write(res.serial)
    if not res.serial.endswith("\n"):
        sys.stdout.write("\n")
    verdict = res.result_line or ("timeout" if res.timed_out else "no result line")
    print("bochs_run: %s, %.1f s, %s (logs in %s)" % (res.model, res.seconds, verdict,
                                                    res.workdir), file=sys.stderr)
    return 0 if res.passed else 1


if __name__ == "__main__":
    sys.exit(main())
