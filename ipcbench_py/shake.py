"""shake - varied timing per boot, to shake out races (run.py selftest --repeat).

A race that shows once in 24 boots on a busy host needs many boots with
different interleavings to show at all, and then a way to get the same one
back.  Every boot here has one seed; everything that varies is derived from
it alone, so `--repeat 1 --seed S` (with the same --icount choice) replays
boot S:

- the plan key `shake = S`: the kernel draws every timer period from 1/2 to
  3/2 of the timeslice with a generator seeded by S (kernel/time/timer.c),
  so preemption lands on different instructions;
- the timeslice itself, from TIMESLICES_US;
- with --icount, the shift (one instruction = 2**shift ns of guest time),
  which moves every tick relative to the instruction stream.  Under icount
  the same seed gives the same boot, instruction for instruction.
"""
import random
from dataclasses import dataclass

# Short slices preempt often (more interleavings); 10 ms is the default.
TIMESLICES_US = (1000, 2000, 5000, 10000)
ICOUNT_SHIFTS = (0, 1, 2)
SEED_MAX = 2**32 - 1        # the plan's `shake` range (0 means off)


class ShakeError(ValueError):
    pass


@dataclass(frozen=True)
class Shake:
    seed: int
    timeslice_us: int
    icount_shift: int = None    # None: no -icount

    def plan_extras(self):
        return [f"shake={self.seed}", f"timeslice_us={self.timeslice_us}"]

    def describe(self):
        bits = [f"seed {self.seed}", f"timeslice {self.timeslice_us} us",
                "tick periods 50..150%"]
        if self.icount_shift is not None:
            bits.append(f"icount shift={self.icount_shift}")
        return ", ".join(bits)

    def as_dict(self):
        return {"seed": self.seed, "timeslice_us": self.timeslice_us,
                "icount_shift": self.icount_shift}


def settings(seed, icount):
    """The timing of the boot with this seed (a pure function of it)."""
    if not 1 <= seed <= SEED_MAX:
        raise ShakeError(f"seed {seed} is out of range 1..{SEED_MAX}")
    rng = random.Random(seed)
    slice_us = rng.choice(TIMESLICES_US)
    shift = rng.choice(ICOUNT_SHIFTS) if icount else None
    return Shake(seed, slice_us, shift)


def seeds(first, count):
    """`count` consecutive seeds from `first`, wrapping within 1..SEED_MAX."""
    if count < 1:
        raise ShakeError("--repeat must be at least 1")
    if not 1 <= first <= SEED_MAX:
        raise ShakeError(f"--seed {first} is out of range 1..{SEED_MAX}")
    return [(first - 1 + i) % SEED_MAX + 1 for i in range(count)]


def fresh_seed(rng=None):
    """A first seed when none was given (printed, so the run can be replayed)."""
    return (rng or random.SystemRandom()).randint(1, 2**31 - 1)


def replay_command(shake, icount, extra_args=()):
    parts = ["./run.py", "selftest", "--repeat", "1", "--seed", str(shake.seed)]
    if icount:
        parts.append("--icount")
    return " ".join(parts + list(extra_args))
