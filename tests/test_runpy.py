"""run.py's host logic without QEMU: accel choice, OVMF discovery, missing
tools, KVM failure detection, plan text, and parsing of captured serial logs
(tests/data/*.log)."""
import os
import shutil
import subprocess
import sys
import time

import pytest

from ipcbench_py import (accel, deps, distro, ovmf, plan, qemu, rundir,
                         seriallog, summary, verdict)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "tests", "data")
RUN_PY = os.path.join(REPO, "run.py")


def data(name):
    return os.path.join(DATA, name)


def run_py(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, RUN_PY, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def write(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return str(path)


# ------------------------------------------------------------------ accel

CPU_VMX = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr vmx sse2\n"
CPU_SVM = "processor\t: 0\nflags\t\t: fpu svm lm\n"
CPU_NONE = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr sse2 hypervisor\n"


@pytest.fixture
def fake_kvm(tmp_path):
    """A file that opens read-write, standing in for a usable /dev/kvm."""
    return write(tmp_path / "kvm")


def test_auto_picks_kvm_with_vmx_and_device(tmp_path, fake_kvm):
    cpu = write(tmp_path / "cpuinfo", CPU_VMX)
    a = accel.choose("auto", cpu, fake_kvm)
    assert (a.name, a.cpu) == ("kvm", "host")
    assert "vmx" in a.reason


def test_auto_picks_kvm_with_svm(tmp_path, fake_kvm):
    assert accel.choose("auto", write(tmp_path / "c", CPU_SVM), fake_kvm).name == "kvm"


def test_auto_software_kvm_device_means_tcg(tmp_path, fake_kvm):
    # This project's machines: /dev/kvm opens, but no vmx/svm.
    a = accel.choose("auto", write(tmp_path / "c", CPU_NONE), fake_kvm)
    assert (a.name, a.cpu) == ("tcg", "max")
    assert "no vmx/svm" in a.reason and "not hardware-backed" in a.reason


def test_auto_without_device_means_tcg(tmp_path):
    a = accel.choose("auto", write(tmp_path / "c", CPU_VMX), str(tmp_path / "nokvm"))
    assert a.name == "tcg" and "no " in a.reason and "nokvm" in a.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens any file")
def test_auto_unwritable_device_means_tcg(tmp_path, fake_kvm):
    os.chmod(fake_kvm, 0o400)
    a = accel.choose("auto", write(tmp_path / "c", CPU_VMX), fake_kvm)
    assert a.name == "tcg" and "kvm group" in a.reason


def test_explicit_kvm_unusable_is_an_error(tmp_path, fake_kvm):
    with pytest.raises(accel.AccelError, match="--accel tcg"):
        accel.choose("kvm", write(tmp_path / "c", CPU_NONE), fake_kvm)


def test_explicit_tcg_never_looks(tmp_path):
    assert accel.choose("tcg", "/nonexistent", "/nonexistent").name == "tcg"


def test_cli_accel_kvm_unusable_exits_2(tmp_path, fake_kvm):
    env = dict(os.environ, IPCBENCH_CPUINFO=write(tmp_path / "c", CPU_NONE),
               IPCBENCH_DEV_KVM=fake_kvm)
    res = run_py("selftest", "--accel", "kvm", "--no-install", env=env)
    assert res.returncode == 2
    assert "--accel tcg" in res.stderr


def test_kvm_internal_error_detected():
    with open(data("qemu_kvm_internal_error.log")) as f:
        text = f.read()
    assert accel.kvm_failure(text).startswith("KVM internal error")
    assert accel.kvm_failure("qemu-system-x86_64: terminating on signal 15") is None


def test_kvm_internal_error_verdict_suggests_tcg():
    with open(data("qemu_kvm_internal_error.log")) as f:
        out = qemu.Outcome(status=1, wall_s=1.0, output=f.read())
    v = verdict.judge(out, seriallog.parse(b""), "kvm")
    assert v.exit_code == 2
    assert "KVM internal error" in v.reason and "--accel tcg" in v.reason
    # The same words under TCG are not blamed on KVM.
    assert "--accel tcg" not in verdict.judge(out, seriallog.parse(b""), "tcg").reason


# ------------------------------------------------------------------- OVMF

def fake_tree(root, *paths):
    for p in paths:
        write(os.path.join(root, p.lstrip("/")), "fw")
    return str(root)


def test_ovmf_env_vars_win(tmp_path):
    code = write(tmp_path / "my_CODE.fd", "c")
    vars_ = write(tmp_path / "my_VARS.fd", "v")
    root = fake_tree(tmp_path / "root", "/usr/share/OVMF/OVMF_CODE_4M.fd",
                     "/usr/share/OVMF/OVMF_VARS_4M.fd")
    fw = ovmf.find(env={"OVMF_CODE": code, "OVMF_VARS": vars_}, root=root)
    assert (fw.code, fw.vars) == (code, vars_)


def test_ovmf_env_code_only_finds_sibling_vars(tmp_path):
    code = write(tmp_path / "OVMF_CODE_4M.fd", "c")
    vars_ = write(tmp_path / "OVMF_VARS_4M.fd", "v")
    assert ovmf.find(env={"OVMF_CODE": code}, root=str(tmp_path / "x")).vars == vars_


def test_ovmf_env_missing_file_is_named(tmp_path):
    with pytest.raises(ovmf.OvmfError, match="OVMF_CODE=.*does not exist"):
        ovmf.require(env={"OVMF_CODE": str(tmp_path / "nope.fd")}, root=str(tmp_path))


@pytest.mark.parametrize("files, code, vars_", [
    (["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd",
      "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"],
     "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
    (["/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"],
     "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
    (["/usr/share/ovmf/OVMF.fd"], "/usr/share/ovmf/OVMF.fd", None),
    (["/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"],
     "/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"),
    (["/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd"],
     "/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd"),
    (["/usr/share/edk2-ovmf/x64/OVMF_CODE.fd", "/usr/share/edk2-ovmf/x64/OVMF_VARS.fd"],
     "/usr/share/edk2-ovmf/x64/OVMF_CODE.fd", "/usr/share/edk2-ovmf/x64/OVMF_VARS.fd"),
    # A CODE file without its VARS is not a usable pair: fall through.
    (["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/ovmf/OVMF.fd"],
     "/usr/share/ovmf/OVMF.fd", None),
], ids=["debian-4m", "debian-2m", "debian-combined", "fedora", "arch-4m",
        "arch-old", "half-pair"])
def test_ovmf_distro_layouts(tmp_path, files, code, vars_):
    root = fake_tree(tmp_path, *files)
    fw = ovmf.find(env={}, root=root)
    assert fw.code == os.path.join(root, code.lstrip("/"))
    assert fw.vars == (os.path.join(root, vars_.lstrip("/")) if vars_ else None)
    assert fw.combined == (vars_ is None)


@pytest.mark.parametrize("os_id, cmd", [
    ("debian", "sudo apt-get install -y ovmf"),
    ("ubuntu", "sudo apt-get install -y ovmf"),
    ("fedora", "sudo dnf install -y edk2-ovmf"),
    ("arch", "sudo pacman -S --needed edk2-ovmf"),
])
def test_ovmf_missing_names_install_command(tmp_path, os_id, cmd):
    with pytest.raises(ovmf.OvmfError) as e:
        ovmf.require(env={}, root=str(tmp_path), os_release={"ID": os_id})
    assert cmd in str(e.value)


def test_combined_firmware_boots_with_bios(tmp_path):
    cfg = qemu.Config(image="img", firmware=ovmf.Firmware("/x/OVMF.fd"),
                      vars_copy=None, serial_log="s.log",
                      accel=accel.Accel("tcg", "t"))
    argv = qemu.command(cfg)
    assert argv[argv.index("-bios") + 1] == "/x/OVMF.fd"
    assert not any("pflash" in a for a in argv)


# ------------------------------------------------------------------- deps

@pytest.fixture
def path_without_qemu(tmp_path):
    """A PATH holding every build tool but no qemu-system-x86_64."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("gcc", "make", "ld", "objcopy", "mcopy", "mkfs.fat", "git"):
        real = deps.find_exe(tool)
        if real:
            os.symlink(real, bindir / tool)
    return str(bindir)


def test_missing_qemu_no_install_flag_exits_2(path_without_qemu):
    env = dict(os.environ, PATH=path_without_qemu)
    env.pop("IPCBENCH_NO_INSTALL", None)
    res = run_py("deps", "--no-install", "--need", "build,run", env=env)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "missing: qemu-system-x86_64" in res.stderr
    assert distro.install_command(distro.family(), ["qemu"]) in res.stderr
    assert "then rerun: ./run.py deps" in res.stderr


def test_missing_qemu_no_install_env_exits_2(path_without_qemu):
    env = dict(os.environ, PATH=path_without_qemu, IPCBENCH_NO_INSTALL="1")
    res = run_py("deps", "--need", "run", env=env)
    assert res.returncode == 2
    assert "qemu-system-x86_64" in res.stderr


def test_deps_present_exits_0():
    res = run_py("deps", "--no-install", "--need", "build,run,test")
    assert res.returncode == 0, res.stderr
    assert "host tools present" in res.stdout


def test_selftest_checks_deps_before_building(path_without_qemu):
    env = dict(os.environ, PATH=path_without_qemu)
    res = run_py("selftest", "--accel", "tcg", "--no-install", env=env)
    assert res.returncode == 2
    assert "then rerun: ./run.py selftest" in res.stderr
    assert "building" not in res.stdout


class FakeApt:
    """Records apt-get calls; fails the first install to force an update."""

    def __init__(self, fail_first=False):
        self.calls, self.fail_first = [], fail_first

    def __call__(self, argv):
        self.calls.append(argv)
        rc = 100 if self.fail_first and len(self.calls) == 1 else 0
        return subprocess.CompletedProcess(argv, rc)


def test_debian_installs_missing_packages(path_without_qemu, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    apt = FakeApt(fail_first=True)
    # The fake install installs nothing, so the recheck still fails.
    with pytest.raises(deps.DepsError, match="automatic installation failed"):
        deps.ensure(["run"], False, lambda m: None, "./run.py deps",
                    env={"PATH": path_without_qemu}, os_release={"ID": "debian"},
                    run=apt)
    assert apt.calls[0] == ["apt-get", "install", "-y", "qemu-system-x86"]
    assert apt.calls[1] == ["apt-get", "update"]
    assert apt.calls[2] == apt.calls[0]


def test_non_root_installs_through_sudo(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, path=None: "/usr/bin/sudo")
    assert deps.apt_argv(["ovmf"], euid=1000) == ["sudo", "apt-get", "install", "-y", "ovmf"]


@pytest.mark.parametrize("os_id, expect", [
    ("fedora", "sudo dnf install -y qemu-system-x86"),
    ("arch", "sudo pacman -S --needed qemu-system-x86"),
    ("gentoo", "qemu-system-x86"),
])
def test_other_distros_print_command_and_never_install(path_without_qemu, os_id, expect):
    def never(argv):
        raise AssertionError("must not install outside Debian/Ubuntu")
    with pytest.raises(deps.DepsError) as e:
        deps.ensure(["run"], False, lambda m: None, "./run.py deps",
                    env={"PATH": path_without_qemu}, os_release={"ID": os_id},
                    run=never)
    assert expect in str(e.value)


@pytest.mark.parametrize("fields, fam", [
    ({"ID": "debian"}, "debian"),
    ({"ID": "ubuntu", "ID_LIKE": "debian"}, "debian"),
    ({"ID": "linuxmint", "ID_LIKE": "ubuntu debian"}, "debian"),
    ({"ID": "fedora"}, "fedora"),
    ({"ID": "rocky", "ID_LIKE": "rhel centos fedora"}, "fedora"),
    ({"ID": "arch"}, "arch"),
    ({"ID": "endeavouros", "ID_LIKE": "arch"}, "arch"),
    ({"ID": "opensuse-tumbleweed", "ID_LIKE": "opensuse suse"}, "suse"),
    ({}, "unknown"),
])
def test_distro_family(fields, fam):
    assert distro.family(fields) == fam


def test_os_release_parsing(tmp_path):
    p = write(tmp_path / "os-release",
              'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nID_LIKE=debian\n')
    fields = distro.read_os_release(p)
    assert fields["PRETTY_NAME"] == "Ubuntu 24.04 LTS"
    assert distro.family(path=p) == "debian"


# ------------------------------------------------------------------- plan

def test_plan_text_defaults_and_extras():
    text = plan.build_text("selftest", ["end=halt", "inject = ud", "mode=selftest"])
    lines = [l for l in text.splitlines() if not l.startswith("#")]
    assert lines == ["mode = selftest", "end = halt", "inject = ud"]


def test_plan_extras_replace_base_lines_and_keep_raw_lines():
    base = "# default\nmode = selftest\npcid = auto\nend = poweroff\n"
    text = plan.build_text("selftest", ["end=halt", "this is not a plan line"], base)
    assert text == ("# default\nmode = selftest\npcid = auto\nend = halt\n"
                    "this is not a plan line\n")


def make_fat_image(path):
    """A disk image whose FAT partition starts at 1 MiB, like mkimage's."""
    fat = str(path) + ".fat"
    subprocess.run(["mkfs.fat", "-C", fat, "8192"], check=True, capture_output=True)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    for d in ("::/EFI", "::/EFI/IPCBENCH"):
        subprocess.run(["mmd", "-i", fat, d], check=True, env=env)
    with open(path, "wb") as out, open(fat, "rb") as f:
        out.write(b"\0" * (1 << 20))
        shutil.copyfileobj(f, out)
    os.unlink(fat)
    return str(path)


def read_plan_back(image):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(["mtype", "-i", f"{image}@@1M", plan.PLAN_PATH_IN_IMAGE],
                          check=True, capture_output=True, text=True, env=env).stdout


@pytest.mark.skipif(not deps.find_exe("mkfs.fat") or not deps.find_exe("mcopy"),
                    reason="needs dosfstools and mtools")
def test_plan_written_into_image_with_mtools(tmp_path):
    img = make_fat_image(tmp_path / "disk.img")
    planfile = write(tmp_path / "plan.txt", "mode = selftest\nend = halt\n")
    fake_repo = str(tmp_path / "repo")      # no tools/mkimage.py: mtools path
    assert plan.set_plan_argv(fake_repo, planfile, img, sys.executable)[0] == "mcopy"
    plan.write_into_image(fake_repo, planfile, img, sys.executable)
    assert read_plan_back(img) == "mode = selftest\nend = halt\n"


@pytest.mark.skipif(not plan.mkimage_supports_set_plan(REPO),
                    reason="tools/mkimage.py --set-plan not there yet")
def test_plan_written_into_image_with_mkimage(tmp_path):
    img = str(tmp_path / "disk.img")
    subprocess.run([sys.executable, os.path.join(REPO, "tools", "mkimage.py"),
                    "--efi", write(tmp_path / "efi", "e"),
                    "--kernel", write(tmp_path / "elf", "k"),
                    "--plan", write(tmp_path / "p0", "mode = bench\n"),
                    "--out", img], check=True, capture_output=True)
    planfile = write(tmp_path / "plan.txt", "mode = selftest\ninject = ud\n")
    plan.write_into_image(REPO, planfile, img, sys.executable)
    assert read_plan_back(img).replace("\r\n", "\n") == "mode = selftest\ninject = ud\n"


def test_plan_write_failure_is_reported(tmp_path):
    planfile = write(tmp_path / "plan.txt", "mode = selftest\n")
    with pytest.raises(plan.PlanError, match="writing the plan"):
        plan.write_into_image(str(tmp_path), planfile, str(tmp_path / "none.img"),
                              sys.executable)


# ------------------------------------------------------- serial log parsing

def parsed(name):
    return seriallog.parse_file(data(name))


def outcome(status=None, **kw):
    return qemu.Outcome(status=status, wall_s=kw.pop("wall_s", 5.0), **kw)


def test_pass_log():
    r = parsed("pass.log")
    assert r.result == "PASS" and r.result_count == 1
    assert (r.passed, r.failed, r.skipped, r.tap_plan) == (4, 0, 1, 6)
    assert r.missing == 0
    assert [t.number for t in r.tap] == [1, 2, 3, 4, 5, 6]
    assert r.tap[4].directive == "TODO" and not r.tap[4].counts_as_failure
    assert any(l.startswith("mem:") for l in r.info)
    assert any(l.startswith("tsc:") for l in r.info)
    assert not any("\x1b" in l for l in r.lines)
    assert verdict.judge(outcome(33), r, "tcg") == verdict.Verdict(True, 0, "PASS")
    assert verdict.judge_log(r).ok


def test_fail_log():
    r = parsed("fail.log")
    assert r.result == "FAIL" and r.fail_reason == "2 of 4 checks failed"
    assert (r.passed, r.failed) == (2, 2)
    assert r.failed_names == ["2 - pipe: EOF after last writer closes",
                              "4 - msgq: IPC_NOWAIT on empty queue returns ENOMSG"]
    v = verdict.judge(outcome(35), r, "tcg")
    assert (v.ok, v.exit_code, v.reason) == (False, 1, "kernel FAIL (2 of 4 checks failed)")


def test_panic_log():
    r = parsed("panic.log")
    assert r.panic[0].startswith("KERNEL PANIC: exception #UD")
    assert r.panic[-1] == "  #1 0xffffffff80001100"
    assert "backtrace:" in r.panic and not any("result" in l for l in r.panic)
    v = verdict.judge(outcome(35), r, "tcg")
    assert v.exit_code == 1 and v.reason.startswith("kernel panic: KERNEL PANIC: exception #UD")


def test_truncated_log_on_timeout():
    r = parsed("truncated.log")
    assert r.result is None
    # "ok 4 - ..." was cut mid-line: shown as the last line, never counted.
    assert (r.passed, r.failed, r.tap_plan, r.missing) == (2, 1, 8, 5)
    assert r.last_line == "ok 4 - sched: yield ping-pong comple"
    v = verdict.judge(outcome(None, timed_out=True, timeout_s=60), r, "tcg")
    assert v.exit_code == 1
    assert v.reason == ("timeout after 60 s; last serial line: "
                        "ok 4 - sched: yield ping-pong comple")
    assert "5 never reported" in summary.counts(r)


def test_plan_error_log():
    r = parsed("plan_error.log")
    assert r.plan_errors == ["plan line 4: unknown key 'bogus'"]
    v = verdict.judge(outcome(35), r, "tcg")
    assert v.exit_code == 1 and "bad plan" in v.reason
    assert "plan line 4: unknown key 'bogus'" in summary.lines_for(r, v)


def test_tap_noise_interleaved():
    log = (b"ok 1 - a\r\nnoise ok 2 - not a tap line\r\n\x1b[0mok 2 - b\r\n"
           b"tick\nnot ok 3 - c: with - dashes # and a hash\n"
           b"ok 4 # SKIP no device\n1..4\nipcbench: result FAIL (1 failed)\n")
    r = seriallog.parse(log)
    assert [(t.number, t.ok, t.name) for t in r.tap] == [
        (1, True, "a"), (2, True, "b"), (3, False, "c: with - dashes # and a hash"),
        (4, True, "")]
    assert (r.passed, r.failed, r.skipped, r.tap_plan) == (2, 1, 1, 4)


@pytest.mark.parametrize("status, result, extra, code, words", [
    (33, "PASS", {}, 0, "PASS"),
    (35, "PASS", {}, 1, "QEMU exit status 35 (expected 33)"),
    (33, None, {}, 1, "no 'ipcbench: result PASS' line"),
    (0, None, {}, 1, "triple fault"),
    (None, "PASS", {"stopped_after_result": True}, 1, "did not exit"),
    (1, None, {"output": "qemu-system-x86_64: -drive x: Could not open 'x'\n"}, 2,
     "QEMU error: qemu-system-x86_64: -drive x: Could not open"),
    (35, None, {}, 1, "QEMU exit status 35 without a result line"),
])
def test_verdicts(status, result, extra, code, words):
    log = f"ipcbench: result {result}\n".encode() if result else b"BdsDxe: x\n"
    v = verdict.judge(outcome(status, **extra), seriallog.parse(log), "tcg")
    assert v.exit_code == code and words in v.reason


def test_pass_with_failed_tap_lines_is_a_failure():
    r = seriallog.parse(b"ok 1 - a\nnot ok 2 - b\nipcbench: result PASS\n")
    v = verdict.judge(outcome(33), r, "tcg")
    assert not v.ok and "1 TAP checks failed" in v.reason


def test_later_pass_does_not_hide_a_fail():
    r = seriallog.parse(b"ipcbench: result FAIL (x)\nipcbench: result PASS\n")
    assert (r.result, r.result_count) == ("FAIL", 2)


def test_serial_tail_follows_a_growing_log(tmp_path):
    log = tmp_path / "serial.log"
    tail = seriallog.SerialTail(str(log))
    assert not tail.poll() and not tail.saw_output
    with open(log, "wb") as f:
        f.write(b"BdsDxe: loading\r\nipcbench: res")
        f.flush()
        assert not tail.poll() and tail.saw_output
        assert tail.last_line == "ipcbench: res"
        f.write(b"ult PASS\r\n")
        f.flush()
        assert tail.poll() and tail.result == "PASS"


def test_summary_lines():
    r = parsed("fail.log")
    v = verdict.judge(outcome(35, first_output_s=1.5, result_s=4.25), r, "tcg")
    lines = summary.lines_for(r, v, outcome(35, first_output_s=1.5, result_s=4.25),
                              "results/x")
    assert lines[0] == "FAIL: kernel FAIL (2 of 4 checks failed)"
    assert lines[1] == "2 passed, 2 failed (TAP plan 1..4)"
    assert lines[2] == ("boot time: first serial output after 1.5 s, "
                        "result after 4.2 s, QEMU ran 5.0 s")
    assert "not ok 2 - pipe: EOF after last writer closes" in lines


# ------------------------------------------------- run dir and QEMU command

def test_run_id_gets_a_suffix_when_taken(tmp_path):
    now = 1764072062.0          # 2025-11-25 12:01:02 UTC
    first = rundir.create(str(tmp_path), now=now)
    second = rundir.create(str(tmp_path), now=now)
    assert first.run_id == "20251125-120102"
    assert second.run_id == "20251125-120102-2"
    rundir.point_latest(str(tmp_path), first)
    rundir.point_latest(str(tmp_path), second)
    assert os.readlink(tmp_path / "latest") == "20251125-120102-2"


def test_out_dir_is_used_as_given(tmp_path):
    run = rundir.create(str(tmp_path / "results"), out=str(tmp_path / "mine"))
    assert run.path == str(tmp_path / "mine") and os.path.isdir(run.path)


def base_config(**kw):
    fw = ovmf.Firmware("/fw/OVMF_CODE_4M.fd", "/fw/OVMF_VARS_4M.fd")
    return qemu.Config(image="/r/a,b.img", firmware=fw, vars_copy="/r/VARS.fd",
                       serial_log="/r/serial.log", accel=accel.Accel("tcg", "t"), **kw)


def test_qemu_command_tcg():
    argv = qemu.command(base_config())
    s = " ".join(argv)
    for part in ("-machine q35", "-cpu max", "-m 1024", "-smp 1", "-no-reboot",
                 "-display none", "-serial file:/r/serial.log",
                 "if=pflash,format=raw,readonly=on,file=/fw/OVMF_CODE_4M.fd",
                 "if=pflash,format=raw,file=/r/VARS.fd",
                 "format=raw,file=/r/a,,b.img",
                 "-device isa-debug-exit,iobase=0xf4,iosize=0x04", "-accel tcg",
                 "-monitor none"):
        assert part in s
    assert "-icount" not in argv


def test_qemu_command_kvm_icount_monitor():
    cfg = base_config(icount=True, monitor="/tmp/m.sock")
    cfg.accel = accel.Accel("kvm", "k")
    s = " ".join(qemu.command(cfg))
    assert "-cpu host" in s and "-accel kvm" in s
    assert "-icount shift=0,sleep=off,align=off" in s
    assert "-rtc base=2024-01-01T00:00:00,clock=vm" in s and "-seed 1" in s
    assert "-monitor unix:/tmp/m.sock,server=on,wait=off" in s


# -------------------------------------------------------------- the CLI

@pytest.mark.parametrize("cmd,words", [
    ("sweep", "unrecognized arguments: x"),
    ("plot", "x: no such file; make one with ./run.py sweep"),
    ("compare", "x: no such file (a run dir made by ./run.py sweep")])
def test_bench_commands_usage_errors_exit_2(cmd, words):
    # The commands themselves are tested in test_bench_py.py / test_sweep.py.
    res = run_py(cmd, "x")
    assert res.returncode == 2
    assert words in res.stderr


def test_cli_parse_saved_logs():
    res = run_py("parse", data("fail.log"))
    assert res.returncode == 1
    assert "FAIL: kernel FAIL (2 of 4 checks failed)" in res.stdout
    assert "not ok 2 - pipe: EOF after last writer closes" in res.stdout
    assert run_py("parse", data("pass.log")).returncode == 0
    assert run_py("parse", data("no-such.log")).returncode == 2


def test_cli_parse_run_dir_uses_meta(tmp_path):
    shutil.copy(data("pass.log"), tmp_path / "serial.log")
    rundir.write_meta(rundir.RunDir(str(tmp_path), "x"), {"exit": {
        "ok": False, "exit_code": 1, "reason": "kernel printed PASS but QEMU "
        "exit status 35 (expected 33)", "qemu_status": 35}})
    res = run_py("parse", str(tmp_path))
    assert res.returncode == 1
    assert "recorded at run time" in res.stdout


def test_usb_refuses_a_directory(tmp_path):
    res = run_py("usb", "--out", str(tmp_path))
    assert res.returncode == 2 and "is a directory" in res.stderr


def test_ovmf_exception_log():
    # Captured from a real boot whose loader faulted inside UEFI: OVMF dumps
    # and hangs, so run.py must name the fault and not wait for the timeout.
    r = parsed("ovmf_exception.log")
    assert r.firmware_exception == ("0D(#GP - General Protection), RIP 0x3de6831f"
                                    " = image base 0x3de64000 + 0x431f")
    v = verdict.judge(outcome(None, stopped_after_fw_exception=True), r, "tcg")
    assert v.exit_code == 1 and "firmware exception" in v.reason


def test_stopped_qemu_is_not_a_qemu_error():
    out = outcome(None, timed_out=True, timeout_s=5,
                  output="qemu-system-x86_64: terminating on signal 15 from pid 1\n")
    v = verdict.judge(out, seriallog.parse(b"BdsDxe: x\n"), "tcg")
    assert v.reason == "timeout after 5 s; last serial line: BdsDxe: x"


# ------------------------------------- waiting on QEMU (with a fake QEMU)

@pytest.mark.timeout(30)
@pytest.mark.parametrize("mode, attr, status, max_s", [
    ("pass", None, 33, 5),
    ("hang", "timed_out", None, 5),
    ("halt", "stopped_after_result", None, 5),
    ("kvm", "stopped_after_kvm_error", None, 3),
    ("fwexc", "stopped_after_fw_exception", None, 5),
])
def test_wait_stops_qemu_for_the_right_reason(tmp_path, monkeypatch, mode, attr,
                                              status, max_s):
    monkeypatch.setenv("FAKE_QEMU_MODE", mode)
    cfg = base_config(qemu=data("fake_qemu.py"))
    cfg.serial_log, cfg.image = str(tmp_path / "serial.log"), str(tmp_path / "img")
    run = qemu.start(cfg, str(tmp_path / "qemu.log"))
    out = run.wait(timeout=3, grace=0.5)
    assert out.status == status
    assert out.wall_s < max_s
    if attr:
        assert getattr(out, attr), out
    assert run.proc.poll() is not None        # never leaves QEMU behind
    if mode == "hang":
        v = verdict.judge(out, seriallog.parse_file(cfg.serial_log), "tcg")
        assert v.reason == "timeout after 3 s; last serial line: stuck in the middle"
    if mode == "kvm":
        assert "--accel tcg" in verdict.judge(out, seriallog.parse(b""), "kvm").reason


def test_loader_error_log():
    # Captured: the loader refusing a KERNEL.ELF that is not an ELF file.
    r = parsed("loader_bad_kernel.log")
    assert r.loader_error.startswith("KERNEL.ELF is not a loadable kernel")
    assert not any("\x1b" in l or "[=3h" in l for l in r.lines)
    v = verdict.judge(outcome(35), r, "tcg")
    assert v.exit_code == 1 and v.reason.startswith("loader error: KERNEL.ELF")


CHILD = """
import sys, time
sys.path.insert(0, {repo!r})
from ipcbench_py import accel, ovmf, qemu
cfg = qemu.Config(image="img", firmware=ovmf.Firmware("/fw/CODE", "/fw/VARS"),
                  vars_copy="/r/VARS", serial_log={log!r},
                  accel=accel.Accel("tcg", "t"), qemu={fake!r})
run = qemu.start(cfg, {out!r})
print(run.proc.pid, flush=True)
time.sleep(60)
"""


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.timeout(30)
def test_qemu_dies_with_a_killed_run_py(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_QEMU_MODE", "hang")
    code = CHILD.format(repo=REPO, log=str(tmp_path / "s.log"),
                        fake=data("fake_qemu.py"), out=str(tmp_path / "q.log"))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             text=True)
    qemu_pid = int(child.stdout.readline())
    assert pid_alive(qemu_pid)
    child.kill()                      # SIGKILL: no cleanup code runs
    child.wait()
    deadline = time.monotonic() + 5
    while pid_alive(qemu_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(qemu_pid), "QEMU outlived run.py"


# Logs captured from real TCG boots of the kernel (tests/data/real_*.log).

def test_real_pass_log():
    r = parsed("real_pass.log")
    assert r.result == "PASS" and r.failed == 0
    assert r.passed == r.tap_plan and r.missing == 0
    keys = {l.split(":")[0] for l in r.info}
    assert {"mem", "timer", "tsc"} <= keys
    assert verdict.judge(outcome(33), r, "tcg").ok


def test_real_panic_log():
    r = parsed("real_panic_ud.log")
    assert r.panic[0] == "KERNEL PANIC: exception #UD invalid opcode (vector 6) in kernel mode"
    assert "backtrace:" in r.panic
    assert r.result == "FAIL" and r.fail_reason == "kernel exception"
    v = verdict.judge(outcome(35), r, "tcg")
    assert v.reason == ("kernel panic: KERNEL PANIC: exception #UD invalid "
                        "opcode (vector 6) in kernel mode")


def test_real_plan_error_log():
    # The loader rejects the plan before the kernel runs; the log ends
    # without a newline because QEMU is powered off mid-line.
    r = parsed("real_plan_error.log")
    assert r.plan_errors == ["ipcbench loader: plan line 3: unknown key 'bogus'"]
    assert r.loader_error.startswith("PLAN.TXT has 1 bad line")
    assert verdict.judge(outcome(35), r, "tcg").exit_code == 1


def test_git_info_ignores_run_outputs_under_results(tmp_path):
    """A reference run rewritten in place (results/reference/...) leaves the
    sources clean; a changed source file makes the tree dirty."""
    repo = tmp_path / "repo"
    (repo / "results" / "reference").mkdir(parents=True)
    (repo / "results" / "reference" / "results.csv").write_text("a\n")
    (repo / "kernel.c").write_text("int x;\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    assert rundir.git_info(str(repo))["dirty"] is False
    (repo / "results" / "reference" / "results.csv").write_text("b\n")
    assert rundir.git_info(str(repo))["dirty"] is False
    (repo / "kernel.c").write_text("int y;\n")
    assert rundir.git_info(str(repo))["dirty"] is True
