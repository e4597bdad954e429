"""`hrdsim run --out DIR`: manifest, summary and tidy tables, written atomically.

One tiny run (2 units × 3 teams × 5 people, 26 weeks, 2 replications) is
written once per module and its files are checked from several sides; the
failure cases each run their own.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import simpy
from click.testing import CliRunner, Result

import hrdsim
from hrdsim.cli import main
from hrdsim.metrics import TEAM_WEEKLY, WEEKLY, limits_of
from tests.conftest import SCENARIOS, failed_cleanly, strict_json

BASELINE = SCENARIOS / "baseline.toml"
UNITS, TEAMS_PER_UNIT, TEAM_SIZE, WEEKS, REPLICATIONS = 2, 3, 5, 26, 2
TINY = (
    "--set", f"organisation.units={UNITS}",
    "--set", f"organisation.teams_per_unit={TEAMS_PER_UNIT}",
    "--set", f"organisation.team_size={TEAM_SIZE}",
    "--set", "operating_model.developers=2",
    "--weeks", str(WEEKS),
    "--replications", str(REPLICATIONS),
)
FILES = {"manifest.json", "summary.json", "weekly.parquet", "weekly.csv", "teams.parquet",
         "teams.csv"}


def invoke_run(out: Path, *args: str) -> Result:
    """`hrdsim run` of the tiny baseline into ``out`` (sys.argv set as a shell would)."""
    argv = ["run", str(BASELINE), *TINY, "--out", str(out), *args]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["/usr/local/bin/hrdsim", *argv])
        return CliRunner().invoke(main, argv)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """The results folder of one tiny run with --json, and the run's result."""
    out = tmp_path_factory.mktemp("results") / "share"  # a folder that does not exist yet
    result = invoke_run(out, "--json")
    assert result.exit_code == 0, result.output
    yield out, result


def read_json(path: Path) -> Any:
    return strict_json(path.read_text(encoding="utf-8"))



# ---------------------------------------------------------------- what is written


def test_out_creates_the_folder_and_writes_exactly_the_six_files(
    written: tuple[Path, Result],
) -> None:
    """--out makes the folder and leaves the six result files and nothing else (no temp files)."""
    out, _ = written
    assert {p.name for p in out.iterdir()} == FILES


def test_result_files_have_ordinary_permissions(written: tuple[Path, Result]) -> None:
    """Result files get the permissions the user's umask gives, not owner-only temp-file ones."""
    out, _ = written
    umask = os.umask(0)
    os.umask(umask)
    for name in FILES:
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask, name


def test_manifest_records_what_is_needed_to_trace_and_rerun(written: tuple[Path, Result]) -> None:
    """manifest.json holds versions, scenario hash and values, seed, plugins, command and time."""
    out, _ = written
    manifest = read_json(out / "manifest.json")
    assert manifest["hrdsim_version"] == hrdsim.__version__
    scenario = manifest["scenario"]
    assert scenario["path"] == str(BASELINE)
    assert scenario["files"] == [str(BASELINE)]
    assert scenario["file_sha256"] == hashlib.sha256(BASELINE.read_bytes()).hexdigest()
    resolved = scenario["resolved"]
    assert resolved["weeks"] == WEEKS and resolved["replications"] == REPLICATIONS
    assert resolved["organisation"] == {**resolved["organisation"], "units": UNITS,
                                        "teams_per_unit": TEAMS_PER_UNIT,
                                        "team_size": TEAM_SIZE}
    assert resolved["work"]["demand"] == 0.75  # from the file, not the default
    assert resolved["dynamics"]["forgetting_half_life_weeks"] == 28.2  # a default filled in
    policies = scenario["policies"]
    assert policies["learning"] == {
        "policy": "fixed_share", "plugin": "learning_time",
        "params": {"on_the_job": 0.7, "social": 0.2, "formal": 0.1, "share": 0.05,
                   "erosion": 0.7},
    }
    assert policies["facilitation"]["params"]["timing"] == "random"  # default filled in
    assert "organisation.units=2" in scenario["overrides"]
    assert manifest["seed"] == 20261129 and manifest["replications"] == REPLICATIONS
    assert manifest["replications_finished"] == REPLICATIONS
    plugins = {p["name"]: p for p in manifest["plugins"]}
    assert {"learning_time", "operating_models", "facilitation"} <= set(plugins)
    for plugin in plugins.values():  # the shipped ones (others may be installed too)
        if plugin["module"].startswith("hrdsim_plugins."):
            assert plugin["version"] == hrdsim.__version__
            assert plugin["distribution"] == "hrdsim"
    versions = manifest["versions"]
    assert versions["python"] == platform.python_version()
    assert versions["numpy"] == np.__version__
    assert versions["simpy"] == simpy.__version__
    assert versions["pyarrow"] == pa.__version__
    assert manifest["command"] == ["hrdsim", "run", str(BASELINE), *TINY, "--out", str(out),
                                   "--json"]
    assert isinstance(manifest["wall_seconds"], float) and manifest["wall_seconds"] > 0


def test_weekly_table_has_one_row_per_replication_and_week(written: tuple[Path, Result]) -> None:
    """weekly.parquet is organisation level: replication × week rows and every weekly column."""
    out, _ = written
    table = pq.read_table(out / "weekly.parquet")
    assert table.column_names == ["scenario", "replication", "week", *WEEKLY]
    assert table.num_rows == REPLICATIONS * WEEKS
    pairs = set(zip(table.column("replication").to_pylist(), table.column("week").to_pylist(),
                    strict=True))
    assert pairs == {(r, w) for r in range(REPLICATIONS) for w in range(WEEKS)}
    assert set(table.column("scenario").to_pylist()) == {"Baseline: centralised HRD"}


def test_team_table_has_one_row_per_replication_week_and_team(
    written: tuple[Path, Result],
) -> None:
    """teams.parquet is team level: replication × week × team rows, each team in its unit."""
    out, _ = written
    table = pq.read_table(out / "teams.parquet")
    assert table.column_names == ["replication", "week", "team", "unit", *TEAM_WEEKLY]
    teams = UNITS * TEAMS_PER_UNIT
    assert table.num_rows == REPLICATIONS * WEEKS * teams
    keys = set(zip(*(table.column(c).to_pylist() for c in ("replication", "week", "team")),
                   strict=True))
    assert len(keys) == table.num_rows
    units = dict(zip(table.column("team").to_pylist(), table.column("unit").to_pylist(),
                     strict=True))
    assert units == {t: t // TEAMS_PER_UNIT for t in range(teams)}


@pytest.mark.parametrize("stem", ["weekly", "teams"])
def test_parquet_and_csv_hold_the_same_numbers(written: tuple[Path, Result], stem: str) -> None:
    """Each CSV has the same columns, rows and values as its Parquet twin."""
    out, _ = written
    parquet = pq.read_table(out / f"{stem}.parquet")
    csv = pacsv.read_csv(out / f"{stem}.csv")
    assert csv.column_names == parquet.column_names
    assert csv.num_rows == parquet.num_rows
    for name in parquet.column_names:
        left, right = parquet.column(name).to_pylist(), csv.column(name).to_pylist()
        if isinstance(left[0], str):
            assert left == right, name
        else:
            np.testing.assert_allclose(np.array(right, dtype=float),
                                       np.array(left, dtype=float),
                                       rtol=1e-12, atol=0, equal_nan=True, err_msg=name)


def test_summary_means_are_means_over_replications(written: tuple[Path, Result]) -> None:
    """Each outcome's mean in summary.json is the mean of its per-replication values."""
    out, _ = written
    summary = read_json(out / "summary.json")
    reps = summary["per_replication"]
    assert len(reps) == REPLICATIONS
    checked = 0
    for name, estimate in summary["outcomes"].items():
        values = [r[name] for r in reps]
        assert estimate["n"] == REPLICATIONS
        if None in values:
            assert estimate["mean"] is None, name
            continue
        assert estimate["mean"] == pytest.approx(float(np.mean(values)), rel=1e-12, abs=1e-12)
        assert estimate["ci_low"] <= estimate["mean"] <= estimate["ci_high"], name
        low, high = limits_of(name)  # never an interval reaching impossible values
        assert low <= estimate["ci_low"] and estimate["ci_high"] <= high, name
        checked += 1
    assert checked >= 10


def test_summary_file_is_what_json_prints(written: tuple[Path, Result]) -> None:
    """summary.json and the --json output are the same summary."""
    out, result = written
    assert read_json(out / "summary.json") == json.loads(result.stdout)


def test_weekly_table_agrees_with_the_summary(written: tuple[Path, Result]) -> None:
    """The last week's capability index in weekly.parquet is each replication's end outcome."""
    out, _ = written
    table = pq.read_table(out / "weekly.parquet").to_pydict()
    summary = read_json(out / "summary.json")
    for replication, outcomes in enumerate(summary["per_replication"]):
        last = [c for r, w, c in zip(table["replication"], table["week"],
                                     table["capability_index"], strict=True)
                if r == replication and w == WEEKS - 1]
        assert last == [pytest.approx(outcomes["capability_index"])]


def test_table_output_mentions_the_files_written(tmp_path: Path) -> None:
    """Without --json, the run ends by saying where the results went."""
    result = invoke_run(tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert f"Results written to {tmp_path / 'out'}/" in result.output


# ---------------------------------------------------------------- atomic writing


def _fail_midway(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """Make the writer of ``target`` write half a file and then fail as on a full disk."""
    module, attribute = (pq, "write_table") if target.endswith(".parquet") else \
        (pacsv, "write_csv")
    real = getattr(module, attribute)

    def writer(table: Any, where: Any, *args: Any, **kwargs: Any) -> None:
        if Path(where).name.startswith(f".{target}."):
            Path(where).write_bytes(b"half a fi")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(table, where, *args, **kwargs)

    monkeypatch.setattr(module, attribute, writer)


@pytest.mark.parametrize(
    ("target", "complete_before"),
    [
        pytest.param("weekly.parquet", {"manifest.json", "summary.json"}, id="weekly-parquet"),
        pytest.param("teams.csv", {"manifest.json", "summary.json", "weekly.parquet",
                                   "weekly.csv", "teams.parquet"}, id="teams-csv"),
    ],
)
def test_a_failing_write_leaves_no_partial_or_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, complete_before: set[str],
) -> None:
    """A write that fails midway leaves no half file and no temp file; earlier files stay whole."""
    _fail_midway(monkeypatch, target)
    out = tmp_path / "out"
    message = failed_cleanly(invoke_run(out))
    assert message == f"cannot write {out / target}: No space left on device"
    assert {p.name for p in out.iterdir()} == complete_before  # no target, no .tmp files
    summary = read_json(out / "summary.json")
    assert len(summary["per_replication"]) == REPLICATIONS
    if "weekly.csv" in complete_before:
        assert pacsv.read_csv(out / "weekly.csv").num_rows == REPLICATIONS * WEEKS


def test_a_failing_rewrite_keeps_the_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Re-running into a folder whose write then fails keeps the earlier complete file."""
    out = tmp_path / "out"
    assert invoke_run(out).exit_code == 0
    before = (out / "teams.csv").read_bytes()
    _fail_midway(monkeypatch, "teams.csv")
    failed_cleanly(invoke_run(out, "--seed", "99"))
    assert (out / "teams.csv").read_bytes() == before
    assert {p.name for p in out.iterdir()} == FILES
    assert read_json(out / "summary.json")["seed"] == 99  # files before it were replaced


# ---------------------------------------------------------------- a bad --out


@pytest.mark.parametrize(
    ("make", "out_name", "blamed"),
    [
        pytest.param("results", "results", "results", id="out-is-a-file"),
        pytest.param("results", "results/share10", "results", id="out-is-inside-a-file"),
    ],
)
def test_out_that_is_a_file_is_refused_before_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: str, out_name: str, blamed: str,
) -> None:
    """--out naming a file gives one clear error, exit 2, and neither runs nor touches the file."""
    import hrdsim.runner

    def no_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the simulation must not start")

    monkeypatch.setattr(hrdsim.runner, "run_replications", no_run)
    (tmp_path / make).write_text("my notes\n", encoding="utf-8")
    message = failed_cleanly(invoke_run(tmp_path / out_name))
    assert message.startswith(f"{tmp_path / blamed} is a file, but --out needs a folder")
    assert "choose another name" in message
    assert (tmp_path / make).read_text(encoding="utf-8") == "my notes\n"


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        pytest.param(["/usr/bin/hrdsim", "run", "x.toml"], ["hrdsim", "run", "x.toml"],
                     id="console-script"),
        pytest.param(["/src/hrdsim/__main__.py", "run", "x.toml"],
                     ["python", "-m", "hrdsim", "run", "x.toml"], id="python-m"),
    ],
)
def test_manifest_command_is_what_the_user_typed(monkeypatch: pytest.MonkeyPatch,
                                                 argv: list[str], command: list[str]) -> None:
    """The manifest's command line shows `hrdsim ...` or `python -m hrdsim ...` as typed."""
    from hrdsim.results import python_command

    monkeypatch.setattr(sys, "argv", argv)
    assert python_command() == command


def test_an_interval_is_cut_to_what_the_outcome_can_take() -> None:
    """With two replications a t-interval is wide: a utilisation near 100% or a wait
    near 0 would reach past what is possible; the summary cuts it there, never past the
    mean, and leaves outcomes without limits (a plugin's) and differences alone."""
    from hrdsim.metrics import OUTCOME_BY_NAME, estimate, summarise

    summary = summarise([
        {"hr_utilisation": 96.0, "facilitation_wait_days": 0.0, "capability_gini": 0.01,
         "capability_change": -2.0, "plugin_score": -5.0},
        {"hr_utilisation": 99.0, "facilitation_wait_days": 0.2, "capability_gini": 0.02,
         "capability_change": 3.0, "plugin_score": 5.0},
    ])
    t = estimate([96.0, 99.0])  # the uncut interval: 97.5 ± 19.06
    assert t.high > 100 and summary["hr_utilisation"].high == 100.0
    assert summary["hr_utilisation"].low == pytest.approx(t.low)
    assert summary["facilitation_wait_days"].low == 0.0
    assert summary["capability_gini"].low == 0.0
    assert summary["capability_change"].low < 0  # a change can be negative
    assert summary["plugin_score"].low == pytest.approx(-12.706 * 5.0, rel=1e-4)  # mean 0
    assert OUTCOME_BY_NAME["capability_p90_p10"].limits == (1.0, float("inf"))
    # rounding can put a mean just outside its limits: the interval still holds the mean
    tiny = estimate([-1e-12, 1e-13], limits=(0.0, 100.0))
    assert tiny.low <= tiny.mean <= tiny.high
