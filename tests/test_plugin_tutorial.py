"""The plugin tutorial in docs/plugins.md works as written."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from hrdsim.cli import main
from hrdsim.testing import run_scenario
from tests.conftest import ROOT, SMALL

DOC = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def tutorial_plugin(folder: Path) -> Path:
    code = re.search(r"```python\n(.+?)```", DOC, re.DOTALL)
    assert code is not None
    path = folder / "learning_sprints.py"
    path.write_text(code.group(1), encoding="utf-8")
    return path


def test_the_tutorial_policy_is_short() -> None:
    """The tutorial's whole plugin fits in about 30 non-blank lines."""
    code = re.search(r"```python\n(.+?)```", DOC, re.DOTALL)
    assert code is not None
    assert len([line for line in code.group(1).splitlines() if line.strip()]) <= 32


def test_the_tutorial_policy_loads_runs_and_protects_sprint_weeks(tmp_path: Path) -> None:
    """Selected by name, the tutorial's policy learns in sprint weeks even under fires."""
    plugin = tutorial_plugin(tmp_path)
    fires = ("work.fires_per_team_week=6", "work.fire_hours=10")
    results = run_scenario(ROOT / "scenarios" / "baseline.toml", *SMALL,
                           "learning.policy=learning_sprints", *fires, paths=[plugin])
    weekly = results.replications[0].weekly["learning_realised_per_fte"]
    sprint_weeks, other_weeks = weekly[::4], weekly[1::4]
    assert sprint_weeks.min() > 0.15 * 37.5 * 0.9  # 20% of hours, protected
    assert other_weeks.mean() < 0.5


def test_the_tutorial_error_examples_are_what_users_see(tmp_path: Path) -> None:
    """Misconfiguring the tutorial's policy gives the messages the tutorial shows."""
    plugin = tutorial_plugin(tmp_path)
    base = ["run", str(ROOT / "scenarios" / "baseline.toml"), "--plugin", str(plugin),
            "--set", "learning.policy=learning_sprints"]
    out = CliRunner().invoke(main, [*base, "--set", "learning.params.sprint_share=2"]).output
    assert ("Error: --set: learning.params.sprint_share: 2.0 is out of range; "
            "expected ≥ 0 and ≤ 1") in out
    out = CliRunner().invoke(main, [*base, "--set", "learning.params.sprint_shre=0.3"]).output
    assert ("Error: --set: learning.params.sprint_shre: unknown key - did you mean "
            "'sprint_share'?") in out
