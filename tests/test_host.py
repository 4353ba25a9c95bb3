"""Host unit tests: runs every build/host/test_* binary (built by
`make host-tests` from tests/host/test_*.c) and judges it by its exit
status, which is its number of failed checks.  One pytest test per binary,
so `make test`'s summary counts them; a failure shows the `not ok` lines."""
import glob
import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(REPO, "build"))
SOURCES = sorted(glob.glob(os.path.join(REPO, "tests", "host", "test_*.c")))


def binary_for(source):
    name = os.path.splitext(os.path.basename(source))[0]
    return os.path.join(BUILD, "host", name)


@pytest.mark.parametrize("source", SOURCES, ids=[os.path.basename(s) for s in SOURCES])
def test_host_unit(source):
    binary = binary_for(source)
    assert os.path.exists(binary), f"{binary} missing: run `make host-tests` first"
    run = subprocess.run([binary], capture_output=True, text=True, timeout=300)
    lines = run.stdout.splitlines()
    failures = [l for l in lines if l.startswith("not ok")]
    oks = [l for l in lines if l.startswith("ok ")]
    assert run.returncode == 0 and not failures, \
        "\n".join(failures[:40]) + f"\n(exit {run.returncode})\n{run.stderr[-2000:]}"
    assert oks, f"{binary} reported no checks at all"
