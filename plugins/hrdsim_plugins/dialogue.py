"""Development dialogue and feedback: how often, how long, and in what spirit.

``dialogue``
    A supervisor (or a peer, or an HR developer) holds development dialogue
    and feedback with the team ``cadence`` times a year: 1 is the traditional
    annual development talk, 12 a monthly one-to-one, 26 continuous dialogue
    every two weeks. The team's dialogue time is a fixed budget,
    ``hours_per_year``, so that cadences are compared at equal total time:
    each meeting lasts ``hours_per_year / cadence`` hours, of which
    ``overhead_hours`` go on getting together, recapping and switching back
    to work rather than on the dialogue itself. Teams meet on a regular
    calendar, staggered so that they do not all meet in the same week.

    Each meeting's effect is drawn afresh, because feedback does not reliably
    help: across 607 effects, feedback interventions raised performance by
    d = 0.41 on average, yet over a third of them *lowered* it, the more so
    the more the feedback drew attention from the task to the self (Kluger &
    DeNisi 1996). ``style = "self_focused"`` draws each meeting's
    standardised effect from N(0.41, 1.0), so about 34% of meetings do harm.
    ``style = "dialogic"`` - task-focused dialogue about how the work works,
    the cognitive feedback that beat outcome feedback in Sengupta &
    Abdel-Hamid (1993), and feedback as a meaningful encounter rather than a
    technical performance (the source text's call to move from annual
    development talks to continuous dialogue) - draws from N(0.60, 0.60)
    (assumption: the mean of coaching's effect on performance and skills,
    g ≈ 0.60, Theeboom et al. 2014; the spread is chosen so that about one
    meeting in six still does harm). Part of the spread (``giver_share``) is
    a stable habit of the team's feedback giver, the rest the day's
    encounter.

    A meeting's standardised effect ``d`` becomes its quality on the engine's
    scale as ``clip(d / full_effect_sd, -1, 1)`` (assumption: a meeting that
    moves performance by one standard deviation gives full support); a
    negative quality is a meeting that lowers the team's facilitation level.
    The facilitation level multiplies the effectiveness of learning that
    needs facilitation and supports the consolidation of new learning; it
    fades between meetings, so the same hours spread over the year keep it
    higher than one long annual talk (spacing: Cepeda et al. 2006, 2008;
    Latimier et al. 2021). ``docs/research/dialogue.md`` gives the equations
    and the limits.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import SessionPlan, WeekState, hookimpl, setting

WEEKS_PER_YEAR = 52.0


@attrs.frozen
class DialogueParams:
    cadence: float = setting(
        12.0, gt=0, le=52, unit="meetings per year",
        doc="How often each team holds development dialogue (1 = annual talk, "
        "26 = every two weeks, 52 = weekly).",
        source="assumption: a monthly one-to-one, between the annual development talk and "
        "continuous dialogue (source text, point 7.2)",
    )
    hours_per_year: float = setting(
        26.0, gt=0, le=520, unit="hours per team per year",
        doc="The team's dialogue time in a year, whatever the cadence: each meeting lasts "
        "hours_per_year / cadence.",
        source="assumption: an hour every two weeks, or about three hours per member of an "
        "8-person team for annual talks with their preparation",
    )
    overhead_hours: float = setting(
        0.25, ge=0, le=8, unit="hours per meeting",
        doc="Part of each meeting spent getting together, recapping and switching back to "
        "work rather than in dialogue; it is counted in the budget but has no effect.",
        source="assumption: about a quarter of an hour per meeting; without it more frequent "
        "meetings would always win at equal hours (docs/research/dialogue.md)",
    )
    style: Literal["self_focused", "dialogic"] = setting(
        "self_focused",
        doc="'self_focused': feedback as found on average (Kluger & DeNisi 1996), which "
        "often draws attention to the self; 'dialogic': task-focused dialogue.",
    )
    self_focused_mean: float = setting(
        0.41, ge=-3, le=3, unit="SD of performance",
        doc="Mean effect of one self-focused feedback meeting.",
        source="Kluger & DeNisi (1996): mean d = 0.41 over 607 effects",
    )
    self_focused_sd: float = setting(
        1.0, ge=0, le=3, unit="SD of performance",
        doc="Spread of the effect of self-focused feedback meetings.",
        source="Kluger & DeNisi (1996): over a third of interventions lowered performance; "
        "N(0.41, 1.0) gives 34% negative (model-science.md 4.3)",
    )
    dialogic_mean: float = setting(
        0.60, ge=-3, le=3, unit="SD of performance",
        doc="Mean effect of one dialogic, task-focused meeting.",
        source="assumption: as coaching's effect on performance and skills, g = 0.60 "
        "(Theeboom et al. 2014); cognitive feedback beats outcome feedback "
        "(Sengupta & Abdel-Hamid 1993)",
    )
    dialogic_sd: float = setting(
        0.60, ge=0, le=3, unit="SD of performance",
        doc="Spread of the effect of dialogic meetings.",
        source="assumption: narrower than self-focused feedback, so that about 16% of "
        "meetings still do harm rather than 34%",
    )
    giver_share: float = setting(
        0.5, ge=0, le=1, unit="share of variance",
        doc="Share of the spread of meeting effects that is a stable habit of the team's "
        "feedback giver; the rest varies from meeting to meeting.",
        source="assumption: Kluger & DeNisi's moderators are properties of how feedback is "
        "given, so partly stable; half for want of data",
    )
    full_effect_sd: float = setting(
        1.0, gt=0, le=5, unit="SD of performance",
        doc="Effect of one meeting that counts as full support (quality 1); effects are "
        "divided by it and clipped to [-1, 1].",
        source="assumption: a one-standard-deviation change in performance is full support",
    )
    by: Literal["supervisor", "peer", "hr_developer"] = setting(
        "supervisor",
        doc="Who holds the dialogue; an HR developer is queued for at the operating model's "
        "desks, whose quality then replaces the drawn effect.",
    )


class Dialogue:
    """Staggered, regular dialogue with a per-meeting effect drawn by style."""

    def __init__(self, params: DialogueParams, teams: int, saturation_hours: float) -> None:
        self.params = params
        self.teams = teams
        self.interval = WEEKS_PER_YEAR / params.cadence
        # teams meet in turn: team i meets at weeks offset_i + k * interval, k = 0, 1, ...,
        # with the offsets spread evenly over the first interval
        self.offset = np.arange(teams) * self.interval / max(teams, 1)
        self.meeting_hours = params.hours_per_year / params.cadence
        contact = max(self.meeting_hours - params.overhead_hours, 0.0)
        # the engine's effect saturates with the hours it is told; it is told the whole
        # meeting (so the time is costed) and the quality is scaled so that only the
        # contact hours count
        self.contact_factor = -math.expm1(-contact / saturation_hours) / \
            -math.expm1(-self.meeting_hours / saturation_hours)
        if params.style == "self_focused":
            self.mean, self.sd = params.self_focused_mean, params.self_focused_sd
        else:
            self.mean, self.sd = params.dialogic_mean, params.dialogic_sd
        self._giver: NDArray[np.float64] | None = None

    def effects(self, rng: np.random.Generator) -> NDArray[np.float64]:
        """One standardised meeting effect per team (SD of performance).

        The first call draws each giver's habit; every call then draws one
        encounter per team, so that every style and cadence uses the same
        random numbers for the same team and week.
        """
        share = self.params.giver_share
        if self._giver is None:
            self._giver = rng.standard_normal(self.teams)
        encounter = rng.standard_normal(self.teams)
        z = math.sqrt(share) * self._giver + math.sqrt(1.0 - share) * encounter
        return self.mean + self.sd * z

    def quality(self, effects: NDArray[np.float64]) -> NDArray[np.float64]:
        """Quality on the engine's scale for meetings with these standardised effects."""
        return np.clip(effects / self.params.full_effect_sd, -1.0, 1.0) * self.contact_factor

    def meetings(self, week: int) -> NDArray[np.int64]:
        """Meetings each team holds in ``week`` on the staggered calendar."""
        # meetings k with week <= offset + k * interval < week + 1
        start = np.ceil((week - self.offset) / self.interval)
        end = np.ceil((week + 1 - self.offset) / self.interval)
        return (end - start).astype(np.int64)

    def sessions(self, state: WeekState, rng: np.random.Generator) -> SessionPlan:
        counts = self.meetings(state.week)
        quality = self.quality(self.effects(rng))
        return SessionPlan(sessions=counts, hours=self.meeting_hours, provider=self.params.by,
                           quality=quality, context=1.0)


def _dialogue(params: DialogueParams, scenario) -> Dialogue:  # type: ignore[no-untyped-def]
    return Dialogue(params, scenario.organisation.teams,
                    scenario.dynamics.session_saturation_hours)


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("facilitation", "dialogue", _dialogue, params=DialogueParams,
                 summary="Development dialogue at a cadence, equal hours, self-focused "
                 "or dialogic feedback.")
