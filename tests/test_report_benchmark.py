"""The report benchmark still runs (smoke mode: a tiny comparison, no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "bench_report.py"


def test_report_benchmark_runs_in_quick_mode(tmp_path: Path) -> None:
    raw = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(raw)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for heading in ("Comparison: 2 scenarios × 26 weeks × 3 replications", "seconds",
                    "process s", "charts", "Median (en)", "target < 5 s"):
        assert heading in done.stdout
    results = json.loads(raw.read_text(encoding="utf-8"))
    assert (results["scenarios"], results["weeks"], results["replications"]) == (2, 26, 3)
    (run,) = results["runs"]
    assert run["seconds"] > 0 and run["charts"] == 14 and run["tables"] == 7
    assert results["finnish"]["html_bytes"] > 100_000
