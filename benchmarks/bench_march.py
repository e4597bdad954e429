"""March (1991) and bridges between silos: the full grids behind tests/test_march.py
and tests/test_bridges.py, with timings.

Run from the repository root::

    python benchmarks/bench_march.py              # 27 March cells and the O1 curve, 1,000 runs
    python benchmarks/bench_march.py --runs 10000 # Workiewicz's own run count (a few minutes)
    python benchmarks/bench_march.py --quick      # 3 cells × 100 runs, for a smoke test
    python benchmarks/bench_march.py --check      # exit 1 if a March cell misses its tolerance

The March table is the equilibrium net-score knowledge of the code for m = 30,
n = 50, p3 = p4 = 0, p1 = 0.1 … 0.9, p2 ∈ {0.1, 0.5, 0.9}, against
Workiewicz's 10,000-run recreation (``hrdsim_plugins.march.REFERENCE_TABLE``).
The tolerance is ±0.015 at 1,000 runs (model-science §1.6), scaled with
1/√runs (±0.03 at 250 runs), but never below ±0.005. The O1 curve is the
equilibrium team-code knowledge of 5 teams of 10 (p1 = p2 = 0.9) over the
cross-team linking probability.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from hrdsim_plugins.bridges import bridges_equilibrium  # noqa: E402
from hrdsim_plugins.march import REFERENCE_TABLE, run_to_equilibrium  # noqa: E402

P1 = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
P2 = (0.1, 0.5, 0.9)
LINKING = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def tolerance(runs: int) -> float:
    return max(0.005, 0.015 * (1000 / runs) ** 0.5)


def march_table(runs: int, cells: list[tuple[float, float]]) -> list[dict[str, float]]:
    rows = []
    for p1, p2 in cells:
        seed = 1991 + round(p1 * 10) * 10 + round(p2 * 10)
        start = time.perf_counter()
        result = run_to_equilibrium(np.random.default_rng(seed), runs, p1=p1, p2=p2)
        seconds = time.perf_counter() - start
        k = result.code_knowledge
        rows.append({
            "p1": p1, "p2": p2, "knowledge": float(k.mean()),
            "se": float(k.std(ddof=1) / np.sqrt(runs)),
            "reference": REFERENCE_TABLE[(p1, p2)],
            "periods": float(result.periods.mean()), "seconds": seconds,
            "converged": bool(result.converged.all()),
        })
    return rows


def o1_curve(runs: int, linkings: tuple[float, ...]) -> list[dict[str, float]]:
    rows = []
    for linking in linkings:
        start = time.perf_counter()
        result = bridges_equilibrium(np.random.default_rng(2010 + int(linking * 1000)), runs,
                                     linking=linking)
        k = result.code_knowledge
        rows.append({"linking": linking, "knowledge": float(k.mean()),
                     "se": float(k.std(ddof=1) / np.sqrt(runs)),
                     "periods": float(result.periods.mean()),
                     "seconds": time.perf_counter() - start})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs per cell (default 1000)")
    parser.add_argument("--quick", action="store_true", help="3 cells and 3 linkings × 100 runs")
    parser.add_argument("--check", action="store_true", help="exit 1 if a cell misses")
    parser.add_argument("--json", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)
    runs = 100 if args.quick else args.runs
    cells = [(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)] if args.quick else \
        [(p1, p2) for p2 in P2 for p1 in P1]
    linkings = (0.0, 0.03, 1.0) if args.quick else LINKING

    table = march_table(runs, cells)
    tol = tolerance(runs)
    print(f"March (1991) equilibrium knowledge, m = 30, n = 50, {runs} runs per cell "
          f"(tolerance ±{tol:.3f})")
    print(f"{'p1':>4} {'p2':>4} {'ours':>7} {'± se':>6} {'ref':>6} {'diff':>7} "
          f"{'periods':>8} {'s':>6}")
    misses = 0
    for row in table:
        diff = row["knowledge"] - row["reference"]
        miss = abs(diff) > tol or not row["converged"]
        misses += miss
        print(f"{row['p1']:4.1f} {row['p2']:4.1f} {row['knowledge']:7.3f} {row['se']:6.3f} "
              f"{row['reference']:6.3f} {diff:+7.3f} {row['periods']:8.1f} "
              f"{row['seconds']:6.2f}{'  MISS' if miss else ''}")
    print(f"total {sum(r['seconds'] for r in table):.1f} s")

    curve = o1_curve(runs, linkings)
    print(f"\nO1: team-code knowledge at equilibrium, 5 teams × 10, p1 = p2 = 0.9, {runs} runs")
    print(f"{'linking':>8} {'knowledge':>10} {'± se':>6} {'periods':>8} {'s':>6}")
    for row in curve:
        print(f"{row['linking']:8.3f} {row['knowledge']:10.3f} {row['se']:6.3f} "
              f"{row['periods']:8.1f} {row['seconds']:6.2f}")

    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "march": table, "o1": curve}, indent=2),
                             encoding="utf-8")
    if args.check and misses:
        print(f"{misses} cell(s) outside the tolerance", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
