"""AI as sparring partner or crutch: checks AI1-AI5 of model-science §6.4 and the
``ai_assistant`` practice's levers.

Organisation-level checks run the baseline organisation shrunk to 10 teams of 8
(80 people) with two replications; replication *i* of every scenario sees the
same people, demand and fires, so differences between runs are the practice's.
The uplift checks use the baseline's full starting workforce (1,000 people).
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import pytest
from hrdsim_plugins.ai_assistant import (
    AIAssistant,
    AIAssistantParams,
    erosion_rate,
    productivity_multiplier,
    uplift,
)

from hrdsim.dynamics import coverage
from hrdsim.errors import ScenarioError
from hrdsim.loader import load_scenario
from hrdsim.organisation import build_organisation
from hrdsim.params import build
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.policies import Levers
from hrdsim.resolve import resolve
from hrdsim.testing import run_scenario
from tests.conftest import SCENARIOS

BASELINE = SCENARIOS / "baseline.toml"
#: 2 units x 5 teams x 8 people, 2 replications.
SMALL = (
    "organisation.units=2",
    "organisation.teams_per_unit=5",
    "organisation.team_size=8",
    "operating_model.developers=2",
    "replications=2",
)


def _practice(**params: Any) -> str:
    """A ``--set`` override choosing ``ai_assistant`` with ``params``."""
    values = ", ".join(f"{k} = {_toml(v)}" for k, v in params.items())
    return f'practices=[{{policy = "ai_assistant", params = {{{values}}}}}]'


def _toml(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _run(weeks: int, *overrides: str, scenario: Any = BASELINE) -> Any:
    return run_scenario(scenario, *SMALL, f"weeks={weeks}", *overrides)


def _outcome(results: Any, name: str) -> float:
    return float(results.summary[name].mean)


def _per_replication(results: Any, name: str) -> np.ndarray:
    return np.array([r.outcomes[name] for r in results.replications])


def _starting_org(seed: int = 1) -> Any:
    scenario = load_scenario(BASELINE).scenario
    assert scenario is not None
    return build_organisation(scenario, np.random.default_rng(seed))


def _levers(org: Any) -> Levers:
    employees, skills = org.capability.shape
    return Levers.neutral(employees, org.layout.teams, skills, 0.8)


def _adjust(practice: AIAssistant, org: Any, week: int = 0, seed: int = 0) -> Levers:
    levers = _levers(org)
    practice.adjust(types.SimpleNamespace(week=week), org, levers, np.random.default_rng(seed))
    return levers


# -- AI1: skill-biased uplift ---------------------------------------------------------


def test_ai1_uplift_is_large_for_the_least_skilled_and_nil_for_the_most() -> None:
    """AI1: among the baseline's 1,000 starting people the lowest quintile gains ≥25%, the
    highest ≤5%, everyone 10-20% on average (≈14%)."""
    for seed in (1, 2, 3):
        org = _starting_org(seed)
        gain = _adjust(AIAssistant(AIAssistantParams()), org).productivity - 1.0
        skill = coverage(org.effective, org.required)
        low, high = np.quantile(skill, [0.2, 0.8])
        assert gain[skill <= low].mean() >= 0.25  # measured 0.31
        assert gain[skill >= high].mean() <= 0.05  # measured 0.003
        assert 0.10 <= gain.mean() <= 0.20
        assert abs(gain.mean() - 0.14) < 0.015  # Brynjolfsson et al.'s +14%


def test_ai1_uplift_falls_linearly_from_novice_to_expert_level() -> None:
    """The uplift is +34% at and below novice level, 0 at and above expert level, +17% halfway."""
    params = AIAssistantParams()
    skill = np.array([0.0, 0.6, 0.725, 0.85, 1.0])
    np.testing.assert_allclose(uplift(skill, params), [0.34, 0.34, 0.17, 0.0, 0.0])
    slower = AIAssistantParams(mode="sparring", sparring_uplift_share=0.5)
    np.testing.assert_allclose(uplift(skill, slower), [0.17, 0.17, 0.085, 0.0, 0.0])


def test_ai1_a_run_reports_the_quintile_uplift_and_the_mean() -> None:
    """The outcomes of a short run give ≥25% uplift in the lowest quintile, ≤5% in the highest."""
    results = _run(4, _practice(mode="sparring"))
    assert _outcome(results, "ai_assistant_uplift_bottom_quintile") >= 25
    assert _outcome(results, "ai_assistant_uplift_top_quintile") <= 5
    assert 10 <= _outcome(results, "ai_assistant_uplift_mean") <= 20
    assert _outcome(results, "ai_assistant_adoption") == 100


# -- AI2: experience compression ------------------------------------------------------

#: A cohort of new hires: almost no capability, 40% of their time protected for
#: learning (onboarding), always enough work, no fires and no HR facilitation.
NOVICES = (
    "organisation.initial_capability=0.05",
    "organisation.initial_capability_sd=0.05",
    "learning.policy=protected",
    "learning.params.share=0.4",
    "learning.params.floor=0.4",
    "work.demand=3",
    "work.fires_per_team_week=0",
    "facilitation.policy=none",
)


def _throughput(results: Any) -> np.ndarray:
    return np.mean([r.weekly["throughput_per_fte"] for r in results.replications], axis=0)


def test_ai2_novices_with_ai_reach_the_six_month_level_in_about_two_months() -> None:
    """AI2: new hires with AI reach the output per hour of six months without it in 1-3 months."""
    without = _throughput(_run(27, *NOVICES))
    six_months = without[26]
    assert six_months / without[0] > 1.5  # a steep ramp-up without AI (measured +65%)
    for mode, measured in (("sparring", 6), ("answers", 8)):
        assisted = _throughput(_run(27, *NOVICES, _practice(mode=mode)))
        reached = int(np.argmax(assisted >= six_months))
        assert assisted[reached] >= six_months
        assert 4 <= reached <= 13, (mode, reached, measured)  # 2 ± 1 months, in weeks


# -- AI3: the crutch ------------------------------------------------------------------


def test_ai3_answers_mode_then_removal_leaves_people_about_20_percent_less_skilled() -> None:
    """AI3: after 20 weeks of answers mode and the AI's removal, unassisted capability is 15-25%
    below a never-AI cohort's, and within ±5% of it after sparring mode."""
    never = _per_replication(_run(26), "capability_index")
    crutch = _run(26, _practice(mode="answers", removed_week=20))
    loss = _per_replication(crutch, "capability_index") / never - 1.0
    assert np.all((-0.25 <= loss) & (loss <= -0.15)), loss  # measured -20.6%, -20.1%
    sparring = _run(26, _practice(mode="sparring", removed_week=20))
    change = _per_replication(sparring, "capability_index") / never - 1.0
    assert np.all(np.abs(change) <= 0.05), change  # measured -0.6%, -0.3%
    assert _outcome(crutch, "ai_assistant_uplift_mean") > _outcome(sparring,
                                                                   "ai_assistant_uplift_mean")


def test_ai3_the_erosion_rate_alone_removes_20_percent_in_20_weeks() -> None:
    """Alone, answers mode's erosion keeps 80% of a skill after 20 weeks; sparring adds none."""
    rate = erosion_rate(AIAssistantParams(mode="answers"))
    assert math.exp(-20 * rate) == pytest.approx(0.80)
    assert erosion_rate(AIAssistantParams(mode="sparring")) == 0.0
    half = AIAssistantParams(mode="sparring", sparring_erosion_share=0.5)
    assert erosion_rate(half) == pytest.approx(rate / 2)


# -- AI4: the jagged frontier ---------------------------------------------------------


def test_ai4_outside_the_frontier_assisted_output_falls_below_unassisted() -> None:
    """AI4: outside the AI's competence assisted output per hour is 22.5% lower, at any skill."""
    skill = np.array([0.2, 0.7, 0.95])
    outside = AIAssistantParams(outside_frontier=1.0)
    np.testing.assert_allclose(productivity_multiplier(skill, outside), 0.775)
    mixed = AIAssistantParams(outside_frontier=0.3)
    np.testing.assert_allclose(productivity_multiplier(skill, mixed),
                               0.7 * (1 + uplift(skill, mixed)) + 0.3 * 0.775)
    busy = ("work.demand=1.0",)  # throughput is limited by hours, not by demand
    plain = _outcome(_run(8, *busy), "throughput_per_fte")
    misled = _outcome(_run(8, *busy, _practice(outside_frontier=1.0)), "throughput_per_fte")
    helped = _outcome(_run(8, *busy, _practice()), "throughput_per_fte")
    assert misled < plain * 0.9 < plain * 1.05 < helped


# -- AI5: accelerate or atrophy -------------------------------------------------------


def test_ai5_only_engaged_use_beats_no_ai_in_the_long_run() -> None:
    """AI5: after three years, sparring with an assumed 1.2 learning boost ends above no AI and
    answers mode below it."""
    never = _outcome(_run(156), "capability_index")
    crutch = _outcome(_run(156, scenario=SCENARIOS / "ai_crutch.toml"), "capability_index")
    as_shipped = _outcome(_run(156, scenario=SCENARIOS / "ai_sparring.toml"), "capability_index")
    # assumption, not evidence: engaged use makes each learning hour 20% more effective
    boosted = _outcome(_run(156, _practice(mode="sparring", sparring_learning=1.2),
                            scenario=SCENARIOS / "ai_sparring.toml"), "capability_index")
    assert boosted > never + 1.5  # measured 64.0 vs 61.6
    assert crutch < never - 20  # measured 25.5
    assert abs(as_shipped / never - 1) < 0.02  # no proven boost: about no AI (measured -0.7%)


# -- the levers -----------------------------------------------------------------------


def test_answers_mode_slows_learning_and_erodes_only_the_strategys_skills() -> None:
    """Answers mode multiplies adopters' learning by 0.8 and adds forgetting to required skills."""
    org = _starting_org()
    levers = _adjust(AIAssistant(AIAssistantParams(mode="answers")), org)
    np.testing.assert_allclose(levers.learning, 0.8)
    required = org.required > 0
    rate = erosion_rate(AIAssistantParams())
    np.testing.assert_allclose(levers.forgetting[:, required], rate)
    np.testing.assert_allclose(levers.forgetting[:, ~required], 0.0)  # ai_fluency is not used
    sparring = _adjust(AIAssistant(AIAssistantParams(mode="sparring")), org)
    np.testing.assert_allclose(sparring.learning, 1.0)
    np.testing.assert_allclose(sparring.forgetting, 0.0)
    assert (sparring.productivity >= 1.0).all()
    assert (sparring.productivity > 1.0).any()


def test_adopters_are_drawn_once_and_only_they_are_affected() -> None:
    """With adoption 0.5 about half of 1,000 people use the AI, the same people every week."""
    org = _starting_org()
    practice = AIAssistant(AIAssistantParams(adoption=0.5))
    first = _adjust(practice, org, week=0, seed=1)
    assert practice.adopters is not None
    users = practice.adopters.copy()
    assert 0.45 <= users.mean() <= 0.55
    second = _adjust(practice, org, week=1, seed=2)
    np.testing.assert_array_equal(practice.adopters, users)
    for levers in (first, second):
        np.testing.assert_allclose(levers.learning[~users], 1.0)
        np.testing.assert_allclose(levers.productivity[~users], 1.0)
        np.testing.assert_allclose(levers.learning[users], 0.8)


def test_the_assistant_acts_only_between_start_and_removal() -> None:
    """Before start_week and from removed_week on, every lever stays neutral."""
    org = _starting_org()
    practice = AIAssistant(AIAssistantParams(start_week=4, removed_week=10))
    for week, active in ((0, False), (3, False), (4, True), (9, True), (10, False), (50, False)):
        levers = _adjust(practice, org, week=week)
        assert (levers.learning != 1.0).any() == active, week
        assert (levers.forgetting != 0.0).any() == active, week
    assert math.isfinite(practice.outcomes()["ai_assistant_uplift_mean"])


def test_impossible_levels_and_weeks_are_refused_with_their_key() -> None:
    """novice_level ≥ expert_level or removed_week ≤ start_week is an error naming the key."""
    where = "practices[0].params"
    with pytest.raises(ScenarioError, match=r"practices\[0\]\.params\.novice_level"):
        build(AIAssistantParams, {"novice_level": 0.9}, where, lambda key: "x.toml")
    with pytest.raises(ScenarioError, match=r"practices\[0\]\.params\.removed_week"):
        build(AIAssistantParams, {"start_week": 5, "removed_week": 5}, where, lambda key: "x.toml")
    with pytest.raises(ScenarioError, match=r"practices\[0\]\.params\.mode"):
        build(AIAssistantParams, {"mode": "crutch"}, where, lambda key: "x.toml")


@pytest.mark.parametrize(("name", "mode"), [("ai_sparring.toml", "sparring"),
                                            ("ai_crutch.toml", "answers")])
def test_the_scenario_files_choose_the_assistant_in_their_mode(name: str, mode: str) -> None:
    """ai_sparring.toml and ai_crutch.toml extend the baseline, adding ai_assistant in a mode."""
    loaded = load_scenario(SCENARIOS / name)
    resolved = resolve(loaded, build_registry(make_plugin_manager()))
    (practice,) = resolved.practices
    assert practice.entry.name == "ai_assistant"
    assert practice.params.mode == mode
    baseline = load_scenario(BASELINE).scenario
    assert loaded.scenario is not None and baseline is not None
    assert loaded.scenario.organisation == baseline.organisation
