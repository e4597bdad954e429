"""How scenario files combine: partial tables, extends, and choosing another policy."""

from __future__ import annotations

from pathlib import Path

from hrdsim.loader import load_scenario
from tests.conftest import SCENARIOS


def test_a_partial_table_keeps_the_other_defaults() -> None:
    """Setting one key of a mode leaves that mode's other parameters at their defaults."""
    base = load_scenario(SCENARIOS / "baseline.toml").scenario
    changed = load_scenario(SCENARIOS / "baseline.toml", ["modes.formal.transfer=0.5"]).scenario
    assert changed.modes.formal.transfer == 0.5
    assert changed.modes.formal.effectiveness == base.modes.formal.effectiveness
    assert changed.modes.formal.durable_share == base.modes.formal.durable_share
    assert changed.modes.social == base.modes.social


def test_extends_changes_one_thing_and_keeps_the_rest() -> None:
    """octopus.toml differs from baseline.toml only in what it says."""
    base = load_scenario(SCENARIOS / "baseline.toml")
    octopus = load_scenario(SCENARIOS / "octopus.toml")
    assert octopus.files == (SCENARIOS / "octopus.toml", SCENARIOS / "baseline.toml")
    assert octopus.scenario.operating_model.policy == "octopus"
    assert octopus.scenario.organisation == base.scenario.organisation
    assert octopus.scenario.learning == base.scenario.learning
    assert octopus.file_hash != base.file_hash


def test_choosing_another_policy_does_not_inherit_the_parents_params(tmp_path: Path) -> None:
    """A child (or --set) that picks another policy starts from that policy's defaults."""
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{SCENARIOS / "baseline.toml"}"\n'
                     '[learning]\npolicy = "leftover"\n', encoding="utf-8")
    assert load_scenario(child).scenario.learning.params == {}
    by_set = load_scenario(SCENARIOS / "baseline.toml", ["learning.params.max_share=0.2",
                                                         "learning.policy=leftover"])
    assert by_set.scenario.learning.params == {"max_share": 0.2}
    same = load_scenario(SCENARIOS / "baseline.toml", ["learning.policy=fixed_share"])
    assert same.scenario.learning.params["share"] == 0.05


def test_the_values_hash_changes_with_any_override() -> None:
    """The resolved-values hash identifies what ran, including --set overrides."""
    a = load_scenario(SCENARIOS / "baseline.toml")
    b = load_scenario(SCENARIOS / "baseline.toml", ["work.demand=0.8"])
    assert a.values_hash != b.values_hash
    assert a.values_hash == load_scenario(SCENARIOS / "baseline.toml").values_hash
