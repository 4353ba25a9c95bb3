"""No function name defined in both the kernel and the user image
(tools/namecheck.py; the naming convention is in docs/ARCHITECTURE.md)."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
import namecheck  # noqa: E402


def test_no_name_in_both_images():
    run = subprocess.run([sys.executable, os.path.join(REPO, "tools", "namecheck.py")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def plant(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def test_catches_a_planted_collision(tmp_path):
    """A kernel handler and a user stub of one name (one a static inline in
    a header, one static in ipc/kernel) fail; common/ and mere calls,
    declarations, macros and comments do not count."""
    plant(tmp_path, {
        "ipc/kernel/sys_x.c": "static long\nsys_x(const struct sys_args *a)\n{\n\treturn 0;\n}\n"
                              "SYSCALL_ROW(SYS_X, sys_y);\n",
        "user/lib/sys.h": "/* sys_y(void) { */\nstatic inline long\nsys_x(long a)\n{\n"
                          "\treturn syscall1(SYS_X, a);\n}\nlong sys_y(void);\n"
                          "#define sys_z(a) { a }\n",
        "kernel/a.c": "void helper(void) __attribute__((noinline))\n{\n\tsys_y();\n}\n"
                      "int sys_z(void) { return \"sys_w(\" [0]; }\n",
        "common/string.c": "void *memcpy(void *d, const void *s, unsigned long n)\n{\n}\n",
        "bench/linux/lx.c": "int helper2(int a) { if (a) { return 1; } return 0; }\n"
                            "void *memcpy(void *d, const void *s, unsigned long n) { return d; }\n",
        "user/progs/t.c": "static int helper(void) { return 0; }\n",
    })
    shared = namecheck.shared_names(str(tmp_path))
    assert sorted(shared) == ["helper", "sys_x"]
    assert shared["sys_x"] == (["ipc/kernel/sys_x.c:2"], ["user/lib/sys.h:3"])
    run = subprocess.run([sys.executable, os.path.join(REPO, "tools", "namecheck.py"),
                          "--root", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "SHARED NAME sys_x" in run.stdout, run.stdout
