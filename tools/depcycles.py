#!/usr/bin/env python3
"""depcycles.py - finds files that depend on each other in a circle.

Three graphs, one node per file:
- C includes: `#include "x"` lines of every .c/.h/.S (paths from the
  repository root, as -I. resolves them).  Any cycle is reported.
- C symbols: for each built image (build/kernel-obj, user-obj, boot-obj),
  file A -> file B when A's object uses a symbol B's object defines (nm).
  Two files that share one header can still call each other; this graph
  sees it.  A kernel is one knot through its tables (the syscall table
  names every handler, every handler reaches the scheduler, the scheduler
  panics...), so reported are: a cycle among the files of one directory,
  and two files of different directories that use each other.
- Python imports: `import`/`from` lines naming ipcbench_py modules, inside
  functions too (an import moved into a function still makes a circle).
  Any cycle is reported.

An #include or import cycle is always an error (issue 9: none in C or
Python).  Symbol cycles that are not fixed yet are listed in
tools/depcycles_allow.txt, one per line (the files of the cycle, then
`# why`), or a directory ending in `/` that allows any symbol cycle among
its own files (a table and its rows); a listed cycle that no longer exists
is reported too, so the list only shrinks.  Each cycle is printed with its
kind: `include`, `python`, or `symbols <image>`.
Exit status: 0 when nothing unexpected was found, 1 otherwise.
Usage: tools/depcycles.py [--build DIR] [--allow FILE]
"""
import argparse
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C_DIRS = ("boot", "bench", "common", "ipc", "kernel", "user", "tools")
IMAGES = ("kernel-obj", "user-obj", "boot-obj")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Names after `from X import` span lines only inside parentheses: unbracketed,
# they end at the line's end (else the next line's `from . import y` is read
# as names of the line before and its edges are lost).
PY_IMPORT = re.compile(r'^[ \t]*(?:from\s+(\S+)\s+import[ \t]+(\([\w\s,]+\)|[\w \t,]+)'
                       r'|import\s+([\w.]+))', re.M)


def strongly_connected(graph):
    """Tarjan's algorithm, iterative: the components of more than one node."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(tuple(sorted(comp)))
    return found


def source_files(exts):
    out = []
    for top in C_DIRS:
        for dirpath, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs.sort()
            out += [os.path.relpath(os.path.join(dirpath, f), REPO)
                    for f in sorted(files) if f.endswith(exts)]
    return out


def include_graph():
    graph = {}
    for path in source_files((".c", ".h", ".S")):
        with open(os.path.join(REPO, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        here = os.path.dirname(path)
        deps = set()
        for name in INCLUDE.findall(text):
            for cand in (name, os.path.normpath(os.path.join(here, name))):
                if os.path.isfile(os.path.join(REPO, cand)):
                    deps.add(cand)
                    break
        graph[path] = deps - {path}
    return graph


def nm_symbols(obj):
    """(defined, undefined) global symbols of one object file."""
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRWV":
            defined.add(parts[2])
    return defined, undefined


def symbol_graph(build, image):
    """File -> files whose symbols it uses, for the objects of one image
    whose source still exists (stale objects of removed files are skipped)."""
    top = os.path.join(build, image)
    objs = {}
    for dirpath, _, files in os.walk(top):
        for f in files:
            if f.endswith((".c.o", ".S.o")):
                src = os.path.relpath(os.path.join(dirpath, f[:-2]), top)
                if os.path.isfile(os.path.join(REPO, src)):
                    objs[src] = os.path.join(dirpath, f)
    owner, uses = {}, {}
    for src in sorted(objs):
        defined, undefined = nm_symbols(objs[src])
        for sym in defined:
            owner.setdefault(sym, src)
        uses[src] = undefined
    return {src: {owner[s] for s in uses[src] if s in owner} - {src} for src in uses}


def symbol_cycles(graph):
    found = []
    by_dir = {}
    for src in graph:
        by_dir.setdefault(os.path.dirname(src), set()).add(src)
    for files in by_dir.values():
        found += strongly_connected({f: graph[f] & files for f in files})
    for a in graph:
        for b in graph[a]:
            if a < b and a in graph.get(b, ()) and os.path.dirname(a) != os.path.dirname(b):
                found.append((a, b))
    return found


def python_graph():
    pkg = os.path.join(REPO, "ipcbench_py")
    mods = {f[:-3] for f in os.listdir(pkg) if f.endswith(".py")}
    graph = {}
    for mod in sorted(mods):
        path = f"ipcbench_py/{mod}.py"
        with open(os.path.join(REPO, path), encoding="utf-8") as f:
            text = f.read()
        deps = set()
        for frm, names, plain in PY_IMPORT.findall(text):
            if plain:
                head = plain.split(".")
                if head[0] == "ipcbench_py" and len(head) > 1:
                    deps.add(head[1])
                continue
            if frm in (".", "ipcbench_py"):
                deps |= {n.split()[0] for n in names.strip("()").split(",") if n.split()}
            elif frm.startswith("."):
                deps.add(frm[1:].split(".")[0])
            elif frm.startswith("ipcbench_py."):
                deps.add(frm.split(".")[1])
        graph[path] = {f"ipcbench_py/{d}.py" for d in deps if d in mods} - {path}
    return graph


def read_allow(path):
    allowed = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                files, _, why = line.partition("#")
                if files.split():
                    allowed[tuple(sorted(files.split()))] = why.strip()
    return allowed


def allow_entry(allowed, cycle):
    """The allow-list entry that covers cycle, or None."""
    if cycle in allowed:
        return cycle
    for entry in allowed:
        if len(entry) == 1 and entry[0].endswith("/") and \
                all(os.path.dirname(f) + "/" == entry[0] for f in cycle):
            return entry
    return None


def allowable(kind):
    """Only a cycle of symbol use may be listed; include and import cycles never."""
    return kind.startswith("symbols")


def all_cycles(build):
    cycles = [("include", c) for c in strongly_connected(include_graph())]
    for image in IMAGES:
        if os.path.isdir(os.path.join(build, image)):
            cycles += [(f"symbols {image}", c) for c in symbol_cycles(symbol_graph(build, image))]
    cycles += [("python", c) for c in strongly_connected(python_graph())]
    return cycles


def judge(cycles, allowed, allow_name):
    """(report lines, count of unexpected or gone cycles)."""
    lines, seen, bad = [], set(), 0
    for kind, cycle in cycles:
        entry = allow_entry(allowed, cycle) if allowable(kind) else None
        if entry:
            seen.add(entry)
            lines.append(f"known ({kind}): {' '.join(cycle)}  # {allowed[entry]}")
            continue
        how = (f"fix it, or list it in {allow_name}: {' '.join(cycle)}  # why"
               if allowable(kind) else "fix it: an include or import cycle cannot be listed")
        lines.append(f"CYCLE ({kind}): {' <-> '.join(cycle)}\n  ({how})")
        bad += 1
    for cycle in allowed:
        if cycle not in seen:
            lines.append(f"GONE (remove it from {allow_name}): {' '.join(cycle)}")
            bad += 1
    kinds = [kind.split()[0] for kind, _ in cycles]
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in ("include", "python", "symbols"))
    lines.append(f"depcycles: {len(cycles)} cycles ({counts}), {bad} unexpected or gone")
    return lines, bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--allow", default=os.path.join(REPO, "tools", "depcycles_allow.txt"))
    args = ap.parse_args(argv)
    lines, bad = judge(all_cycles(args.build), read_allow(args.allow),
                       os.path.relpath(args.allow, REPO))
    print("\n".join(lines))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
