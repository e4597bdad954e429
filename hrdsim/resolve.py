"""Matching a scenario's policy choices with the policies plugins provide."""

from __future__ import annotations

from typing import Any

import attrs

from hrdsim.errors import ScenarioError
from hrdsim.loader import LoadedScenario
from hrdsim.params import build
from hrdsim.policies import PolicyKind
from hrdsim.registry import PolicyEntry, PolicyRegistry
from hrdsim.scenario import Scenario

_SECTIONS: tuple[tuple[PolicyKind, str], ...] = (
    ("learning", "learning"),
    ("operating_model", "operating_model"),
    ("facilitation", "facilitation"),
)


@attrs.frozen
class ChosenPolicy:
    """A policy the scenario chose, with its validated parameters."""

    entry: PolicyEntry
    params: Any

    def create(self, scenario: Scenario) -> Any:
        return self.entry.factory(self.params, scenario)


@attrs.frozen
class ResolvedScenario:
    """A scenario whose policies exist and whose parameters are valid.

    :ivar loaded: the scenario and its files.
    :ivar policies: the chosen policy of each kind.
    :ivar practices: the practices in use, in scenario order.
    """

    loaded: LoadedScenario
    policies: dict[str, ChosenPolicy]
    practices: list[ChosenPolicy] = attrs.field(factory=list)

    @property
    def scenario(self) -> Scenario:
        assert self.loaded.scenario is not None
        return self.loaded.scenario

    def params_table(self) -> dict[str, dict[str, Any]]:
        """Every policy's parameters, defaults filled in (for the manifest)."""
        table: dict[str, Any] = {
            kind: _describe(chosen) for kind, chosen in self.policies.items()
        }
        table["practices"] = [_describe(chosen) for chosen in self.practices]
        return table


def _describe(chosen: ChosenPolicy) -> dict[str, Any]:
    return {"policy": chosen.entry.name, "plugin": chosen.entry.plugin,
            "params": attrs.asdict(chosen.params) if chosen.params is not None else {}}


def resolve(loaded: LoadedScenario, registry: PolicyRegistry) -> ResolvedScenario:
    """Check the scenario's policy names and parameters against the registry.

    :raises ScenarioError: for an unknown policy (listing the available ones)
        or a bad parameter (naming its file and key).
    """
    scenario = loaded.scenario
    assert scenario is not None
    policies = {
        kind: _choose(loaded, registry, kind, section, getattr(scenario, section))
        for kind, section in _SECTIONS
    }
    practices = [
        _choose(loaded, registry, "practice", f"practices[{i}]", choice)
        for i, choice in enumerate(scenario.practices)
    ]
    return ResolvedScenario(loaded=loaded, policies=policies, practices=practices)


def _choose(loaded: LoadedScenario, registry: PolicyRegistry, kind: PolicyKind, section: str,
            choice: Any) -> ChosenPolicy:
    key = f"{section}.policy"
    try:
        entry = registry.get(kind, choice.policy)
    except KeyError as exc:
        raise ScenarioError(loaded.source_of(key), key, exc.args[0]) from None
    if entry.params is None:
        if choice.params:
            raise ScenarioError(
                loaded.source_of(f"{section}.params"), f"{section}.params",
                f"policy {choice.policy!r} takes no parameters",
            )
        return ChosenPolicy(entry=entry, params=None)
    params = build(entry.params, choice.params, f"{section}.params", loaded.source_of)
    return ChosenPolicy(entry=entry, params=params)
