"""qemu - build the QEMU command line, run it, enforce the timeout.

Exit status contract (isa-debug-exit at port 0xf4): the guest writes v and
QEMU exits with (v << 1) | 1, so the kernel's 0x10 is 33 (success) and 0x11
is 35 (failure).  -no-reboot turns a guest reset (triple fault) into exit 0.
"""
import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field

from .accel import kvm_failure
from .seriallog import SerialTail

QEMU = "qemu-system-x86_64"
EXIT_SUCCESS = 33
EXIT_FAILURE = 35
POLL_S = 0.05
# A kernel that printed its result but keeps running (plan end = halt, or a
# broken power-off) is stopped after this long instead of at the timeout.
AFTER_RESULT_GRACE_S = 5.0
# OVMF prints its exception dump and then hangs; give the dump time to end.
AFTER_FW_EXCEPTION_S = 2.0


@dataclass
class Config:
    image: str
    firmware: object            # ovmf.Firmware
    vars_copy: str              # writable copy of OVMF_VARS (None if combined)
    serial_log: str
    accel: object               # accel.Accel
    memory_mb: int = 1024
    smp: int = 1
    icount: bool = False
    icount_shift: int = 0       # one instruction = 2**shift ns of guest time
    monitor: str = None         # unix socket path for the HMP monitor
    extra: list = field(default_factory=list)
    qemu: str = QEMU
    disk: str = "ahci"          # how the image is attached: a DISKS key


def _opt(path):
    """Escape a path for a QEMU -drive/-chardev option value."""
    return str(path).replace(",", ",,")


def firmware_args(fw, vars_copy):
    if fw.combined:
        return ["-bios", fw.code]
    return ["-drive", f"if=pflash,format=raw,readonly=on,file={_opt(fw.code)}",
            "-drive", f"if=pflash,format=raw,file={_opt(vars_copy)}"]


def icount_args(shift=0):
    # One guest TSC tick per instruction (shift 0); pin the RTC and RNG seed
    # too so two runs of the same image are byte-identical.
    return ["-icount", f"shift={shift},sleep=off,align=off",
            "-rtc", "base=2024-01-01T00:00:00,clock=vm", "-seed", "1"]


# How the image is attached, as a USB stick may be seen by firmware:
# q35's built-in AHCI (the default), IDE on the older i440fx machine, or a
# USB mass-storage device on an xHCI controller.  Value: (machine, argv).
DISKS = {
    "ahci": ("q35", lambda img: ["-drive", f"format=raw,file={_opt(img)}"]),
    "ide": ("pc", lambda img: ["-drive", f"if=ide,format=raw,file={_opt(img)}"]),
    "usb": ("q35", lambda img: ["-device", "qemu-xhci,id=xhci",
                                "-drive", f"if=none,id=stick,format=raw,file={_opt(img)}",
                                "-device", "usb-storage,bus=xhci.0,drive=stick"]),
}


def machine_args(qemu, accel, memory_mb, smp, serial_log, machine="q35"):
    """The virtual machine every boot gets (ipcbench's and ./run.py linux
    --guest's): machine, CPU model, memory, CPUs, serial port, no NIC."""
    return [qemu, "-machine", machine, "-cpu", accel.cpu,
            "-m", str(memory_mb), "-smp", str(smp),
            "-no-reboot", "-display", "none",
            # No NIC: a failed disk boot would otherwise sit in PXE for minutes.
            "-nic", "none",
            "-serial", f"file:{serial_log}"]


def command(cfg):
    """The full argv for one boot."""
    machine, disk_argv = DISKS[cfg.disk]
    argv = machine_args(cfg.qemu, cfg.accel, cfg.memory_mb, cfg.smp, cfg.serial_log, machine)
    argv += firmware_args(cfg.firmware, cfg.vars_copy)
    argv += disk_argv(cfg.image)
    argv += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-accel", cfg.accel.name]
    if cfg.monitor:
        argv += ["-monitor", f"unix:{_opt(cfg.monitor)},server=on,wait=off"]
    else:
        argv += ["-monitor", "none"]
    if cfg.icount:
        argv += icount_args(cfg.icount_shift)
    return argv + list(cfg.extra)


def version(qemu=QEMU):
    """First line of `qemu --version`, or why it could not be read."""
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


@dataclass
class Outcome:
    status: int = None          # QEMU exit status; None when we stopped it
    timed_out: bool = False
    stopped_after_result: bool = False
    stopped_after_fw_exception: bool = False
    stopped_after_kvm_error: bool = False
    interrupted: bool = False
    timeout_s: float = 0.0
    wall_s: float = 0.0
    first_output_s: float = None
    result_s: float = None
    fw_exception_s: float = None
    last_line: str = ""
    output: str = ""            # QEMU's own stdout/stderr


PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in the child before exec: QEMU gets SIGTERM when run.py dies,
    even by SIGKILL, so no orphaned QEMU keeps a CPU busy."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass                    # not Linux: the normal stop() path remains


class Run:
    """One QEMU process whose stdout/stderr go to `output_path`."""

    def __init__(self, argv, serial_log, output_path):
        self.argv = argv
        self.tail = SerialTail(serial_log)
        self.output_path = output_path
        self.output_seen = 0
        self.t0 = time.monotonic()
        with open(output_path, "wb") as out:
            # Own session: a Ctrl-C in the terminal reaches run.py, which
            # then stops QEMU itself and still writes meta.json.
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True,
                                         preexec_fn=_die_with_parent)

    def elapsed(self):
        return time.monotonic() - self.t0

    def stop(self):
        """Terminate QEMU, then kill it if it does not go."""
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _read_output(self):
        with open(self.output_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def _observe(self, outcome):
        """Poll the serial log once; note when output and the result came."""
        self.tail.poll()
        if self.tail.saw_output and outcome.first_output_s is None:
            outcome.first_output_s = self.elapsed()
        if self.tail.result and outcome.result_s is None:
            outcome.result_s = self.elapsed()
        if self.tail.firmware_exception and outcome.fw_exception_s is None:
            outcome.fw_exception_s = self.elapsed()

    def _kvm_failed(self):
        """QEMU pauses the guest on a KVM internal error and waits forever;
        its output is the only sign, so watch it."""
        size = os.path.getsize(self.output_path)
        if size == self.output_seen:
            return False
        self.output_seen = size
        return kvm_failure(self._read_output()) is not None

    def _should_stop(self, out, grace):
        """Set the reason and return True when waiting longer is pointless."""
        now = self.elapsed()
        if now >= out.timeout_s:
            out.timed_out = True
        elif grace is not None and out.result_s is not None \
                and now - out.result_s >= grace:
            out.stopped_after_result = True
        elif out.fw_exception_s is not None \
                and now - out.fw_exception_s >= AFTER_FW_EXCEPTION_S:
            out.stopped_after_fw_exception = True
        elif self._kvm_failed():
            out.stopped_after_kvm_error = True
        else:
            return False
        return True

    def wait(self, timeout, grace=AFTER_RESULT_GRACE_S):
        """Wait for QEMU to exit, at most `timeout` seconds (and at most
        `grace` seconds after the result line when grace is not None)."""
        out = Outcome(timeout_s=timeout)
        try:
            while self.proc.poll() is None:
                self._observe(out)
                if self._should_stop(out, grace):
                    break
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            out.interrupted = True
        stopped = self.proc.poll() is None
        self.stop()
        self._observe(out)
        out.status = None if stopped else self.proc.returncode
        out.wall_s = self.elapsed()
        out.last_line = self.tail.last_line
        out.output = self._read_output()
        return out


def start(cfg, output_path):
    """Launch QEMU for cfg; the caller waits on the returned Run."""
    if os.path.exists(cfg.serial_log):
        os.unlink(cfg.serial_log)
    return Run(command(cfg), cfg.serial_log, output_path)
