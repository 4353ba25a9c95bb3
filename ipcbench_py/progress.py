"""progress - one timestamped line per stage, so a slow stage is visible."""
import sys
import time


class Progress:
    def __init__(self, stream=None, clock=time.monotonic):
        self.stream = stream or sys.stdout
        self.clock = clock
        self.t0 = clock()

    def elapsed(self):
        return self.clock() - self.t0

    def say(self, msg):
        # flush: run.py is often piped through make or tee, and a stage that
        # takes a minute must be visible while it runs.
        print(f"[{self.elapsed():5.1f}s] {msg}", file=self.stream, flush=True)
