"""Shared pytest setup for ipcbench's Python tests.

`make test` promises a last line `N passed, N failed`.  pytest's own
summary line comes after pytest_terminal_summary, so ours is printed from
pytest_unconfigure, which runs after it.
"""
import os
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
