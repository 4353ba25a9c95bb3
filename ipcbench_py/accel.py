"""accel - KVM or TCG, and why.

KVM is chosen only when /dev/kvm opens read-write AND the CPU flags show
hardware virtualization (vmx/svm): some machines expose a software /dev/kvm
that cannot run OVMF ("KVM internal error"), so the device alone proves
nothing.
"""
import os
import re
from dataclasses import dataclass

CPUINFO = "/proc/cpuinfo"
DEV_KVM = "/dev/kvm"


@dataclass(frozen=True)
class Accel:
    name: str        # "kvm" or "tcg"
    reason: str      # one line, shown to the user and saved in meta.json

    @property
    def cpu(self):
        # TCG: the richest model QEMU emulates; KVM: exactly the host CPU.
        return "host" if self.name == "kvm" else "max"


class AccelError(Exception):
    pass


def cpu_virt_flag(cpuinfo_path=CPUINFO):
    """'vmx', 'svm' or None, from the flags lines of /proc/cpuinfo."""
    try:
        with open(cpuinfo_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    flags = set(value.split())
                    for flag in ("vmx", "svm"):
                        if flag in flags:
                            return flag
    except OSError:
        pass
    return None


def kvm_device_problem(kvm_path=DEV_KVM):
    """None when the device opens read-write, else why not."""
    try:
        fd = os.open(kvm_path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return f"no {kvm_path}"
    except PermissionError:
        return f"{kvm_path} is not read-write for this user (join the kvm group)"
    except OSError as e:
        return f"{kvm_path}: {e.strerror}"
    os.close(fd)
    return None


def kvm_problem(cpuinfo_path=CPUINFO, kvm_path=DEV_KVM):
    """None when KVM is usable, else a one-line reason."""
    dev = kvm_device_problem(kvm_path)
    flag = cpu_virt_flag(cpuinfo_path)
    if flag and not dev:
        return None
    reasons = []
    if not flag:
        reasons.append(f"no vmx/svm in {cpuinfo_path}")
    if dev:
        reasons.append(dev)
    elif not flag:
        reasons.append(f"{kvm_path} is not hardware-backed")
    return "; ".join(reasons)


def choose(requested, cpuinfo_path=CPUINFO, kvm_path=DEV_KVM):
    """Resolve --accel auto|kvm|tcg into an Accel, or raise AccelError."""
    if requested == "tcg":
        return Accel("tcg", "requested with --accel tcg")
    problem = kvm_problem(cpuinfo_path, kvm_path)
    if requested == "kvm":
        if problem:
            raise AccelError(f"--accel kvm: KVM is not usable here ({problem}); "
                             "rerun with --accel tcg")
        return Accel("kvm", "requested with --accel kvm")
    if requested != "auto":
        raise AccelError(f"unknown accelerator {requested!r} (auto, kvm or tcg)")
    if problem:
        return Accel("tcg", problem)
    return Accel("kvm", f"{kvm_path} usable and CPU has "
                        f"{cpu_virt_flag(cpuinfo_path)}")


# QEMU's words when KVM cannot run the guest (seen with software /dev/kvm,
# nested setups without EPT, and missing modules).
KVM_FAILURE = re.compile(
    r"KVM internal error|kvm run failed|failed to initiali[sz]e kvm|"
    r"Could not access KVM kernel module|KVM: entry failed|"
    r"kvm_init_vcpu failed|error: kvm", re.IGNORECASE)


def kvm_failure(text):
    """The first line of QEMU output that reports a KVM failure, or None."""
    for line in text.splitlines():
        if KVM_FAILURE.search(line):
            return line.strip()
    return None
