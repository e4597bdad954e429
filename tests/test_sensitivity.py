"""`hrdsim sensitivity` and `hrdsim.sensitivity`: SALib wired right (known functions),
a known effect ranked above no effect, the noise floor, reproducibility, the results
folder, failures, Ctrl-C and one-line errors.

Studies run a 30-person organisation for 26 weeks in this process (--workers 1):
a Sobol' study of 8 base samples × 2 parameters is 32 points × 2 replications,
about two seconds.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import hrdsim
import hrdsim.cli
import hrdsim.experiment
from hrdsim.cli import main
from hrdsim.design import Range
from hrdsim.experiment import Failure
from hrdsim.sensitivity_analysis import analyse, make_design, points_needed
from tests.conftest import ROOT, SCENARIOS, failed_cleanly, interrupt_run, strict_json

BASELINE = str(SCENARIOS / "baseline.toml")

#: 2 units × 3 teams × 5 people, 2 developers, 26 weeks.
SMALL = ("organisation.units=2", "organisation.teams_per_unit=3", "organisation.team_size=5",
         "operating_model.developers=2", "weeks=26")
TINY = tuple(arg for item in SMALL for arg in ("--set", item))
SHARE = "learning.params.share=0.02:0.2"  # drives capability under fixed_share
RATE = "costs.hr_developer_hour=40:80"  # changes costs only: no effect on capability
STUDY = ("--range", SHARE, "--range", RATE, "--samples", "8", "-n", "2",
         "--outcome", "capability_index", "--outcome", "cost_per_fte_year")


def sensitivity(runner: CliRunner, *args: str, code: int = 0,
                tiny: tuple[str, ...] = TINY) -> Result:
    """Invoke `hrdsim sensitivity` on the tiny organisation in this process."""
    result = runner.invoke(main, ["sensitivity", BASELINE, *args, *tiny, "--workers", "1"])
    assert result.exit_code == code, result.output
    return result


def as_json(runner: CliRunner, *args: str, tiny: tuple[str, ...] = TINY) -> dict[str, Any]:
    data: dict[str, Any] = strict_json(sensitivity(runner, *args, "--json", tiny=tiny).stdout)
    return data


def outcome(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in data["outcomes"] if o["outcome"] == name)


def by_parameter(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["parameter"]: p for p in found["parameters"]}


@pytest.fixture(scope="module")
def sobol_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """One Sobol' study of the share (strong effect) and the HR developer rate (none on
    capability), with --json and --out: its JSON and its results folder."""
    out = tmp_path_factory.mktemp("sobol") / "study"
    data = as_json(CliRunner(), *STUDY, "--out", str(out))
    return data, out


# ---------------------------------------------------------------- SALib wired right


@pytest.mark.parametrize(("method", "samples", "parameters", "expected"), [
    ("sobol", 8, 1, 8 * 3), ("sobol", 16, 3, 16 * 5), ("morris", 4, 2, 4 * 3),
    ("morris", 10, 5, 10 * 6),
])
def test_design_size_matches_the_formula(method: str, samples: int, parameters: int,
                                         expected: int) -> None:
    """Sobol' runs N·(D+2) points (no second-order indices), Morris r·(D+1)."""
    ranges = [Range(f"k{i}", 0.0, 1.0) for i in range(parameters)]
    design = make_design(method, ranges, samples, seed=3)
    assert design.points == expected == points_needed(method, samples, parameters)
    assert design.unit.shape == (expected, parameters)


def test_the_study_runs_every_point_on_every_replication(
    sobol_study: tuple[dict[str, Any], Path],
) -> None:
    """The CLI study runs N·(D+2) = 32 points × 2 replications on common random numbers."""
    data, out = sobol_study
    assert data["design"]["points"] == 8 * (2 + 2) == data["design"]["distinct_points"]
    assert data["runs"] == {"planned": 64, "finished": 64, "failed": 0, "resumed": 0,
                            "interrupted": False}
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert sorted(runs.groupby("point")["replication"].apply(tuple).unique()) == [(0, 1)]
    assert runs["point"].nunique() == 32


def _linear(design: Any, a: float, b: float) -> np.ndarray:
    return np.array([a * x1 + b * x2 for x1, x2 in map(design.values, range(design.points))])


def test_sobol_indices_of_a_linear_model_are_the_variance_shares() -> None:
    """Y = 3·x1 + 5·x2 with x1 on [0, 2] and x2 on [10, 11]: S1 = ST = each term's share
    of the variance, 9·4 : 25·1 - which proves the ranges' scaling and column order."""
    design = make_design("sobol", [Range("x1", 0, 2), Range("x2", 10, 11)], 1024, seed=1)
    found = analyse(design, _linear(design, 3, 5), np.zeros(design.points), 2, "y")
    expected = {"x1": 36 / 61, "x2": 25 / 61}
    for p in found.parameters:
        assert p.index == pytest.approx(expected[p.parameter], abs=0.02)
        assert p.first == pytest.approx(expected[p.parameter], abs=0.03)
    assert [p.parameter for p in found.parameters] == ["x1", "x2"]
    assert found.floor is not None and found.floor.value == 0
    assert all(p.distinguishable for p in found.parameters)


def test_sobol_indices_of_the_ishigami_function_match_the_known_values() -> None:
    """Ishigami on [-π, π]³: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244)."""
    ranges = [Range(k, -math.pi, math.pi) for k in ("x1", "x2", "x3")]
    design = make_design("sobol", ranges, 2048, seed=2)
    x = np.array([design.values(i) for i in range(design.points)])
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    found = {p.parameter: p for p in analyse(design, y, np.zeros(len(y)), 2).parameters}
    for key, s1, total in (("x1", 0.314, 0.558), ("x2", 0.442, 0.442), ("x3", 0.0, 0.244)):
        assert found[key].first == pytest.approx(s1, abs=0.04), key
        assert found[key].index == pytest.approx(total, abs=0.04), key


def test_morris_effects_of_a_linear_model_are_slope_times_range() -> None:
    """Y = 3·x1 - 5·x2 with x1 on [0, 2], x2 on [10, 11]: mu* = |slope| × range width
    exactly (6 and 5), mu carries the sign, and sigma is 0 (a linear model)."""
    design = make_design("morris", [Range("x1", 0, 2), Range("x2", 10, 11)], 10, seed=4)
    found = {p.parameter: p for p in
             analyse(design, _linear(design, 3, -5), np.zeros(design.points), 2).parameters}
    assert found["x1"].index == pytest.approx(6) and found["x1"].first == pytest.approx(6)
    assert found["x2"].index == pytest.approx(5) and found["x2"].first == pytest.approx(-5)
    assert found["x1"].sigma == pytest.approx(0, abs=1e-9)
    assert found["x1"].rank == 1


@pytest.mark.parametrize(("method", "samples", "ratio"), [("sobol", 32, 1.0),
                                                         ("morris", 10, math.sqrt(2 / math.pi))])
def test_a_parameter_that_only_redraws_the_noise_sits_at_the_floor(
    method: str, samples: int, ratio: float,
) -> None:
    """Y = 5·x1 + noise, where any change of x2 redraws the noise (no effect on the
    mean) and x3 keeps the same noise (common random numbers): x2's index averages
    the noise floor (ST) or √(2/π) of it (mu*, the floor being an upper bound), and is
    never taken for an effect; x3's is exactly 0; x1 clears the floor every time."""
    replications = 4
    ratios = []
    for seed in range(1, 21):
        design = make_design(method, [Range("x1", 0, 1), Range("x2", 0, 1),
                                      Range("x3", 0, 1)], samples, seed)
        runs = []
        for point in range(design.points):
            x1, x2, _ = design.values(point)
            noise_key = zlib.crc32(np.array([x1, x2]).tobytes())
            noise = np.random.default_rng([seed, noise_key]).normal(size=replications)
            runs.append(5 * x1 + noise)
        found = analyse(design, np.mean(runs, axis=1), np.var(runs, axis=1, ddof=1),
                        replications, "y")
        assert found.floor is not None
        params = {p.parameter: p for p in found.parameters}
        assert params["x1"].distinguishable and params["x1"].rank == 1
        assert not params["x2"].distinguishable
        assert params["x3"].index == 0 and not params["x3"].distinguishable
        assert "not distinguishable from noise" not in params["x1"].verdict
        assert "x3: its effect on y is not distinguishable from noise" in params["x3"].verdict
        ratios.append(params["x2"].index / found.floor.value)
    assert np.mean(ratios) == pytest.approx(ratio, rel=0.15)


@pytest.mark.parametrize(("method", "samples", "more"), [("sobol", 8, "more base samples"),
                                                        ("morris", 4, "more trajectories")])
def test_an_index_above_the_floor_with_a_wide_interval_is_uncertain_not_noise(
    method: str, samples: int, more: str,
) -> None:
    """Y = 5·x1 + 0.6·x2 + noise with few samples: an index whose estimate lies above the
    floor's interval but whose own interval reaches into it is 'uncertain' (more samples
    would tell), never 'within noise' - so the dominant x1 is never called noise; an index
    no larger than the floor is 'within noise'."""
    standings = set()
    for seed in range(1, 21):
        design = make_design(method, [Range("x1", 0, 1), Range("x2", 0, 1)], samples, seed)
        runs = []
        for point in range(design.points):
            x1, x2 = design.values(point)
            noise_key = zlib.crc32(np.array([x1, x2]).tobytes())
            runs.append(5 * x1 + 0.6 * x2
                        + np.random.default_rng([seed, noise_key]).normal(size=3))
        found = analyse(design, np.mean(runs, axis=1), np.var(runs, axis=1, ddof=1), 3, "y")
        assert found.floor is not None
        for p in found.parameters:
            standings.add(p.standing)
            if p.distinguishable:
                assert p.standing == "above noise"
            elif p.index > found.floor.high:
                assert p.standing == "uncertain"
                assert p.verdict.startswith(f"{p.parameter}: its effect on y is too uncertain "
                                            f"to tell from noise with {samples} ")
                assert p.verdict.endswith(f"; {more} would settle it")
            else:
                assert p.standing == "within noise"
                assert "is not distinguishable from noise" in p.verdict
        assert {p.parameter: p for p in found.parameters}["x1"].standing != "within noise"
    assert "uncertain" in standings


def test_replications_equal_up_to_rounding_give_a_floor_of_zero() -> None:
    """A deterministic outcome whose replications differ only in the last bits of their
    sums has no noise: its floor is 0, not 1e-16; real noise still gives a floor."""
    design = make_design("sobol", [Range("x1", 0, 1), Range("x2", 0, 1)], 8, seed=1)
    means = _linear(design, 3, 1) + 1.0
    rounding = analyse(design, means, (1e-13 * means) ** 2, 3, "y")
    assert rounding.floor is not None
    assert rounding.floor.value == rounding.floor.high == rounding.floor.noise_sd == 0
    noisy = analyse(design, means, np.full(design.points, 1e-4), 3, "y")
    assert noisy.floor is not None and noisy.floor.value > 0


def test_an_output_that_is_not_a_number_or_constant_gets_no_indices() -> None:
    """NaN at a point, or the same value everywhere, is reported instead of indices."""
    design = make_design("sobol", [Range("x1", 0, 1)], 8, seed=1)
    means = np.arange(design.points, dtype=float)
    means[3] = np.nan
    missing = analyse(design, means, np.zeros(design.points), 2, "y")
    assert not missing.computed and "not a number at 1 of 24 design points" in missing.reason
    flat = analyse(design, np.full(design.points, 7.0), np.zeros(design.points), 2, "y")
    assert not flat.computed and "the same (7.00) at every design point" in flat.reason


@settings(max_examples=25, deadline=None)
@given(method=st.sampled_from(["sobol", "morris"]), seed=st.integers(0, 2**32),
       low=st.floats(-100, 100), width=st.floats(0.5, 50), integer=st.booleans())
def test_every_design_value_lies_in_its_range(method: str, seed: int, low: float, width: float,
                                               integer: bool) -> None:
    """Every design point sets each key within its bounds; whole-number keys get ints."""
    ranges = [Range("a", low, low + width, integer), Range("b", 0.0, 1.0)]
    if integer and math.floor(low + width) < math.ceil(low):
        return
    design = make_design(method, ranges, 8, seed)
    for point in range(design.points):
        a, b = design.values(point)
        assert low <= a <= low + width and 0 <= b <= 1
        assert isinstance(a, int) is integer


# ---------------------------------------------------------------- the simulation


def test_a_strong_parameter_ranks_above_one_without_effect(
    sobol_study: tuple[dict[str, Any], Path],
) -> None:
    """The learning share drives capability (under fixed_share) far above the noise
    floor; the HR developer hourly rate has no effect on capability and is reported
    within the floor - though it does move cost."""
    data, _ = sobol_study
    capability = outcome(data, "capability_index")
    assert capability["computed"] and capability["index"] == "ST"
    share, rate = (by_parameter(capability)[k] for k in ("learning.params.share",
                                                         "costs.hr_developer_hour"))
    floor = capability["noise_floor"]
    assert share["rank"] == 1 and share["distinguishable"]
    assert share["ci_low"] > floor["ci_high"] > floor["value"] > 0
    assert rate["rank"] == 2 and not rate["distinguishable"]
    assert rate["ST"] == 0 and rate["ST_conf"] == 0  # its runs are identical: same numbers
    assert ("its effect on capability index (end) is not distinguishable from noise"
            in rate["verdict"])
    assert share["verdict"].startswith("learning.params.share (0.020 to 0.200) accounts for ")
    cost = by_parameter(outcome(data, "cost_per_fte_year"))
    assert cost["costs.hr_developer_hour"]["ST"] > 0


def test_the_printed_report_ranks_parameters_beside_the_noise_floor(runner: CliRunner) -> None:
    """The text report shows, per outcome, the ranked table, the noise floor row and a
    plain-language line per parameter."""
    text = sensitivity(runner, *STUDY, "--quiet").stdout
    block = text.split("Capability index (end) [0-100]")[1].split("Cost [")[0]
    lines = [line.strip() for line in block.strip().splitlines()]
    assert lines[0].split()[:7] == ["Rank", "Parameter", "ST", "95%", "CI", "S1", "95%"]
    assert lines[2].startswith("1     learning.params.share") and "above noise" in lines[2]
    assert lines[3].startswith("2     costs.hr_developer_hour") and lines[3].endswith(
        "within noise")
    assert lines[4].startswith("noise floor")
    assert lines[5].startswith("learning.params.share (0.020 to 0.200) accounts for")
    assert lines[6].startswith("costs.hr_developer_hour: its effect on capability index (end) "
                               "is not distinguishable from noise")
    assert "8 base samples × (2 parameters + 2) = 32 points" in text
    assert "replications 0-1 on common random numbers (seed 20261129)" in text


def test_morris_screens_the_same_parameters(runner: CliRunner) -> None:
    """Morris ranks the share first on capability (it raises it: mu = mu*) and reports
    the rate within the noise floor, with mu* in the outcome's unit per range."""
    data = as_json(runner, "--method", "morris", "--range", SHARE, "--range", RATE,
                   "--samples", "4", "-n", "2", "--outcome", "capability_index")
    assert data["method"] == "morris" and data["design"]["points"] == 4 * 3
    capability = outcome(data, "capability_index")
    assert capability["index"] == "mu_star" and capability["index_unit"] == "0-100 per range"
    share, rate = (by_parameter(capability)[k] for k in ("learning.params.share",
                                                         "costs.hr_developer_hour"))
    assert share["rank"] == 1 and share["distinguishable"]
    assert share["mu"] == pytest.approx(share["mu_star"]) and share["mu_star"] > 1
    assert "raises capability index (end) by about" in share["verdict"]
    assert rate["mu_star"] == 0 and not rate["distinguishable"]


def test_the_same_seed_gives_identical_indices_and_another_seed_differs(
    runner: CliRunner, sobol_study: tuple[dict[str, Any], Path],
) -> None:
    """The design and the runs follow the seed: the same seed repeats every number,
    another seed gives another design and other indices."""
    first, _ = sobol_study
    again = as_json(runner, *STUDY)
    assert again == first
    other = as_json(runner, *STUDY, "--seed", "7")
    assert other["seed"] == 7
    share = "learning.params.share"
    assert (by_parameter(outcome(other, "capability_index"))[share]["ST"]
            != by_parameter(outcome(first, "capability_index"))[share]["ST"])


def test_whole_number_keys_are_rounded_and_coinciding_points_run_once(
    runner: CliRunner, tmp_path: Path,
) -> None:
    """Developers 1-2 on Morris' 4 levels round to 1, 1, 2, 2: the rounded points that
    coincide run once, and the runs table holds whole numbers."""
    out = tmp_path / "integer"
    data = as_json(runner, "--method", "morris", "--range", "operating_model.developers=1:2",
                   "--samples", "4", "-n", "2", "--outcome", "hr_utilisation",
                   "--out", str(out), tiny=TINY[:6] + TINY[8:])
    assert data["ranges"] == [{"key": "operating_model.developers", "low": 1.0, "high": 2.0,
                               "integer": True}]
    design = data["design"]
    assert design["points"] == 8 and design["distinct_points"] == 2
    assert data["runs"]["planned"] == 2 * 2
    runs = pacsv.read_csv(out / "runs.csv").to_pandas()
    assert len(runs) == 8 * 2
    assert set(runs["operating_model.developers"]) == {1, 2}
    assert str(runs["operating_model.developers"].dtype) == "int64"


def test_an_unstable_queue_leaves_its_waits_without_indices(runner: CliRunner) -> None:
    """Where one developer has too few hours, waits grow without bound (not a number):
    the waits get no indices and the report says why; utilisation still gets its own."""
    tiny = tuple(a.replace("developers=2", "developers=1") for a in TINY)
    data = as_json(runner, "--method", "morris", "--range",
                   "operating_model.hours_per_week=0.5:10", "--samples", "4", "-n", "2",
                   "--outcome", "facilitation_wait_days", "--outcome", "hr_utilisation",
                   tiny=tiny)
    waits = outcome(data, "facilitation_wait_days")
    assert not waits["computed"] and waits["parameters"] == []
    assert waits["reason"].startswith("not a number at ")
    assert waits["reason"].endswith("(an unstable HR developer queue: more work offered than "
                                    "developers can do, so waits grow without bound)")
    assert outcome(data, "hr_utilisation")["computed"]


# ---------------------------------------------------------------- results folder


def test_the_results_folder_agrees_with_json(sobol_study: tuple[dict[str, Any], Path]) -> None:
    """--out writes manifest.json, sensitivity.json (= --json), indices.csv (one row per
    outcome × parameter, the same numbers) and runs.parquet/.csv (one row per design
    point × replication with the parameter values)."""
    data, out = sobol_study
    assert {p.name for p in out.iterdir()} == {"manifest.json", "sensitivity.json",
                                               "indices.csv", "runs.parquet", "runs.csv"}
    assert strict_json((out / "sensitivity.json").read_text()) == data
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["study"] == "sensitivity" and manifest["method"] == "sobol"
    assert manifest["samples"] == 8 and manifest["replications"] == 2
    assert [r["key"] for r in manifest["ranges"]] == ["learning.params.share",
                                                      "costs.hr_developer_hour"]
    assert manifest["seeds"]["seed"] == 20261129 and manifest["seeds"]["replications"] == "0-1"
    assert manifest["executor"] == {"kind": "serial", "workers": 1}
    assert manifest["runs"] == {"planned": 64, "finished": 64, "failed": 0, "resumed": 0,
                                "interrupted": False}
    assert len(manifest["scenario"]["file_sha256"]) == 64
    assert "SALib" in manifest["versions"]

    indices = pacsv.read_csv(out / "indices.csv").to_pandas()
    assert len(indices) == 2 * 2
    for found in data["outcomes"]:
        for p in found["parameters"]:
            row = indices.query(f"outcome == '{found['outcome']}' and "
                                f"parameter == '{p['parameter']}'").iloc[0]
            assert row["rank"] == p["rank"] and row["index_name"] == "ST"
            assert row["index"] == pytest.approx(p["ST"]) == row["ST"]
            assert row["index_ci_high"] == pytest.approx(p["ci_high"])
            assert row["S1"] == pytest.approx(p["S1"])
            assert row["noise_floor"] == pytest.approx(found["noise_floor"]["value"])
            assert bool(row["distinguishable"]) is p["distinguishable"]
            assert row["verdict"] == p["verdict"]

    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert len(runs) == 32 * 2 == len(pacsv.read_csv(out / "runs.csv"))
    assert list(runs.columns[:4]) == ["point", "learning.params.share",
                                      "costs.hr_developer_hour", "replication"]
    assert runs["learning.params.share"].between(0.02, 0.2).all()
    assert runs["costs.hr_developer_hour"].between(40, 80).all()
    # the mean over replications at the first Sobol' base sample's corner points
    capability = runs.groupby("point")["capability_index"].mean()
    assert capability.max() > capability.min()


def test_the_python_api_returns_tables_and_writes_the_folder(tmp_path: Path) -> None:
    """hrdsim.sensitivity takes ranges as a dict and returns .indices and .runs as
    DataFrames; out= writes the same folder as --out."""
    import hrdsim.sensitivity_study  # the module does not shadow the function

    study = hrdsim.sensitivity(
        BASELINE, method="morris", ranges={"learning.params.share": (0.02, 0.2)},
        samples=4, replications=2, outcomes=["capability_index"], overrides=list(SMALL),
        out=tmp_path / "api")
    assert isinstance(study, hrdsim.Sensitivity)
    assert hrdsim.sensitivity is hrdsim.sensitivity_study.sensitivity
    row = study.indices.set_index("parameter").loc["learning.params.share"]
    assert row["index_name"] == "mu_star" and row["distinguishable"]
    assert len(study.runs) == 4 * 2 * 2
    assert (tmp_path / "api" / "indices.csv").exists()
    assert "learning.params.share: moving it across its range" in str(study)

    # resume=True takes the runs in out= (all of them here) and the folder's replications
    again = hrdsim.sensitivity(
        BASELINE, method="morris", ranges={"learning.params.share": (0.02, 0.2)},
        samples=4, outcomes=["capability_index"], overrides=list(SMALL),
        out=tmp_path / "api", resume=True, progress=lambda done, total: None)
    assert again.run_counts() == {"planned": 8, "finished": 8, "failed": 0, "resumed": 8,
                                  "interrupted": False}
    assert again.indices.equals(study.indices)
    with pytest.raises(TypeError, match="give out="):
        hrdsim.sensitivity(BASELINE, ranges={"learning.params.share": (0.02, 0.2)},
                           resume=True)


# ---------------------------------------------------------------- failures and Ctrl-C


def test_a_failed_run_is_recorded_and_its_indices_are_not_computed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run that fails is listed with its parameter values and message; Sobol' needs
    every point, so the indices are not computed, and the runs that finished are written."""
    real = hrdsim.experiment.run_unit

    def third_point_fails(unit: Any) -> Any:
        if unit.key == 3 and unit.replication == 1:
            return Failure(unit.key, unit.spec.path, unit.replication, "plugin 'x': boom")
        return real(unit)

    monkeypatch.setattr(hrdsim.experiment, "run_unit", third_point_fails)
    out = tmp_path / "failed"
    result = sensitivity(runner, *STUDY, "--out", str(out), "--quiet")
    assert "Indices cannot be computed: 1 of 32 design points lack a finished run for every " \
           "replication (runs failed); Sobol' analysis needs every point" in result.stdout
    assert "1 of 64 finished runs failed:" in result.stdout
    assert "replication 1: plugin 'x': boom" in result.stdout
    data = strict_json((out / "sensitivity.json").read_text())
    assert data["runs"] == {"planned": 64, "finished": 64, "failed": 1, "resumed": 0,
                            "interrupted": False}
    assert [f["points"] for f in data["failures"]] == [[3]]
    assert set(data["failures"][0]["values"]) == {"learning.params.share",
                                                  "costs.hr_developer_hour"}
    assert all(not o["computed"] and o["parameters"] == [] for o in data["outcomes"])
    assert len(pq.read_table(out / "runs.parquet")) == 63
    notes = pacsv.read_csv(out / "indices.csv").to_pandas()["note"]
    assert notes.str.contains("lack a finished run").all()


def test_ctrl_c_keeps_the_finished_runs_and_says_so(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C stops the study, writes the runs that finished and exits 130 saying where."""
    interrupt_run(monkeypatch, 5)
    out = tmp_path / "partial"
    result = sensitivity(runner, *STUDY, "--out", str(out), code=130)
    assert (f"Interrupted: 4 of 64 runs finished; they are in {out}/runs.parquet. Continue "
            "with:\n" in result.stderr)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == {"planned": 64, "finished": 4, "failed": 0, "resumed": 0,
                                "interrupted": True}
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert len(runs) == 4 and sorted(runs["point"]) == [0, 0, 1, 1]
    assert "the study was interrupted" in outcome(
        strict_json((out / "sensitivity.json").read_text()), "capability_index")["reason"]


def test_ctrl_c_while_the_design_is_checked_exits_130_saying_nothing_ran(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hrdsim.sensitivity_study

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(hrdsim.sensitivity_study, "plan_study", interrupted)
    result = sensitivity(runner, *STUDY, code=130)
    assert result.stderr.strip() == ("Interrupted while loading and checking the design's "
                                     "points: nothing ran and nothing was written.")


def test_the_printed_command_resumes_to_the_indices_of_an_uninterrupted_study(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    sobol_study: tuple[dict[str, Any], Path],
) -> None:
    """After Ctrl-C, the command printed runs only the 60 runs not in the folder, and
    the study ends with exactly the numbers of one that was never stopped."""
    real = hrdsim.experiment.run_unit
    interrupt_run(monkeypatch, 5)
    out = tmp_path / "partial"
    stopped = sensitivity(runner, *STUDY, "--out", str(out), code=130)
    command = stopped.stderr.split("Continue with:\n", 1)[1].strip()
    args = shlex.split(command)
    program = 3 if args[:3] == ["python", "-m", "hrdsim"] else 1
    assert args[program] == "sensitivity" and args[-1] == "--resume"
    assert ["--samples", "8", "--replications", "2", "--seed", "20261129"] == \
        args[args.index("--samples"):args.index("--seed") + 2]

    monkeypatch.setattr(hrdsim.experiment, "run_unit", real)
    counted: list[int] = []
    monkeypatch.setattr(hrdsim.experiment, "run_unit",
                        lambda unit: counted.append(1) or real(unit))
    resumed = runner.invoke(main, args[program:])
    assert resumed.exit_code == 0, resumed.output
    assert "64 of 64 runs (4 already in the folder; 60 run now" in resumed.stdout
    assert len(counted) == 60
    data = strict_json((out / "sensitivity.json").read_text())
    assert data["runs"] == {"planned": 64, "finished": 64, "failed": 0, "resumed": 4,
                            "interrupted": False}
    uninterrupted, _ = sobol_study
    data["runs"]["resumed"] = 0
    assert data == uninterrupted
    assert len(pq.read_table(out / "runs.parquet")) == 64


@pytest.mark.parametrize(("args", "expected"), [
    (("--seed", "7"), "it ran on seed 20261129, not 7; resume with --seed 20261129"),
    (("--samples", "16"), "its design differs (--samples 8 then, 16 now)"),
    (("--method", "morris", "--samples", "8"), "its design differs (--method sobol then, "
     "morris now)"),
    (("--range", "costs.hr_developer_hour=40:90"), "its design differs (ranges "
     "learning.params.share=0.02:0.2, costs.hr_developer_hour=40:80 then, "
     "learning.params.share=0.02:0.2, costs.hr_developer_hour=40:90 now)"),
    (("--set", "work.demand=0.7"), "its runs were made with --set organisation.units=2"),
])
def test_resuming_another_study_is_refused(
    runner: CliRunner, sobol_study: tuple[dict[str, Any], Path], args: tuple[str, ...],
    expected: str,
) -> None:
    """--resume refuses, in one line, a folder whose runs were made otherwise (and
    leaves it as it was)."""
    _, out = sobol_study
    before = (out / "sensitivity.json").read_text()
    base = {"--seed": "20261129", "--samples": "8", "--method": "sobol"}
    options = dict(base)
    ranges = ["learning.params.share=0.02:0.2", "costs.hr_developer_hour=40:80"]
    extra: list[str] = []
    rest = list(args)
    while rest:
        name, value = rest.pop(0), rest.pop(0)
        if name == "--range":
            ranges[1] = value
        elif name in options:
            options[name] = value
        else:
            extra += [name, value]
    given = [a for r in ranges for a in ("--range", r)]
    given += [a for k, v in options.items() for a in (k, v)]
    line = failed_cleanly(sensitivity(runner, *given, "--outcome", "capability_index",
                                      *extra, "--out", str(out), "--resume", code=2))
    assert expected in line, line
    assert (out / "sensitivity.json").read_text() == before


def test_resuming_with_fewer_replications_or_another_scenario_is_refused(
    runner: CliRunner, tmp_path: Path,
) -> None:
    out = tmp_path / "study"
    sensitivity(runner, *STUDY[:-4], "-n", "3", "--outcome", "capability_index", "--out",
                str(out))
    fewer = failed_cleanly(sensitivity(runner, *STUDY, "--out", str(out), "--resume", code=2))
    assert fewer == (f"cannot resume {out}: it holds up to 3 replications per point (0-2), "
                     "more than the 2 asked for; resume with --replications 3 or more")
    octopus = str(SCENARIOS / "octopus.toml")
    result = runner.invoke(main, ["sensitivity", octopus, *STUDY, *TINY, "--out", str(out),
                                  "--resume"])
    assert failed_cleanly(result).startswith(
        f'cannot resume {out}: it holds a study of {BASELINE} ("Baseline: centralised HRD"), '
        f'not of {octopus}')
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("mine", encoding="utf-8")
    assert "does not hold a sensitivity study to resume" in failed_cleanly(
        sensitivity(runner, *STUDY, "--out", str(elsewhere), "--resume", code=2))
    assert "--resume continues the study in a results folder: give it with --out DIR" in \
        failed_cleanly(sensitivity(runner, *STUDY, "--resume", code=2))


@pytest.mark.parametrize(("terminal", "flags", "shown"), [
    (True, (), True), (False, (), False), (True, ("--quiet",), False),
])
def test_progress_bar_only_on_a_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, terminal: bool,
    flags: tuple[str, ...], shown: bool,
) -> None:
    """The progress bar (runs done/total) shows only on a terminal without --quiet."""
    monkeypatch.setattr(hrdsim.cli, "_stderr_is_terminal", lambda: terminal)
    result = sensitivity(runner, "--method", "morris", "--range", SHARE, "--samples", "4",
                         "-n", "2", "--outcome", "capability_index", *flags)
    assert ("Simulating" in result.stderr) is shown, result.stderr
    assert "Simulating" not in result.stdout


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("args", "expected"), [
    ((), "give at least one --range KEY=LO:HI"),
    (("--range", SHARE, "--method", "sobl"), "--method sobl: unknown method - did you mean "
                                             "'sobol'?"),
    (("--range", "learning.params.share=0.2"), "expected KEY=LO:HI"),
    (("--range", "learning.params.share=0.2:0.1"), "expected finite bounds with LO < HI"),
    (("--range", "learning.params.shar=0:0.1"), "did you mean 'learning.params.share'?"),
    (("--range", "learning.policy=0:1"), "holds 'fixed_share', not a number, so it cannot be "
     "ranged (a sensitivity study varies numbers; run its values with hrdsim sweep --grid)"),
    (("--range", "seed=1:9"), "is the study's seed, not a parameter"),
    (("--range", "weeks=10:20", "--set", "weeks=30"), "is also given with --set"),
    (("--range", SHARE, "--outcome", "capability_indx"),
     "--outcome capability_indx: unknown outcome - did you mean 'capability_index'?"),
    (("--range", SHARE, "--samples", "12"), "must be a power of 2 (SALib draws them from a "
                                            "Sobol' sequence"),
    (("--range", SHARE, "--samples", "12"), "use 8 or 16"),
    (("--range", SHARE, "--samples", "4"), "Sobol' needs at least 8 base samples"),
    (("--range", SHARE, "--method", "morris", "--samples", "2"),
     "Morris needs at least 4 trajectories"),
    (("--range", SHARE, "-n", "1"), "needs at least 2 replications per design point"),
    (("--range", "learning.params.share=0.5:1.5", "--samples", "8"),
     "--range: learning.params.share: 1.5 is out of range; expected ≥ 0 and ≤ 1 (the high "
     "end of the range 0.5:1.5; narrow the range to values the key accepts)"),
    (("--range", "learning.params.share=-0.1:0.2", "--samples", "8"),
     "--range: learning.params.share: -0.1 is out of range; expected ≥ 0 and ≤ 1 (the low "
     "end of the range -0.1:0.2; narrow the range to values the key accepts)"),
    (("--range", SHARE, "--scheduler", "tcp://127.0.0.1:9"), "give --workers or --scheduler"),
])
def test_bad_input_is_one_clear_line(runner: CliRunner, args: tuple[str, ...],
                                     expected: str) -> None:
    """Every bad input exits 2 with one line saying what to give instead, before any run."""
    line = failed_cleanly(sensitivity(runner, *args, code=2))
    assert expected in line, line


def test_a_design_point_refused_with_another_key_is_named_by_rounded_values(
    runner: CliRunner,
) -> None:
    """The protected scenario's floor of 0.1 forbids shares below it: a range reaching
    below is refused at a design point, named by its values as the report shows them."""
    result = runner.invoke(main, ["sensitivity", str(SCENARIOS / "protected.toml"), "--range",
                                  "learning.params.share=0.02:0.2", "--samples", "8", *TINY])
    line = failed_cleanly(result)
    assert re.match(r"--range: the scenario refuses the design point "
                    r"learning\.params\.share=0\.\d{2,4}: \S*protected\.toml: "
                    r"learning\.params\.floor: 0\.1 is above the planned share", line), line
    assert line.endswith("(narrow the ranges to values the keys accept together)")


def test_one_parameter_is_counted_in_the_singular(runner: CliRunner) -> None:
    text = sensitivity(runner, "--range", SHARE, "--samples", "8", "-n", "2", "--outcome",
                       "capability_index", "--quiet").stdout
    assert "; 1 parameter varied:" in text
    assert "8 base samples × (1 parameter + 2) = 24 points" in text


def test_sensitivity_md_documents_every_option() -> None:
    """Every option of `hrdsim sensitivity` appears in the Options table of
    docs/sensitivity.md."""
    from hrdsim.sensitivity_commands import sensitivity as command

    section = (ROOT / "docs" / "sensitivity.md").read_text(encoding="utf-8") \
        .split("## Options", 1)[1].split("\n## ", 1)[0]
    options = [opt for param in command.params for opt in getattr(param, "opts", [])
               if opt.startswith("--")]
    missing = [opt for opt in options if f"`{opt}" not in section]
    assert not missing, missing
