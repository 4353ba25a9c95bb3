"""distro - which Linux distribution this is and how to install packages on it.

Install commands are printed verbatim in error messages, so they must be
exact for each family.  Package names are per family; callers name the
logical need ("qemu", "ovmf", ...) and get the right package.
"""
import shlex

OS_RELEASE = "/etc/os-release"

FAMILIES = ("debian", "fedora", "arch", "suse")

# Logical need -> package name(s) per family, in FAMILIES order: one row a
# need, so what differs between families stands side by side.
_NAMES = {
    "compiler":       ("build-essential", "gcc make binutils", "base-devel",
                       "gcc make binutils"),
    "gnu-efi":        ("gnu-efi", "gnu-efi-devel", "gnu-efi", "gnu-efi"),
    "qemu":           ("qemu-system-x86", "qemu-system-x86", "qemu-system-x86", "qemu-x86"),
    "ovmf":           ("ovmf", "edk2-ovmf", "edk2-ovmf", "qemu-ovmf-x86_64"),
    "mtools":         ("mtools",) * 4,
    "dosfstools":     ("dosfstools",) * 4,
    "matplotlib":     ("python3-matplotlib", "python3-matplotlib", "python-matplotlib",
                       "python3-matplotlib"),
    "pytest":         ("python3-pytest", "python3-pytest", "python-pytest", "python3-pytest"),
    "bochs":          ("bochs bochsbios vgabios bochs-term", "bochs", "bochs", "bochs"),
    "libc-static":    ("libc6-dev", "glibc-static", "glibc", "glibc-devel-static"),
    "busybox-static": ("busybox-static", "busybox", "busybox", "busybox-static"),
    "gdb":            ("gdb",) * 4,
}
PACKAGES = {fam: {need: names[i] for need, names in _NAMES.items()}
            for i, fam in enumerate(FAMILIES)}

INSTALLERS = {
    "debian": "sudo apt-get install -y",
    "fedora": "sudo dnf install -y",
    "arch": "sudo pacman -S --needed",
    "suse": "sudo zypper install -y",
}


def _unquote(value):
    try:
        return " ".join(shlex.split(value))
    except ValueError:
        return value.strip("\"'")


def read_os_release(path=OS_RELEASE):
    """Return os-release as a dict; empty when the file is missing."""
    fields = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.strip().partition("=")
                if sep:
                    fields[key] = _unquote(value)
    except OSError:
        pass
    return fields


def family(os_release=None, path=OS_RELEASE):
    """'debian', 'fedora', 'arch', 'suse' or 'unknown' (ID, then ID_LIKE)."""
    fields = os_release if os_release is not None else read_os_release(path)
    ids = [fields.get("ID", "")] + fields.get("ID_LIKE", "").split()
    for ident in ids:
        ident = ident.lower()
        if ident in ("debian", "ubuntu"):
            return "debian"
        if ident in ("fedora", "rhel", "centos"):
            return "fedora"
        if ident in ("arch", "archlinux", "manjaro"):
            return "arch"
        if ident.startswith(("suse", "opensuse")):
            return "suse"
    return "unknown"


def packages_for(fam, needs):
    """Package names (deduplicated, in order) for logical needs on fam."""
    table = PACKAGES.get(fam, PACKAGES["debian"])
    out = []
    for need in needs:
        for pkg in table[need].split():
            if pkg not in out:
                out.append(pkg)
    return out


def install_command(fam, needs):
    """The exact command a user should run, or a hint for unknown systems."""
    if fam not in INSTALLERS:
        names = ", ".join(packages_for("debian", needs))
        return (f"install the equivalents of these Debian packages with your "
                f"package manager: {names}")
    return f"{INSTALLERS[fam]} {' '.join(packages_for(fam, needs))}"
