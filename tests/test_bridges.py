"""Bridges between silos (Fang, Lee & Schilling 2010): checks O1 and O2 of
model-science §7.3 and the ``bridges`` practice.

Teams of 10 (5 teams, 50 people, m = 30) each keep a March code; ``linking``
is the chance per person and period of working with another team. Fast
socialisation and code learning (p1 = p2 = 0.9) are where the loss of
diversity bites hardest, as in March's own figures.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest
from hrdsim_plugins import _march_core as core
from hrdsim_plugins.bridges import (
    Bridges,
    BridgesParams,
    bridges_equilibrium,
    bridges_paths,
    code_disagreement,
)

from hrdsim.errors import ScenarioError
from hrdsim.loader import load_scenario
from hrdsim.params import build
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.resolve import resolve
from tests.conftest import SCENARIOS, SMALL
from tests.test_march import _play, _small_org, _world

RUNS = 300
#: the linking probabilities of the O1 curve
CURVE = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)


@cache
def _equilibrium(linking: float) -> np.ndarray:
    seed = 2010 + int(linking * 1000)
    result = bridges_equilibrium(np.random.default_rng(seed), RUNS, linking=linking)
    assert result.converged.all()
    return result.code_knowledge


def _clearly_above(a: np.ndarray, b: np.ndarray) -> bool:
    """``a``'s mean exceeds ``b``'s by more than three standard errors of the difference."""
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return bool(a.mean() - b.mean() > 3 * se)


def test_o1_moderate_linking_beats_both_silos_and_full_mixing() -> None:
    """O1: equilibrium team-code knowledge is higher at linking 0.03 than in isolation (0) and
    than with full linking (1)."""
    moderate = _equilibrium(0.03)
    assert _clearly_above(moderate, _equilibrium(0.0))
    assert _clearly_above(moderate, _equilibrium(1.0))


def test_o1_the_curve_over_linking_is_an_inverted_u() -> None:
    """O1: over linking 0 … 1 the highest knowledge lies strictly inside; both ends are lower."""
    means = [_equilibrium(x).mean() for x in CURVE]
    top = int(np.argmax(means))
    assert 0 < top < len(CURVE) - 1, dict(zip(CURVE, means, strict=True))
    peak = _equilibrium(CURVE[top])
    assert _clearly_above(peak, _equilibrium(CURVE[0]))
    assert _clearly_above(peak, _equilibrium(CURVE[-1]))


def test_o1_at_equilibrium_teams_share_one_playbook_when_linked_and_differ_in_silos() -> None:
    """Linked teams end on one shared playbook; silos end on different ones."""
    for linking, differ in ((0.0, True), (0.1, False)):
        rng = np.random.default_rng(11)
        world = core.start(rng, 50, 50, 30, groups=5)
        for _ in range(2000):
            core.step(world, rng, 0.9, 0.9, linking=linking)
            if core.settled(world, linking).all():
                break
        assert core.settled(world, linking).all()
        assert bool(code_disagreement(world.codes).mean() > 0.2) is differ


@cache
def _paths(teams: int, linking: float) -> np.ndarray:
    seed = 7 + teams + int(linking * 100)
    return bridges_paths(np.random.default_rng(seed), 200, 100, linking=linking,
                         teams=teams).code_knowledge


def test_o2_full_connectivity_leads_early_and_trails_late() -> None:
    """O2: one central code, and teams that mix every period, lead teams linked at 0.03 at
    t = 5 and trail them at t = 100."""
    sparse = _paths(5, 0.03)
    for full in (_paths(1, 0.0), _paths(5, 1.0)):  # one code for all; everyone mixes
        assert _clearly_above(full[5], sparse[5])
        assert _clearly_above(sparse[100], full[100])


# -- the bridges practice ------------------------------------------------------------------


def test_bridges_is_a_shipped_practice_and_its_scenario_resolves() -> None:
    """`bridges` is registered through the entry point and scenarios/bridges.toml chooses it."""
    registry = build_registry(make_plugin_manager())
    assert registry.get("practice", "bridges").plugin == "bridges"
    resolved = resolve(load_scenario(SCENARIOS / "bridges.toml", [*SMALL, "weeks=156"]),
                       registry)
    (chosen,) = resolved.practices
    assert chosen.entry.name == "bridges"
    assert chosen.params.linking == 0.03
    assert isinstance(chosen.create(resolved.scenario), Bridges)


def test_bridges_linking_outside_zero_to_one_is_refused_with_its_key() -> None:
    """A linking probability of 2 is a scenario error naming the key."""
    with pytest.raises(ScenarioError, match=r"practices\[0\]\.params\.linking"):
        build(BridgesParams, {"linking": 2.0}, "practices[0].params", lambda key: "x.toml")


def test_bridges_silos_keep_different_playbooks_and_know_less() -> None:
    """In the organisation, silo teams end with differing, poorer playbooks than linked teams."""
    results = {}
    for linking in (0.0, 0.03):
        scenario, org = _small_org()
        practice = Bridges(BridgesParams(linking=linking, turnover=0.0), scenario)
        _play(practice, scenario, org, 150, seed=3)
        results[linking] = practice.outcomes()
    silo, linked = results[0.0], results[0.03]
    assert set(silo) == {"bridges_team_code_knowledge", "bridges_team_code_knowledge_average",
                         "bridges_individual_knowledge", "bridges_team_code_correct_share",
                         "bridges_code_disagreement"}
    assert silo["bridges_code_disagreement"] > linked["bridges_code_disagreement"]
    assert silo["bridges_team_code_knowledge"] + 0.2 < linked["bridges_team_code_knowledge"]


def test_bridges_every_team_keeps_its_own_playbook() -> None:
    """The practice holds one code per team of the organisation."""
    scenario, org = _small_org()
    practice = Bridges(BridgesParams(), scenario)
    _play(practice, scenario, org, 2)
    assert _world(practice).codes.shape == (1, org.layout.teams, 30)
    np.testing.assert_array_equal(_world(practice).home, org.team_of)


def test_bridges_outcomes_reach_the_engines_results(simulate: Callable[..., Any]) -> None:
    """Through the engine, scenarios/bridges.toml adds the bridges outcomes."""
    result = simulate("bridges.toml", "weeks=110")
    assert -1.0 <= result.outcomes["bridges_team_code_knowledge"] <= 1.0
