"""ovmf - find the UEFI firmware QEMU boots the image with.

Distributions ship OVMF as a CODE/VARS pair (VARS is copied per run because
the firmware writes to it) or as one combined OVMF.fd (booted with -bios).
$OVMF_CODE/$OVMF_VARS override the search.
"""
import os
from dataclasses import dataclass

from . import distro

# (code, vars) pairs in preference order; vars None = combined image.
CANDIDATES = [
    # Debian, Ubuntu
    ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
    ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
    ("/usr/share/ovmf/OVMF.fd", None),
    # Fedora, RHEL
    ("/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"),
    # Arch
    ("/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd"),
    ("/usr/share/edk2-ovmf/x64/OVMF_CODE.fd", "/usr/share/edk2-ovmf/x64/OVMF_VARS.fd"),
    ("/usr/share/edk2/x64/OVMF.4m.fd", None),
    # openSUSE, generic
    ("/usr/share/qemu/ovmf-x86_64-code.bin", "/usr/share/qemu/ovmf-x86_64-vars.bin"),
    ("/usr/share/qemu/OVMF.fd", None),
]


@dataclass(frozen=True)
class Firmware:
    code: str
    vars: str = None     # None: `code` is a combined image, boot with -bios

    @property
    def combined(self):
        return self.vars is None


class OvmfError(Exception):
    pass


def _sibling_vars(code):
    """OVMF_CODE_4M.fd -> OVMF_VARS_4M.fd beside it, if that exists."""
    head, base = os.path.split(code)
    for a, b in (("CODE", "VARS"), ("code", "vars")):
        if a in base:
            cand = os.path.join(head, base.replace(a, b))
            if os.path.isfile(cand):
                return cand
    return None


def from_env(env):
    """Firmware named by $OVMF_CODE/$OVMF_VARS, None when unset."""
    code, vars_ = env.get("OVMF_CODE"), env.get("OVMF_VARS")
    if not code:
        if vars_:
            raise OvmfError("OVMF_VARS is set but OVMF_CODE is not; set both")
        return None
    for name, path in (("OVMF_CODE", code), ("OVMF_VARS", vars_)):
        if path and not os.path.isfile(path):
            raise OvmfError(f"{name}={path} does not exist")
    return Firmware(code, vars_ or _sibling_vars(code))


def find(env=None, root="/", candidates=CANDIDATES):
    """The firmware to use, or None.  `root` prefixes the standard paths
    (tests point it at a fake tree)."""
    env = os.environ if env is None else env
    try:
        fw = from_env(env)
    except OvmfError:
        return None
    if fw:
        return fw
    for code, vars_ in candidates:
        c = os.path.join(root, code.lstrip("/"))
        v = os.path.join(root, vars_.lstrip("/")) if vars_ else None
        if os.path.isfile(c) and (v is None or os.path.isfile(v)):
            return Firmware(c, v)
    return None


def require(env=None, root="/", os_release=None):
    """Like find() but raises OvmfError with the install command."""
    env = os.environ if env is None else env
    fw = from_env(env)          # a bad $OVMF_CODE is an error, not a fallback
    fw = fw or find(env, root)
    if fw:
        return fw
    cmd = distro.install_command(distro.family(os_release), ["ovmf"])
    raise OvmfError(
        "OVMF (UEFI firmware for QEMU) not found.\n"
        f"install it with:\n  {cmd}\n"
        "or point OVMF_CODE (and OVMF_VARS) at the firmware files")
