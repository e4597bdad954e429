"""`hrdsim sweep` and `hrdsim.sweep`: designs, common random numbers, results streamed
to Parquet parts, resuming a stopped or killed sweep, failures and one-line errors.

Sweeps use a 30-person organisation for 26 weeks in this process (--workers 1);
each run takes about 10 ms.
"""

from __future__ import annotations

import json
import math
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import hrdsim
import hrdsim.cli
import hrdsim.experiment
import hrdsim.sweep_store
from hrdsim.cli import main
from hrdsim.metrics import OUTCOMES
from tests.conftest import (
    ROOT,
    SCENARIOS,
    failed_cleanly,
    interrupt_run,
    strict_json,
    terminate_run,
)

BASELINE = str(SCENARIOS / "baseline.toml")
#: 2 units × 3 teams × 5 people, 26 weeks (the baseline's 6 developers stay).
SMALL = ("organisation.units=2", "organisation.teams_per_unit=3", "organisation.team_size=5",
         "weeks=26")
TINY = tuple(arg for item in SMALL for arg in ("--set", item))
DEVELOPERS = "operating_model.developers"
SHARE = "learning.params.share"
GRID = ("--grid", f"{DEVELOPERS}=1,2,3", "--grid", f"{SHARE}=0.05,0.1")
IDENTITY = ["point_sha256", "scenario_sha256", "hrdsim_version"]


def sweep(runner: CliRunner, *args: str, scenario: str = BASELINE, code: int = 0) -> Result:
    """Invoke `hrdsim sweep` on the tiny organisation in this process."""
    result = runner.invoke(main, ["sweep", scenario, *args, *TINY, "--workers", "1"])
    assert result.exit_code == code, result.output
    return result


def as_json(runner: CliRunner, *args: str, **kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = strict_json(sweep(runner, *args, "--json", **kwargs).stdout)
    return data


def runs_on_disk(out: Path) -> pd.DataFrame:
    """Every run in a results folder, as a reader of the parts sees them."""
    return pd.read_parquet(out / "runs")


def sorted_runs(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["point", "replication"]).reset_index(drop=True)


# ---------------------------------------------------------------- designs


def test_a_grid_runs_every_combination_replication_by_replication(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """3 × 2 grid values give 6 points; every point's replication 0 is on disk before
    any replication 1, in the design's spreading order."""
    out = tmp_path / "grid"
    data = as_json(runner, *GRID, "-n", "2", "--out", str(out))
    assert data["design"]["method"] == "grid"
    assert data["design"]["keys"] == [DEVELOPERS, SHARE]
    values = [tuple(p["values"].values()) for p in data["design"]["points"]]
    assert values == [(1, 0.05), (1, 0.1), (2, 0.05), (2, 0.1), (3, 0.05), (3, 0.1)]
    assert data["runs"] == {"planned": 12, "finished": 12, "failed": 0, "resumed": 0,
                            "interrupted": False}
    assert data["seed"] == 20261129 and data["common_random_numbers"] is True
    runs = runs_on_disk(out)
    assert len(runs) == 12
    assert list(runs.columns[:5]) == ["point", DEVELOPERS, SHARE, "replication", "seed"]
    assert list(runs.columns[-3:]) == IDENTITY
    assert {o.name for o in OUTCOMES} <= set(runs.columns)
    assert list(runs.replication) == [0] * 6 + [1] * 6
    order = data["design"]["order"]
    assert list(runs.point[:6]) == order == list(runs.point[6:])
    assert order[:3] == [0, 5, 2]  # developers 1, 3, 2: every value of both keys by run 3
    by_point = runs.set_index("point")
    assert by_point.loc[5, DEVELOPERS].tolist() == [3, 3]
    assert by_point.loc[5, SHARE].tolist() == [0.1, 0.1]
    assert runs[DEVELOPERS].dtype == "int64" and runs[SHARE].dtype == "float64"


def test_a_latin_hypercube_is_reproducible_stratified_and_rounds_whole_numbers(
    runner: CliRunner,
) -> None:
    """--lhs 6 draws the same points from the same seed: one per sixth of the share's
    range, whole numbers of developers; another seed draws others."""
    args = ("--lhs", "6", "--range", f"{SHARE}=0:0.3", "--range", f"{DEVELOPERS}=1:4",
            "-n", "1")
    first = as_json(runner, *args)
    again = as_json(runner, *args)
    other = as_json(runner, *args, "--seed", "99")
    points = [p["values"] for p in first["design"]["points"]]
    assert points == [p["values"] for p in again["design"]["points"]]
    assert points != [p["values"] for p in other["design"]["points"]]
    assert first["design"]["ranges"][DEVELOPERS] == {"low": 1.0, "high": 4.0, "integer": True}
    assert sorted(math.floor(p[SHARE] / 0.05) for p in points) == list(range(6))
    assert all(isinstance(p[DEVELOPERS], int) and 1 <= p[DEVELOPERS] <= 4 for p in points)
    assert first["design"]["design_seed"] == 20261129 and other["design"]["design_seed"] == 99
    assert len(first["points"]) == 6 and first["runs"]["finished"] == 6


def test_mixing_a_grid_with_a_latin_hypercube_is_refused(runner: CliRunner) -> None:
    line = failed_cleanly(sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "--lhs", "4", "--range",
                                f"{SHARE}=0:0.2", code=2))
    assert "give --grid (a full factorial) or --lhs N with --range (a Latin hypercube), not both" \
        in line


@pytest.mark.parametrize(("args", "expected"), [
    (("--grid", "operating_model.developers"), "--grid: operating_model.developers: expected "
     "KEY=V1,V2,..."),
    (("--grid", f"{DEVELOPERS}=1,,3"), f"--grid: {DEVELOPERS}: has an empty value"),
    (("--grid", f"{DEVELOPERS}=1,1"), f"--grid: {DEVELOPERS}: lists a value twice"),
    (("--lhs", "4", "--range", f"{SHARE}=0.2"), f"--range: {SHARE}=0.2: expected KEY=LO:HI"),
    (("--lhs", "4", "--range", f"{SHARE}=0.2:0.1"), f"--range: {SHARE}: expected finite "
     "bounds with LO < HI"),
    (("--lhs", "4", "--range", f"{SHARE}=a:b"), f"--range: {SHARE}: bounds must be numbers"),
    (("--grid", "operating_model.developer=1,2"), "--grid: operating_model.developer: is not a "
     "key of the scenario - did you mean 'operating_model.developers'?"),
    (("--lhs", "4", "--range", "learning.policy=0:1"), "--range: learning.policy: holds "
     "'fixed_share', not a number, so it cannot be ranged (use --grid to list its values)"),
    (("--grid", f"{SHARE}=0.1,5"), f"--grid: {SHARE}: 5.0 is out of range; expected ≥ 0 and ≤ 1"),
    (("--lhs", "4", "--range", f"{SHARE}=0.5:1.5"), f"--range: {SHARE}: 1.5 is out of range; "
     "expected ≥ 0 and ≤ 1 (the high end of the range 0.5:1.5; narrow the range to values the "
     "key accepts)"),
    (("--lhs", "4", "--range", f"{SHARE}=-0.1:0.2"), f"--range: {SHARE}: -0.1 is out of range; "
     "expected ≥ 0 and ≤ 1 (the low end of the range -0.1:0.2; narrow the range to values the "
     "key accepts)"),
    (("--lhs", "4", "--range", f"{DEVELOPERS}=-3:2"), f"--range: {DEVELOPERS}: -3 is out of "
     "range; expected ≥ 0"),
    (("--grid", f"{DEVELOPERS}=1,2", "--grid", f"{SHARE}=0.1,5"), f"--grid: {SHARE}: at design "
     f"point 1 (with {DEVELOPERS}=1): 5.0 is out of range; expected ≥ 0 and ≤ 1"),
    (("--grid", "learning.policy=fixed_share,leftover", "--grid", f"{SHARE}=0.05,0.1"),
     f"--grid: {SHARE}: at design point 2 (with learning.policy=leftover): unknown key"),
    (("--grid", f"{DEVELOPERS}=1,2", "--grid", f"{DEVELOPERS}=3"), f"--grid: {DEVELOPERS}: is "
     "varied twice"),
    (("--grid", "seed=1,2"), "--grid: seed: is the study's seed"),
    (("--grid", "replications=1,2"), "--grid: replications: is how many times every point "
     "runs, not an input a point can vary (give --replications N)"),
    (("--grid", f"{DEVELOPERS}=1,2", "--set", f"{DEVELOPERS}=3"), f"--grid: {DEVELOPERS}: is "
     "also set with --set"),
    (("--range", f"{SHARE}=0:0.2"), "--range needs --lhs N"),
    (("--lhs", "4"), "--lhs needs at least one --range KEY=LO:HI"),
    ((), "give the keys to vary: --grid KEY=V1,V2,... (a full factorial) or --lhs N --range"),
    (("--grid", f"{DEVELOPERS}=1,2", "--resume"), "--resume continues the sweep in a results "
     "folder: give it with --out DIR"),
    (("--grid", f"{DEVELOPERS}=1,2", "--metric", "capability_indx"), "--metric capability_indx: "
     "unknown outcome - did you mean 'capability_index'?"),
])
def test_bad_designs_are_one_clear_line_naming_option_and_key(
    runner: CliRunner, args: tuple[str, ...], expected: str,
) -> None:
    """A malformed or impossible design exits 2 before anything runs, naming the option
    and the key."""
    line = failed_cleanly(sweep(runner, *args, code=2))
    assert expected in line, line


def test_a_too_large_design_is_refused_before_anything_runs(runner: CliRunner) -> None:
    values = ",".join(str(v) for v in range(1, 201))
    line = failed_cleanly(sweep(runner, "--grid", f"{DEVELOPERS}={values}", "--grid",
                                f"work.fire_hours={values}", code=2))
    assert "the design has 40,000 points; a sweep runs at most 10,000" in line


# ---------------------------------------------------------------- common random numbers


def test_a_point_equal_to_the_scenario_gives_exactly_the_runs_of_hrdsim_run(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """Replication i of the point share=0.05 (the baseline's own value) has exactly the
    outcomes of replication i of `hrdsim run` on the same seed; the other points see the
    same random numbers too (the same demand), so only what the share changes differs."""
    out = tmp_path / "crn"
    sweep(runner, "--grid", f"{SHARE}=0.05,0.1", "-n", "3", "--seed", "5", "--out", str(out))
    alone = runner.invoke(main, ["run", BASELINE, *TINY, "-n", "3", "--seed", "5", "--json"])
    assert alone.exit_code == 0, alone.output
    expected = pd.DataFrame(json.loads(alone.stdout)["per_replication"])
    runs = sorted_runs(runs_on_disk(out))
    same = runs[runs[SHARE] == 0.05].reset_index(drop=True)
    assert list(same.seed) == [5, 5, 5] and list(same.replication) == [0, 1, 2]
    pd.testing.assert_frame_equal(same[list(expected.columns)], expected, check_exact=True,
                                  check_dtype=False)
    other = runs[runs[SHARE] == 0.1].reset_index(drop=True)
    assert (other.capability_index > same.capability_index).all()
    assert not other.capability_index.equals(same.capability_index)


# ---------------------------------------------------------------- streaming and resuming


def test_runs_are_written_in_parts_while_the_sweep_runs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With parts of 4 runs, 8 runs are on disk in 2 parts when the 9th starts (and the
    manifest already says what is running), and the 12 runs end in 3 readable parts,
    with their weekly series in parts of the same numbers."""
    monkeypatch.setattr(hrdsim.sweep_store, "PART_RUNS", 4)
    out = tmp_path / "parts"
    real = hrdsim.experiment.run_unit
    seen: list[int] = []
    manifests: list[dict[str, Any]] = []

    def count_parts_first(unit: Any) -> Any:
        seen.append(len(list((out / "runs").glob("part-*.parquet"))))
        manifests.append(json.loads((out / "manifest.json").read_text()))
        return real(unit)

    monkeypatch.setattr(hrdsim.experiment, "run_unit", count_parts_first)
    sweep(runner, *GRID, "-n", "2", "--out", str(out), "--quiet", "--weekly")
    assert seen[8] == 2 and seen[4] == 1 and seen[0] == 0
    assert manifests[0]["status"] == "running" and manifests[0]["weekly"] is True
    assert manifests[0]["runs"]["planned"] == 12 and manifests[0]["runs"]["finished"] == 0
    parts = sorted(p.name for p in (out / "runs").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert sorted(p.name for p in (out / "weekly").iterdir()) == parts
    assert [len(pd.read_parquet(out / "runs" / p)) for p in parts] == [4, 4, 4]
    assert len(runs_on_disk(out)) == 12
    weekly = pd.read_parquet(out / "weekly")
    assert len(weekly) == 12 * 26 and list(weekly.columns[:3]) == ["point", "replication", "week"]
    last = weekly[weekly.week == 25].set_index(["point", "replication"]).capability_index
    runs = runs_on_disk(out).set_index(["point", "replication"]).capability_index
    assert last.sort_index().tolist() == pytest.approx(runs.sort_index().tolist())


def test_a_finished_run_reaches_the_disk_within_part_seconds_while_others_run(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs that finished are written once they have waited PART_SECONDS, even while no
    other run finishes (the third run here waits for the part of the first two)."""
    monkeypatch.setattr(hrdsim.sweep_store, "PART_SECONDS", 0.1)
    out = tmp_path / "timely"
    real = hrdsim.experiment.run_unit
    calls = {"n": 0}
    waited: list[float] = []

    def third_waits_for_a_part(unit: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # the first two are kept, and no run finishes until this one does
            started = time.monotonic()
            while not list((out / "runs").glob("part-*.parquet")) and \
                    time.monotonic() - started < 10:
                time.sleep(0.01)
            waited.append(time.monotonic() - started)
        return real(unit)

    monkeypatch.setattr(hrdsim.experiment, "run_unit", third_waits_for_a_part)
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "2", "--out", str(out), "--quiet")
    assert waited and waited[0] < 5
    first = pd.read_parquet(out / "runs" / "part-00000.parquet")
    assert len(first) == 2
    assert len(runs_on_disk(out)) == 4


def test_run_units_hands_each_result_to_on_result_and_keeps_none() -> None:
    """A streaming callback gets every result; the batch only counts them."""
    from hrdsim.experiment import open_executor, prepare, run_units, units_for

    base = prepare(BASELINE, SMALL, {"seed": 3})
    got: list[tuple[int, float]] = []
    with open_executor(workers=1) as handle:
        batch = run_units(handle, units_for([(0, base.spec)], range(3)),
                          on_result=lambda unit, result: got.append(
                              (unit.replication, result.outcomes["capability_index"])))
    assert [r for r, _ in got] == [0, 1, 2]
    assert batch.results == {} and batch.streamed == 3 and batch.finished == 3
    alone = hrdsim.run(BASELINE, replications=3, seed=3, overrides=SMALL)
    assert [c for _, c in got] == alone.outcomes["capability_index"].tolist()


def test_ctrl_c_keeps_finished_runs_and_the_printed_command_resumes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C on the 5th run exits 130 with 4 runs on disk and the command to continue;
    that command runs the other 8 and ends with the runs of an uninterrupted sweep."""
    real = hrdsim.experiment.run_unit
    interrupt_run(monkeypatch, 5)
    out = tmp_path / "stopped"
    result = sweep(runner, *GRID, "-n", "2", "--out", str(out), code=130)
    assert "Interrupted: 4 of 12 runs finished; they are in" in result.stderr
    stopped = json.loads((out / "sweep.json").read_text())
    assert stopped["runs"] == {"planned": 12, "finished": 4, "failed": 0, "resumed": 0,
                               "interrupted": True}
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert len(runs_on_disk(out)) == 4
    command = result.stderr.split("Continue with:\n", 1)[1].strip()
    args = shlex.split(command)
    # `hrdsim ...`, or `python -m hrdsim ...` when that is how the command was typed
    program = 3 if args[:3] == ["python", "-m", "hrdsim"] else 1
    assert args[:program] in (["hrdsim"], ["python", "-m", "hrdsim"]), args
    assert args[program] == "sweep" and args[-1] == "--resume"
    assert ["--out", str(out)] == args[args.index("--out"):args.index("--out") + 2]

    monkeypatch.setattr(hrdsim.experiment, "run_unit", real)
    resumed = runner.invoke(main, args[program:])
    assert resumed.exit_code == 0, resumed.output
    assert "12 of 12 runs finished (4 already in the folder; 8 run now" in resumed.stdout
    whole = tmp_path / "whole"
    sweep(runner, *GRID, "-n", "2", "--out", str(whole), "--quiet")
    pd.testing.assert_frame_equal(sorted_runs(runs_on_disk(out)),
                                  sorted_runs(runs_on_disk(whole)), check_exact=True)
    final = json.loads((out / "sweep.json").read_text())
    assert final["runs"]["resumed"] == 4 and final["runs"]["finished"] == 12
    assert final["points"] == json.loads((whole / "sweep.json").read_text())["points"]


@pytest.mark.slow
def test_ctrl_c_while_the_points_are_checked_exits_130_saying_nothing_ran(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checking thousands of points takes a while; Ctrl-C then ends with status 130 and
    one line, not click's bare 'Aborted!' and status 1."""
    import hrdsim.sweep_plan

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(hrdsim.sweep_plan, "plan_sweep", interrupted)
    result = sweep(runner, *GRID, "--out", str(tmp_path / "never"), code=130)
    assert result.stderr.strip() == ("Interrupted while loading and checking the design's "
                                     "points: nothing ran and nothing was written.")
    assert not (tmp_path / "never").exists()


def test_a_killed_sweep_resumes_to_exactly_the_runs_of_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    """`python -m hrdsim sweep --out DIR` killed with SIGKILL once a part is on disk
    leaves only whole parts; `--resume` runs the rest, and the folder then holds exactly
    the runs (every outcome, bit for bit) of a sweep that was never stopped."""
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "hrdsim", "sweep", BASELINE, *GRID, "-n", "20", *TINY,
               "--workers", "1", "--quiet", "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list((out / "runs").glob("part-*.parquet")) and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.01)
    assert process.poll() is None, "the sweep finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    killed = runs_on_disk(out)
    assert 0 < len(killed) < 120
    assert not (out / "sweep.json").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    done = subprocess.run([*command, "--resume"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"120 of 120 runs finished ({len(killed)} already in the folder" in done.stdout

    whole = tmp_path / "whole"
    hrdsim.sweep(BASELINE, grid={DEVELOPERS: [1, 2, 3], SHARE: [0.05, 0.1]}, replications=20,
                 overrides=SMALL, out=whole)
    resumed_runs = sorted_runs(runs_on_disk(out))
    assert not resumed_runs.duplicated(["point", "replication"]).any()
    pd.testing.assert_frame_equal(resumed_runs, sorted_runs(runs_on_disk(whole)),
                                  check_exact=True)
    assert json.loads((out / "sweep.json").read_text())["points"] == \
        json.loads((whole / "sweep.json").read_text())["points"]


def test_resuming_a_changed_scenario_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """After the scenario file is edited, --resume exits 2 saying the file changed."""
    scenario = tmp_path / "mine.toml"
    scenario.write_text(f'extends = "{Path(BASELINE).as_posix()}"\nname = "Mine"\n',
                        encoding="utf-8")
    out = tmp_path / "study"
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", "--out", str(out),
          scenario=str(scenario))
    scenario.write_text(scenario.read_text() + "# a comment changes the file\n", encoding="utf-8")
    line = failed_cleanly(sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", "--out",
                                str(out), "--resume", scenario=str(scenario), code=2))
    assert line.startswith(f"cannot resume {out}: the scenario files changed since its sweep "
                           f"started ({scenario}: SHA-256 ")
    assert "restore the file, or start a new --out folder" in line


def test_resuming_a_folder_of_another_scenario_names_both_scenarios(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """--resume with another scenario than the folder's says so (not that a file changed)."""
    out = tmp_path / "study"
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", "--out", str(out))
    octopus = str(SCENARIOS / "octopus.toml")
    line = failed_cleanly(sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", "--out",
                                str(out), "--resume", scenario=octopus, code=2))
    assert line == (f'cannot resume {out}: it holds a sweep of {BASELINE} ("Baseline: '
                    f'centralised HRD"), not of {octopus} ("Octopus: HR developers embedded '
                    'near teams"), and results of different scenarios are not mixed (resume '
                    f"with {BASELINE}, or start a new --out folder)")


def test_resuming_a_sweep_of_another_hrdsim_version_is_refused(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """A folder whose manifest says another hrdsim version made its runs is not resumed."""
    out = tmp_path / "study"
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["hrdsim_version"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    line = failed_cleanly(sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "2", "--out",
                                str(out), "--resume", code=2))
    assert line.startswith(f"cannot resume {out}: its runs were made by hrdsim 0.0.1, this is "
                           f"hrdsim {hrdsim.__version__}, and results of different versions "
                           "are not mixed")
    assert len(runs_on_disk(out)) == 2  # nothing added


@pytest.mark.parametrize(("args", "expected"), [
    (("--grid", f"{DEVELOPERS}=1,3"), "its design differs (point 1 was "
     f"{DEVELOPERS}=2 then, {DEVELOPERS}=3 now)"),
    (("--grid", f"{DEVELOPERS}=1,2", "--seed", "4"), "it ran on seed 20261129, not 4; resume "
     "with --seed 20261129"),
    (("--grid", f"{DEVELOPERS}=1,2", "--set", "work.demand=0.7"), "its runs were made with "
     "--set organisation.units=2 --set organisation.teams_per_unit=3 --set "
     "organisation.team_size=5 --set weeks=26, these with --set work.demand=0.7 --set "
     "organisation.units=2 --set organisation.teams_per_unit=3 --set organisation.team_size=5 "
     "--set weeks=26; resume with the --set options it started with"),
    (("--grid", f"{DEVELOPERS}=1,2", "--weekly"), "it was started without --weekly"),
    (("--grid", f"{DEVELOPERS}=1,2", "-n", "1"), "it holds up to 2 replications per point "
     "(0-1), more than the 1 asked for; resume with --replications 2 or more"),
])
def test_resuming_another_design_seed_or_inputs_is_refused(
    runner: CliRunner, tmp_path: Path, args: tuple[str, ...], expected: str,
) -> None:
    """--resume refuses, in one line, a folder whose runs were made otherwise."""
    out = tmp_path / "study"
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "2", "--out", str(out))
    line = failed_cleanly(sweep(runner, *args, "--out", str(out), "--resume", code=2))
    assert line.startswith(f"cannot resume {out}: "), line
    assert expected in line, line


def test_a_folder_that_is_not_empty_needs_resume(runner: CliRunner, tmp_path: Path) -> None:
    """Without --resume, a folder holding anything is refused, naming --resume."""
    out = tmp_path / "used"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    line = failed_cleanly(sweep(runner, *GRID, "--out", str(out), code=2))
    assert line == (f"{out} is not empty (it holds notes.txt): add --resume to continue the "
                    "sweep in it, or choose a new --out folder")
    line = failed_cleanly(sweep(runner, *GRID, "--out", str(out), "--resume", code=2))
    assert "does not hold a sweep to resume" in line


def test_resuming_a_finished_sweep_runs_nothing_and_more_replications_extend_it(
    runner: CliRunner, tmp_path: Path,
) -> None:
    out = tmp_path / "done"
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "2", "--out", str(out))
    again = as_json(runner, "--grid", f"{DEVELOPERS}=1,2", "--out", str(out), "--resume")
    assert again["replications"] == 2  # the folder's, without -n
    assert again["runs"] == {"planned": 4, "finished": 4, "failed": 0, "resumed": 4,
                             "interrupted": False}
    more = as_json(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "3", "--out", str(out),
                   "--resume")
    assert more["runs"]["resumed"] == 4 and more["runs"]["finished"] == 6
    assert sorted(runs_on_disk(out).replication) == [0, 0, 1, 1, 2, 2]


# ---------------------------------------------------------------- failures and plugins


def test_sigterm_stops_a_sweep_like_ctrl_c(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a sweep runs, SIGTERM's handler stops it as Ctrl-C does (exit 130, runs kept,
    the command to continue); afterwards the previous handler is back."""
    before = terminate_run(monkeypatch, 3)
    out = tmp_path / "terminated"
    result = sweep(runner, *GRID, "-n", "2", "--out", str(out), code=130)
    assert "Interrupted: 2 of 12 runs finished" in result.stderr
    assert "--resume" in result.stderr
    assert signal.getsignal(signal.SIGTERM) is before
    assert len(runs_on_disk(out)) == 2


#: A local plugin that fails every run with 3 developers.
FAILS_AT_THREE = '''
from hrdsim import hookimpl


@hookimpl
def hrdsim_run_start(run):
    if run.scenario.operating_model.developers == 3:
        raise RuntimeError("three developers break this plugin")
'''


def test_a_plugin_failing_at_one_point_fails_only_that_points_runs(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """Runs at developers=3 are recorded as failed with the plugin's message; the other
    points complete, and the exit code is 0 as for compare."""
    plugin = tmp_path / "picky.py"
    plugin.write_text(FAILS_AT_THREE, encoding="utf-8")
    out = tmp_path / "study"
    result = sweep(runner, *GRID, "-n", "2", "--out", str(out), "--plugin", str(plugin))
    assert "4 of 12 finished runs failed (left out of the table):" in result.stdout
    assert (f"point 4 ({DEVELOPERS}=3, {SHARE}=0.05), replication 0: plugin 'picky', hook "
            "hrdsim_run_start(): failed in replication 0") in result.stdout
    data = json.loads((out / "sweep.json").read_text())
    assert data["runs"] == {"planned": 12, "finished": 12, "failed": 4, "resumed": 0,
                            "interrupted": False}
    assert {(f["point"], f["replication"]) for f in data["failures"]} == {
        (4, 0), (5, 0), (4, 1), (5, 1)}
    assert all("RuntimeError: three developers break this plugin" in f["message"]
               for f in data["failures"])
    assert sorted(set(runs_on_disk(out).point)) == [0, 1, 2, 3]
    points = pd.read_csv(out / "points.csv").set_index("point")
    assert points.loc[4, "failed"] == 2 and points.loc[4, "replications"] == 0
    assert math.isnan(points.loc[4, "capability_index_mean"])
    assert points.loc[0, "replications"] == 2 and points.loc[0, "failed"] == 0


#: A local plugin adding an outcome of its own at one share only.
EXTRA_OUTCOME = '''
from hrdsim import hookimpl


@hookimpl
def hrdsim_collect_metrics(run):
    if run.scenario.operating_model.developers == 2:
        return {"pairing_sessions": 7.0}
'''


def test_an_outcome_a_plugin_adds_at_some_points_is_a_column_of_every_part(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parts written before the outcome first appeared get it as an empty column, so
    reading the folder keeps it."""
    monkeypatch.setattr(hrdsim.sweep_store, "PART_RUNS", 1)
    plugin = tmp_path / "pairing.py"
    plugin.write_text(EXTRA_OUTCOME, encoding="utf-8")
    out = tmp_path / "study"
    sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", "--out", str(out), "--plugin",
          str(plugin))
    runs = sorted_runs(runs_on_disk(out))
    assert runs.pairing_sessions.isna().tolist() == [True, False]
    assert runs.pairing_sessions[1] == 7.0
    assert list(runs.columns[-4:]) == ["pairing_sessions", *IDENTITY]


# ---------------------------------------------------------------- files and report


def test_out_writes_manifest_sweep_json_and_points_tables(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """The folder holds the manifest (study, design, seeds, runs), sweep.json (what --json
    prints), points.csv/.parquet (one row per point) and runs/."""
    out = tmp_path / "study"
    result = sweep(runner, *GRID, "-n", "2", "--out", str(out))
    assert {p.name for p in out.iterdir()} == {"manifest.json", "sweep.json", "points.csv",
                                               "points.parquet", "runs"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["study"] == "sweep" and manifest["status"] == "finished"
    assert manifest["seeds"] == {"seed": 20261129, "common_random_numbers": True,
                                 "replications": "0-1"}
    assert manifest["executor"] == {"kind": "serial", "workers": 1}
    assert manifest["runs"] == {"planned": 12, "finished": 12, "failed": 0, "resumed": 0,
                                "interrupted": False}
    assert manifest["design"]["grid"] == {DEVELOPERS: [1, 2, 3], SHARE: [0.05, 0.1]}
    assert len(manifest["scenario"]["file_sha256"]) == 64
    assert manifest["hrdsim_version"] == hrdsim.__version__
    data = json.loads((out / "sweep.json").read_text())
    runs = runs_on_disk(out)
    point = next(p for p in data["points"] if p["point"] == 3)
    capability = runs[runs.point == 3].capability_index
    assert point["outcomes"]["capability_index"]["mean"] == pytest.approx(capability.mean())
    assert point["outcomes"]["capability_index"]["n"] == 2
    points = pd.read_csv(out / "points.csv")
    assert list(points.columns[:5]) == ["point", DEVELOPERS, SHARE, "replications", "failed"]
    assert len(points) == 6
    assert points.loc[3, "capability_index_mean"] == pytest.approx(capability.mean())
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"), points,
                                  check_dtype=False)
    assert "Results written to" in result.stdout


def test_the_report_shows_the_design_a_table_of_points_and_the_best(runner: CliRunner) -> None:
    """The report names the design, shows mean ± half-width per point and the best point
    for capability with the points within noise of it."""
    text = sweep(runner, "--grid", f"{SHARE}=0.02,0.1", "-n", "3").stdout
    assert "Design: a full factorial grid of 2 points" in text
    assert f"  {SHARE}: 0.02, 0.1" in text
    assert "3 replications per point on common random numbers (seed 20261129" in text
    assert "Capability index (end)" in text and " ± " in text
    assert f"Best for capability index (end): point 1 ({SHARE}=0.1), the highest mean:" in text
    assert "Every other point is distinguishably worse" in text


def test_points_within_noise_of_the_best_are_named_by_their_values(runner: CliRunner) -> None:
    """With a few points within noise of the best, the report gives each one's values, so
    a reader need not look the point numbers up."""
    text = sweep(runner, "--grid", f"{DEVELOPERS}=1,2,3", "-n", "3").stdout
    assert (f"Within noise of it (the paired difference's 95% CI includes 0): points 1 "
            f"({DEVELOPERS}=2), 2 ({DEVELOPERS}=3)") in text, text


def test_a_varied_length_or_size_is_not_reported_as_the_scenarios_own(
    runner: CliRunner,
) -> None:
    """A sweep of weeks (or of the organisation's size) does not claim every run lasted
    the scenario's 26 weeks (or had its 30 people)."""
    weeks = sweep(runner, "--grid", "work.demand=0.7,0.75", "-n", "1").stdout
    assert ("30 people, 26 weeks; 1 replication per point on common random numbers (seed "
            "20261129, replication 0)") in weeks
    text = runner.invoke(main, ["sweep", BASELINE, "--grid", "weeks=10,20", "--grid",
                                "organisation.units=1,2", "-n", "1", "--workers", "1",
                                "--set", "organisation.teams_per_unit=3", "--set",
                                "organisation.team_size=5"]).stdout
    assert ("people: varied by the design, weeks: varied by the design; 1 replication per "
            "point") in text, text
    assert "26 weeks" not in text and "30 people" not in text


def test_a_half_width_of_rounding_noise_is_shown_as_zero() -> None:
    """Replications equal up to the last bit of their sums show ``± 0``, not a row of
    zero decimals."""
    from hrdsim.metrics import estimate
    from hrdsim.sweep_report import _cell

    equal = estimate([3.7500000000000004, 3.75, 3.75])
    assert 0 < equal.half_width < 1e-14
    assert _cell(equal, {}) == "3.75 ± 0"
    assert _cell(estimate([3.75, 3.7, 3.8]), {}) == "3.75 ± 0.12"


def test_an_interrupted_sweep_does_not_blame_one_replication_per_point(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stopped before any point has two replications, the report says the replications
    did not finish - not that the sweep asked for only one."""
    interrupt_run(monkeypatch, 4)
    text = sweep(runner, *GRID, "-n", "3", code=130).stdout
    assert "one replication per point gives no interval" not in text
    assert ("(only 1 of its 3 replications finished, which gives no interval: resume the "
            "sweep to see which points are within noise of it)") in text


def test_json_prints_what_sweep_json_holds(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "study"
    printed = as_json(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "2", "--out", str(out))
    assert printed == strict_json((out / "sweep.json").read_text())
    assert printed["best"]["metric"] == "capability_index"


@pytest.mark.parametrize(("terminal", "flags", "shown"), [
    (True, (), True), (False, (), False), (True, ("--quiet",), False), (True, ("--json",), False),
])
def test_progress_bar_only_on_a_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, terminal: bool,
    flags: tuple[str, ...], shown: bool,
) -> None:
    monkeypatch.setattr(hrdsim.cli, "_stderr_is_terminal", lambda: terminal)
    result = sweep(runner, "--grid", f"{DEVELOPERS}=1,2", "-n", "1", *flags)
    assert ("Simulating" in result.stderr) is shown, result.stderr
    assert "Simulating" not in result.stdout


# ---------------------------------------------------------------- Python API


def test_the_api_returns_runs_and_points_tables(tmp_path: Path) -> None:
    """hrdsim.sweep gives .runs (one row per point × replication) and .points (one row
    per point, means equal to the runs'), and with weekly=True the weekly series."""
    result = hrdsim.sweep(BASELINE, grid={DEVELOPERS: [1, 2], SHARE: [0.05, 0.1]},
                          replications=2, seed=8, overrides=SMALL, weekly=True)
    assert isinstance(result, hrdsim.Sweep)
    runs = result.runs
    assert len(runs) == 8 and list(runs.columns[:5]) == ["point", DEVELOPERS, SHARE,
                                                          "replication", "seed"]
    assert not set(IDENTITY) & set(runs.columns)
    assert (runs.seed == 8).all()
    points = result.points
    assert len(points) == 4 and list(points.point) == [0, 1, 2, 3]
    assert points.capability_index_mean.tolist() == pytest.approx(
        runs.groupby("point").capability_index.mean().tolist())
    assert (points.replications == 2).all()
    assert result.weekly is not None and len(result.weekly) == 8 * 26
    assert list(result.weekly.columns[:3]) == ["point", "replication", "week"]
    assert result.folder is None
    assert "Best for capability index (end)" in str(result)
    written = result.write(tmp_path / "copy")
    assert (tmp_path / "copy" / "sweep.json") in written
    pd.testing.assert_frame_equal(sorted_runs(runs_on_disk(tmp_path / "copy"))
                                  .drop(columns=IDENTITY), runs)


def test_the_api_takes_ranges_and_checks_them() -> None:
    result = hrdsim.sweep(BASELINE, ranges={DEVELOPERS: (1, 3)}, lhs=3, replications=1,
                          overrides=SMALL)
    assert sorted(result.runs[DEVELOPERS]) == [1, 2, 3]
    with pytest.raises(hrdsim.HrdsimError, match=r"--range: learning\.policy: holds"):
        hrdsim.sweep(BASELINE, ranges={"learning.policy": (0, 1)}, lhs=2, overrides=SMALL)
    with pytest.raises(hrdsim.HrdsimError, match=r"ranges: weeks needs \(low, high\)"):
        hrdsim.sweep(BASELINE, ranges={"weeks": 3}, lhs=2, overrides=SMALL)


@pytest.mark.parametrize(("grid", "expected"), [
    ({"operating_model.policy": "octopus"}, "grid: operating_model.policy: expected a list of "
     "values, got 'octopus'"),
    ({SHARE: 0.1}, f"grid: {SHARE}: expected a list of values, got 0.1"),
    ({SHARE: [0.1, 0.1]}, f"grid: {SHARE}: lists a value twice in [0.1, 0.1]"),
    ({SHARE: []}, f"grid: {SHARE}: has no values to run"),
])
def test_the_api_checks_grid_values_as_the_command_line_does(
    grid: dict[str, Any], expected: str,
) -> None:
    """A string is one value, not a list of letters; a scalar, an empty list or a value
    listed twice is refused before anything runs."""
    with pytest.raises(hrdsim.HrdsimError) as caught:
        hrdsim.sweep(BASELINE, grid=grid, replications=1, overrides=SMALL)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_serial_and_process_executors_give_identical_runs() -> None:
    """The same sweep in this process and in 2 worker processes has the same runs table."""
    grid = {DEVELOPERS: [1, 2], SHARE: [0.05, 0.1]}
    serial = hrdsim.sweep(BASELINE, grid=grid, replications=3, overrides=SMALL)
    pooled = hrdsim.sweep(BASELINE, grid=grid, replications=3, overrides=SMALL, workers=2)
    assert pooled.executor == {"kind": "processes", "workers": 2}
    pd.testing.assert_frame_equal(serial.runs, pooled.runs, check_exact=True)
    pd.testing.assert_frame_equal(serial.points, pooled.points, check_exact=True)


# ---------------------------------------------------------------- docs


def test_experiments_md_documents_every_option_of_sweep() -> None:
    """Every option of `hrdsim sweep` appears in the Sweeps section of docs/experiments.md."""
    from hrdsim.study_commands import sweep as command

    section = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8") \
        .split("## Sweeps", 1)[1].split("\n## ", 1)[0]
    options = [opt for param in command.params for opt in getattr(param, "opts", [])
               if opt.startswith("--")]
    missing = [opt for opt in options if f"`{opt}" not in section]
    assert not missing, missing


def test_sweep_help_lists_the_design_options() -> None:
    text = CliRunner().invoke(main, ["sweep", "--help"]).output
    assert "--grid KEY=V1,V2,..." in text and "--lhs N" in text and "--resume" in text
    assert "Run SCENARIO at every point of a design" in text


def test_the_progress_bar_counts_runs_and_shows_the_time_left(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal the bar says how many of the runs are done and, while runs remain,
    how long the rest should take (once a second has passed: each run here takes 2 s
    of the bar's clock)."""
    import itertools
    import re
    import types

    import click._termui_impl as termui

    ticks = itertools.count(0.0, 2.0)
    monkeypatch.setattr(termui, "time", types.SimpleNamespace(time=lambda: next(ticks)))
    monkeypatch.setattr(hrdsim.cli, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(termui.ProgressBar, "is_hidden", False, raising=False)
    monkeypatch.setattr(termui, "isatty", lambda _: True, raising=False)
    result = sweep(runner, "--grid", f"{DEVELOPERS}=1,2,3", "-n", "2")
    assert "6/6" in result.stderr, result.stderr
    renders = [r for r in re.split(r"[\r\n]", result.stderr) if "Simulating" in r]
    assert any(re.search(r"\b[1-5]/6\b", r) for r in renders), renders
    assert any(re.search(r"\d\d:\d\d:\d\d", r) for r in renders), renders  # the ETA
