"""profile_gdb - run inside gdb (gdb -batch -x profile_gdb.py) by
ipcbench_py/profile.py; everything comes in through the environment:

  IPCB_PORT        QEMU's gdb stub (the guest waits at reset: -S)
  IPCB_MARKER      address of bench_sample_taken in the user program
  IPCB_MARKER_HIT  stop at this hit of it (1-based): the client has just
                   stored the sample before the one to trace
  IPCB_RDTSC       addresses of every rdtsc in the user program
  IPCB_TRACE       file for the program counters, one hex per line

From the marker hit the guest runs on to the next rdtsc (the one that opens
the traced sample), then single-steps until the next rdtsc (the one that
closes it), so the file holds exactly the instructions between the two TSC
reads, the first read included.  Then gdb detaches and the boot goes on.
"""
import os

import gdb  # pylint: disable=import-error


def pc():
    return int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF


def main():
    env = os.environ
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("target remote 127.0.0.1:" + env["IPCB_PORT"])
    marker = gdb.Breakpoint("*" + env["IPCB_MARKER"], internal=True)
    marker.ignore_count = int(env["IPCB_MARKER_HIT"]) - 1
    gdb.execute("continue")
    marker.delete()
    rdtsc = [int(a, 16) for a in env["IPCB_RDTSC"].split()]
    stops = [gdb.Breakpoint(f"*{a:#x}", internal=True) for a in rdtsc]
    gdb.execute("continue")
    for b in stops:
        b.delete()
    ends = set(rdtsc)
    pcs = [pc()]
    while True:
        gdb.execute("stepi", to_string=True)
        here = pc()
        if here in ends:
            break
        pcs.append(here)
    with open(env["IPCB_TRACE"], "w", encoding="utf-8") as f:
        f.write("\n".join(f"{p:x}" for p in pcs) + "\n")
    gdb.execute("detach")


main()
