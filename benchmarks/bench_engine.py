"""How fast one replication runs, and how its cost grows with the organisation.

Run from the repository root::

    python benchmarks/bench_engine.py            # 1k, 10k and 100k employees × 260 weeks
    python benchmarks/bench_engine.py --quick    # a few seconds: 200 and 400 employees × 10 weeks
    python benchmarks/bench_engine.py --check    # exit 1 if a target is missed

The baseline scenario is scaled by organisation size: ``organisation.units``
and ``operating_model.developers`` grow in proportion to the number of
employees (teams keep 25 per unit and 8 people each), so every HR developer
faces the same load at every size. Each size runs in a fresh subprocess pinned
to one CPU with single-threaded BLAS, so its peak resident memory is its own.
Simulation time is ``Simulation(...)`` plus ``.run()``, after imports and
after the scenario is loaded; each size is timed ``--repeat`` times, and more
for a short replication (until ``--min-time`` seconds of timed runs, at most
25), and the median is reported. See ``benchmarks/README.md`` for the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"

# The baseline scenario: 5 units × 25 teams × 8 people, 6 HR developers.
BASE_EMPLOYEES = 1000
BASE_UNITS = 5
TEAMS_PER_UNIT = 25
TEAM_SIZE = 8
BASE_DEVELOPERS = 6

#: employees → (seconds, peak memory in MB or None) for 260 weeks.
TARGETS: dict[int, tuple[float, float | None]] = {
    1_000: (0.2, None),
    10_000: (1.0, None),
    100_000: (10.0, 1024.0),
}
HELP_TARGET = 0.5  # seconds for `hrdsim --help`, interpreter start included
#: cost per employee-week at the largest size over the next largest; above this
#: the cost grows faster than the number of employees.
LINEARITY_TOLERANCE = 1.25
#: a short replication is timed until its runs add up to this many seconds (at most
#: MAX_RUNS runs): on a shared machine a few 0.1 s runs can all fall in a slow moment
MIN_TIMED_SECONDS = 2.0
MAX_RUNS = 25
#: a fixed pure-Python workload that calibrates the machine's speed at the time of a run
PYTHON_LOOP = "x = 0\nfor i in range(1000):\n    x += i"
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# -- the worker: one size, in its own process ------------------------------------------------


def scaled_overrides(employees: int, weeks: int, by: str = "hr_developer") -> list[str]:
    """``--set`` overrides that scale the baseline to ``employees`` people."""
    per_unit = TEAMS_PER_UNIT * TEAM_SIZE
    units = max(round(employees / per_unit), 1)
    developers = max(round(BASE_DEVELOPERS * units / BASE_UNITS), 1)
    return [
        f"organisation.units={units}",
        f"organisation.teams_per_unit={TEAMS_PER_UNIT}",
        f"organisation.team_size={TEAM_SIZE}",
        f"operating_model.developers={developers}",
        f"weeks={weeks}",
        f'facilitation.params.by="{by}"',
    ]


def worker(employees: int, weeks: int, repeat: int, trace: bool,
           min_time: float = MIN_TIMED_SECONDS) -> dict[str, object]:
    """Time one replication at least ``repeat`` times and for at least ``min_time``
    seconds (at most :data:`MAX_RUNS` runs), each run followed by one of the queue-free
    variant, and measure memory."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import gc
    import resource
    import timeit
    import tracemalloc

    from hrdsim.engine import Simulation
    from hrdsim.loader import load_scenario
    from hrdsim.plugins import build_registry, make_plugin_manager
    from hrdsim.resolve import resolve

    pm = make_plugin_manager()
    registry = build_registry(pm)

    def resolved(by: str):  # type: ignore[no-untyped-def]
        return resolve(load_scenario(BASELINE, scaled_overrides(employees, weeks, by)), registry)

    queued, in_team_scenario = resolved("hr_developer"), resolved("supervisor")

    def once(scenario) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
        """Wall and CPU seconds of one replication, and the HR developer requests it made."""
        gc.collect()  # the previous replication's objects are gone before this one starts
        wall, cpu = time.perf_counter(), time.process_time()
        result = Simulation(scenario, 0, pm).run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return wall, cpu, float(result.weekly["facilitation_requests"].sum())

    # warm up (first calls import and cache) on a small organisation, untimed
    for by in ("hr_developer", "supervisor"):
        small = load_scenario(BASELINE, scaled_overrides(200, min(weeks, 10), by))
        Simulation(resolve(small, registry), 0, pm).run()

    # Each run is followed by the same sessions held in the team (supervisor), which
    # skip the SimPy queue: the difference per request, taken at about the same time,
    # is what the queue costs.
    runs: list[tuple[float, float, float]] = []
    in_team: list[tuple[float, float, float]] = []
    while len(runs) < repeat or (sum(r[0] for r in runs) < min_time and len(runs) < MAX_RUNS):
        runs.append(once(queued))
        in_team.append(once(in_team_scenario))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    traced_mb = None
    if trace:
        gc.collect()
        tracemalloc.start()
        once(queued)
        traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {
        "employees": queued.scenario.organisation.employees,
        "weeks": weeks,
        "seconds": [r[0] for r in runs],
        "cpu_seconds": [r[1] for r in runs],
        "in_team_seconds": [r[0] for r in in_team],
        "in_team_cpu_seconds": [r[1] for r in in_team],
        "requests": runs[0][2],
        "peak_rss_mb": rss_mb,
        "peak_traced_mb": traced_mb,
        # how fast this machine runs plain Python right now (shared machines vary)
        "python_loop_us": 1e6 * min(timeit.repeat(PYTHON_LOOP, number=200, repeat=5)) / 200,
    }


def run_worker(employees: int, weeks: int, repeat: int, trace: bool,
               min_time: float = MIN_TIMED_SECONDS) -> dict[str, object]:
    command = [sys.executable, __file__, "--worker", str(employees), "--weeks", str(weeks),
               "--repeat", str(repeat), "--min-time", str(min_time)]
    if not trace:
        command.append("--no-tracemalloc")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **SINGLE_THREAD}, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker for {employees} employees failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def time_help(repeat: int) -> list[float]:
    """Wall time of ``hrdsim --help`` in a fresh process, interpreter start included."""
    script = Path(sys.executable).with_name("hrdsim")
    command = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "hrdsim",
                                                                 "--help"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return times


# -- the report ------------------------------------------------------------------------------


def verdict(value: float, limit: float | None, judged: bool) -> str:
    if limit is None or not judged:
        return ""
    return "ok" if value <= limit else "MISSED"


def report(results: list[dict], help_times: list[float], judged: bool) -> list[str]:  # type: ignore[type-arg]
    """Print the tables; return the targets missed."""
    missed: list[str] = []
    print("\nOne replication of the scaled baseline on one core, median of the timed runs:\n")
    rows = [("employees", "weeks", "runs", "wall s", "CPU s", "target", "", "µs/emp-week",
             "requests", "µs/request", "peak RSS MB", "traced MB", "target", "")]
    per_employee_week, busy = [], False
    for r in results:
        n, weeks = r["employees"], r["weeks"]
        wall, cpu = statistics.median(r["seconds"]), statistics.median(r["cpu_seconds"])
        in_team = statistics.median(r["in_team_cpu_seconds"])
        per_employee_week.append(cpu / (n * weeks))
        busy = busy or wall > 1.15 * cpu
        queue_us = 1e6 * (cpu - in_team) / r["requests"] if r["requests"] else float("nan")
        time_limit, mem_limit = TARGETS.get(n, (None, None)) if weeks == 260 else (None, None)
        t_ok = verdict(wall, time_limit, judged)
        m_ok = verdict(r["peak_rss_mb"], mem_limit, judged)
        missed += [f"{n:,} employees: {wall:.2f} s > {time_limit:g} s"] if t_ok == "MISSED" else []
        missed += [f"{n:,} employees: {r['peak_rss_mb']:.0f} MB > {mem_limit:g} MB"] \
            if m_ok == "MISSED" else []
        traced = r["peak_traced_mb"]
        rows.append((
            f"{n:,}", str(weeks), str(len(r["seconds"])), f"{wall:.3f}", f"{cpu:.3f}",
            f"≤ {time_limit:g} s" if time_limit else "", t_ok,
            f"{1e6 * per_employee_week[-1]:.3f}", f"{r['requests']:,.0f}", f"{queue_us:.1f}",
            f"{r['peak_rss_mb']:.0f}", "" if traced is None else f"{traced:.0f}",
            f"≤ {mem_limit:g} MB" if mem_limit else "", m_ok,
        ))
    _table(rows)
    print("\nwall s is judged against the target; CPU s is the process's own CPU time.\n"
          "µs/emp-week: CPU s per employee per simulated week.\n"
          "µs/request: extra CPU time per HR-developer request over the same run with the\n"
          "  sessions held in the team (supervisor), which skips the SimPy queue.\n"
          "peak RSS MB: the worker process's peak resident memory (interpreter and libraries\n"
          "  included); traced MB: peak memory the replication allocated (tracemalloc).")
    if busy:
        print("Note: wall time exceeded CPU time by more than 15%: the machine was busy, and "
              "CPU s is the better estimate of the simulation's own cost.")
    loops = [r["python_loop_us"] for r in results if "python_loop_us" in r]
    if loops:
        print(f"Machine speed: a 1,000-iteration Python loop took {min(loops):.0f}-"
              f"{max(loops):.0f} µs in the workers (`python -m timeit` calibration; on a shared "
              "or virtual machine it varies, and all timings with it).")
    if len(per_employee_week) >= 2:
        growth = per_employee_week[-1] / per_employee_week[-2]
        ok = verdict(growth, LINEARITY_TOLERANCE, judged)
        missed += [f"cost per employee-week grew {growth:.2f}×"] if ok == "MISSED" else []
        print(f"\nLinearity: CPU cost per employee-week at {results[-1]['employees']:,} over "
              f"{results[-2]['employees']:,} employees = {growth:.2f} "
              f"(target ≤ {LINEARITY_TOLERANCE:g}) {ok}")
    help_median = statistics.median(help_times)
    ok = verdict(help_median, HELP_TARGET, judged)
    missed += [f"hrdsim --help: {help_median:.2f} s"] if ok == "MISSED" else []
    print(f"`hrdsim --help`: {help_median:.3f} s wall, interpreter start included (median of "
          f"{len(help_times)}; target < {HELP_TARGET:g} s) {ok}")
    return missed


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join(("-" if c else " ") * w for c, w in zip(row, widths, strict=True))
                  .rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="Smoke run: 200 and 400 employees × 10 weeks, one repeat; "
                        "targets are not judged.")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N",
                        help="Employees per size (default 1000 10000 100000).")
    parser.add_argument("--weeks", type=int, default=None, help="Simulated weeks (default 260).")
    parser.add_argument("--repeat", type=int, default=None,
                        help="Timed runs per size at least (default 3).")
    parser.add_argument("--min-time", type=float, default=None, metavar="SECONDS",
                        help=f"Time a short replication until its runs add up to this "
                        f"(default {MIN_TIMED_SECONDS:g} s; at most {MAX_RUNS} runs).")
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false",
                        help="Skip the extra traced run that measures allocated memory.")
    parser.add_argument("--check", action="store_true", help="Exit 1 if a target is missed.")
    parser.add_argument("--json", type=Path, metavar="FILE", help="Also write the raw results.")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    weeks = args.weeks or (10 if args.quick else 260)
    repeat = args.repeat or (1 if args.quick else 3)
    min_time = args.min_time if args.min_time is not None else (
        0.0 if args.quick else MIN_TIMED_SECONDS)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, weeks, repeat, args.trace, min_time)))
        return 0
    sizes = args.sizes or ([200, 400] if args.quick else sorted(TARGETS))
    results = []
    for n in sizes:
        print(f"simulating {n:,} employees × {weeks} weeks ...", file=sys.stderr, flush=True)
        results.append(run_worker(n, weeks, repeat, args.trace, min_time))
    help_times = time_help(1 if args.quick else 5)
    missed = report(results, help_times, judged=not args.quick)
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, "help_seconds": help_times}, indent=2))
    if missed:
        print("\nTargets missed: " + "; ".join(missed))
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
