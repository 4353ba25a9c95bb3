#!/usr/bin/python3
"""A stand-in for qemu-system-x86_64 in run.py's tests: finds -serial
file:PATH in its arguments and acts out FAKE_QEMU_MODE there."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def serial_path(argv):
    return argv[argv.index("-serial") + 1].split(":", 1)[1]


def main():
    mode = os.environ.get("FAKE_QEMU_MODE", "pass")
    log = open(serial_path(sys.argv), "wb", buffering=0)
    if mode == "pass":
        log.write(b"ok 1 - fake\r\n1..1\r\nipcbench: result PASS\r\n")
        sys.exit(33)
    if mode == "hang":
        log.write(b"ok 1 - fake\r\nstuck in the middle\r\n")
    elif mode == "halt":
        log.write(b"ipcbench: result PASS\r\nipcbench: halted (plan end = halt)\r\n")
    elif mode == "kvm":
        with open(os.path.join(HERE, "qemu_kvm_internal_error.log"), "rb") as f:
            sys.stderr.buffer.write(f.read())
        sys.stderr.flush()
    elif mode == "fwexc":
        with open(os.path.join(HERE, "ovmf_exception.log"), "rb") as f:
            log.write(f.read())
    time.sleep(300)


if __name__ == "__main__":
    main()
