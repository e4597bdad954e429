"""The speed benchmark still runs (smoke mode: tiny organisations, no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "benchmarks" / "bench_engine.py"


def test_benchmark_script_runs_in_quick_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(raw)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for heading in ("employees", "µs/emp-week", "µs/request", "peak RSS MB", "Linearity",
                    "hrdsim --help"):
        assert heading in done.stdout
    results = json.loads(raw.read_text(encoding="utf-8"))
    sizes = results["sizes"]
    assert [s["employees"] for s in sizes] == [200, 400]
    for size in sizes:
        assert size["weeks"] == 10
        assert size["requests"] > 0  # the HR developer queue was exercised
        assert all(t > 0 for t in size["seconds"])
        assert size["peak_rss_mb"] > 0
    assert len(results["help_seconds"]) == 1
