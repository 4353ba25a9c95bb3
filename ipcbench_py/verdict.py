"""verdict - judge one boot from QEMU's exit and the serial report.

Success needs both halves of the contract: QEMU exit status 33 (the kernel
wrote 0x10 to isa-debug-exit) AND the line `ipcbench: result PASS`.  Either
alone can be faked by a bug (a stray port write, a half-finished log), so
anything else is a failure with a one-line reason.
"""
from dataclasses import dataclass

from . import accel as accel_mod
from .qemu import EXIT_FAILURE, EXIT_SUCCESS

EXIT_OK, EXIT_FAIL, EXIT_ENV = 0, 1, 2


@dataclass(frozen=True)
class Verdict:
    ok: bool
    exit_code: int
    reason: str


def fail(reason, code=EXIT_FAIL):
    return Verdict(False, code, reason)


def qemu_error(output):
    """QEMU's own error line, e.g. a missing file.  Warnings, and the line
    QEMU prints when run.py itself stops it, are not errors."""
    for line in output.splitlines():
        if line.startswith("qemu-system") and "warning:" not in line \
                and "terminating on signal" not in line:
            return line.strip()
    return None


def _environment(outcome, report, accel_name):
    """Failures of the host, not of the kernel; None when there are none."""
    if outcome.interrupted:
        return fail("interrupted", 130)
    if accel_name == "kvm":
        line = accel_mod.kvm_failure(outcome.output + "\n" + "\n".join(report.lines))
        if line:
            return fail(f"KVM failed ({line}): this machine's KVM cannot run "
                        "the guest; rerun with --accel tcg", EXIT_ENV)
    err = qemu_error(outcome.output)
    # Only a QEMU that exited by itself can have failed to start.
    if err and outcome.status not in (None, EXIT_SUCCESS, EXIT_FAILURE) \
            and report.result is None:
        return fail(f"QEMU error: {err}", EXIT_ENV)
    return None


def _kernel(report):
    """What the loader or kernel said went wrong; None when nothing bad."""
    if report.loader_error:
        return fail(f"loader error: {report.loader_error}")
    if report.panic:
        return fail(f"kernel panic: {report.panic[0].strip()}")
    if report.result == "FAIL":
        return fail(f"kernel FAIL ({report.fail_reason})")
    if report.result == "PASS" and report.failed:
        return fail(f"kernel said PASS but {report.failed} TAP checks failed")
    return None


def _status(outcome, report):
    """Consistency of the exit status with the result line."""
    st = outcome.status
    if report.result == "PASS":
        if st == EXIT_SUCCESS:
            return Verdict(True, EXIT_OK, "PASS")
        if outcome.stopped_after_result:
            return fail("kernel printed PASS but QEMU did not exit "
                        "(plan end = halt, or power-off failed)")
        return fail(f"kernel printed PASS but QEMU exit status {st} (expected 33)")
    if st == EXIT_SUCCESS:
        return fail("QEMU exit status 33 but no 'ipcbench: result PASS' line")
    if st == 0:
        return fail("QEMU exited (status 0) before any result line: guest "
                    "reset or triple fault (-no-reboot turns a reset into an exit)")
    return fail(f"QEMU exit status {st} without a result line")


def judge(outcome, report, accel_name):
    """Verdict for a finished boot (outcome from qemu.Run.wait)."""
    env = _environment(outcome, report, accel_name)
    if env:
        return env
    if report.firmware_exception:
        return fail("firmware exception before the kernel took over (UEFI or "
                    f"loader fault): {report.firmware_exception}")
    if outcome.timed_out:
        return fail(f"timeout after {outcome.timeout_s:g} s; last serial line: "
                    f"{report.last_line or '(no serial output)'}")
    return _kernel(report) or _status(outcome, report)


def judge_log(report):
    """Verdict from a saved serial log alone (no exit status known)."""
    if report.firmware_exception:
        return fail(f"firmware exception: {report.firmware_exception}")
    bad = _kernel(report)
    if bad:
        return bad
    if report.result == "PASS":
        return Verdict(True, EXIT_OK, "PASS")
    return fail("no result line; log ends with: "
                f"{report.last_line or '(empty log)'}")
