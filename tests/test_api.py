"""The Python API: hrdsim.run and hrdsim.compare return tidy pandas tables, accept
overrides as a list or a dict, and the example in docs/experiments.md runs.

Every study uses a 30-person organisation for 26 weeks in this process.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import hrdsim
from hrdsim.errors import HrdsimError
from hrdsim.metrics import OUTCOMES, WEEKLY
from tests.conftest import ROOT, SCENARIOS

BASELINE = str(SCENARIOS / "baseline.toml")
OCTOPUS = str(SCENARIOS / "octopus.toml")
SMALL = ("organisation.units=2", "organisation.teams_per_unit=3", "organisation.team_size=5",
         "operating_model.developers=2", "weeks=26")
EXPERIMENTS_MD = ROOT / "docs" / "experiments.md"


def test_run_returns_a_summary_and_a_tidy_weekly_table() -> None:
    """hrdsim.run gives one summary row per outcome and one weekly row per replication × week."""
    result = hrdsim.run(BASELINE, replications=3, seed=11, overrides=SMALL)
    assert (result.name, result.seed, sorted(result.results)) == (
        "Baseline: centralised HRD", 11, [0, 1, 2])
    weekly = result.weekly
    assert len(weekly) == 3 * 26
    assert list(weekly.columns[:3]) == ["scenario", "replication", "week"]
    assert set(WEEKLY) <= set(weekly.columns)
    assert weekly.groupby("replication")["week"].agg(["min", "max"]).values.tolist() == \
        [[0, 25]] * 3
    summary = result.summary
    assert {o.name for o in OUTCOMES} - {"facilitation_wait_p90_days"} <= set(summary.index)
    assert list(summary.columns) == ["mean", "ci_low", "ci_high", "sd", "n", "label", "unit"]
    last_week = weekly[weekly.week == 25]["capability_index"]
    assert summary.loc["capability_index", "mean"] == pytest.approx(last_week.mean())
    assert summary.loc["capability_index", "n"] == 3
    assert result.outcomes.loc[1, "capability_index"] == pytest.approx(
        last_week[weekly.replication == 1].item())


def test_overrides_as_a_dict_equal_overrides_as_strings() -> None:
    """overrides={'weeks': 26, ...} runs the same scenario as ['weeks=26', ...]."""
    as_dict = dict(item.split("=") for item in SMALL)
    as_dict = {key: int(value) for key, value in as_dict.items()}
    one = hrdsim.run(BASELINE, replications=2, overrides=SMALL)
    two = hrdsim.run(BASELINE, replications=2, overrides={**as_dict, "name": "Same"})
    assert two.name == "Same"
    assert one.summary["mean"].equals(two.summary["mean"])


def test_compare_returns_differences_and_weekly_tables() -> None:
    """hrdsim.compare's differences have the documented columns; weekly has every scenario."""
    comparison = hrdsim.compare(BASELINE, OCTOPUS, replications=3, overrides=SMALL)
    differences = comparison.differences
    assert list(differences.columns[:7]) == ["alternative", "metric", "mean", "ci_low",
                                             "ci_high", "share_better", "verdict"]
    assert list(differences.metric) == [o.name for o in OUTCOMES if o.key]
    assert set(differences.alternative) == {"Octopus: HR developers embedded near teams"}
    row = differences.set_index("metric").loc["capability_index"]
    assert row.ci_low <= row["mean"] <= row.ci_high and row.n == 3
    assert 0 <= row.share_better <= 1
    weekly = comparison.weekly
    assert weekly.groupby("scenario").size().to_dict() == {
        "Baseline: centralised HRD": 78, "Octopus: HR developers embedded near teams": 78}
    assert "operating_model.policy" in set(comparison.inputs.key)
    assert str(comparison) == comparison.report()


def test_compare_with_precision_and_metrics() -> None:
    """precision= as a dict and metrics= choose the replications and the compared outcomes."""
    comparison = hrdsim.compare(BASELINE, OCTOPUS, overrides=[*SMALL, "replications=2"],
                                precision={"capability_index": 0.01}, max_replications=8,
                                metrics=["capability_index", "cost_per_fte_year"])
    assert list(comparison.differences.metric) == ["capability_index", "cost_per_fte_year"]
    assert comparison.precision is not None
    assert comparison.replications <= 8
    assert comparison.precision.stopped in {"target met", "cap"}


def test_bad_arguments_raise_before_anything_runs() -> None:
    """An unknown precision metric or a missing file raises HrdsimError with a clear message."""
    with pytest.raises(HrdsimError, match="unknown metric 'capability'"):
        hrdsim.compare(BASELINE, OCTOPUS, precision="capability=0.5")
    with pytest.raises(HrdsimError, match="no such scenario file"):
        hrdsim.compare(BASELINE, "no/such/file.toml")
    with pytest.raises(TypeError, match="at least one alternative"):
        hrdsim.compare(BASELINE)


def test_hrdsim_compare_is_the_api_function() -> None:
    """hrdsim.compare is hrdsim.api.compare, and its result is a hrdsim.Comparison."""
    import hrdsim.api
    from hrdsim import compare

    assert compare is hrdsim.api.compare is hrdsim.compare
    result = compare(BASELINE, BASELINE, replications=2, overrides=SMALL)
    assert (result.differences["mean"] == 0).all()
    assert isinstance(result, hrdsim.Comparison)


def test_the_example_in_docs_experiments_md_runs() -> None:
    """The complete example script in docs/experiments.md runs and prints what the page says."""
    text = EXPERIMENTS_MD.read_text(encoding="utf-8")
    section = text.split("### A complete example", 1)[1]
    script = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert script is not None
    done = subprocess.run([sys.executable, "-c", script.group(1)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = re.search(r"It prints, among other lines:\n\n```text\n(.*?)```", section,
                        flags=re.DOTALL)
    assert printed is not None
    for line in printed.group(1).strip().splitlines():
        pattern = ".*".join(re.escape(part) for part in line.split("..."))
        assert re.search(pattern, done.stdout), (line, done.stdout)


def test_experiments_md_documents_every_option_of_compare() -> None:
    """Every option of `hrdsim compare` appears in docs/experiments.md."""
    from hrdsim.study_commands import compare

    text = EXPERIMENTS_MD.read_text(encoding="utf-8")
    options = [opt for param in compare.params for opt in getattr(param, "opts", [])
               if opt.startswith("--")]
    missing = [opt for opt in options if f"`{opt}" not in text]
    assert not missing, missing


def test_paths_may_be_path_objects(tmp_path: Path) -> None:
    """Scenario paths may be pathlib.Path objects as well as strings."""
    result = hrdsim.run(Path(BASELINE), replications=1, overrides=SMALL)
    assert len(result.weekly) == 26
