"""linuxguest - what ./run.py linux --guest boots: a Debian kernel, an
initramfs made here, and QEMU's command line.

Kernel: --kernel PATH, else Debian's linux-image-amd64 fetched with
`apt-get download` (the metapackage, then the linux-image-<abi>-amd64
package it depends on, which holds the vmlinuz) and unpacked with
`dpkg-deb -x` into build/linux-guest/ - never installed, no root needed.
Its serial console (8250) and initramfs support are built in, so no module
is needed: the benchmark talks to nothing but the serial port.

Initramfs: an uncompressed newc cpio written here (no root, no cpio tool):
/init (a busybox sh script), busybox (static: the busybox-static package's
/bin/busybox, else its .deb fetched like the kernel), the static benchmark
as /bench, and the /dev/console node the kernel opens for init.
"""
import glob
import os
import shlex
import stat
import struct
import subprocess

from . import qemu

CACHE = os.path.join("build", "linux-guest")
KERNEL_PACKAGE = "linux-image-amd64"
BUSYBOX_PACKAGE = "busybox-static"
BUSYBOX = "/bin/busybox"
DEFAULT_CMDLINE = "mitigations=off"
# Always on the command line: the serial console, no kernel chatter on it
# (the CSV shares the port), our init, and a panic ends QEMU (-no-reboot).
BASE_CMDLINE = "console=ttyS0 quiet loglevel=3 rdinit=/init panic=-1"
# The guest's limits raised to ipcbench's own (common/sysv_abi.h MSGMAX and
# MSGMNB), so the same message sizes run; recorded in meta.json.
GUEST_SYSCTL = {"kernel/msgmax": 65536, "kernel/msgmnb": 131072}
RESULT_LINE = "linux-guest: bench exit"


class GuestError(Exception):
    """A kernel or busybox that cannot be had; says what to do."""


# ------------------------------------------------------------- packages

def _run(argv, cwd=None):
    try:
        res = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GuestError(f"{' '.join(argv)}: {e}") from None
    if res.returncode != 0:
        raise GuestError(f"{' '.join(argv)} failed: {(res.stderr or res.stdout).strip()}")
    return res.stdout


def download(package, into):
    """The .deb of `package` (apt-get download into `into`)."""
    os.makedirs(into, exist_ok=True)
    found = glob.glob(os.path.join(into, f"{package}_*.deb"))
    if not found:
        _run(["apt-get", "download", package], cwd=into)
        found = glob.glob(os.path.join(into, f"{package}_*.deb"))
    if not found:
        raise GuestError(f"apt-get download {package} left no .deb in {into}")
    return sorted(found)[-1]


def deb_field(deb, field):
    return _run(["dpkg-deb", "-f", deb, field]).strip()


def image_package(meta_deb):
    """linux-image-amd64 depends on the package with the kernel in it."""
    for dep in deb_field(meta_deb, "Depends").split(","):
        name = dep.strip().split()[0] if dep.strip() else ""
        if name.startswith("linux-image-") and name != KERNEL_PACKAGE:
            return name
    raise GuestError(f"{meta_deb}: no linux-image-* in its Depends")


def debian_kernel(repo, say):
    """(vmlinuz path, {package, version}) from the cache or the archive."""
    cache = os.path.join(repo, CACHE)
    meta_deb = download(KERNEL_PACKAGE, cache)
    pkg = image_package(meta_deb)
    deb = download(pkg, cache)
    root = os.path.join(cache, pkg)
    kernels = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
    if not kernels:
        say(f"unpacking {os.path.basename(deb)} (dpkg-deb -x, not installed)")
        _run(["dpkg-deb", "-x", deb, root])
        kernels = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
    if not kernels:
        raise GuestError(f"{deb} holds no boot/vmlinuz-*")
    return kernels[0], {"package": pkg, "version": deb_field(deb, "Version")}


def kernel(repo, path, say):
    if path:
        if not os.path.isfile(path):
            raise GuestError(f"--kernel {path}: no such file")
        return os.path.abspath(path), {"package": None, "version": None}
    return debian_kernel(repo, say)


def is_static_elf(path):
    """True for an ELF file without a PT_INTERP (dynamic loader) header."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2:
                return False
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                if struct.unpack("<I", f.read(4))[0] == 3:      # PT_INTERP
                    return False
            return True
    except (OSError, struct.error):
        return False


def busybox(repo, say):
    """A static busybox: the installed one, else busybox-static's .deb."""
    if is_static_elf(BUSYBOX):
        return BUSYBOX
    cache = os.path.join(repo, CACHE)
    root = os.path.join(cache, BUSYBOX_PACKAGE)
    path = os.path.join(root, "bin", "busybox")
    if not os.path.isfile(path):
        deb = download(BUSYBOX_PACKAGE, cache)
        say(f"unpacking {os.path.basename(deb)} (dpkg-deb -x, not installed)")
        _run(["dpkg-deb", "-x", deb, root])
    if not is_static_elf(path):
        raise GuestError(f"{path} is not a static ELF program")
    return path


# ------------------------------------------------------------ initramfs

def init_script(bench_args, env):
    """/init: mount what the benchmark reads, set the guest's limits, run
    the driver on the console, power off."""
    sysctl = "".join(f"echo {v} > /proc/sys/{k}\n" for k, v in GUEST_SYSCTL.items())
    envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    return ("#!/bin/busybox sh\n"
            "/bin/busybox mount -t proc proc /proc\n"
            "/bin/busybox mount -t sysfs sysfs /sys\n"
            "/bin/busybox mount -t devtmpfs devtmpfs /dev\n"
            + sysctl +
            'echo "linux-guest: kernel $(/bin/busybox uname -r) cmdline $(cat /proc/cmdline)"\n'
            f"{envs} /bench {bench_args}\n"
            f'echo "{RESULT_LINE} $?"\n'
            "/bin/busybox poweroff -f\n")


def _cpio_entry(ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    head = "070701" + "".join(f"{v:08x}" for v in (
        ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    out = head.encode() + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def cpio(entries):
    """newc archive bytes of [(name, mode, data, rdev)] plus the trailer."""
    out = b"".join(_cpio_entry(i + 1, n, m, d, r) for i, (n, m, d, r) in enumerate(entries))
    return out + _cpio_entry(0, "TRAILER!!!", 0)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def build_initramfs(out, bench, busybox_path, init_text):
    """Write the initramfs to `out`; returns its size in bytes."""
    d, x, f = stat.S_IFDIR | 0o755, stat.S_IFREG | 0o755, stat.S_IFREG | 0o644
    entries = [(name, d, b"", (0, 0)) for name in ("bin", "dev", "proc", "sys", "tmp")]
    entries += [("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
                ("bin/busybox", x, _read(busybox_path), (0, 0)),
                ("bin/sh", stat.S_IFLNK | 0o777, b"busybox", (0, 0)),
                ("bench", x, _read(bench), (0, 0)),
                ("init", x, init_text.encode(), (0, 0)),
                ("etc", d, b"", (0, 0)),
                ("etc/ipcbench-guest", f, b"initramfs of ./run.py linux --guest\n", (0, 0))]
    data = cpio(entries)
    with open(out, "wb") as fh:
        fh.write(data)
    return len(data)


# ----------------------------------------------------------------- QEMU

def qemu_argv(qemu_bin, accel, serial_log, kernel_path, initrd, cmdline, icount,
              memory_mb=None, smp=None):
    """ipcbench's virtual machine (qemu.machine_args, the same accel, CPU
    model, memory, CPUs and -icount flags) booting Linux directly."""
    memory_mb = memory_mb or qemu.Config.memory_mb
    smp = smp or qemu.Config.smp
    argv = qemu.machine_args(qemu_bin, accel, memory_mb, smp, serial_log)
    argv += ["-kernel", kernel_path, "-initrd", initrd,
             "-append", f"{BASE_CMDLINE} {cmdline}".strip(),
             "-accel", accel.name, "-monitor", "none"]
    if icount:
        argv += qemu.icount_args()
    return argv
