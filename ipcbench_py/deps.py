"""deps - are the host tools there, and install them (Debian/Ubuntu) if not.

`./run.py deps` and every subcommand that builds or boots call ensure()
first, so a missing tool is one clear message with the exact install command
instead of a make or QEMU error three stages later.
"""
import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass

from . import distro, ovmf

# Tools some distributions keep out of a normal user's PATH.
SBIN_DIRS = ("/usr/sbin", "/sbin")


@dataclass(frozen=True)
class Requirement:
    what: str        # shown to the user: a command, file or module
    kind: str        # "exe", "file", "module" or "ovmf"
    need: str        # logical package name, see distro.PACKAGES
    group: str       # "build", "run", "test", "plot" or "profile"


def requirements(env=None):
    env = os.environ if env is None else env
    efi_inc = env.get("EFI_INC", "/usr/include/efi")
    efi_lib = env.get("EFI_LIB", "/usr/lib")
    return [
        Requirement("gcc", "exe", "compiler", "build"),
        Requirement("make", "exe", "compiler", "build"),
        Requirement("ld", "exe", "compiler", "build"),
        Requirement("objcopy", "exe", "compiler", "build"),
        Requirement(f"{efi_inc}/efi.h", "file", "gnu-efi", "build"),
        Requirement(f"{efi_lib}/crt0-efi-x86_64.o", "file", "gnu-efi", "build"),
        Requirement("mkfs.fat", "exe", "dosfstools", "build"),
        Requirement("mcopy", "exe", "mtools", "build"),
        Requirement("qemu-system-x86_64", "exe", "qemu", "run"),
        Requirement("OVMF firmware", "ovmf", "ovmf", "run"),
        Requirement("pytest", "module", "pytest", "test"),
        Requirement("bochs", "exe", "bochs", "test"),   # PCID path on Bochs CPU models
        Requirement("matplotlib", "module", "matplotlib", "plot"),
        # ./run.py linux: the static Linux harness and the guest's initramfs
        Requirement("/usr/lib/x86_64-linux-gnu/libc.a", "file", "libc-static", "linux"),
        Requirement("/bin/busybox", "file", "busybox-static", "linux"),
        Requirement("dpkg-deb", "exe", "compiler", "linux"),
        Requirement("gdb", "exe", "gdb", "profile"),    # ./run.py profile
    ]


def find_exe(name, env=None):
    env = os.environ if env is None else env
    path = os.pathsep.join([env.get("PATH", "")] + list(SBIN_DIRS))
    return shutil.which(name, path=path)


def is_present(req, env=None):
    if req.kind == "exe":
        return find_exe(req.what, env) is not None
    if req.kind == "file":
        return os.path.exists(req.what)
    if req.kind == "module":
        return importlib.util.find_spec(req.what) is not None
    if req.kind == "ovmf":
        return ovmf.find(env=env) is not None
    raise ValueError(f"unknown requirement kind {req.kind!r}")


def missing(groups, env=None):
    """Requirements of the given groups that are not satisfied."""
    return [r for r in requirements(env)
            if r.group in groups and not is_present(r, env)]


def describe(miss, fam):
    """One line per missing thing, naming the package that provides it."""
    lines = []
    for r in miss:
        pkgs = " ".join(distro.packages_for(fam, [r.need]))
        lines.append(f"  missing: {r.what} (package {pkgs})")
    return lines


class DepsError(Exception):
    """Missing tools that we could not (or were told not to) install."""


def no_install_requested(flag, env=None):
    env = os.environ if env is None else env
    return flag or env.get("IPCBENCH_NO_INSTALL", "") not in ("", "0")


def apt_argv(pkgs, euid=None):
    """apt-get install through sudo unless we are root; None if impossible."""
    euid = os.geteuid() if euid is None else euid
    argv = ["apt-get", "install", "-y", *pkgs]
    if euid == 0:
        return argv
    if shutil.which("sudo") is None:
        return None
    return ["sudo", *argv]


def apt_install(pkgs, say, run=subprocess.run):
    """Install with apt-get; refresh the lists once if the first try fails
    (a fresh container has none, and then every package is 'not found')."""
    argv = apt_argv(pkgs)
    if argv is None:
        return False
    say("running: " + " ".join(argv))
    if run(argv).returncode == 0:
        return True
    update = argv[:argv.index("install")] + ["update"]
    say("install failed; refreshing package lists: " + " ".join(update))
    if run(update).returncode != 0:
        return False
    return run(argv).returncode == 0


def ensure(groups, no_install, say, rerun, env=None, os_release=None,
           run=subprocess.run):
    """Return when every requirement of `groups` is present; raise DepsError
    with the full message (install command, next command) otherwise."""
    miss = missing(groups, env)
    if not miss:
        return
    fam = distro.family(os_release)
    needs = [r.need for r in miss]
    cmd = distro.install_command(fam, needs)
    lines = describe(miss, fam)
    if fam == "debian" and not no_install_requested(no_install, env):
        pkgs = distro.packages_for(fam, needs)
        say("installing missing packages: " + " ".join(pkgs))
        if apt_install(pkgs, say, run) and not missing(groups, env):
            return
        lines.append("  automatic installation failed")
    raise DepsError("\n".join(
        ["missing host tools:"] + lines +
        [f"install them with:\n  {cmd}", f"then rerun: {rerun}"]))
