"""The `dialogue` facilitation policy: feedback effects as Kluger & DeNisi found them (FB1),
equal-hours cadences on a staggered calendar, and spacing through the engine (S1-like)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hrdsim_plugins.dialogue import Dialogue, DialogueParams

from hrdsim.errors import ScenarioError
from hrdsim.loader import load_scenario
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.resolve import resolve
from hrdsim.runner import RunResults
from hrdsim.testing import run_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
ANNUAL = SCENARIOS / "annual_talk.toml"
CONTINUOUS = SCENARIOS / "continuous_feedback.toml"

#: 20 teams of 6 for two years: small enough to be quick, large enough to average teams.
SMALL = ("organisation.units=2", "organisation.teams_per_unit=10", "organisation.team_size=6",
         "weeks=104", "replications=2")
SATURATION = 2.0  # the engine's default session_saturation_hours
MEMORY = 8.0  # the engine's default facilitation_memory_weeks


@cache
def _run(*overrides: str) -> RunResults:
    """Run the annual-talk scenario, small, with overrides (cached: runs are deterministic)."""
    return run_scenario(ANNUAL, *SMALL, *overrides)


def _mean_level(results: RunResults) -> float:
    return float(np.mean([r.weekly["facilitation_level"].mean() for r in results.replications]))


def _draws(style: str, teams: int = 4000, weeks: int = 10, **params: float) -> np.ndarray:
    """Standardised meeting effects the policy draws: ``teams`` givers over ``weeks`` weeks."""
    policy = Dialogue(DialogueParams(style=style, **params), teams, SATURATION)  # type: ignore[arg-type]
    rng = np.random.default_rng(2026)
    return np.concatenate([policy.effects(rng) for _ in range(weeks)])


# -- FB1: the distribution of feedback effects -------------------------------------------------


def test_fb1_self_focused_feedback_averages_0_4_sd_and_harms_over_30_percent() -> None:
    """Self-focused feedback meetings average ≈ +0.41 SD, and at least 30% of them do harm."""
    draws = _draws("self_focused")
    assert draws.mean() == pytest.approx(0.41, abs=0.05)
    assert draws.std() == pytest.approx(1.0, abs=0.05)
    assert (draws < 0).mean() >= 0.30


def test_fb1_dialogic_feedback_has_a_higher_mean_and_fewer_harmful_meetings() -> None:
    """Dialogic, task-focused meetings average more and do harm less often than self-focused."""
    self_focused, dialogic = _draws("self_focused"), _draws("dialogic")
    assert dialogic.mean() > self_focused.mean() + 0.1
    assert (dialogic < 0).mean() < (self_focused < 0).mean() - 0.1
    assert (dialogic < 0).mean() == pytest.approx(0.16, abs=0.03)


def test_a_givers_habit_makes_a_teams_meetings_alike_without_changing_the_spread() -> None:
    """With giver_share ρ, one team's effects in two weeks correlate by ρ; the spread stays."""
    for share in (0.0, 0.5, 1.0):
        policy = Dialogue(DialogueParams(giver_share=share), 5000, SATURATION)
        rng = np.random.default_rng(7)
        first, second = policy.effects(rng), policy.effects(rng)
        assert np.corrcoef(first, second)[0, 1] == pytest.approx(share, abs=0.04)
        assert second.std() == pytest.approx(1.0, abs=0.04)


def test_effects_map_to_quality_clipped_and_scaled_to_the_contact_hours() -> None:
    """Quality is clip(d / full_effect_sd, −1, 1), scaled so only contact hours count."""
    policy = Dialogue(DialogueParams(cadence=26, hours_per_year=26, overhead_hours=0.25,
                                     full_effect_sd=0.5), 3, SATURATION)
    factor = -math.expm1(-0.75 / SATURATION) / -math.expm1(-1.0 / SATURATION)
    quality = policy.quality(np.array([-2.0, 0.2, 3.0]))
    np.testing.assert_allclose(quality, np.array([-1.0, 0.4, 1.0]) * factor)
    too_short = Dialogue(DialogueParams(cadence=52, hours_per_year=10, overhead_hours=0.25),
                         3, SATURATION)
    assert not too_short.quality(np.array([1.0, -1.0])).any()


# -- the calendar and the budget -----------------------------------------------------------------


@pytest.mark.parametrize("cadence", [1, 4, 12, 26, 52])
def test_every_team_meets_cadence_times_a_year_within_the_same_hours(cadence: int) -> None:
    """Each team meets exactly `cadence` times a year, at most once a week, for hours_per_year."""
    policy = Dialogue(DialogueParams(cadence=cadence, hours_per_year=26), 13, SATURATION)
    meetings = np.array([policy.meetings(week) for week in range(104)])
    assert (meetings.sum(axis=0) == 2 * cadence).all()
    assert meetings.max() == 1
    assert meetings.sum(axis=0) * policy.meeting_hours == pytest.approx(np.full(13, 52.0))


def test_annual_talks_are_staggered_so_teams_do_not_all_meet_in_the_same_week() -> None:
    """With 52 teams and annual talks, exactly one team meets each week."""
    policy = Dialogue(DialogueParams(cadence=1), 52, SATURATION)
    per_week = np.array([policy.meetings(week).sum() for week in range(52)])
    assert (per_week == 1).all()


# -- through the engine ------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["self_focused", "dialogic"])
def test_s1_continuous_dialogue_beats_an_annual_talk_at_equal_hours(style: str) -> None:
    """At equal hours, meeting every two weeks keeps facilitation higher and ends more capable."""
    annual = _run("facilitation.params.cadence=1", f"facilitation.params.style={style}")
    continuous = _run("facilitation.params.cadence=26", f"facilitation.params.style={style}")
    assert _mean_level(continuous) > 2.5 * _mean_level(annual)
    for a, c in zip(annual.replications, continuous.replications, strict=True):
        # replication i of both sees the same givers and draws: a paired comparison
        assert c.outcomes["capability_index"] > a.outcomes["capability_index"] + 1.0
    sessions = "facilitation_sessions_per_team_year"
    assert annual.summary[sessions].mean == pytest.approx(1.0)
    assert continuous.summary[sessions].mean == pytest.approx(26.0)


def test_an_annual_talks_facilitation_spikes_and_then_decays_for_a_year() -> None:
    """A one-team organisation's level jumps at each annual talk and fades by e^(−1/8) a week."""
    one_team = ("organisation.units=1", "organisation.teams_per_unit=1", "weeks=104",
                "replications=1", "facilitation.params.style=dialogic",
                "facilitation.params.dialogic_sd=0")
    level = run_scenario(ANNUAL, *one_team).replications[0].weekly["facilitation_level"]
    peaks = [0, 52]
    assert level[peaks].min() > 0.4
    ratios = np.delete(level[1:] / level[:-1], [p - 1 for p in peaks[1:]])
    np.testing.assert_allclose(ratios, math.exp(-1.0 / MEMORY), rtol=1e-9)
    assert level[51] < 0.01 * level[0]  # nearly gone by the next talk
    steady = run_scenario(ANNUAL, *one_team, "facilitation.params.cadence=26") \
        .replications[0].weekly["facilitation_level"][52:]
    assert steady.max() / steady.min() < 1.4 < level.max() / level[51]


def test_self_focused_feedback_lowers_outcomes_against_dialogue_at_the_same_cadence() -> None:
    """Every two weeks, self-focused feedback leaves lower facilitation and capability."""
    self_focused = _run("facilitation.params.cadence=26", "facilitation.params.style=self_focused")
    dialogic = _run("facilitation.params.cadence=26", "facilitation.params.style=dialogic")
    assert _mean_level(dialogic) > _mean_level(self_focused) + 0.03
    assert dialogic.summary["capability_index"].mean > \
        self_focused.summary["capability_index"].mean


def test_harmful_feedback_undoes_help_but_cannot_push_below_no_dialogue() -> None:
    """Feedback that harms on average (mean −0.4 SD) ends below helpful feedback, not below none."""
    none = _run("facilitation.policy=none")
    harmful = _run("facilitation.params.cadence=26", "facilitation.params.self_focused_mean=-0.4")
    helpful = _run("facilitation.params.cadence=26")
    assert harmful.summary["capability_index"].mean < helpful.summary["capability_index"].mean
    assert _mean_level(harmful) < 0.5 * _mean_level(helpful)
    # the facilitation level cannot go below zero, so harm only undoes earlier good
    assert harmful.summary["capability_index"].mean >= \
        none.summary["capability_index"].mean - 0.5


def test_per_meeting_overhead_makes_weekly_meetings_worse_than_fortnightly_ones() -> None:
    """With a quarter-hour overhead weekly meetings lose to fortnightly ones; without, they win."""
    def level(cadence: int, overhead: float) -> float:
        return _mean_level(_run("facilitation.params.style=dialogic",
                                f"facilitation.params.cadence={cadence}",
                                f"facilitation.params.overhead_hours={overhead}"))

    assert level(52, 0.25) < level(26, 0.25) - 0.03
    assert level(52, 0.0) > level(26, 0.0)


def test_dialogue_with_hr_developers_queues_at_the_operating_models_desks() -> None:
    """by = "hr_developer" sends each meeting as a request to an HR developer desk."""
    results = _run("facilitation.params.cadence=12", "facilitation.params.by=hr_developer",
                   "weeks=52", "replications=1")
    assert results.summary["facilitation_requests_per_team_year"].mean == pytest.approx(12.0)
    assert results.summary["hr_utilisation"].mean > 0


# -- scenario files and validation ------------------------------------------------------------


def test_the_two_scenarios_compare_cadences_at_equal_hours() -> None:
    """annual_talk and continuous_feedback select `dialogue` with the same yearly hours."""
    registry = build_registry(make_plugin_manager())
    chosen = [resolve(load_scenario(path), registry).policies["facilitation"]
              for path in (ANNUAL, CONTINUOUS)]
    assert [c.entry.name for c in chosen] == ["dialogue", "dialogue"]
    annual, continuous = (c.params for c in chosen)
    assert (annual.cadence, continuous.cadence) == (1, 26)
    assert annual.hours_per_year == continuous.hours_per_year
    assert (annual.style, continuous.style) == ("self_focused", "dialogic")


@pytest.mark.parametrize("override", ["facilitation.params.cadence=0",
                                      "facilitation.params.cadence=60",
                                      "facilitation.params.style=harsh"])
def test_an_out_of_range_setting_is_refused_naming_its_key(override: str) -> None:
    """A cadence outside (0, 52] or an unknown style is a scenario error naming the key."""
    key = override.split("=")[0]
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        resolve(load_scenario(ANNUAL, [override]), build_registry(make_plugin_manager()))
