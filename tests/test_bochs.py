"""Boot the same image under Bochs with three CPU models and run the selftest
subset boot,paging,tlb: does the PCID path the kernel picks run, and obey
the #GP/#UD rules, on a CPU with PCID + INVPCID (Haswell), with PCID only
(Sandy Bridge) and with neither (Penryn)?

Bochs' TLB is not tagged by PCID, so these prove the instructions are used
correctly, not that invalidation is complete: tests/host/test_tlb_model.c
does that.  Each boot takes roughly 10-20 s (Bochs interprets every
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


def boot(image, model, tmp_path, *plan_lines):
    """The image's loader and kernel with a selftest plan, under `model`."""
    esp = tmp_path / "esp"
    plan = bochs_run.plan_with(plan_lines)
    if shutil.which("mcopy"):
        bochs_run.esp_from_image(str(esp), image, plan)
    else:
        bochs_run.esp_from_files(str(esp), os.path.join(REPO, "build", "boot", "BOOTX64.EFI"),
                                 os.path.join(REPO, "build", "kernel", "kernel.elf"), plan)
    res = bochs_run.run(str(esp), model, BOCHS_TIMEOUT, str(tmp_path / "bochs"))
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
