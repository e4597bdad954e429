"""The README's first command works and prints a meaningful table."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_readme_first_command_runs_the_baseline() -> None:
    """`hrdsim run scenarios/baseline.toml` prints the key outcomes with CIs."""
    done = subprocess.run(
        [sys.executable, "-m", "hrdsim", "run", "scenarios/baseline.toml", "--replications", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Baseline: centralised HRD" in out
    for label in ("Capability index (end)", "Strategic gap (end)", "Learning lost to work",
                  "Wait for facilitation (mean)", "HR developer utilisation", "Cost"):
        assert label in out
    assert "Traceback" not in done.stderr
