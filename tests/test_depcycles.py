"""No new dependency cycle between files (tools/depcycles.py): C includes,
C symbols between the built objects, Python imports.  Known cycles are
listed in tools/depcycles_allow.txt, and a listed cycle that is gone fails
too, so the list only shrinks."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
import depcycles  # noqa: E402


def test_no_unlisted_cycle(built_image):
    run = subprocess.run([sys.executable, os.path.join(REPO, "tools", "depcycles.py")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_finds_a_cycle_of_each_kind():
    """The checker itself: a two-file cycle in each graph is found."""
    graph = {"a.c": {"b.c"}, "b.c": {"c.c"}, "c.c": {"a.c"}, "d.c": {"a.c"}}
    assert depcycles.strongly_connected(graph) == [("a.c", "b.c", "c.c")]
    assert depcycles.strongly_connected({"a": {"b"}, "b": set()}) == []
    sym = {"x/a.c": {"y/b.c"}, "y/b.c": {"x/a.c"}, "x/c.c": {"x/d.c"}, "x/d.c": {"x/c.c"},
           "x/e.c": {"y/b.c"}}
    assert sorted(depcycles.symbol_cycles(sym)) == [("x/a.c", "y/b.c"), ("x/c.c", "x/d.c")]


def test_python_imports_inside_functions_count():
    graph = depcycles.python_graph()
    assert "ipcbench_py/plots.py" in graph["ipcbench_py/sweep.py"]   # `from . import compare, plots` in a function
    assert "ipcbench_py/csvframe.py" in graph["ipcbench_py/plots.py"]


def test_unbracketed_import_names_end_at_the_line():
    """`from x import a, b` followed by `from . import c`: c is a module of its
    own line, not a name imported from x (the reader once lost such edges)."""
    text = "from dataclasses import dataclass, field\n\nfrom . import (csvframe,\n    sweep)\n"
    found = depcycles.PY_IMPORT.findall(text)
    assert [(frm, names.strip("()").split(",")[-1].strip()) for frm, names, _ in found] == \
        [("dataclasses", "field"), (".", "sweep")]


def test_allow_list_directory_entry_covers_its_own_files_only():
    allowed = {("kernel/test/",): "table", ("a.c", "b.c"): "pair"}
    assert depcycles.allow_entry(allowed, ("kernel/test/a.c", "kernel/test/b.c")) == ("kernel/test/",)
    assert depcycles.allow_entry(allowed, ("kernel/test/a.c", "kernel/x.c")) is None
    assert depcycles.allow_entry(allowed, ("a.c", "b.c")) == ("a.c", "b.c")


def test_include_and_import_cycles_cannot_be_listed():
    """Issue 9: no include cycle in C, no import cycle in Python; a symbol
    cycle may be listed with its reason.  The same two files listed: allowed
    as a symbol cycle, an error as an include or import cycle."""
    pair = ("kernel/a.c", "kernel/b.c")
    allowed = {pair: "why"}
    lines, bad = depcycles.judge([("symbols kernel-obj", pair)], allowed, "allow.txt")
    assert bad == 0 and lines[0] == "known (symbols kernel-obj): kernel/a.c kernel/b.c  # why"
    for kind in ("include", "python"):
        lines, bad = depcycles.judge([(kind, pair)], allowed, "allow.txt")
        assert bad == 2, lines          # the cycle, and its entry unused (GONE)
        assert lines[0].startswith(f"CYCLE ({kind})") and "cannot be listed" in lines[0]
    assert lines[-1] == "depcycles: 1 cycles (0 include, 1 python, 0 symbols), 2 unexpected or gone"
