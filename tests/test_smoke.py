"""The README's first command works and prints a meaningful table."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

from tests.conftest import ROOT


def readme_commands() -> list[str]:
    """The copy-paste commands of the README's quick start, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```console\n(.+?)\n```", quick_start)


def test_readme_gives_exactly_two_commands_install_run_and_install_test() -> None:
    """One command installs and runs the main job; the other installs and runs the tests."""
    run, test = readme_commands()
    assert run.startswith("pip install . && hrdsim run scenarios/")
    assert test == 'pip install ".[test]" && python -m pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_readme_first_command_runs_the_baseline() -> None:
    """The README's run command (after its install step) prints key outcomes with CIs."""
    run = readme_commands()[0].split("&&", 1)[1].strip()
    args = shlex.split(run)
    assert args[0] == "hrdsim"
    done = subprocess.run(
        [sys.executable, "-m", "hrdsim", *args[1:]],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Baseline: centralised HRD" in out
    for label in ("Capability index (end)", "Strategic gap (end)", "Learning lost to work",
                  "Wait for facilitation (mean)", "HR developer utilisation", "Cost"):
        assert label in out
    pattern = r"Capability index \(end\)\s+([\d.]+)\s+([\d.]+) … ([\d.]+)"
    capability = re.search(pattern, out)
    assert capability is not None
    mean, low, high = map(float, capability.groups())
    assert 0 < low <= mean <= high < 100
    # the README shows what the command prints today
    shown = re.search(pattern, (ROOT / "README.md").read_text(encoding="utf-8"))
    assert shown is not None
    assert abs(float(shown.group(1)) - mean) < 0.05, "README's example output is out of date"
    assert "Traceback" not in done.stderr
