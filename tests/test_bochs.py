"""Boot the same image under Bochs with three CPU models and run the selftest
subset boot,paging,tlb: does the PCID path the kernel picks run, and obey
the #GP/#UD rules, on a CPU with PCID + INVPCID (Haswell), with PCID only
(Sandy Bridge) and with neither (Penryn)?

Bochs' TLB is not tagged by PCID, so these prove the instructions are used
correctly, not that invalidation is complete: tests/host/test_tlb_model.c
does that.  A fourth boot gives the Haswell model 2 CPUs (Bochs' `cpu:
count=2`) and runs the TLB, process and smp rows with PCID on: shootdown
IPIs answered on the other CPU, which runs with CR4.PCIDE set too.  Each boot takes roughly 10-20 s (Bochs interprets every
instruction); the marker `qemu` (slow, boots an emulator) lets
`pytest -m "not qemu"` skip them.
"""
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
import bochs_run  # noqa: E402

IMAGE = os.path.join(REPO, "build", "ipcbench.img")
BOCHS_TIMEOUT = 240         # per boot; a healthy one takes 10-20 s
SUBSET = "tests = boot,paging,tlb,pmu,cpu-fpu"
# Rows that use a second CPU: the TLB, processes and threads, the smp row
# (every mechanism across CPUs), and leak around them.
SMP_SUBSET = "tests = boot,tlb,proc,smp,leak"

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(bool(bochs_run.missing()), reason="Bochs not installed (%s): "
                       "sudo apt-get install %s" % (", ".join(bochs_run.missing()),
                                                    bochs_run.PACKAGES)),
]

# model -> the "pcid:" line the kernel must print for it
EXPECTED = {
    "haswell": "pcid: on (CPUID has PCID and INVPCID)",
    "sandy": "pcid: on without INVPCID (CPUID.07H:EBX[10]=0)",
    "penryn": "pcid: off (CPU lacks PCID: CPUID.01H:ECX[17]=0)",
}


@pytest.fixture(scope="module")
def image():
    """build/ipcbench.img, built once for the module."""
    res = subprocess.run(["make", "-s"], cwd=REPO, capture_output=True, text=True)
    if res.returncode != 0 or not os.path.isfile(IMAGE):
        pytest.fail(f"make failed ({res.returncode}):\n{res.stdout}{res.stderr}")
    return IMAGE


def boot(image, model, tmp_path, *plan_lines, smp=1):
    """The image's loader and kernel with a selftest plan, under `model`."""
    esp = tmp_path / "esp"
    plan = bochs_run.plan_with(plan_lines)
    if shutil.which("mcopy"):
        bochs_run.esp_from_image(str(esp), image, plan)
    else:
        bochs_run.esp_from_files(str(esp), os.path.join(REPO, "build", "boot", "BOOTX64.EFI"),
                                 os.path.join(REPO, "build", "kernel", "kernel.elf"), plan)
    res = bochs_run.run(str(esp), model, BOCHS_TIMEOUT, str(tmp_path / "bochs"), smp=smp)
    print(f"bochs {res.model}: {res.seconds:.1f} s, {res.result_line}")
    return res


def tail(res, n=40):
    return "\n".join(res.serial.splitlines()[-n:]) + f"\n(logs: {res.workdir})"


@pytest.mark.timeout(BOCHS_TIMEOUT + 60)
@pytest.mark.parametrize("model", ["haswell", "sandy", "penryn"])
def test_tlb_selftest_under_bochs(image, model, tmp_path):
    res = boot(image, model, tmp_path, SUBSET)
    assert not res.timed_out, f"no result within {BOCHS_TIMEOUT} s:\n{tail(res)}"
    assert res.passed, tail(res)
    assert EXPECTED[model] in res.serial.splitlines(), tail(res)
    assert "# tlb" in res.serial and "not ok" not in res.serial, tail(res)
    # Haswell: XSAVEOPT with AVX; Sandy Bridge, Penryn (Bochs): XSAVE.
    assert any(l.startswith("fpu: xsave") for l in res.serial.splitlines()), tail(res)
    assert "# cpu-fpu" in res.serial, tail(res)


@pytest.mark.timeout(BOCHS_TIMEOUT + 60)
def test_pcid_on_without_pcid_stops_with_a_reason(image, tmp_path):
    res = boot(image, "penryn", tmp_path, SUBSET, "pcid = on")
    assert res.result_line == \
        "ipcbench: result FAIL (plan asks pcid = on but the CPU has no PCID)", tail(res)


@pytest.mark.timeout(BOCHS_TIMEOUT + 60)
def test_pcid_off_on_haswell_uses_plain_loads(image, tmp_path):
    res = boot(image, "haswell", tmp_path, "tests = tlb", "pcid = off")
    assert res.passed, tail(res)
    assert "pcid: off (plan says pcid = off)" in res.serial.splitlines(), tail(res)


@pytest.mark.timeout(BOCHS_TIMEOUT + 60)
def test_pcid_path_on_two_cpus(image, tmp_path):
    """OVMF under Bochs installs no ACPI tables (it takes them from QEMU's
    fw_cfg): the kernel starts the second CPU from the list the loader got
    from the firmware's MP services."""
    res = boot(image, "haswell", tmp_path, SMP_SUBSET, "pcid = on", smp=2)
    assert not res.timed_out, f"no result within {BOCHS_TIMEOUT} s:\n{tail(res)}"
    lines = res.serial.splitlines()
    assert res.passed and not any(l.startswith("not ok") for l in lines), tail(res)
    assert EXPECTED["haswell"] in lines, tail(res)
    assert "smp: 2 CPUs running (firmware MP services list 2)" in lines, tail(res)
    assert any(l.startswith("ok ") and l.endswith(
        "smp: placement rules, every mechanism across 2 CPUs "
        "(client on CPU 0, server on CPU 1)") for l in lines), tail(res)
    # tlb-smp: remaps seen on CPU 1 (IPI, INVPCID there), release, counts
    assert sum(1 for l in lines if l.startswith("ok ") and " - tlb-smp: " in l) >= 4, \
        tail(res)
    assert "# leak-check" in res.serial and "# proc-threads" in res.serial, tail(res)
