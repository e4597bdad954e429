"""The ``strategy_alignment`` practice: learning linked to strategy, and unlearning.

Engine runs use strategic_shift.toml (at week 104 process craft becomes
obsolete, AI fluency is needed and data literacy needs rise) in a small
organisation over 156 weeks, so a year follows the shift.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hrdsim_plugins.strategy_alignment import StrategyAlignment, StrategyAlignmentParams

from hrdsim.dynamics import CapabilityModel
from hrdsim.organisation import build_organisation
from hrdsim.policies import Levers, WeekState
from hrdsim.runner import RunResults
from hrdsim.scenario import Scenario
from hrdsim.testing import run_scenario
from tests.conftest import SCENARIOS, scenario_of

SMALL = [
    "organisation.units=2",
    "organisation.teams_per_unit=5",
    "organisation.team_size=6",
    "operating_model.developers=2",
    "replications=2",
    "weeks=156",
]


def _scenario(path: Path, overrides: list[str] | None = None) -> Scenario:
    return scenario_of(path, overrides or [])
SHIFT_WEEK = 104
AFTER = 156 - SHIFT_WEEK
#: plain forgetting of an unused skill per week (half-life 28.2 weeks)
FORGETTING = math.log(2) / 28.2
#: no unlearning and no refocus: alignment alone
ALIGNMENT_ONLY = {"unlearning_rate": 0.0, "refocus_alignment": 0.0}


def _practice(**params: float) -> str:
    table = ", ".join(f"{k} = {v}" for k, v in params.items())
    return f'practices=[{{policy = "strategy_alignment", params = {{{table}}}}}]'


@cache
def _run(scenario: str = "strategic_shift.toml", *overrides: str) -> RunResults:
    return run_scenario(SCENARIOS / scenario, *SMALL, *overrides)


def _outcome(name: str, *overrides: str, scenario: str = "strategic_shift.toml") -> float:
    return _run(scenario, *overrides).summary[name].mean


def _gap_after_shift(results: RunResults) -> float:
    """Mean strategic gap (%) over the year after the shift, from the engine's weekly series."""
    return float(np.mean([r.weekly["strategic_gap"][SHIFT_WEEK:] for r in results.replications]))


def test_higher_alignment_lowers_the_strategic_gap_after_a_shift() -> None:
    """The more learning is aimed at the strategy's gaps, the smaller the gap after the shift."""
    gaps = {a: _gap_after_shift(_run("strategic_shift.toml", _practice(alignment=a,
                                                                     **ALIGNMENT_ONLY)))
            for a in (0.0, 0.5, 0.95)}
    assert gaps[0.0] > gaps[0.5] + 0.5 > gaps[0.95] + 0.5, gaps
    # the practice's own outcome is the same quantity
    own = _outcome("strategy_alignment_gap_after_shift", _practice(alignment=0.5,
                                                                   **ALIGNMENT_ONLY))
    assert own == pytest.approx(gaps[0.5], rel=1e-9)


def test_strategy_linked_scenario_has_a_smaller_gap_than_the_plain_shift() -> None:
    """strategy_linked.toml (alignment 0.95 with unlearning) beats strategic_shift.toml (0.8)."""
    linked = _scenario(SCENARIOS / "strategy_linked.toml")
    assert [p.policy for p in linked.practices] == ["strategy_alignment"]
    assert linked.practices[0].params == {"alignment": 0.95}
    assert len(linked.strategy.shifts) == 1 and linked.strategy.shifts[0].week == SHIFT_WEEK
    plain = _gap_after_shift(_run("strategic_shift.toml"))
    assert _gap_after_shift(_run("strategy_linked.toml")) < plain - 0.2


def test_at_the_scenarios_alignment_without_unlearning_the_practice_changes_nothing() -> None:
    """alignment = dynamics.learning_alignment (0.8) and no unlearning reproduce the plain run."""
    plain = _run("strategic_shift.toml").summary
    same = _run("strategic_shift.toml", _practice(alignment=0.8, **ALIGNMENT_ONLY)).summary
    for name in ("capability_index", "strategic_gap", "throughput_per_fte"):
        assert same[name].mean == pytest.approx(plain[name].mean, rel=1e-12)


def test_active_unlearning_makes_obsolete_skills_fall_faster_than_plain_forgetting() -> None:
    """A year after the shift, plain forgetting keeps about exp(−λ·52) of process craft;
    26 weeks of unlearning at 0.05/week remove a further factor of about exp(−1.3)."""
    plain = _outcome("strategy_alignment_obsolete_retained",
                     _practice(alignment=0.95, **ALIGNMENT_ONLY))
    active = _outcome("strategy_alignment_obsolete_retained", _practice(alignment=0.95))
    expected_plain = math.exp(-FORGETTING * AFTER)
    # a little of the learning spread over all skills still lands on the obsolete one
    assert expected_plain < plain < expected_plain * 1.1
    expected_active = expected_plain * math.exp(-0.05 * 26)
    assert expected_active < active < expected_active * 1.3
    assert active < 0.4 * plain
    assert _outcome("strategy_alignment_shifts", _practice(alignment=0.95)) == 1.0


def test_unlearning_alone_frees_nothing_unless_old_routines_interfere() -> None:
    """Without interference, unlearning changes only the obsolete skill (the engine gives it no
    other role); with interference, unlearning frees attention and lowers the gap."""
    keep = {"alignment": 0.95, "refocus_alignment": 0.0}
    without = _gap_after_shift(_run("strategic_shift.toml",
                                    _practice(**keep, unlearning_rate=0.0)))
    unlearnt = _gap_after_shift(_run("strategic_shift.toml", _practice(**keep)))
    assert unlearnt == pytest.approx(without, rel=1e-12)
    held = _gap_after_shift(_run("strategic_shift.toml",
                                 _practice(**keep, unlearning_rate=0.0, interference=0.3)))
    freed = _gap_after_shift(_run("strategic_shift.toml", _practice(**keep, interference=0.3)))
    assert freed < held - 0.2


def test_without_a_shift_nothing_is_unlearnt() -> None:
    """In the baseline (no shift) the practice only sets alignment; shift outcomes are NaN."""
    summary = _run("baseline.toml", _practice(alignment=0.95)).summary
    assert summary["strategy_alignment_shifts"].mean == 0.0
    assert math.isnan(summary["strategy_alignment_obsolete_retained"].mean)


def _one_week_of_learning(alignment: float) -> tuple[np.ndarray, np.ndarray]:
    """Gains per employee and skill of one week of learning under the practice, and headroom."""
    scenario = _scenario(SCENARIOS / "strategic_shift.toml", SMALL)
    org = build_organisation(scenario, np.random.default_rng(5))
    n, teams = org.capability.shape[0], org.layout.teams
    practice = StrategyAlignment(StrategyAlignmentParams(alignment=alignment), scenario)
    levers = Levers.neutral(n, teams, len(scenario.skills), 0.8)
    zeros = np.zeros(teams)
    state = WeekState(week=0, team_hours=org.layout.team_hours, needed_work_hours=zeros,
                      fire_hours=zeros, capability=zeros, strategic_gap=zeros,
                      facilitation=zeros)
    practice.adjust(state, org, levers, np.random.default_rng(0))
    assert (levers.alignment == alignment).all()
    model = CapabilityModel.from_scenario(scenario.modes, scenario.dynamics)
    before = org.capability + org.fresh
    model.learn(org, np.full(n, 4.0), np.array([0.7, 0.2, 0.1]), np.full(n, 0.3),
                rates=levers.learning, alignment=levers.alignment)
    return org.capability + org.fresh - before, 1.0 - before


def test_with_alignment_zero_learning_spreads_evenly_across_skills() -> None:
    """alignment = 0: every skill gets the same share of learning, so each gains the same share
    of its headroom - needed or not; with alignment 1 the needed skills with gaps get it all."""
    gain, headroom = _one_week_of_learning(0.0)
    share = gain / headroom
    np.testing.assert_allclose(share, share[:, :1] * np.ones_like(share), rtol=1e-9)
    gain, headroom = _one_week_of_learning(1.0)
    scenario = _scenario(SCENARIOS / "strategic_shift.toml", SMALL)
    unneeded = [scenario.skills.index("ai_fluency")]  # not required before the shift
    assert np.all(gain[:, unneeded] == 0.0)
    assert gain.sum() > 0
