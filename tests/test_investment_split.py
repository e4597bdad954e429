"""The ``investment_split`` practice: courses versus learning culture and leadership.

Check T2 of model-science §4.6 (support matters more than the event), at two
levels: one learner's course (the Saks & Belcourt transfer curve) and a whole
organisation over a year. The curve of capability over ``culture_share`` is
measured and printed (``pytest -s``); docs/research/investment_split.md
records where it peaks - the tests assert the shape the mechanisms give,
not the source text's 80%.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hrdsim_plugins.investment_split import (
    InvestmentSplitParams,
    course_cohort,
    split_hours,
)

from hrdsim.scenario import Scenario
from hrdsim.testing import run_scenario
from tests.conftest import SCENARIOS, scenario_of

SMALL = [
    "organisation.units=2",
    "organisation.teams_per_unit=5",
    "organisation.team_size=6",
    "operating_model.developers=2",
    "replications=2",
    "weeks=52",
]


def _scenario(path: Path, overrides: list[str] | None = None) -> Scenario:
    return scenario_of(path, overrides or [])
#: the share of culture in the measured curve
SHARES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
#: course and support prices at the default costs (€ per hour)
COURSE_PRICE = 38.0 + 45.0
SUPPORT_PRICE = 60.0 + 45.0


def _split(budget: float, culture_share: float, **more: float) -> str:
    params = ", ".join(f"{k} = {v}" for k, v in
                       {"budget": budget, "culture_share": culture_share, **more}.items())
    return f'practices=[{{policy = "investment_split", params = {{{params}}}}}]'


@cache
def _run(*overrides: str) -> dict[str, float]:
    results = run_scenario(SCENARIOS / "baseline.toml", *SMALL, *overrides)
    return {name: estimate.mean for name, estimate in results.summary.items()}


def _capability(*overrides: str) -> float:
    return _run(*overrides)["capability_index"]


def test_the_budget_buys_course_and_support_hours_at_their_prices() -> None:
    """h_C = (1 − c) B / (fee + employee hour); h_S = c B / (supervisor hour / g + employee
    hour)."""
    params = InvestmentSplitParams(budget=2800.0, culture_share=0.8)
    hours = split_hours(params, employee_hour=45.0, supervisor_hour=60.0)
    assert hours.course == pytest.approx(0.2 * 2800 / COURSE_PRICE)
    assert hours.support == pytest.approx(0.8 * 2800 / SUPPORT_PRICE)
    team = InvestmentSplitParams(budget=2800.0, culture_share=0.8,
                                 learners_per_support_hour=6.0)
    assert split_hours(team, 45.0, 60.0).support == pytest.approx(0.8 * 2800 / (10.0 + 45.0))
    outcomes = _run(_split(2800.0, 0.8))
    assert outcomes["investment_split_course_hours_per_fte_year"] == pytest.approx(hours.course)
    assert outcomes["investment_split_support_hours_per_fte_year"] == pytest.approx(hours.support)
    assert outcomes["investment_split_cost_per_fte_year"] == 2800.0
    assert 0.3 < outcomes["investment_split_support_level"] < 0.7


def test_a_zero_budget_changes_nothing() -> None:
    """With no money there are no course hours, no support and no time taken from work."""
    plain, nothing = _run(), _run(_split(0.0, 0.5))
    for name in ("capability_index", "throughput_per_fte", "learning_realised_per_fte",
                 "strategic_gap"):
        assert nothing[name] == pytest.approx(plain[name], rel=1e-12)


def test_courses_add_formal_learning_and_support_adds_transfer_support() -> None:
    """Each half of the budget on its own raises capability above no investment."""
    plain = _capability()
    assert _capability(_split(2800.0, 0.0)) > plain + 1.0  # courses only
    assert _capability(_split(2800.0, 1.0)) > plain + 0.5  # support only


def test_course_and_support_time_is_taken_from_work() -> None:
    """When work needs every hour, the hours the budget buys lower throughput."""
    busy = _run("work.demand=1.0")["throughput_per_fte"]
    spending = _run("work.demand=1.0", _split(6000.0, 0.5))["throughput_per_fte"]
    assert spending < busy * 0.995


def test_t2_one_course_support_before_and_after_beats_more_hours_at_equal_cost() -> None:
    """T2: a year's formal learning (34 h, ATD 2019) keeps more at 12 months when a quarter more
    money buys support over the 12 weeks around it than when it buys a quarter more hours."""
    hours = 34.0
    extra = 0.25 * hours * COURSE_PRICE
    base = course_cohort(hours, 0.0)
    more_hours = course_cohort(hours + extra / COURSE_PRICE, 0.0) - base
    support = course_cohort(hours, extra / SUPPORT_PRICE, support_weeks=12) - base
    assert more_hours > 0
    assert support > 1.5 * more_hours, (support, more_hours)
    # without support, the course transfers as Saks & Belcourt (2006) report: of what is
    # applied at once, 34/62 = 0.55 is left at a year - a little less here, as a skill used
    # at work is still forgotten at a tenth of the unused rate
    once = course_cohort(hours, 0.0, weeks=1)
    assert 0.5 < base / once < 0.56


def test_t2_support_has_diminishing_returns() -> None:
    """Support multiplies what a course taught: for a short course, doubling the spend buys more
    lasting capability as hours than as support."""
    hours = 8.0
    extra = hours * COURSE_PRICE
    base = course_cohort(hours, 0.0)
    more_hours = course_cohort(2 * hours, 0.0) - base
    support = course_cohort(hours, extra / SUPPORT_PRICE, support_weeks=12) - base
    assert more_hours > 2 * support


def test_t2_organisation_first_money_on_support_beats_the_same_money_on_courses() -> None:
    """T2 in the engine: from an all-course budget of 2,240 €, 560 € more on support raises the
    capability at 12 months more than 560 € more on courses."""
    base = _capability(_split(2240.0, 0.0))
    on_courses = _capability(_split(2800.0, 0.0)) - base
    on_support = _capability(_split(2800.0, 0.2)) - base
    assert on_courses > 0
    assert on_support > 1.2 * on_courses, (on_support, on_courses)


def test_the_outcome_over_culture_share_peaks_inside_and_its_place_is_reported() -> None:
    """Capability at 12 months over culture_share 0…1: neither all courses nor all support is
    best at the baseline; the measured curve is printed (docs/research records it)."""
    curve = {share: _capability(_split(2800.0, share)) for share in SHARES}
    print("\ncapability index at week 52 by culture_share:",
          {k: round(v, 2) for k, v in curve.items()})
    best = max(curve, key=curve.__getitem__)
    print("peak at culture_share", best)
    assert curve[best] > curve[0.0] and curve[best] > curve[1.0]


def test_support_is_worth_more_where_there_is_more_learning_to_support() -> None:
    """With protected learning time and no other facilitation, the best split moves toward
    culture: support multiplies the learning time people have."""
    protected = ("learning.policy=protected", "facilitation.policy=none")
    baseline = {share: _capability(_split(2800.0, share)) for share in (0.2, 0.8)}
    supported = {share: _capability(*protected, _split(2800.0, share)) for share in (0.2, 0.8)}
    assert baseline[0.2] > baseline[0.8]
    assert supported[0.8] > supported[0.2]


def test_the_bundled_scenarios_differ_only_in_the_split() -> None:
    """courses_first.toml and culture_first.toml extend the baseline, culture_share 0.2 / 0.8."""
    base = _scenario(SCENARIOS / "baseline.toml")
    for name, share in (("courses_first.toml", 0.2), ("culture_first.toml", 0.8)):
        scenario = _scenario(SCENARIOS / name)
        assert [p.policy for p in scenario.practices] == ["investment_split"]
        assert scenario.practices[0].params["culture_share"] == share
        assert scenario.practices[0].params["budget"] == 2800.0
        assert scenario.organisation == base.organisation
        assert scenario.learning == base.learning
