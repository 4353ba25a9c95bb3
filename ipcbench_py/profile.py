"""profile - where every instruction of one measured round trip goes
(./run.py profile, docs/PROFILE.md).

Boots the benchmark for one case (mechanism, variant, pattern, size) under
-icount with QEMU's gdb stub.  gdb (Debian's, driven by a Python script of
its own, profile_gdb.py) lets the warm-up and the first measured iterations
run at full speed, stops in the client after sample 1 (the marker
bench_sample_taken in bench/endpoint.c), runs on to the TSC read that opens
sample 2 and then single-steps until the TSC read that closes it, writing
down every program counter.  The boot then runs to its end, so the same boot
also prints the case's CSV row.

Under -icount the TSC counts instructions, so the sample is the number of
instructions from one TSC read to the next: the trace has exactly that many
entries.  gdb's single steps run with interrupts and timers masked (QEMU's
default for the stub), which is the common, tick-free round trip the p50
reports; the profile says whether its total equals this boot's p50.

Each program counter is attributed to the function around it (kernel.elf or
the user program's ELF, `nm`; inlined code counts for the function it was
inlined into) and each function to a part (PARTS below).
"""
import bisect
import csv
import os
import shutil
import socket
import subprocess
import sys
import types
from collections import Counter

from . import csvframe, qemu, registry, seriallog

KERNEL_ELF = os.path.join("build", "kernel", "kernel.elf")
USER_ELF = os.path.join("build", "user", "bench.elf")
GDB_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile_gdb.py")
MARKER = "bench_sample_taken"
TRACED_SAMPLE = 2               # 0-based measured iteration that is stepped
ITERS, WARMUP = 5, 3            # iters < BENCH_MIN_ITERS: no budget check reads the TSC
KERNEL_BASE = 0xffff800000000000

# Kernel functions by part (first match of a name or prefix wins); every
# other kernel function is the mechanism's own logic.
KERNEL_PARTS = (
    ("entry/exit", ("syscall_", "trap_return", "user_return_work",
                    "proc_hooks_user_return", "signal_user_return", "lrpc_user_return",
                    "isr_", "trap_", "alltraps")),
    ("dispatch", ("sys_", "arg_int_range")),
    ("locks", ("spin_lock", "spin_unlock", "push_off", "pop_off", "spin_held")),
    ("CR3/TLB", ("tlb_", "aspace_activate", "hw_write_cr3", "load_cr3")),
    ("scheduler", ("sched", "switch_to", "context_switch", "rq_", "wake", "sleep", "yield",
                   "tss_set_kernel_stack", "reap_dead", "fpu_switch")),
)
# User functions: the harness is bench/; everything else (ipc/user, the
# user library, string routines) is the mechanism's user library.
HARNESS_DIR = "bench/"


class ProfileError(Exception):
    pass


def add_parser(sub):
    p = sub.add_parser("profile", help="instructions per function and per part of one "
                       "measured round trip (-icount, gdb single-step)")
    p.add_argument("--mech", required=True, help="mechanism (see ./run.py list)")
    p.add_argument("--variant", default="", help="default: the mechanism's first")
    p.add_argument("--pattern", choices=("call", "pingpong"),
                   help="default: call when the mechanism has it, else pingpong")
    p.add_argument("--size", default="8", help="message size (data-less mechanisms: 0)")
    p.add_argument("--out", metavar="DIR", help="run directory (default results/<run-id>)")
    p.add_argument("--timeout", type=float, default=1800.0, metavar="S",
                   help="for the whole boot, stepping included (default 1800)")
    p.add_argument("--top", type=int, default=25, help="functions to print (default 25)")
    p.add_argument("--no-install", action="store_true",
                   help="never install missing packages; print the command instead")


# ------------------------------------------------------------ symbols

def symbols(elf):
    """[(address, name, file)] of the functions of elf, sorted."""
    out = subprocess.run(["nm", "-n", "-l", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3 and parts[1] in "tTwW":
            where = parts[3] if len(parts) > 3 else ""
            syms.append((int(parts[0], 16), parts[2], where))
    return syms


class Symbolizer:
    def __init__(self, kernel_syms, user_syms):
        self.tabs = {"kernel": kernel_syms, "user": user_syms}
        self.addrs = {k: [a for a, _, _ in v] for k, v in self.tabs.items()}

    def function(self, pc):
        """(side, name, source file) of the function around pc."""
        side = "kernel" if pc >= KERNEL_BASE else "user"
        i = bisect.bisect_right(self.addrs[side], pc) - 1
        if i < 0:
            return side, f"?{pc:#x}", ""
        _, name, where = self.tabs[side][i]
        return side, name, where


def part_of(side, name, where, repo):
    if side == "user":
        rel = os.path.relpath(where.split(":")[0], repo) if where else ""
        return "harness" if rel.startswith(HARNESS_DIR) else "user library"
    for part, prefixes in KERNEL_PARTS:
        if any(name == p or name.startswith(p) for p in prefixes):
            return part
    return "mechanism logic"


def attribute(pcs, sym, repo):
    """Counters per (side, function) and per part."""
    funcs, parts, part_of_func = Counter(), Counter(), {}
    for pc in pcs:
        side, name, where = sym.function(pc)
        key = (side, name)
        funcs[key] += 1
        if key not in part_of_func:
            part_of_func[key] = part_of(side, name, where, repo)
        parts[part_of_func[key]] += 1
    return funcs, parts, part_of_func


def write_csv(path, funcs, parts, part_of_func, total, p50):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["kind", "name", "side", "part", "instructions", "share"])
        for (side, name), n in funcs.most_common():
            w.writerow(["function", name, side, part_of_func[(side, name)], n,
                        f"{n / total:.4f}"])
        for part, n in parts.most_common():
            w.writerow(["part", part, "", part, n, f"{n / total:.4f}"])
        w.writerow(["total", "traced round trip", "", "", total, "1.0000"])
        w.writerow(["p50", "this boot's CSV row", "", "", "" if p50 is None else p50, ""])


def render(funcs, parts, part_of_func, total, top):
    lines = [f"{'instructions':>12}  {'share':>6}  function (part)"]
    for (side, name), n in funcs.most_common(top):
        tag = "k" if side == "kernel" else "u"
        lines.append(f"{n:12}  {n / total:6.1%}  {tag}:{name} ({part_of_func[(side, name)]})")
    rest = total - sum(n for _, n in funcs.most_common(top))
    if rest:
        lines.append(f"{rest:12}  {rest / total:6.1%}  ({len(funcs) - top} more functions)")
    lines.append("")
    lines.append(f"{'instructions':>12}  {'share':>6}  part")
    for part, n in parts.most_common():
        lines.append(f"{n:12}  {n / total:6.1%}  {part}")
    lines.append(f"{total:12}  100.0%  total")
    return lines


# ------------------------------------------------------------ the boot

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rdtsc_addresses(elf):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf],
                         capture_output=True, text=True, check=True).stdout
    return [line.split(":")[0].strip() for line in out.splitlines()
            if line.split("\t")[-1].strip() == "rdtsc"]


def marker_hit(variants, variant):
    """1-based hit of the marker after which sample TRACED_SAMPLE starts:
    the variants of a mechanism run in order, ITERS samples each."""
    names = [v or "" for v in variants]
    if variant not in names:
        raise ProfileError(f"variant {variant!r} not among {', '.join(n or '-' for n in names)}")
    if variant == registry.LEND:
        raise ProfileError(f"variant {registry.LEND} runs only the stream pattern; "
                           "profile traces round trips (pingpong, call)")
    # Variant lend runs no round trip, so it passes no marker.
    before = [n for n in names[:names.index(variant)] if n != registry.LEND]
    return len(before) * ITERS + TRACED_SAMPLE


def run_gdb(port, hit, trace_path, user_elf, timeout):
    env = dict(os.environ, IPCB_PORT=str(port), IPCB_TRACE=trace_path,
               IPCB_MARKER_HIT=str(hit),
               IPCB_MARKER=f"{marker_address(user_elf):#x}",
               IPCB_RDTSC=" ".join(rdtsc_addresses(user_elf)))
    return subprocess.run(["gdb", "-nx", "-q", "-batch", "-x", GDB_SCRIPT], env=env,
                          capture_output=True, text=True, timeout=timeout)


def marker_address(user_elf):
    for addr, sym, _ in symbols(user_elf):
        if sym == MARKER:
            return addr
    raise ProfileError(f"{MARKER} not found in {user_elf}: rebuild (make)")


def case_of(args, repo):
    mechs = {m.name: m for m in registry.mechanisms(repo)}
    m = mechs.get(args.mech)
    if m is None:
        raise ProfileError(f"no mechanism {args.mech!r} (have {', '.join(sorted(mechs))})")
    variant = args.variant or m.variants[0]
    pattern = args.pattern or ("call" if "CALL" in m.caps else "pingpong")
    if pattern == "call" and "CALL" not in m.caps:
        raise ProfileError(f"{m.name} has no call operation: use --pattern pingpong")
    size = "0" if m.max_msg == 0 else args.size
    return m, variant, pattern, size


def find_row(rows, mech, variant, pattern, size):
    for r in rows:
        if (r.get("mech"), r.get("variant") or "", r.get("pattern"), str(r.get("size"))) == \
                (mech, variant, pattern, str(size)):
            return r
    return None


def cmd_profile(args, prog, cli):
    repo = cli.REPO
    cli.stage_deps(args, prog, ["build", "run", "profile"], "./run.py profile ...")
    image = cli.stage_build(prog)
    try:
        m, variant, pattern, size = case_of(args, repo)
        hit = marker_hit(m.variants, variant)
    except ProfileError as e:
        raise cli.EnvError(str(e)) from None
    choice = cli.stage_accel(types.SimpleNamespace(accel="tcg"), prog)
    fw = cli.stage_firmware(prog)
    extras = ["mode=bench", f"mech={m.name}", f"patterns={pattern}", f"sizes={size}",
              f"iters={ITERS}", f"warmup={WARMUP}"]
    boot_args = types.SimpleNamespace(plan_extra=extras, plan=None, no_plan_check=False,
                                      out=args.out, force=False)
    run, _, img, vars_copy = cli.stage_prepare(boot_args, prog, image, fw, args.out, extras)
    # The ELFs of this image, kept beside the trace: symbols must come from
    # the build that was booted, not from whatever build/ holds later.
    kernel_elf = shutil.copyfile(os.path.join(repo, KERNEL_ELF), run.file("kernel.elf"))
    user_elf = shutil.copyfile(os.path.join(repo, USER_ELF), run.file("bench.elf"))
    port = free_port()
    cfg = qemu.Config(image=img, firmware=fw, vars_copy=vars_copy,
                      serial_log=run.file("serial.log"), accel=choice, icount=True,
                      extra=["-gdb", f"tcp:127.0.0.1:{port}", "-S"])
    label = f"{m.name}/{variant or '-'} {pattern} {size}"
    prog.say(f"booting {label} under -icount with the gdb stub on port {port}; "
             f"stepping sample {TRACED_SAMPLE} of {ITERS}")
    proc = qemu.start(cfg, run.file("qemu.log"))
    trace = run.file("trace.txt")
    try:
        g = run_gdb(port, hit, trace, user_elf, args.timeout)
        outcome = proc.wait(args.timeout)
    except subprocess.TimeoutExpired:
        proc.stop()
        raise cli.EnvError(f"gdb did not finish in {args.timeout:g} s "
                           f"(see {run.file('serial.log')})") from None
    finally:
        proc.stop()
    with open(run.file("gdb.log"), "w", encoding="utf-8") as f:
        f.write(g.stdout + g.stderr)
    if g.returncode != 0 or not os.path.exists(trace):
        raise cli.EnvError(f"gdb failed (exit {g.returncode}); see {run.file('gdb.log')}")
    with open(trace, encoding="utf-8") as f:
        pcs = [int(x, 16) for x in f.read().split()]
    report = seriallog.parse_file(cfg.serial_log)
    row = find_row(csvframe.extract(report.lines).rows, m.name, variant, pattern, size)
    p50 = row.get("p50") if row else None
    sym = Symbolizer(symbols(kernel_elf), symbols(user_elf))
    funcs, parts, part_of_func = attribute(pcs, sym, repo)
    total = len(pcs)
    out_csv = run.file("profile.csv")
    write_csv(out_csv, funcs, parts, part_of_func, total, p50)
    lines = [f"profile of one measured round trip: {label} (unit: instructions, -icount)"]
    lines += render(funcs, parts, part_of_func, total, args.top)
    if p50 is None:
        lines.append(f"this boot printed no row for {label} ({outcome.last_line!r})")
        code = 1
    else:
        same = int(p50) == total
        lines.append(f"p50 of this boot's row: {int(p50)} -> the traced total "
                     f"{'equals it' if same else 'DIFFERS'}")
        code = 0 if same else 1
    lines.append(f"written: {out_csv} (and trace.txt, the program counters)")
    prog.say("\n".join(lines))
    return code
