"""Checks the user programs the build embeds in the kernel: each ELF is
something the kernel's loader can map safely (static x86-64 EXEC at
USER_PROGRAM_BASE, no W+X, entry in R-X text, no SSE), the kernel's
.user_programs table holds exactly those ELFs byte for byte, and editing a
user or shared source rebuilds the ELF, programs.o and the kernel.

The ELF reading is done here with `struct`, so that the test states the
layout it relies on instead of trusting a tool's summary.
"""
import os
import re
import struct
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(REPO, "build")
USER_DIR = os.path.join(BUILD, "user")
KERNEL_ELF = os.path.join(BUILD, "kernel", "kernel.elf")

USER_PROGRAM_BASE = 0x400000
USER_MAP_BASE = 0x0000100000000000
USER_NAME_MAX = 32
ROW_SIZE = 24                      # struct user_program

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
PF_X, PF_W, PF_R = 1, 2, 4
SHT_SYMTAB, SHT_NOBITS = 2, 8
SHF_ALLOC = 2
ET_EXEC, EM_X86_64 = 2, 62


class Elf:
    """The few parts of an ELF64 little-endian file these tests need."""

    def __init__(self, data):
        self.data = data
        assert data[:4] == b"\x7fELF", "not an ELF file"
        self.elf_class, self.endian = data[4], data[5]
        (self.type, self.machine, _, self.entry, phoff, shoff, _, _,
         phentsize, phnum, shentsize, shnum, shstrndx) = \
            struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
        self.phdrs = [self._phdr(phoff + i * phentsize) for i in range(phnum)]
        self.sections = [self._shdr(shoff + i * shentsize) for i in range(shnum)]
        if self.sections:
            names = self.sections[shstrndx]
            for s in self.sections:
                s["name"] = self._cstr(names["offset"] + s["name_off"])

    def _phdr(self, off):
        keys = ("type", "flags", "offset", "vaddr", "paddr", "filesz", "memsz", "align")
        return dict(zip(keys, struct.unpack_from("<IIQQQQQQ", self.data, off)))

    def _shdr(self, off):
        keys = ("name_off", "type", "flags", "addr", "offset", "size", "link",
                "info", "addralign", "entsize")
        return dict(zip(keys, struct.unpack_from("<IIQQQQIIQQ", self.data, off)))

    def _cstr(self, off):
        return self.data[off:self.data.index(b"\0", off)].decode()

    def symbols(self):
        """name -> value for every symbol in .symtab."""
        out = {}
        for sym in (s for s in self.sections if s["type"] == SHT_SYMTAB):
            strtab = self.sections[sym["link"]]
            for off in range(sym["offset"], sym["offset"] + sym["size"], 24):
                name_off, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", self.data, off)
                if name_off:
                    out[self._cstr(strtab["offset"] + name_off)] = value
        return out

    def read(self, vaddr, size):
        """Bytes at a virtual address, from the allocated section holding them."""
        for s in self.sections:
            if (s["flags"] & SHF_ALLOC and s["type"] != SHT_NOBITS
                    and s["addr"] <= vaddr and vaddr + size <= s["addr"] + s["size"]):
                off = s["offset"] + vaddr - s["addr"]
                return self.data[off:off + size]
        raise AssertionError(f"{vaddr:#x}+{size:#x} is in no allocated section")

    def read_cstr(self, vaddr, limit):
        raw = self.read(vaddr, 1)
        n = 1
        while raw[-1:] != b"\0" and n < limit:
            n += 1
            raw = self.read(vaddr, n)
        assert raw.endswith(b"\0"), f"string at {vaddr:#x} longer than {limit}"
        return raw[:-1].decode()


def load(path):
    with open(path, "rb") as f:
        return Elf(f.read())


def program_names():
    """What user/user.mk builds: every user/progs/NAME.c and NAME/ directory,
    and the benchmark harness bench/ as the program "bench"."""
    progs = os.path.join(REPO, "user", "progs")
    names = {"bench"}
    for entry in os.listdir(progs):
        path = os.path.join(progs, entry)
        if os.path.isdir(path):
            names.add(entry)
        elif entry.endswith(".c"):
            names.add(entry[:-2])
    return sorted(names)


def make(*args):
    return subprocess.run(["make", *args], cwd=REPO, capture_output=True, text=True)


@pytest.fixture(scope="module")
def user_elfs():
    """name -> Elf of every program, after building them."""
    res = make("-s", "user")
    if res.returncode != 0:
        pytest.fail(f"make user failed ({res.returncode}):\n{res.stdout}{res.stderr}")
    return {n: load(os.path.join(USER_DIR, f"{n}.elf")) for n in program_names()}


@pytest.fixture(scope="module")
def kernel():
    res = make("-s", os.path.relpath(KERNEL_ELF, REPO))
    if res.returncode != 0:
        pytest.fail(f"kernel build failed ({res.returncode}):\n{res.stdout}{res.stderr}")
    return load(KERNEL_ELF)


def test_hello_is_a_program():
    assert "hello" in program_names()


def test_names_fit_the_kernel_limit():
    for name in program_names():
        assert re.fullmatch(r"[A-Za-z0-9_-]+", name), name
        assert len(name) < USER_NAME_MAX, name


def test_elf_header(user_elfs):
    for name, elf in user_elfs.items():
        assert (elf.elf_class, elf.endian) == (2, 1), f"{name}: not ELF64 little-endian"
        assert elf.type == ET_EXEC, f"{name}: e_type {elf.type}, want EXEC"
        assert elf.machine == EM_X86_64, f"{name}: e_machine {elf.machine}"


def test_segments_are_mappable(user_elfs):
    for name, elf in user_elfs.items():
        loads = [p for p in elf.phdrs if p["type"] == PT_LOAD]
        assert loads, f"{name}: no PT_LOAD"
        for p in loads:
            where = f"{name}: PT_LOAD at {p['vaddr']:#x}"
            assert p["vaddr"] >= USER_PROGRAM_BASE, where
            assert p["vaddr"] + p["memsz"] <= USER_MAP_BASE, where
            assert p["vaddr"] % 4096 == 0, f"{where} not page-aligned"
            assert p["memsz"] > 0, f"{where} is empty"
            assert p["filesz"] <= p["memsz"], where
            assert not (p["flags"] & PF_W and p["flags"] & PF_X), f"{where} is W+X"
        pages = [(p["vaddr"] // 4096, -(-(p["vaddr"] + p["memsz"]) // 4096)) for p in loads]
        for i, (a0, a1) in enumerate(pages):
            for b0, b1 in pages[i + 1:]:
                assert a1 <= b0 or b1 <= a0, f"{name}: two PT_LOADs share a page"


def test_entry_in_text(user_elfs):
    for name, elf in user_elfs.items():
        text = [p for p in elf.phdrs if p["type"] == PT_LOAD
                and p["vaddr"] <= elf.entry < p["vaddr"] + p["filesz"]]
        assert text, f"{name}: entry {elf.entry:#x} in no PT_LOAD"
        assert text[0]["flags"] == PF_R | PF_X, f"{name}: entry segment is not R-X"


def test_static(user_elfs):
    for name, elf in user_elfs.items():
        types = {p["type"] for p in elf.phdrs}
        assert PT_INTERP not in types and PT_DYNAMIC not in types, f"{name}: dynamic"


# t_fpu exists to check that the kernel keeps each thread's x87/SSE registers
# (kernel/arch/x86_64/fpu.c); it uses them in asm on purpose.
USES_FPU_ON_PURPOSE = {"t_fpu"}


def test_no_sse(user_elfs):
    """User programs are built without SSE: what the benchmarks measure must
    not depend on FPU state, and the compiler must not have slipped any in."""
    assert USES_FPU_ON_PURPOSE <= set(user_elfs)
    for name in set(user_elfs) - USES_FPU_ON_PURPOSE:
        path = os.path.join(USER_DIR, f"{name}.elf")
        dis = subprocess.run(["objdump", "-d", path], capture_output=True,
                             text=True, check=True).stdout
        bad = [l for l in dis.splitlines() if re.search(r"%[xyz]mm\d|%st\b|%st\(", l)]
        assert not bad, f"{name} uses FPU/SSE registers:\n" + "\n".join(bad[:5])


def test_kernel_table_matches_elfs(user_elfs, kernel):
    syms = kernel.symbols()
    start, end = syms["__user_programs_start"], syms["__user_programs_end"]
    assert (end - start) % ROW_SIZE == 0
    rows = [struct.unpack("<QQQ", kernel.read(a, ROW_SIZE))
            for a in range(start, end, ROW_SIZE)]
    names = [kernel.read_cstr(n, USER_NAME_MAX) for n, _, _ in rows]
    assert names == program_names()
    for name, (_, lo, hi) in zip(names, rows):
        assert lo % 16 == 0, f"{name}: blob not 16-byte aligned"
        assert kernel.read(lo, hi - lo) == user_elfs[name].data, \
            f"{name}: embedded bytes differ from build/user/{name}.elf"


@pytest.mark.parametrize("source", [
    "user/progs/hello.c",      # the program itself
    "user/lib/print.c",        # the user library
    "common/format.h",         # a shared header, through -MMD
    "user/user.ld",            # the link layout
])
def test_edit_rebuilds_elf_table_and_kernel(kernel, source):
    """make -n -W pretends `source` changed without touching it."""
    out = make("-n", "V=1", "-W", source,
               os.path.relpath(KERNEL_ELF, REPO)).stdout
    assert re.search(r"\bld .*-o build/user/hello\.elf", out), out
    assert re.search(r"-o build/user/programs\.o", out), out
    assert re.search(r"\bld .*-o build/kernel/kernel\.elf", out), out
