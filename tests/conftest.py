"""Shared pytest setup for ipcbench's Python tests.

`make test` promises a last line `N passed, N failed`.  pytest's own
summary line comes after pytest_terminal_summary, so ours is printed from
pytest_unconfigure, which runs after it.

@pytest.mark.timeout(S) bounds a test's wall time with SIGALRM (Debian's
pytest has no timeout plugin; when pytest-timeout is installed it handles
the marker instead).  @pytest.mark.qemu marks tests that boot QEMU, so
`pytest -m "not qemu"` runs the quick ones only.
"""
import os
import signal
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def _outcomes(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return None
    stats = reporter.stats
    failed = {r.nodeid for key in ("failed", "error") for r in stats.get(key, [])
              if hasattr(r, "nodeid")}
    passed = {r.nodeid for r in stats.get("passed", [])} - failed
    return len(passed), len(failed)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    counts = _outcomes(config)
    if counts is not None:
        print(f"{counts[0]} passed, {counts[1]} failed", flush=True)


@pytest.fixture
def repo():
    return REPO


@pytest.fixture(scope="session")
def built_image():
    """build/ipcbench.img, made (or found up to date) once per session."""
    image = os.path.join(REPO, "build", "ipcbench.img")
    res = subprocess.run(["make", "-s"], cwd=REPO, capture_output=True, text=True)
    if res.returncode != 0 or not os.path.isfile(image):
        pytest.fail(f"make failed ({res.returncode}):\n{res.stdout}{res.stderr}")
    return image


def pytest_configure(config):
    config.addinivalue_line("markers", "qemu: boots the image under QEMU")
    if not config.pluginmanager.hasplugin("timeout"):
        config.addinivalue_line("markers", "timeout(seconds): fail the test "
                                "when it runs longer than this")


class AlarmTimeout(Exception):
    pass


@pytest.fixture(autouse=True)
def _alarm_timeout(request):
    marker = request.node.get_closest_marker("timeout")
    if marker is None or request.config.pluginmanager.hasplugin("timeout"):
        yield
        return
    seconds = int(marker.args[0])

    def expired(signum, frame):
        raise AlarmTimeout(f"test ran longer than its {seconds} s timeout")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
