#!/usr/bin/python3
"""A stand-in for qemu-system-x86_64 in the sweep tests: replays the serial
log FAKE_BENCH_LOG into the -serial file:PATH of its arguments, a few lines
at a time (so the live progress has something to follow), then exits 33
when the log has `ipcbench: result PASS`, else 35.  With FAKE_BENCH_CUT=N
it stops after N bytes and hangs, like a guest that died mid-run."""
import os
import sys
import time


def serial_path(argv):
    return argv[argv.index("-serial") + 1].split(":", 1)[1]


def main():
    if "--version" in sys.argv:
        print("QEMU emulator version 0.0 (fake_qemu_bench.py)")
        return 0
    with open(os.environ["FAKE_BENCH_LOG"], "rb") as f:
        data = f.read()
    cut = os.environ.get("FAKE_BENCH_CUT")
    if cut:
        data = data[:int(cut)]
    with open(serial_path(sys.argv), "wb", buffering=0) as log:
        lines = data.splitlines(keepends=True)
        for i in range(0, len(lines), 8):
            log.write(b"".join(lines[i:i + 8]))
            time.sleep(0.01)
    if cut:
        time.sleep(300)
    return 33 if b"ipcbench: result PASS" in data else 35


if __name__ == "__main__":
    sys.exit(main())
