"""The experiment-layer benchmark still runs (smoke mode: tiny studies, no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "bench_experiments.py"


def test_experiment_benchmark_runs_in_quick_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(raw)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for heading in ("Speed-up:", "Overhead:", "Memory:"):
        assert heading in done.stdout
    results = json.loads(raw.read_text(encoding="utf-8"))
    speedup = results["speedup"]
    assert speedup["runs"] == 4
    assert speedup["identical_results"] is True  # 1 and 2 workers give the same numbers
    assert speedup["speedup"] > 0
    overhead = results["overhead"]
    assert overhead["seconds_per_run"] > 0
    assert len(overhead["direct_cpu_seconds"]) == len(overhead["layer_cpu_seconds"]) == 2
    assert len(overhead["sweep_cpu_seconds"]) == 1
    assert "sweep_overhead" in overhead
    memory = results["memory"]
    assert memory["small"]["runs"] == 4 and memory["large"]["runs"] == 20
    assert memory["small"]["peak_rss_mb"] > 0 and memory["growth"] > 0
