"""March (1991) exploration/exploitation: the published numbers (checks M1-M6 of
model-science §1.6) and the ``march_code`` practice.

The variant is the Rodan / Christensen / Workiewicz reading (see
``hrdsim_plugins.march``); the reference table is Workiewicz's 10,000-run
recreation. Every stochastic check uses a fixed seed and enough runs that its
margin is several standard errors wide.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest
from hrdsim_plugins import _march_core as core
from hrdsim_plugins.march import (
    REFERENCE_TABLE,
    MarchCode,
    MarchCodeParams,
    mixed_socialisation,
    run_paths,
    run_to_equilibrium,
    strategy_shift_size,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from hrdsim.loader import load_scenario
from hrdsim.organisation import build_organisation
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.policies import Levers, WeekState
from hrdsim.resolve import resolve
from tests.conftest import SCENARIOS, SMALL

RUNS = 300  # per cell: model-science asks for ≥ 300 runs at ±0.03
GRID = (0.1, 0.5, 0.9)


@cache
def _equilibrium(p1: float, p2: float) -> np.ndarray:
    """Equilibrium code knowledge of RUNS runs at (p1, p2), m = 30, n = 50."""
    seed = 1991 + round(p1 * 10) * 10 + round(p2 * 10)
    result = run_to_equilibrium(np.random.default_rng(seed), RUNS, p1=p1, p2=p2)
    assert result.converged.all()
    return result.code_knowledge


def _se_of_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))


# -- M1, M2: the equilibrium table --------------------------------------------------


@pytest.mark.parametrize("p2", GRID)
@pytest.mark.parametrize("p1", GRID)
def test_m1_equilibrium_knowledge_matches_the_reference_table(p1: float, p2: float) -> None:
    """M1: equilibrium net-score knowledge is within ±0.03 of Workiewicz's table at 300 runs."""
    got = _equilibrium(p1, p2).mean()
    assert got == pytest.approx(REFERENCE_TABLE[(p1, p2)], abs=0.03)


def test_m2_slow_socialisation_and_fast_code_learning_know_most() -> None:
    """M2: at p2 = 0.9 slow socialisation beats fast by > 0.2; at p1 = 0.1 fast code
    learning beats slow by > 0.08."""
    assert _equilibrium(0.1, 0.9).mean() - _equilibrium(0.9, 0.9).mean() > 0.2
    assert _equilibrium(0.1, 0.9).mean() - _equilibrium(0.1, 0.1).mean() > 0.08


def test_reference_table_is_the_published_one() -> None:
    """The reference table holds the 27 cells of model-science §1.4 (0.954 at p1 0.1, p2 0.5)."""
    assert len(REFERENCE_TABLE) == 27
    assert REFERENCE_TABLE[(0.1, 0.5)] == 0.954
    assert REFERENCE_TABLE[(0.9, 0.9)] == 0.728
    assert REFERENCE_TABLE[(0.5, 0.1)] == 0.799


# -- M3: a mix of fast and slow learners --------------------------------------------


def test_m3_a_mix_of_fast_and_slow_learners_beats_everyone_at_the_mean_rate() -> None:
    """M3: 25 fast (p1 = 0.9) and 25 slow (0.1) learners beat everyone at p1 = 0.5 by > 0.05
    (p2 = 0.5)."""
    mixed = run_to_equilibrium(np.random.default_rng(3), RUNS,
                               p1=mixed_socialisation(50, 25), p2=0.5).code_knowledge
    alike = run_to_equilibrium(np.random.default_rng(4), RUNS, p1=0.5, p2=0.5).code_knowledge
    assert mixed.mean() - alike.mean() > 0.05


# -- M4: turnover helps only when socialisation is fast -----------------------------


def _correct_at_20(p1: float, p3: float, seed: int) -> np.ndarray:
    paths = run_paths(np.random.default_rng(seed), 400, 20, p1=p1, p2=0.5, p3=p3)
    return paths.code_correct[20]


def test_m4_turnover_hurts_slow_socialisers_and_helps_fast_ones() -> None:
    """M4: at period 20 (p2 = 0.5) turnover p3 = 0.1 lowers code knowledge when p1 = 0.1 and
    raises it when p1 = 0.9."""
    for p1, sign in ((0.1, -1.0), (0.9, +1.0)):
        stay, churn = _correct_at_20(p1, 0.0, 41), _correct_at_20(p1, 0.1, 42)
        change = churn.mean() - stay.mean()
        assert sign * change > 3 * _se_of_difference(churn, stay), (p1, change)


# -- M5: turbulence needs turnover --------------------------------------------------


def test_m5_under_turbulence_only_turnover_keeps_knowledge_up() -> None:
    """M5: with p4 = 0.02 (p1 = p2 = 0.5) knowledge at t = 100 falls below 0.6 and 0.2 under its
    peak without turnover, and stays above 0.75 with p3 = 0.1."""
    closed = run_paths(np.random.default_rng(51), RUNS, 100, p1=0.5, p2=0.5, p4=0.02)
    curve = closed.code_correct.mean(axis=1)
    assert curve[100] < 0.6
    assert curve.max() - curve[100] > 0.2
    renewed = run_paths(np.random.default_rng(52), RUNS, 100, p1=0.5, p2=0.5, p3=0.1, p4=0.02)
    assert renewed.code_correct.mean(axis=1)[100] > 0.75


# -- M6: invariants -------------------------------------------------------------------

_rates = st.floats(0.1, 1.0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 4), people=st.integers(1, 20),
       dims=st.integers(1, 12), p1=_rates, p2=_rates, p3=st.floats(0, 0.5),
       p4=st.floats(0, 0.5))
def test_m6_beliefs_and_code_stay_in_minus_one_zero_one(
    seed: int, runs: int, people: int, dims: int, p1: float, p2: float, p3: float, p4: float
) -> None:
    """M6: beliefs, codes and reality only ever hold -1, 0 or 1 (reality only ±1)."""
    rng = np.random.default_rng(seed)
    world = core.start(rng, runs, people, dims)
    for _ in range(30):
        core.step(world, rng, p1, p2, p3, p4)
        assert np.isin(world.beliefs, (-1, 0, 1)).all()
        assert np.isin(world.codes, (-1, 0, 1)).all()
        assert np.isin(world.reality, (-1, 1)).all()


def _run_until_settled(world: core.MarchState, rng: np.random.Generator, p1: Any, p2: float,
                       limit: int = 50_000) -> int:
    for period in range(1, limit + 1):
        core.step(world, rng, p1, p2)
        if core.settled(world).all():
            return period
    raise AssertionError("did not settle")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 4), people=st.integers(1, 30),
       dims=st.integers(1, 12), p1=_rates, p2=_rates)
def test_m6_without_turnover_or_turbulence_every_run_reaches_equilibrium(
    seed: int, runs: int, people: int, dims: int, p1: float, p2: float
) -> None:
    """M6: with p3 = p4 = 0 every run settles, and then every belief equals the code wherever
    the code has a view and no one can beat it."""
    rng = np.random.default_rng(seed)
    world = core.start(rng, runs, people, dims)
    _run_until_settled(world, rng, p1, p2)
    code = world.codes  # (runs, 1, dims)
    assert ((world.beliefs == code) | (code == 0)).all()
    best = np.where(world.beliefs == 0, 1, world.beliefs * world.reality[:, None, :]).sum(axis=2)
    assert (best <= (code * world.reality[:, None, :]).sum(axis=2)).all()
    frozen = (world.beliefs.copy(), world.codes.copy())
    for _ in range(5):  # an equilibrium is stable
        core.step(world, rng, p1, p2)
    assert (world.beliefs == frozen[0]).all() and (world.codes == frozen[1]).all()


def test_m6_at_marchs_size_every_belief_ends_equal_to_a_full_code() -> None:
    """M6: with m = 30, n = 50 every run ends with a code without 0s that every person shares."""
    rng = np.random.default_rng(6)
    world = core.start(rng, 200, 50, 30)
    _run_until_settled(world, rng, 0.5, 0.5)
    assert (world.codes != 0).all()
    assert (world.beliefs == world.codes).all()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p1=_rates, p2=_rates, p3=st.floats(0, 0.3),
       p4=st.floats(0, 0.1))
def test_m6_the_same_seed_gives_the_same_result(
    seed: int, p1: float, p2: float, p3: float, p4: float
) -> None:
    """M6: two runs from the same seed give identical paths and equilibria."""
    def paths() -> np.ndarray:
        return run_paths(np.random.default_rng(seed), 5, 15, p1=p1, p2=p2, p3=p3,
                         p4=p4).code_knowledge

    def equilibria() -> np.ndarray:
        return run_to_equilibrium(np.random.default_rng(seed), 5, p1=p1, p2=p2,
                                  people=10).code_knowledge

    np.testing.assert_array_equal(paths(), paths())
    np.testing.assert_array_equal(equilibria(), equilibria())


def test_a_stuck_code_with_a_zero_counts_as_settled() -> None:
    """A code left with a 0 that no one can ever beat is an equilibrium, not an endless run."""
    world = core.start(np.random.default_rng(0), 1, 2, 2)
    world.reality[:] = (1, -1)
    world.codes[:] = (1, 0)
    world.beliefs[:] = ((1, 1), (1, 1))  # both wrong on dimension 1: nobody beats the code
    assert core.settled(world).all()
    world.beliefs[0, 0, 1] = 0  # a lucky coin flip could beat it
    assert not core.settled(world).any()


# -- the march_code practice ------------------------------------------------------------


def _small_org(*overrides: str) -> tuple[Any, Any]:
    scenario = load_scenario(SCENARIOS / "baseline.toml", [*SMALL, *overrides]).scenario
    assert scenario is not None
    return scenario, build_organisation(scenario, np.random.default_rng(0))


def _world(practice: Any) -> core.MarchState:
    """The practice's March world (created at its first week)."""
    world = practice.world
    assert isinstance(world, core.MarchState)
    return world


def _play(practice: Any, scenario: Any, org: Any, weeks: int, seed: int = 1,
          facilitation: float = 0.0, shift: Callable[[int], Any] | None = None
          ) -> tuple[Levers, list[float]]:
    """Drive a practice as the engine does: reset the levers, adjust, once a week."""
    teams, people = org.layout.teams, org.layout.employees
    levers = Levers.neutral(people, teams, len(scenario.skills), 0.5)
    rng = np.random.default_rng(seed)
    knowledge = []
    for week in range(weeks):
        if shift is not None and (new := shift(week)) is not None:
            org.required = new
        state = WeekState(week=week, team_hours=np.full(teams, 200.0),
                          needed_work_hours=np.full(teams, 150.0), fire_hours=np.zeros(teams),
                          capability=np.full(teams, 0.5), strategic_gap=np.zeros(teams),
                          facilitation=np.full(teams, facilitation))
        levers.reset(0.5)
        practice.adjust(state, org, levers, rng)
        knowledge.append(float(core.code_knowledge(_world(practice)).mean()))
    return levers, knowledge


def test_march_code_is_a_shipped_practice_and_its_scenario_resolves() -> None:
    """`march_code` is registered through the entry point and scenarios/march.toml chooses it."""
    registry = build_registry(make_plugin_manager())
    assert registry.get("practice", "march_code").plugin == "march"
    resolved = resolve(load_scenario(SCENARIOS / "march.toml", [*SMALL, "weeks=156"]), registry)
    (chosen,) = resolved.practices
    assert chosen.entry.name == "march_code"
    assert chosen.params.socialisation == 0.5
    assert isinstance(chosen.create(resolved.scenario), MarchCode)


def test_march_code_playbook_learns_and_reports_its_outcomes() -> None:
    """The organisation's playbook goes from no knowledge to most aspects right and reports it."""
    scenario, org = _small_org()
    practice = MarchCode(MarchCodeParams(), scenario)
    levers, knowledge = _play(practice, scenario, org, 60)
    assert knowledge[0] < knowledge[-1]
    assert knowledge[-1] > 0.7
    outcomes = practice.outcomes()
    assert set(outcomes) == {"march_code_knowledge", "march_code_knowledge_average",
                             "march_code_individual_knowledge", "march_code_correct_share"}
    assert all(-1.0 <= v <= 1.0 for v in outcomes.values())
    assert (levers.productivity == 1.0).all()  # no coupling by default


def test_march_code_productivity_rises_with_knowledge_only_when_coupled() -> None:
    """With productivity_coupling c > 0 productivity is 1 + c × knowledge, person by person."""
    scenario, org = _small_org()
    practice = MarchCode(MarchCodeParams(productivity_coupling=0.2), scenario)
    levers, _ = _play(practice, scenario, org, 60)
    knowledge = core.individual_knowledge(_world(practice))[0]
    np.testing.assert_allclose(levers.productivity, 1.0 + 0.2 * knowledge)
    assert levers.productivity.mean() > 1.05


def test_march_code_a_strategic_shift_makes_part_of_the_playbook_wrong() -> None:
    """A shift of the required skills flips aspects of good practice in proportion to its size."""
    scenario, org = _small_org()
    practice = MarchCode(MarchCodeParams(turnover=0.0), scenario)
    before = org.required.copy()
    after = np.where(before > 0, 0.0, 0.8)  # every skill the strategy needed is now obsolete
    assert strategy_shift_size(before, after) == pytest.approx(1.0)
    # strategic_shift.toml moves about 30% of the strategy's emphasis
    old, new = np.array([0.7, 0.6, 0.7, 0.6, 0.0]), np.array([0.7, 0.8, 0.0, 0.6, 0.7])
    assert strategy_shift_size(old, new) == pytest.approx(0.305, abs=0.001)
    _, knowledge = _play(practice, scenario, org, 41,
                         shift=lambda week: after if week == 40 else None)
    assert knowledge[39] > 0.7
    assert knowledge[40] < knowledge[39] - 0.5  # every aspect reversed


def test_march_code_without_facilitation_no_one_is_socialised_when_it_all_depends_on_it() -> None:
    """With facilitation_weight = 1 and no facilitation, people keep their own views."""
    scenario, org = _small_org()
    practice = MarchCode(MarchCodeParams(facilitation_weight=1.0, turnover=0.0), scenario)
    _play(practice, scenario, org, 1)
    start = _world(practice).beliefs.copy()
    _play(practice, scenario, org, 20, facilitation=0.0)
    np.testing.assert_array_equal(_world(practice).beliefs, start)


def test_march_code_is_reproducible_from_the_engines_stream() -> None:
    """The same random stream gives the same playbook outcomes."""
    scenario, org = _small_org()
    results = []
    for _ in range(2):
        practice = MarchCode(MarchCodeParams(fast_share=0.5), scenario)
        _play(practice, scenario, org, 30, seed=7)
        results.append(practice.outcomes())
    assert results[0] == results[1]


def test_march_code_outcomes_reach_the_engines_results(simulate: Callable[..., Any]) -> None:
    """Through the engine, scenarios/march.toml adds the march_code outcomes."""
    result = simulate("march.toml", "weeks=110")
    assert -1.0 <= result.outcomes["march_code_knowledge"] <= 1.0
