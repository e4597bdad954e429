"""How long building the HTML report of a comparison takes.

Run from the repository root::

    python benchmarks/bench_report.py            # 3 scenarios × 260 weeks × 30 replications
    python benchmarks/bench_report.py --quick    # smoke: 2 scenarios × 26 weeks × 3 replications
    python benchmarks/bench_report.py --check    # exit 1 if the target is missed

The comparison is built once (``hrdsim compare ... --out``, not timed), then the
English report is built ``--repeat`` times, each in a fresh process as
``hrdsim report`` would (imports included), and the median is reported; the
Finnish report is built once more for comparison. The report's cost grows
with weeks × replications × scenarios (the weekly tables it draws) and not
with the organisation's size, so the organisation is kept small to make the
comparison quick to build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline.toml", "octopus.toml", "protected.toml")

#: seconds for the report of 3 scenarios × 260 weeks × 30 replications, imports included
TARGET = 5.0

#: A small organisation: the report's work does not depend on its size.
SMALL = ("organisation.units=2", "organisation.teams_per_unit=5", "organisation.team_size=6",
         "operating_model.developers=2")

TIMED = """
import json, sys, time
started = time.perf_counter()
from hrdsim.report import build_report
files = build_report(sys.argv[1], lang=sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - started, "charts": len(files.charts),
                  "tables": len(files.tables), "html_bytes": files.html.stat().st_size}))
"""


def build_comparison(out: Path, scenarios: int, weeks: int, replications: int) -> float:
    """Run ``hrdsim compare`` into ``out``; return its wall seconds."""
    paths = [str(ROOT / "scenarios" / name) for name in SCENARIOS[:scenarios]]
    sets = [arg for value in (*SMALL, f"weeks={weeks}") for arg in ("--set", value)]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hrdsim", "compare", *paths, *sets, "-n", str(replications),
         "--out", str(out), "--quiet", "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return time.perf_counter() - started


def time_report(folder: Path, lang: str) -> dict[str, float]:
    """Build the report in a fresh process; its own timing, and the process's wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", TIMED, str(folder), lang], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    measured["process_seconds"] = time.perf_counter() - started
    return measured


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 scenarios × 26 weeks × 3 replications, one repeat")
    parser.add_argument("--repeat", type=int, default=3, help="report builds to time (median)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    scenarios, weeks, replications = (2, 26, 3) if args.quick else (3, 260, 30)
    repeat = 1 if args.quick else max(args.repeat, 1)

    work = Path(tempfile.mkdtemp(prefix="hrdsim-bench-report-"))
    try:
        folder = work / "comparison"
        compare_seconds = build_comparison(folder, scenarios, weeks, replications)
        runs = [time_report(folder, "en") for _ in range(repeat)]
        finnish = time_report(folder, "fi")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    seconds = statistics.median(r["seconds"] for r in runs)
    process = statistics.median(r["process_seconds"] for r in runs)
    print(f"Comparison: {scenarios} scenarios × {weeks} weeks × {replications} replications "
          f"(built in {compare_seconds:.1f} s, not timed)")
    print(f"{'report':<10} {'seconds':>8} {'process s':>10} {'charts':>7} {'tables':>7} "
          f"{'HTML kB':>8}")
    for lang, r in [*(("en", r) for r in runs), ("fi", finnish)]:
        print(f"{lang:<10} {r['seconds']:>8.2f} {r['process_seconds']:>10.2f} "
              f"{int(r['charts']):>7} {int(r['tables']):>7} {r['html_bytes'] / 1024:>8.0f}")
    verdict = "met" if seconds < TARGET else "MISSED"
    print(f"Median (en): {seconds:.2f} s, imports included; target < {TARGET:.0f} s for 3 "
          f"scenarios × 260 weeks × 30 replications: {verdict}"
          + (" (quick run: not the target's size)" if args.quick else ""))
    if args.json is not None:
        args.json.write_text(json.dumps({
            "scenarios": scenarios, "weeks": weeks, "replications": replications,
            "compare_seconds": compare_seconds, "runs": runs, "finnish": finnish,
            "median_seconds": seconds, "median_process_seconds": process, "target": TARGET,
        }, indent=2), encoding="utf-8")
    return 1 if args.check and not args.quick and seconds >= TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
