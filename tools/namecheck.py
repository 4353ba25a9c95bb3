#!/usr/bin/env python3
"""namecheck.py - no function name defined in both the kernel and the user image.

The two images are linked apart, so a shared name compiles; but a reader or
a grep cannot tell the two functions apart (issue 9: `sys_fd_read` was the
kernel's handler and the user's stub, with different signatures).  The
convention (docs/ARCHITECTURE.md, style notes): kernel handlers `sys_<call>`,
user stubs `usys_<call>`, a mechanism's user library `<mech>_user_<verb>` or
`<mech>_op_<verb>`.

Read from the sources, not the objects: a user stub is a `static inline` in
a header and leaves no symbol.  A definition is a name followed by its
parameter list and `{` at brace depth 0, once comments, strings and
preprocessor lines are gone.  File-local statics count too (the same word
for two functions is what confuses the reader).  common/ is one definition
compiled into both and is not read.
Exit status: 0 when no name is shared, 1 otherwise.
Usage: tools/namecheck.py [--root DIR]
"""
import argparse
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_DIRS = ("kernel", "ipc/kernel")
USER_DIRS = ("user", "ipc/user", "bench")   # bench/linux builds the same user sources
NOISE = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
                   r'|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', re.S | re.M)
CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "__attribute__",
            "__asm__", "asm", "__typeof__", "typeof", "_Alignof", "alignof"}


def blank(match):
    """A comment, string or preprocessor line as spaces, newlines kept (line numbers)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def definitions(text):
    """(name, line) of each function defined in C text."""
    text = NOISE.sub(blank, text)
    found, depth, pos = [], 0, 0
    for m in re.finditer(r"[{}]|\b[A-Za-z_]\w*\s*\(", text):
        tok = m.group(0)
        if tok == "{":
            depth += 1
            continue
        if tok == "}":
            depth -= 1
            continue
        if depth or m.start() < pos:
            continue
        name = CALL.match(tok).group(1)
        close = matching_paren(text, m.end() - 1)
        if name in KEYWORDS or close < 0:
            continue
        pos = close
        rest = text[close + 1:].lstrip()
        while rest.startswith("__attribute__"):        # int f(void) __attribute__((x)) {
            end = matching_paren(rest, rest.index("("))
            rest = rest[end + 1:].lstrip()
        if rest.startswith("{"):
            found.append((name, text.count("\n", 0, m.start()) + 1))
    return found


def matching_paren(text, open_at):
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def image_names(root, dirs):
    """name -> [file:line, ...] over the .c/.h files under dirs."""
    names = {}
    for top in dirs:
        for dirpath, subdirs, files in os.walk(os.path.join(root, top)):
            subdirs.sort()
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                rel = os.path.relpath(path, root)
                for name, line in definitions(text):
                    names.setdefault(name, []).append(f"{rel}:{line}")
    return names


def shared_names(root):
    """name -> (kernel places, user places) for each name both images define."""
    kernel, user = image_names(root, KERNEL_DIRS), image_names(root, USER_DIRS)
    return {n: (kernel[n], user[n]) for n in sorted(kernel.keys() & user.keys())}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=REPO, help="the tree to read (default: this one)")
    args = ap.parse_args(argv)
    shared = shared_names(args.root)
    for name, (kplaces, uplaces) in shared.items():
        print(f"SHARED NAME {name}: kernel {', '.join(kplaces)}; user {', '.join(uplaces)}")
    if shared:
        print("  (rename the user one: usys_<call> for a stub, <mech>_user_<verb> or "
              "<mech>_op_<verb> for a mechanism's user library; see docs/ARCHITECTURE.md)")
    print(f"namecheck: {len(shared)} function names defined in both images")
    return 1 if shared else 0


if __name__ == "__main__":
    sys.exit(main())
