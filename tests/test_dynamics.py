"""Capability dynamics: decay without learning, growth without forgetting, bounds and the
70-20-10 mix as an input rather than a law (model-science §3, §4: F2, T4)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hrdsim.dynamics import CapabilityModel
from hrdsim.engine import ReplicationResult, Simulation
from hrdsim.organisation import OrgState
from hrdsim.policies import OrgLayout
from hrdsim.scenario import Dynamics, Mode, Modes

HALF_LIFE = 28.2  # weeks: the default forgetting half-life (Tatel & Ackerman 2025)


# -- engine runs -------------------------------------------------------------------------


def test_unused_capability_halves_every_half_life_without_learning(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """Without learning or use protection, the capability index is exactly 2^(−t/28.2) (F2)."""
    result = simulate("baseline.toml", "learning.params.share=0", "dynamics.use_protection=0",
                      "weeks=60")
    index = result.weekly["capability_index"]
    expected = index[0] * 2.0 ** (-np.arange(index.size) / HALF_LIFE)
    np.testing.assert_allclose(index, expected, rtol=1e-9)
    assert index[28] / index[0] == pytest.approx(0.5, abs=0.02)  # half gone after ~6.5 months
    assert result.outcomes["learning_realised_per_fte"] == 0.0


def test_capability_decays_every_week_without_learning_even_when_used(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """Without learning, capability falls every week, but slower when skills are used at work."""
    used = simulate("baseline.toml", "learning.params.share=0").weekly["capability_index"]
    unused = simulate("baseline.toml", "learning.params.share=0",
                      "dynamics.use_protection=0").weekly["capability_index"]
    assert np.all(np.diff(used) < 0)
    assert used[-1] < used[0] - 5  # a visible loss over two years
    assert unused[-1] < used[-1]  # using a skill slows its forgetting


class CheckedModel:
    """Wraps a CapabilityModel and checks the state's bounds after every step of every week."""

    def __init__(self, model: CapabilityModel) -> None:
        self.model = model
        self.steps = 0
        self.highest = 0.0

    def _check(self, org: OrgState) -> None:
        self.steps += 1
        assert org.capability.min() >= 0.0
        assert org.fresh.min() >= 0.0
        total = org.capability + org.fresh
        assert total.max() <= 1.0
        self.highest = max(self.highest, float(total.max()))

    def learn(self, org: OrgState, *args: Any) -> None:
        self.model.learn(org, *args)
        self._check(org)

    def settle(self, org: OrgState, *args: Any) -> None:
        self.model.settle(org, *args)
        self._check(org)

    def forget(self, org: OrgState, *args: Any) -> None:
        self.model.forget(org, *args)
        self._check(org)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def test_capability_rises_without_forgetting_and_never_leaves_unit_interval(
    make_simulation: Callable[..., Simulation],
) -> None:
    """With much learning and no forgetting, capability rises toward 1 and stays in [0, 1]."""
    sim = make_simulation("baseline.toml", "dynamics.forgetting_half_life_weeks=1e9",
                          "learning.params.share=0.5", "learning.params.erosion=0",
                          "work.demand=0.3", "work.fires_per_team_week=0")
    checked = CheckedModel(sim.model)
    sim.model = checked  # type: ignore[assignment]
    result = sim.run()
    weeks = sim.scenario.weeks
    assert checked.steps == 3 * weeks  # learn, settle and forget were all checked every week
    assert checked.highest > 0.95  # the upper bound was really approached
    index = result.weekly["capability_index"]
    assert index[-1] > index[0] + 30
    assert index[-1] > index[weeks // 2]  # still rising in the second year
    team = result.teams["capability_index"]
    assert team.min() >= 0.0
    assert team.max() <= 100.0


# -- property tests on CapabilityModel --------------------------------------------------------

unit = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def modes(draw: st.DrawFn, equal: bool = False) -> Modes:
    """Three learning modes; with ``equal``, all three have the same parameters."""

    def mode() -> Mode:
        return Mode(effectiveness=draw(unit), facilitation_need=draw(unit),
                    transfer=draw(unit), durable_share=draw(unit))

    if equal:
        same = mode()
        return Modes(on_the_job=same, social=same, formal=same)
    return Modes(on_the_job=mode(), social=mode(), formal=mode())


@st.composite
def dynamics(draw: st.DrawFn) -> Dynamics:
    """Forgetting, transfer and consolidation settings over their whole allowed ranges."""
    return Dynamics(
        forgetting_half_life_weeks=draw(st.floats(min_value=0.01, max_value=1e9)),
        use_protection=draw(unit),
        transfer_fade_per_week=draw(unit),
        consolidation_per_week=draw(unit),
        learning_alignment=draw(unit),
    )


@st.composite
def mixes(draw: st.DrawFn) -> np.ndarray:
    """Shares of the three modes: non-negative, summing to 1, including pure single modes."""
    raw = np.array(draw(st.lists(unit, min_size=3, max_size=3)))
    if raw.sum() == 0:
        raw[draw(st.integers(0, 2))] = 1.0
    return raw / raw.sum()


@st.composite
def org_states(draw: st.DrawFn) -> OrgState:
    """An organisation state that satisfies the invariants: 0 ≤ C, 0 ≤ fresh, C + fresh ≤ 1."""
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 5))
    cells = hnp.arrays(np.float64, (n, k), elements=unit)
    capability = draw(cells)
    fresh = draw(cells) * (1.0 - capability)
    if draw(st.booleans()):  # the engine keeps these arrays in Fortran order
        capability, fresh = np.asfortranarray(capability), np.asfortranarray(fresh)
    required = draw(hnp.arrays(np.float64, k, elements=unit))
    agility = draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 10.0)))
    layout = OrgLayout(units=1, teams=1, employees=n, team_unit=np.zeros(1, dtype=np.int64),
                       team_size=np.array([n]), team_hours=np.array([37.5 * n]))
    return OrgState(
        layout=layout, team_of=np.zeros(n, dtype=np.int64), team_start=np.zeros(1, dtype=np.int64),
        hours=np.full(n, 37.5), agility=agility, capability=capability, fresh=fresh,
        required=required, backlog=np.zeros(1), facilitation=np.zeros(1),
    )


def _week(model: CapabilityModel, org: OrgState, hours: np.ndarray, mix: np.ndarray,
          support: np.ndarray, work_share: np.ndarray) -> None:
    model.learn(org, hours, mix, support)
    model.settle(org, support)
    model.forget(org, work_share)


def _per_employee(data: st.DataObject, n: int, elements: st.SearchStrategy[float]) -> np.ndarray:
    return data.draw(hnp.arrays(np.float64, n, elements=elements))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), modes=modes(), dynamics=dynamics(), org=org_states())
def test_learn_settle_forget_keep_capability_in_unit_interval(
    data: st.DataObject, modes: Modes, dynamics: Dynamics, org: OrgState,
) -> None:
    """For any hours, mix and facilitation, 0 ≤ C, 0 ≤ fresh and C + fresh ≤ 1 after every step."""
    model = CapabilityModel.from_scenario(modes, dynamics)
    n = org.capability.shape[0]
    for _ in range(data.draw(st.integers(1, 4))):
        hours = _per_employee(data, n, st.floats(0.0, 1e4))
        mix = data.draw(mixes())
        support = _per_employee(data, n, unit)
        work_share = _per_employee(data, n, unit)
        before = org.capability.copy()
        model.learn(org, hours, mix, support)
        assert np.all(org.capability >= before)  # learning never lowers capability
        for state in (org.capability, org.fresh):
            assert state.min() >= 0.0
        assert (org.capability + org.fresh).max() <= 1.0
        total_before = org.capability + org.fresh
        model.settle(org, support)
        assert org.fresh.min() >= 0.0
        assert org.capability.max() <= 1.0
        assert np.all(org.capability + org.fresh <= total_before + 1e-15)  # fading only loses
        model.forget(org, work_share)
        assert org.capability.min() >= 0.0
        assert (org.capability + org.fresh).max() <= 1.0


@settings(max_examples=200, deadline=None)
@given(data=st.data(), modes=modes(equal=True), dynamics=dynamics(), org=org_states())
def test_equal_modes_make_the_mix_irrelevant(
    data: st.DataObject, modes: Modes, dynamics: Dynamics, org: OrgState,
) -> None:
    """With three equal modes, any two mixes give the same capability (check T4)."""
    model = CapabilityModel.from_scenario(modes, dynamics)
    n = org.capability.shape[0]
    other = OrgState(**{**{f: getattr(org, f) for f in ("layout", "team_of", "team_start",
                                                        "hours", "agility", "required",
                                                        "backlog", "facilitation")},
                        "capability": org.capability.copy(), "fresh": org.fresh.copy()})
    for _ in range(data.draw(st.integers(1, 3))):
        hours = _per_employee(data, n, st.floats(0.0, 200.0))
        support = _per_employee(data, n, unit)
        work_share = _per_employee(data, n, unit)
        _week(model, org, hours, data.draw(mixes()), support, work_share)
        _week(model, other, hours, data.draw(mixes()), support, work_share)
    assert np.isfinite(org.capability).all() and np.isfinite(org.fresh).all()
    np.testing.assert_allclose(org.capability, other.capability, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(org.fresh, other.fresh, rtol=1e-9, atol=1e-12)


def test_unequal_modes_make_the_mix_matter() -> None:
    """Not vacuous: when formal learning transfers less, an all-formal mix learns less."""
    modes = Modes()  # the defaults: formal transfer 0.62, durable 0.347
    model = CapabilityModel.from_scenario(modes, Dynamics())
    results = []
    for mix in (np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])):
        org = _single_employee()
        start = float(org.capability.sum())
        for _ in range(20):
            _week(model, org, np.array([4.0]), mix, np.array([0.5]), np.array([1.0]))
        results.append(float((org.capability + org.fresh).sum()) - start)
    on_the_job, formal = results
    assert on_the_job > 1.5 * formal > 0


def test_forgetting_rate_matches_half_life_for_unused_skills() -> None:
    """forget() with no work keeps exactly 2^(−1/half-life) of each skill per week."""
    model = CapabilityModel.from_scenario(Modes(), Dynamics(forgetting_half_life_weeks=10.0))
    org = _single_employee()
    before = org.capability.copy()
    for _ in range(10):
        model.forget(org, np.array([0.0]))
    np.testing.assert_allclose(org.capability, before * 0.5, rtol=1e-12)
    assert math.isclose(model.forgetting_rate, math.log(2) / 10.0)


def _single_employee() -> OrgState:
    layout = OrgLayout(units=1, teams=1, employees=1, team_unit=np.zeros(1, dtype=np.int64),
                       team_size=np.array([1]), team_hours=np.array([37.5]))
    return OrgState(
        layout=layout, team_of=np.zeros(1, dtype=np.int64), team_start=np.zeros(1, dtype=np.int64),
        hours=np.array([37.5]), agility=np.array([1.0]),
        capability=np.array([[0.3, 0.5, 0.2]]), fresh=np.zeros((1, 3)),
        required=np.array([0.8, 0.7, 0.0]), backlog=np.zeros(1), facilitation=np.zeros(1),
    )


def _applied_after_a_course(support: float, weeks: int) -> float:
    """The share of one formal learning week's gain still applied ``weeks`` later, with
    the team's facilitation level at ``support`` and no forgetting (the default modes and
    dynamics)."""
    modes, dynamics = Modes(), Dynamics()
    model = CapabilityModel.from_scenario(modes, dynamics)
    org = _single_employee()
    before = float((org.capability + org.fresh).sum())
    level = np.array([support])
    model.learn(org, np.array([8.0]), np.array([0.0, 0.0, 1.0]), level)
    applied_at_once = float((org.capability + org.fresh).sum()) - before
    for _ in range(weeks):
        model.settle(org, level)
    # what was applied at once is the formal transfer τ of the gain
    return modes.formal.transfer * (float((org.capability + org.fresh).sum()) - before) \
        / applied_at_once


def test_formal_learning_fades_along_the_saks_and_belcourt_curve() -> None:
    """Without facilitation, 62% of a course's gain is applied at once, 44% after six
    months and 34% after a year (Saks & Belcourt 2006), as docs/model.md derives."""
    for weeks, reported in ((0, 0.62), (26, 0.44), (52, 0.34)):
        assert _applied_after_a_course(0.0, weeks) == pytest.approx(reported, abs=0.002)
    # and it keeps fading toward the durable share τδ = 0.215
    assert _applied_after_a_course(0.0, 520) == pytest.approx(0.215, abs=0.002)


def test_facilitation_consolidates_fresh_learning_instead_of_letting_it_fade() -> None:
    """With the team facilitated at level s, the fresh part is consolidated at rate κs and
    fades at λ(1 − s): in the long run a share κs / (κs + λ(1 − s)) of it lasts."""
    dynamics, modes = Dynamics(), Modes()
    formal = modes.formal
    fresh = formal.transfer * (1 - formal.durable_share)
    durable = formal.transfer * formal.durable_share
    after_a_year = [_applied_after_a_course(s, 52) for s in (0.0, 0.2, 0.5, 1.0)]
    assert after_a_year == sorted(after_a_year) and after_a_year[0] < after_a_year[-1]
    assert after_a_year[-1] == pytest.approx(formal.transfer, abs=1e-9)  # all of it lasts
    s = 0.5
    kappa, fade = dynamics.consolidation_per_week, dynamics.transfer_fade_per_week
    lasting = durable + fresh * kappa * s / (kappa * s + fade * (1 - s))
    assert _applied_after_a_course(s, 2000) == pytest.approx(lasting, rel=1e-6)
