"""fuzz - `./run.py fuzz`: one boot that runs only the fuzz selftest
(kernel/test/test_fuzz.c) with the calls, seed and number of fuzzers asked
for, prints its progress lines as they come, and ends with the seed and the
command that replays it.  docs/RELIABILITY.md says what is fuzzed.

The boot itself is `./run.py selftest` with plan keys added (tests = fuzz,
fuzz_calls, fuzz_seed, fuzz_procs), so the run directory, meta.json and the
verdict are the selftest's.
"""
import os
import re
import threading
import time

from . import seriallog

PROGRESS = re.compile(r"^# fuzz: (.*)$")
MAX_PROCS = 8              # FUZZ_MAX_PROCS in common/fuzz_abi.h
MAX_CALLS = 1000000000     # the plan's fuzz_calls range (docs/PLAN.md)
MAX_SEED = 4294967295
# Measured on a 2-core TCG host: about 10,000 calls/s; leave a wide margin
# for a loaded machine, and ten times more under -icount.
BOOT_S = 90.0
S_PER_CALL = 0.001


class FuzzUsage(Exception):
    pass


def add_parser(sub, add_boot_options):
    p = sub.add_parser("fuzz", help="random and adversarial system calls beside a "
                                    "checksummed victim; exit 0 iff the kernel held",
                       description="Boots the fuzz selftest (docs/RELIABILITY.md). Here "
                                   f"--timeout defaults to {BOOT_S:g} s + {S_PER_CALL * 1000:g} ms "
                                   "per call, ten times that with --icount.")
    p.add_argument("--calls", type=int, default=50000, metavar="N",
                   help="system calls in all, spread over the fuzzers (default 50000)")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="PRNG seed; the same seed replays the same calls under "
                        "--icount (default 1)")
    p.add_argument("--procs", type=int, default=4, metavar="K",
                   help=f"fuzzer processes, 1..{MAX_PROCS} (default 4)")
    add_boot_options(p)
    return p


def check(args):
    if not 1 <= args.calls <= MAX_CALLS:
        raise FuzzUsage(f"--calls must be 1..{MAX_CALLS}")
    if not 0 <= args.seed <= MAX_SEED:
        raise FuzzUsage(f"--seed must be 0..{MAX_SEED}")
    if not 1 <= args.procs <= MAX_PROCS:
        raise FuzzUsage(f"--procs must be 1..{MAX_PROCS}")


def plan_extras(args):
    return [f"tests=fuzz", f"fuzz_calls={args.calls}", f"fuzz_seed={args.seed}",
            f"fuzz_procs={args.procs}"]


def timeout_for(calls, icount):
    t = BOOT_S + calls * S_PER_CALL
    return t * 10 if icount else t


def replay_command(args):
    return (f"./run.py fuzz --calls {args.calls} --seed {args.seed} "
            f"--procs {args.procs} --icount")


class ProgressTail(threading.Thread):
    """Says every '# fuzz: ...' line of the serial log as it appears."""

    def __init__(self, path, say):
        super().__init__(daemon=True)
        self.say = say
        self.serial = seriallog.SerialTail(path, on_line=self.line)
        self.done = threading.Event()

    def line(self, text):
        m = PROGRESS.match(text.strip())
        if m:
            self.say(f"fuzz: {m.group(1)}")

    def poll(self):
        self.serial.poll()

    def run(self):
        while not self.done.wait(0.5):
            self.poll()

    def stop(self):
        self.done.set()
        self.join(timeout=5)
        self.poll()


def cmd_fuzz(args, prog, run_selftest, results_root):
    """Boots the fuzz selftest through `run_selftest(args, prog)` (cli's
    selftest command) and returns its exit status."""
    check(args)
    args.plan_extra = plan_extras(args) + list(args.plan_extra)
    if args.timeout is None:
        args.timeout = timeout_for(args.calls, args.icount)
    if not args.out:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        args.out = os.path.join(results_root, f"fuzz-{stamp}-seed{args.seed}")
    prog.say(f"fuzz: {args.calls} calls, {args.procs} fuzzers, seed {args.seed}"
             f"{' (icount: deterministic)' if args.icount else ''}")
    tail = ProgressTail(os.path.join(args.out, "serial.log"), prog.say)
    tail.start()
    try:
        status = run_selftest(args, prog)
    finally:
        tail.stop()
    verdict = "PASS" if status == 0 else "FAIL"
    prog.say(f"fuzz: {verdict}, seed {args.seed}; replay: {replay_command(args)}")
    return status
