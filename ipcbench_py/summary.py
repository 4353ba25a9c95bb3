"""summary - the human-readable end of a run: counts, failures, timings.

Pure functions returning lines, so the wording is tested without QEMU.
"""
INDENT = "         "          # aligns under the "[ 12.3s] " progress prefix
PANIC_SHOWN = 40


def counts(report):
    parts = [f"{report.passed} passed", f"{report.failed} failed"]
    if report.skipped:
        parts.append(f"{report.skipped} skipped")
    line = ", ".join(parts)
    if report.tap_plan is not None:
        line += f" (TAP plan 1..{report.tap_plan}"
        line += f", {report.missing} never reported)" if report.missing else ")"
    return line


def timing(outcome):
    bits = []
    if outcome.first_output_s is not None:
        bits.append(f"first serial output after {outcome.first_output_s:.1f} s")
    if outcome.result_s is not None:
        bits.append(f"result after {outcome.result_s:.1f} s")
    bits.append(f"QEMU ran {outcome.wall_s:.1f} s")
    return "boot time: " + ", ".join(bits)


def detail_lines(report, verdict):
    """Failing tests, plan errors and panic dump (only on failure)."""
    lines = []
    if verdict.ok:
        return lines
    for name in report.failed_names:
        lines.append(f"not ok {name}")
    lines.extend(report.plan_errors)
    if report.panic:
        lines.extend(report.panic[:PANIC_SHOWN])
    return lines


def lines_for(report, verdict, outcome=None, run_path=None):
    head = ("PASS" if verdict.ok else f"FAIL: {verdict.reason}")
    out = [head, counts(report)]
    if outcome is not None:
        out.append(timing(outcome))
    out.extend(report.info)
    out.extend(detail_lines(report, verdict))
    if run_path:
        out.append(f"run dir: {run_path} (serial.log, qemu.log, meta.json)")
    return out


def render(lines):
    """First line goes after the progress prefix, the rest are indented."""
    return "\n".join([lines[0]] + [INDENT + l for l in lines[1:]])
