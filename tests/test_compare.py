"""`hrdsim compare`: common random numbers, verdicts a user can trust, --precision,
the results folder, Ctrl-C and one-line errors.

Every study uses a 30-person organisation for 26 weeks in this process
(--workers 1), so each takes about a second.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

import hrdsim
import hrdsim.cli
import hrdsim.experiment
from hrdsim.cli import main
from hrdsim.metrics import OUTCOMES
from tests.conftest import SCENARIOS, interrupt_run, terminate_run

BASELINE = str(SCENARIOS / "baseline.toml")
PROTECTED = str(SCENARIOS / "protected.toml")
OCTOPUS = str(SCENARIOS / "octopus.toml")

#: 2 units × 3 teams × 5 people, 2 developers, 26 weeks.
SMALL = ("organisation.units=2", "organisation.teams_per_unit=3", "organisation.team_size=5",
         "operating_model.developers=2", "weeks=26")
TINY = tuple(arg for item in SMALL for arg in ("--set", item))
KEY = [o.name for o in OUTCOMES if o.key]


def compare(runner: CliRunner, *args: str, code: int = 0) -> Result:
    """Invoke `hrdsim compare` on the tiny organisation in this process."""
    result = runner.invoke(main, ["compare", *args, *TINY, "--workers", "1"])
    assert result.exit_code == code, result.output
    return result


def as_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(compare(runner, *args, "--json").stdout)
    return data


def difference(data: dict[str, Any], metric: str, alternative: int = 0) -> dict[str, Any]:
    alternatives = [a["name"] for a in data["alternatives"]]
    return next(d for d in data["differences"]
                if d["metric"] == metric and d["alternative"] == alternatives[alternative])


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines
    return lines[0]


def renamed(tmp_path: Path, **values: str) -> str:
    """A copy of the baseline that changes only the given top-level text values."""
    path = tmp_path / "renamed.toml"
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    path.write_text(f'extends = "{Path(BASELINE).as_posix()}"\n{body}', encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- common random numbers


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(runner: CliRunner) -> None:
    """Comparing a scenario with itself gives differences of exactly 0 with a zero-width CI."""
    data = as_json(runner, BASELINE, BASELINE, "-n", "4")
    assert data["common_random_numbers"] is True
    assert [d["metric"] for d in data["differences"]] == KEY
    for d in data["differences"]:
        assert (d["mean"], d["ci_low"], d["ci_high"], d["n"]) == (0.0, 0.0, 0.0, 4), d
        assert "no difference" in d["verdict"] and "identical in all 4 paired runs" in d["verdict"]


def test_two_seeds_of_the_same_scenario_do_not_differ_by_zero() -> None:
    """Pairing runs made on two different seeds leaves noise: non-zero differences, a real CI."""
    one = hrdsim.run(BASELINE, seed=1, replications=4, overrides=SMALL)
    two = hrdsim.run(BASELINE, seed=2, replications=4, overrides=SMALL)
    same = hrdsim.run(BASELINE, seed=1, replications=4, overrides=SMALL)
    noisy = hrdsim.compare(one, two)
    assert noisy.common_random_numbers is False
    capability = noisy.differences.set_index("metric").loc["capability_index"]
    assert capability["ci_high"] - capability["ci_low"] > 0.01
    assert (noisy.paired.query("metric == 'capability_index'")["difference"] != 0).all()
    assert "NOT on common random numbers" in noisy.report()
    exact = hrdsim.compare(one, same).differences
    assert (exact["mean"] == 0).all() and (exact["ci_low"] == exact["ci_high"]).all()


# ---------------------------------------------------------------- verdicts


def test_more_protected_learning_time_under_low_pressure_raises_capability(
    runner: CliRunner,
) -> None:
    """Protected learning time, with no fires, raises capability with a CI above 0 in every run."""
    data = as_json(runner, BASELINE, PROTECTED, "-n", "5", "--set", "work.fires_per_team_week=0")
    d = difference(data, "capability_index")
    assert d["ci_low"] > 0 and d["mean"] > 1, d
    assert d["better_count"] == 5 and d["share_better"] == 1.0
    assert d["verdict"].startswith(
        "Protected learning time (10%) raises capability index (end) by "), d["verdict"]
    assert d["verdict"].endswith("points; better in 5 of 5 paired runs"), d["verdict"]
    gap = difference(data, "strategic_gap")
    assert gap["ci_high"] < 0 and "lowers strategic gap (end)" in gap["verdict"]
    differ = {row["key"]: row for row in data["inputs_differ"][0]["differences"]}
    assert differ["learning.policy"] == {"key": "learning.policy", "baseline": "fixed_share",
                                         "alternative": "protected"}
    assert differ["learning.params.share"]["alternative"] == 0.1
    assert "seed" not in differ  # every scenario runs on the baseline's seed


def test_renaming_the_scenario_is_indistinguishable_from_noise(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """A change with no effect (the scenario's name) is reported as indistinguishable."""
    alternative = renamed(tmp_path, name="Same, renamed")
    text = compare(runner, BASELINE, alternative, "-n", "3").stdout
    assert "Inputs that differ from the baseline:" in text
    inputs = text.split("Inputs that differ from the baseline:")[1].split("Differences")[0]
    rows = [line.split()[0] for line in inputs.splitlines()[4:] if line.strip()]
    assert rows == ["name"], inputs
    verdicts = [line.strip() for line in text.splitlines() if line.startswith("    Same,")]
    assert len(verdicts) == len(KEY)
    assert all("no difference" in v and "distinguishable from noise" in v for v in verdicts)


def test_the_seed_is_the_baselines_unless_given(runner: CliRunner, tmp_path: Path) -> None:
    """Every scenario runs on the baseline's seed, or on --seed when given."""
    other_seed = tmp_path / "other_seed.toml"
    other_seed.write_text(f'extends = "{Path(BASELINE).as_posix()}"\nseed = 7\n',
                          encoding="utf-8")
    data = as_json(runner, BASELINE, str(other_seed), "-n", "2")
    seeds = {data["baseline"]["seed"], data["alternatives"][0]["seed"]}
    assert seeds == {20261129} and difference(data, "capability_index")["mean"] == 0.0
    data = as_json(runner, BASELINE, str(other_seed), "-n", "2", "--seed", "5")
    assert data["seed"] == 5 and data["alternatives"][0]["seed"] == 5


def test_an_unstable_queue_is_reported_as_such_never_as_a_number(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """Waits in an unstable queue (offered load ≥ 1) are 'no number', in text and JSON."""
    starved = tmp_path / "starved.toml"
    starved.write_text(f'extends = "{Path(BASELINE).as_posix()}"\nname = "Starved"\n'
                       "[operating_model]\nhours_per_week = 1\n", encoding="utf-8")
    data = as_json(runner, BASELINE, str(starved), "-n", "2")
    wait = difference(data, "facilitation_wait_days")
    assert (wait["mean"], wait["ci_low"], wait["ci_high"], wait["share_better"]) == \
        (None, None, None, None)
    assert wait["not_a_number"] == {"baseline": 0, "alternative": 2}
    assert "unstable HR developer queue" in wait["verdict"]
    assert "the alternative in 2 of 2 paired runs" in wait["verdict"]
    text = compare(runner, BASELINE, str(starved), "-n", "2").stdout
    line = next(x for x in text.splitlines() if "no number for wait for facilitation (mean)" in x)
    assert "nan" not in line.lower().replace("unstable", "")


# ---------------------------------------------------------------- --precision


def test_precision_stops_when_the_target_is_met(runner: CliRunner) -> None:
    """--precision adds replications in batches until the half-width is below the target."""
    data = as_json(runner, BASELINE, OCTOPUS, "--precision", "capability_index=0.005",
                   "--set", "replications=3")
    precision = data["precision"]
    assert precision["reached"] is True and precision["stopped"] == "target met"
    assert 3 < data["replications"] == precision["replications"] < 200
    d = difference(data, "capability_index")
    assert d["n"] == data["replications"]
    assert (d["ci_high"] - d["ci_low"]) / 2 < 0.005
    assert precision["half_widths"]["capability_index"][d["alternative"]] < 0.005


def test_precision_reports_when_the_cap_is_hit(runner: CliRunner) -> None:
    """An unreachable target stops at --max-replications and says so."""
    text = compare(runner, BASELINE, OCTOPUS, "--precision", "capability_index=0.000001",
                   "--max-replications", "6", "--set", "replications=2").stdout
    assert "Precision NOT reached" in text and "cap of 6 paired replications" in text
    assert "6 paired replications on common random numbers" in text
    data = as_json(runner, BASELINE, OCTOPUS, "--precision", "capability_index=0.000001",
                   "--max-replications", "6", "--set", "replications=2")
    assert data["precision"]["reached"] is False and data["precision"]["stopped"] == "cap"
    assert data["replications"] == 6


# ---------------------------------------------------------------- outputs


def test_out_writes_manifest_comparison_tables_and_paired_differences(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """--out writes the manifest, comparison, summaries, weekly tables and paired.csv."""
    out = tmp_path / "study"
    compare(runner, BASELINE, OCTOPUS, PROTECTED, "-n", "3", "--out", str(out), "--quiet")
    names = {p.name for p in out.iterdir()}
    assert names == {"manifest.json", "comparison.json", "summary.json", "summary.parquet",
                     "summary.csv", "weekly.parquet", "weekly.csv", "paired.csv"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["role"] for s in manifest["scenarios"]] == ["baseline", "alternative",
                                                           "alternative"]
    assert all(len(s["file_sha256"]) == 64 and len(s["values_sha256"]) == 64
               for s in manifest["scenarios"])
    assert manifest["seeds"] == {"seed": 20261129, "common_random_numbers": True,
                                 "replications": "0-2"}
    assert manifest["executor"] == {"kind": "serial", "workers": 1}
    assert manifest["runs"] == {"planned": 9, "finished": 9, "failed": 0, "interrupted": False}
    weekly = pq.read_table(out / "weekly.parquet").to_pandas()
    assert weekly.groupby("scenario").size().to_dict() == {
        name: 3 * 26 for name in ("Baseline: centralised HRD",
                                  "Octopus: HR developers embedded near teams",
                                  "Protected learning time (10%)")}
    paired = pacsv.read_csv(out / "paired.csv").to_pandas()
    assert len(paired) == 2 * len(KEY) * 3
    row = paired.query("metric == 'capability_index' and replication == 1").iloc[0]
    assert math.isclose(row["difference"], row["alternative_value"] - row["baseline_value"])
    comparison = json.loads((out / "comparison.json").read_text())
    assert comparison["runs"]["finished"] == 9 and len(comparison["differences"]) == 2 * len(KEY)


def test_summaries_keep_the_distribution_of_waits_exactly_as_a_run_does(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """Each scenario's summary in a comparison holds the waits of every served request
    (the report draws their distribution): the baseline's equal, bin for bin, those
    of `hrdsim run` of the same scenario on the same seed."""
    study, alone = tmp_path / "study", tmp_path / "alone"
    compare(runner, BASELINE, OCTOPUS, "-n", "2", "--out", str(study), "--quiet")
    result = runner.invoke(main, ["run", BASELINE, *TINY, "-n", "2", "--out", str(alone),
                                  "--quiet"])
    assert result.exit_code == 0, result.output
    summaries = json.loads((study / "summary.json").read_text())["scenarios"]
    run_waits = json.loads((alone / "summary.json").read_text())["waits_days"]
    assert summaries[0]["waits_days"] == run_waits
    for summary in summaries:
        waits = summary["waits_days"]
        assert waits["served"] == sum(waits["counts"]) > 0
    assert summaries[1]["waits_days"] != run_waits  # the octopus queues differently


def test_ctrl_c_keeps_and_writes_what_finished(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C stops the study, writes the finished runs to --out and says how many finished."""
    interrupt_run(monkeypatch, 5)
    out = tmp_path / "partial"
    result = compare(runner, BASELINE, OCTOPUS, "-n", "4", "--out", str(out), code=130)
    assert "Interrupted: 4 of 8 runs finished" in result.stderr
    comparison = json.loads((out / "comparison.json").read_text())
    assert comparison["runs"] == {"planned": 8, "finished": 4, "failed": 0,
                                  "interrupted": True}
    assert difference(comparison, "capability_index")["n"] == 2
    assert len(pq.read_table(out / "weekly.parquet")) == 4 * 26


def test_sigterm_stops_a_comparison_like_ctrl_c(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a comparison runs, SIGTERM (a batch scheduler's stop) is handled as Ctrl-C:
    the finished runs are written and the status is 130; the previous handler is back."""
    import signal

    before = terminate_run(monkeypatch, 5)
    out = tmp_path / "terminated"
    result = compare(runner, BASELINE, OCTOPUS, "-n", "4", "--out", str(out), code=130)
    assert "Interrupted: 4 of 8 runs finished" in result.stderr
    assert json.loads((out / "comparison.json").read_text())["runs"]["finished"] == 4
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_while_loading_the_scenarios_says_nothing_ran(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hrdsim.loader

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(hrdsim.loader, "load_scenario", interrupted)
    result = compare(runner, BASELINE, OCTOPUS, code=130)
    assert ("Interrupted while loading the scenarios: nothing ran and nothing was written."
            in result.stderr)
    assert "Aborted" not in result.output


@pytest.mark.parametrize(("terminal", "flags", "shown"), [
    (True, (), True), (False, (), False), (True, ("--quiet",), False), (True, ("--json",), False),
])
def test_progress_bar_only_on_a_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, terminal: bool,
    flags: tuple[str, ...], shown: bool,
) -> None:
    """The progress bar (runs done/total) appears only on a terminal without --quiet/--json."""
    monkeypatch.setattr(hrdsim.cli, "_stderr_is_terminal", lambda: terminal)
    result = compare(runner, BASELINE, OCTOPUS, "-n", "2", *flags)
    assert ("Simulating" in result.stderr) is shown, result.stderr
    assert "Simulating" not in result.stdout


# ---------------------------------------------------------------- bad input


def test_an_unknown_precision_metric_is_one_clear_line(runner: CliRunner) -> None:
    """--precision with an unknown metric exits 2 naming it and the nearest known metric."""
    line = one_line_error(compare(runner, BASELINE, OCTOPUS, "--precision",
                                  "capability_indx=0.5", code=2))
    assert "unknown metric 'capability_indx'" in line
    assert "did you mean 'capability_index'?" in line


@pytest.mark.parametrize(("args", "expected"), [
    (("--precision", "capability_index"), "expected METRIC=HALFWIDTH"),
    (("--precision", "capability_index=-1"), "must be a positive number"),
    (("--precision", "capability_index=0.5", "-n", "3"), "give --replications or --precision"),
    (("--max-replications", "9"), "give a --precision target too"),
])
def test_inconsistent_options_are_one_clear_line(
    runner: CliRunner, args: tuple[str, ...], expected: str,
) -> None:
    """A malformed --precision or options that exclude each other exit 2 with one line."""
    assert expected in one_line_error(compare(runner, BASELINE, OCTOPUS, *args, code=2))


def test_a_missing_alternative_file_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    """A missing alternative exits 2 naming the file, before anything runs."""
    missing = str(tmp_path / "nowhere.toml")
    line = one_line_error(compare(runner, BASELINE, missing, code=2))
    assert f"{missing}: no such scenario file" in line


def test_an_unreachable_scheduler_is_one_clear_line(runner: CliRunner) -> None:
    """--scheduler at an address nobody listens on exits 2 saying it cannot connect."""
    import dask

    with dask.config.set({"hrdsim.scheduler-timeout": "1s"}):
        result = runner.invoke(main, ["compare", BASELINE, OCTOPUS, *TINY, "-n", "2",
                                      "--scheduler", "tcp://127.0.0.1:9"])
    line = one_line_error(result)
    assert "cannot connect to the Dask scheduler at tcp://127.0.0.1:9 (--scheduler)" in line


def test_a_clear_but_tiny_difference_is_called_practically_no_change() -> None:
    """A difference clear of noise whose whole interval lies within the smallest change that
    matters (docs/reports.md) is said to be practically no change; a larger one, or one
    whose interval reaches past that change, is not."""
    from hrdsim.comparison import paired_difference
    from hrdsim.metrics import OUTCOME_BY_NAME

    outcome = OUTCOME_BY_NAME["capability_index"]  # the smallest change that matters: 0.5

    def read(shifts: list[float]) -> str:
        base = {r: {"capability_index": 60.0 + r} for r in range(len(shifts))}
        alt = {r: {"capability_index": 60.0 + r + d} for r, d in enumerate(shifts)}
        return paired_difference(outcome, "B", base, alt).verdict

    tiny = read([0.10, 0.11, 0.12, 0.11, 0.10])
    assert tiny.startswith("B raises capability index (end) by 0.108 (0.098 to 0.118) points")
    assert tiny.endswith(" - practically no change: the whole interval lies within ±0.500 "
                         "points, the smallest change that matters")
    assert "practically" not in read([1.0, 1.1, 1.2, 1.1, 1.0])  # clearly matters
    assert "practically" not in read([0.1, 0.9, 0.2, 0.8, 0.3])  # may matter: reaches past 0.5
    assert "distinguishable from noise" in read([0.1, -0.1, 0.05, -0.05, 0.0])
