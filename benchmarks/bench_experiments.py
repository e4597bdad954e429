"""How well the experiment layer scales: parallel speed-up, per-run overhead, flat memory.

Run from the repository root::

    python benchmarks/bench_experiments.py            # the full measurements (a few minutes)
    python benchmarks/bench_experiments.py --quick    # smoke run: tiny studies, targets not judged
    python benchmarks/bench_experiments.py --check    # exit 1 if a target is missed

Three measurements, each against a target:

speed-up
    A comparison of the baseline with the octopus scenario, 40 paired
    replications (80 runs of 1,000 employees × 260 weeks), run with
    ``--workers 1`` (in this process) and ``--workers 2`` (two local worker
    processes). Target: 2 workers at least 1.8× faster than 1.
overhead
    The same replications run directly (``Simulation(...).run()`` in a loop)
    and through the experiment layer: the replications of one scenario as
    ``run`` and ``compare`` run them (work units, executor, result
    collection), and as many sweep points, each loaded, run and streamed to
    Parquet as it finishes. Target: the layer adds
    less than 5% to a 1,000-employee, 260-week run.
memory
    Peak resident memory of a sweep of 2,000 short runs against one of 20
    (each in a fresh process, results streamed to a folder). Target: the large
    sweep's peak no more than 20% above the small one's.

Timings are medians of ``--repeat`` measurements; on a shared machine wall
time varies with the other load, so the script prints CPU time beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SPEEDUP_TARGET = 1.8
OVERHEAD_TARGET = 0.05
MEMORY_TARGET = 1.20
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# -- speed-up --------------------------------------------------------------------------------


def measure_speedup(replications: int, weeks: int, repeat: int) -> dict[str, Any]:
    """Wall seconds of one paired comparison with 1 and with 2 workers."""
    import hrdsim

    files = [SCENARIOS / "baseline.toml", SCENARIOS / "octopus.toml"]
    times: dict[int, list[float]] = {1: [], 2: []}
    tables = {}
    for _ in range(repeat):
        for workers in (1, 2):
            started = time.perf_counter()
            result = hrdsim.compare(*files, replications=replications, workers=workers,
                                    overrides=[f"weeks={weeks}"])
            times[workers].append(time.perf_counter() - started)
            tables[workers] = result.differences
    identical = tables[1].equals(tables[2])
    one, two = statistics.median(times[1]), statistics.median(times[2])
    return {"replications": replications, "runs": 2 * replications, "weeks": weeks,
            "seconds_1_worker": times[1], "seconds_2_workers": times[2],
            "speedup": one / two, "identical_results": identical}


# -- overhead --------------------------------------------------------------------------------


def measure_overhead(replications: int, weeks: int, repeat: int) -> dict[str, Any]:
    """CPU seconds: direct simulation against the experiment layer (serial executor).

    The machine's speed drifts (a shared or virtual machine), so each measurement
    of the layer is paired with a direct measurement taken right before it, and
    the overhead is the median of the paired ratios: for replications, one run
    directly then the same run as a work unit; for a sweep, ``replications``
    points run directly then the same points as a sweep streamed to Parquet (its
    planning, manifest and final summary included).
    """
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import gc

    import hrdsim
    from hrdsim.engine import Simulation
    from hrdsim.experiment import open_executor, prepare, run_units, units_for

    prepared = prepare(SCENARIOS / "baseline.toml", [f"weeks={weeks}"])
    Simulation(prepared.resolved, 0, prepared.pm).run()  # warm caches, untimed

    def cpu(work: Any) -> float:
        gc.collect()
        started = time.process_time()
        work()
        return time.process_time() - started

    unit_pairs = []
    with open_executor(workers=1) as handle:
        run_units(handle, units_for([(0, prepared.spec)], [0]))  # the worker's first load
        for _ in range(repeat):
            for rep in range(replications):
                plain = cpu(lambda rep=rep: Simulation(prepared.resolved, rep, prepared.pm).run())
                unit = units_for([(0, prepared.spec)], [rep])
                unit_pairs.append((plain, cpu(lambda unit=unit: run_units(handle, unit))))

    # A sweep: as many points as runs, each streamed to Parquet as it finishes.
    shares = [round(0.05 + 0.001 * i, 3) for i in range(replications)]
    points = [prepare(SCENARIOS / "baseline.toml", [f"weeks={weeks}",
                                                     f"learning.params.share={share}"])
              for share in shares]

    def points_direct() -> None:
        for point in points:
            Simulation(point.resolved, 0, point.pm).run()

    def swept() -> None:
        with tempfile.TemporaryDirectory() as folder:
            hrdsim.sweep(SCENARIOS / "baseline.toml", grid={"learning.params.share": shares},
                         replications=1, overrides=[f"weeks={weeks}"],
                         out=Path(folder) / "out", workers=1)

    sweep_pairs = [(cpu(points_direct), cpu(swept)) for _ in range(repeat)]
    return {"replications": replications, "weeks": weeks,
            "direct_cpu_seconds": [p[0] for p in unit_pairs],
            "layer_cpu_seconds": [p[1] for p in unit_pairs],
            "sweep_direct_cpu_seconds": [p[0] for p in sweep_pairs],
            "sweep_cpu_seconds": [p[1] for p in sweep_pairs],
            "seconds_per_run": statistics.median(p[0] for p in unit_pairs),
            "overhead": statistics.median(b / a for a, b in unit_pairs) - 1,
            "sweep_overhead": statistics.median(b / a for a, b in sweep_pairs) - 1}


# -- memory ----------------------------------------------------------------------------------


def sweep_peak_rss(runs: int, weeks: int) -> dict[str, Any]:
    """Peak RSS (MB) of a process that runs a ``runs``-run sweep streamed to a folder."""
    code = (
        "import resource, sys, hrdsim\n"
        "from pathlib import Path\n"
        "points, reps, weeks, out = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),"
        " sys.argv[4])\n"
        "values = [round(0.01 + 0.19 * i / max(points - 1, 1), 6) for i in range(points)]\n"
        "hrdsim.sweep(sys.argv[5], grid={'learning.params.share': values},"
        " replications=reps, overrides=[f'weeks={weeks}', 'organisation.units=1',"
        " 'organisation.teams_per_unit=4'], out=out, workers=1)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    points, reps = max(runs // 10, 1), min(runs, 10)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code, str(points), str(reps), str(weeks),
             str(Path(folder) / "out"), str(SCENARIOS / "baseline.toml")],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, **SINGLE_THREAD},
            check=False,
        )
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"sweep of {runs} runs failed:\n{done.stderr}")
    return {"runs": points * reps, "peak_rss_mb": float(done.stdout.strip().splitlines()[-1]),
            "seconds": seconds}


def measure_memory(small: int, large: int, weeks: int) -> dict[str, Any]:
    few, many = sweep_peak_rss(small, weeks), sweep_peak_rss(large, weeks)
    return {"small": few, "large": many, "growth": many["peak_rss_mb"] / few["peak_rss_mb"]}


# -- the report ------------------------------------------------------------------------------


def judge(value: float, ok: bool, judged: bool) -> str:
    return "" if not judged else ("ok" if ok else "MISSED")


def report(results: dict[str, Any], judged: bool) -> list[str]:
    """Print what was measured; return the targets missed."""
    missed = []
    s = results.get("speedup")
    if s:
        ok = judge(s["speedup"], s["speedup"] >= SPEEDUP_TARGET, judged)
        print(f"Speed-up: {s['replications']} paired replications ({s['runs']} runs × "
              f"{s['weeks']} weeks): 1 worker {statistics.median(s['seconds_1_worker']):.2f} s, "
              f"2 workers {statistics.median(s['seconds_2_workers']):.2f} s → "
              f"{s['speedup']:.2f}× (target ≥ {SPEEDUP_TARGET:g}×) {ok}")
        print(f"  identical results with 1 and 2 workers: {s['identical_results']}")
        if ok == "MISSED" or not s["identical_results"]:
            missed.append(f"speed-up {s['speedup']:.2f}×")
    o = results.get("overhead")
    if o:
        print(f"Overhead: {o['replications']} runs × {o['weeks']} weeks, "
              f"{o['seconds_per_run']:.3f} CPU s per run directly; the experiment layer adds")
        for name, what in (("overhead", "replications (run, compare)"),
                           ("sweep_overhead", "sweep points streamed to Parquet")):
            ok = judge(o[name], o[name] < OVERHEAD_TARGET, judged)
            print(f"  {100 * o[name]:+.1f}% to {what} (target < {100 * OVERHEAD_TARGET:g}%) {ok}")
            missed += [f"{name} {100 * o[name]:.1f}%"] if ok == "MISSED" else []
    m = results.get("memory")
    if m:
        ok = judge(m["growth"], m["growth"] <= MEMORY_TARGET, judged)
        print(f"Memory: sweep of {m['small']['runs']:,} runs peaks at "
              f"{m['small']['peak_rss_mb']:.0f} MB, of {m['large']['runs']:,} runs at "
              f"{m['large']['peak_rss_mb']:.0f} MB ({m['large']['seconds']:.0f} s) → "
              f"{m['growth']:.2f}× (target ≤ {MEMORY_TARGET:g}×) {ok}")
        missed += [f"memory grew {m['growth']:.2f}×"] if ok == "MISSED" else []
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="Smoke run: tiny studies; targets are not judged.")
    parser.add_argument("--only", choices=["speedup", "overhead", "memory"], action="append",
                        help="Run only these measurements (repeatable).")
    parser.add_argument("--repeat", type=int, default=None, help="Measurements per study "
                        "(default 3; 1 with --quick).")
    parser.add_argument("--check", action="store_true", help="Exit 1 if a target is missed.")
    parser.add_argument("--json", type=Path, metavar="FILE", help="Also write the raw results.")
    args = parser.parse_args(argv)
    only = set(args.only or ["speedup", "overhead", "memory"])
    repeat = args.repeat or (1 if args.quick else 3)
    weeks = 10 if args.quick else 260
    results: dict[str, Any] = {}
    if "speedup" in only:
        results["speedup"] = measure_speedup(2 if args.quick else 40, weeks, repeat)
    if "overhead" in only:
        results["overhead"] = measure_overhead(2 if args.quick else 30, weeks, repeat)
    if "memory" in only:
        results["memory"] = (measure_memory(4, 20, 5) if args.quick
                             else measure_memory(20, 2000, 26))
    missed = report(results, judged=not args.quick)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if missed and args.check:
        print("Missed: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
