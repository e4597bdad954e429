"""Investment split: how much of the learning budget goes to courses, and how much
to the learning culture, capability and leadership that make courses stick.

``investment_split`` (a practice)
    The organisation spends a learning ``budget`` (euros per full-time
    employee per year) and puts a share ``culture_share`` of it into
    *support* - supervisors' and facilitators' time with learners before and
    after they learn - and the rest into *courses*. The source text claims
    that learning has real impact when about 80% of the investment goes to
    learning culture, capability and leadership rather than to courses; this
    practice lets that claim be tested instead of assumed.

**What it does, in HR terms.**

* *Courses buy formal learning hours.* The course part of the budget buys
  course hours at ``course_fee_per_hour`` (design, delivery, licences,
  trainers) plus the attendee's own time at ``costs.employee_hour``. Each
  course hour is an hour of the scenario's *formal* mode on top of the
  learning policy's own hours - the organisation's learning shifts toward
  formal learning - and it is learnt, transferred and forgotten by exactly
  the engine's equations: 62% of it is applied at once and most of the
  applied part fades within a year unless it is consolidated by support
  (Saks & Belcourt 2006; model-science §4.1).
* *Culture and leadership buy support.* The culture part buys support
  hours: a supervisor's or facilitator's time with learners (preparing
  learning beforehand, agreeing how to apply it, following it up
  afterwards), one-to-one by default (``learners_per_support_hour``), costed
  at ``costs.supervisor_hour`` shared by the learners plus each learner's
  ``costs.employee_hour``. Support raises the team's level of support for
  transfer, which (i) consolidates fresh learning into lasting capability
  instead of letting it fade and (ii) raises the effectiveness of the
  learning modes that need facilitation (social learning most, then formal,
  then on the job). What happens before and after a learning event matters
  more for transfer than the event itself (Saks & Belcourt 2006;
  Brinkerhoff's 40-20-40, a practitioner estimate), and supervisor and peer
  support each add to transfer (Blume et al. 2010; Hughes et al. 2020).
* *Both take people's time.* Course hours and the learner's side of support
  hours are taken from work: output per hour falls by the share of
  contracted hours they use, so the budget also competes with work.

**Why a practice, not a learning policy.** The split is a budget decision
layered over whatever rule allots learning time (leftover, fixed share,
protected): as a practice it combines with any learning policy and any
facilitation policy, and it needs the support lever, which only practices
have. Course hours are added to learning through the engine's own learning
equations after each week (``after_week``), so no hours or mix of the
learning policy are changed and the engine's ``learning_*`` outcomes still
report the policy's own hours; the practice reports its course and support
hours as its own outcomes.

**Equations** (budget ``B``, culture share ``c``; ``p_C`` = course fee per
hour, ``w_E``, ``w_S`` = employee and supervisor hour costs, ``g`` =
learners per support hour; ``H`` = hours of a full-time week; ``μ`` =
``dynamics.facilitation_memory_weeks``, ``σ`` =
``dynamics.session_saturation_hours``, ``Q`` = ``support_quality``):

* course hours per FTE per year ``h_C = (1 − c) B / (p_C + w_E)``;
* support hours each learner gets per FTE per year
  ``h_S = c B / (w_S / g + w_E)``;
* each week each person gets ``h_S / 52`` support hours (pro rata for part
  time); as a session, it raises the support level ``L`` as the engine's
  in-team sessions raise facilitation: ``L ← 1 − (1 − L)(1 − e)`` with
  ``e = Q (1 − exp(−h_week / σ))``, and ``L`` decays by ``exp(−1/μ)`` after
  each week; the team's support lever gains ``L (1 − q)`` (``q`` = the team's
  facilitation level), so support and facilitation combine as independent
  sessions do;
* each person learns ``h_C / 52`` (pro rata) formal hours a week through the
  engine's learning equations, with this week's support and levers;
* output per hour ``× (1 − (h_C + h_S) / (52 H))``.

**What it finds** (``docs/research/investment_split.md`` has the numbers).
At equal cost, support before and after a substantial course keeps more of
it at 12 months than more course hours do (check T2) - but support
multiplies the learning people have time for and saturates. In the baseline
the best split is 20-40% culture; 80% is best only where learning time is
protected and little other facilitation exists; under firefighting, courses
win. No rigorous source for the 80% figure itself was found (model-science
§4.1); Brinkerhoff's 40-20-40 split of *effort* before, during and after an
event is its likely origin.

Limits: courses are always attended (work pressure never cancels them);
support is spread evenly over the year rather than timed around courses;
the engine's ``cost_per_fte_year`` does not include the budget.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import WeekState, hookimpl, setting
from hrdsim.dynamics import CapabilityModel

__all__ = ["InvestmentSplit", "InvestmentSplitParams", "course_cohort", "split_hours",
           "support_effect"]

WEEKS_PER_YEAR = 52.0
#: all of an hour in the formal mode
FORMAL = np.array([0.0, 0.0, 1.0])


@attrs.frozen
class InvestmentSplitParams:
    """Parameters of ``investment_split``: a learning budget split between courses and support."""

    budget: float = setting(
        2800.0, ge=0, le=50_000, unit="€/FTE/year",
        doc="Learning investment per full-time employee per year, counting the time of "
        "the people involved (attendees, supervisors, facilitators).",
        source="ATD 2019 State of the Industry: $1,299 direct learning expenditure and 34 "
        "formal learning hours per employee (2018); with attendees' time at 45 €/hour, "
        "1,300 + 34 × 45 ≈ 2,800",
    )
    culture_share: float = setting(
        0.8, ge=0, le=1, unit="share",
        doc="Share of the budget spent on learning culture, capability and leadership "
        "(support before and after learning); the rest buys courses.",
        source="the source text's claim of about 80% - no rigorous source for the figure "
        "(model-science §4.1); set it to compare splits",
    )
    course_fee_per_hour: float = setting(
        38.0, ge=0, le=10_000, unit="€/participant-hour",
        doc="Cost of one participant-hour of courses besides the attendee's time: design, "
        "delivery, trainers, licences.",
        source="ATD 2019 State of the Industry: $1,299 / 34 hours ≈ $38 per formal learning "
        "hour (computed)",
    )
    learners_per_support_hour: float = setting(
        1.0, ge=1, le=1000, unit="people",
        doc="Learners a supervisor or facilitator supports in one support hour (1 = one-to-one "
        "conversations; the team's size = team sessions).",
        source="assumption: support before and after learning is mostly a supervisor's "
        "one-to-one conversation with the learner (Saks & Belcourt 2006's before and after "
        "activities)",
    )
    support_quality: float = setting(
        0.6, ge=0, le=1, unit="0-1",
        doc="Effect of one support hour as a facilitated session (as a supervisor's "
        "session in near_team).",
        source="assumption: supervisors and facilitators support transfer about as well as "
        "a supervisor-led session in near_team (its supervisor_quality)",
    )


@attrs.frozen
class SplitHours:
    """What the budget buys per full-time employee per year."""

    course: float
    support: float


def split_hours(params: InvestmentSplitParams, employee_hour: float,
                supervisor_hour: float) -> SplitHours:
    """Course hours and support hours (as each learner attends them) per FTE per year that
    the budget buys."""
    course_price = params.course_fee_per_hour + employee_hour
    support_price = supervisor_hour / params.learners_per_support_hour + employee_hour
    course = (1.0 - params.culture_share) * params.budget
    support = params.culture_share * params.budget
    return SplitHours(
        course=course / course_price if course_price > 0 else 0.0,
        support=support / support_price if support_price > 0 else 0.0,
    )


def support_effect(hours: NDArray[np.float64] | float, quality: float,
                   saturation_hours: float) -> NDArray[np.float64]:
    """Effect of one week's support hours per person, as one facilitated session."""
    return quality * -np.expm1(-np.asarray(hours, dtype=float) / saturation_hours)


def course_cohort(course_hours: float, support_hours: float, *, support_weeks: int = 12,
                  weeks: int = 52, quality: float = 0.6, modes: Any = None,
                  dynamics: Any = None) -> float:
    """Capability one learner still applies ``weeks`` after a course (check T2).

    The learner (agility 1) starts with none of the skill and uses it at work;
    the course of ``course_hours`` formal hours is in week 0, and
    ``support_hours`` of one-to-one support are spread evenly over the first
    ``support_weeks`` weeks (before, during and after the course). Learning,
    consolidation, fading and forgetting are the engine's own equations, with
    the default ``modes`` and ``dynamics`` unless given.
    """
    from types import SimpleNamespace

    from hrdsim.scenario import Dynamics, Modes

    dynamics = dynamics or Dynamics()
    model = CapabilityModel.from_scenario(modes or Modes(), dynamics)
    org = SimpleNamespace(agility=np.ones(1), capability=np.zeros((1, 1)),
                          fresh=np.zeros((1, 1)), required=np.ones(1))
    kept = math.exp(-1.0 / dynamics.facilitation_memory_weeks)
    effect = float(support_effect(support_hours / support_weeks, quality,
                                  dynamics.session_saturation_hours))
    level = 0.0
    for week in range(weeks):
        if week < support_weeks:
            level = 1.0 - (1.0 - level) * (1.0 - effect)
        support = np.array([level])
        if week == 0:
            model.learn(org, np.array([course_hours]), FORMAL, support,  # type: ignore[arg-type]
                        rates=np.ones((1, 3)), alignment=np.ones(1))
        model.settle(org, support)  # type: ignore[arg-type]
        model.forget(org, np.ones(1))  # type: ignore[arg-type]
        level *= kept
    return float(org.capability[0, 0] + org.fresh[0, 0])


class InvestmentSplit:
    """Practice ``investment_split``: courses add formal hours, support adds transfer support."""

    def __init__(self, params: InvestmentSplitParams, scenario: Any) -> None:
        self.params = params
        self.scenario = scenario
        costs, org = scenario.costs, scenario.organisation
        self.hours = split_hours(params, costs.employee_hour, costs.supervisor_hour)
        self.full_week = org.hours_per_week
        dynamics = scenario.dynamics
        self.saturation = dynamics.session_saturation_hours
        self.kept = math.exp(-1.0 / dynamics.facilitation_memory_weeks)
        self.model = CapabilityModel.from_scenario(scenario.modes, dynamics)
        # share of contracted hours the courses and the learner's side of support take
        used = (self.hours.course + self.hours.support) / WEEKS_PER_YEAR / self.full_week
        self.productivity = max(1.0 - used, 0.0)
        self.level: NDArray[np.float64] | None = None
        self.course_hours: NDArray[np.float64] | None = None
        self.effect: NDArray[np.float64] | None = None
        self.levers: Any = None
        self.weeks = 0
        self.level_sum = 0.0

    def _start(self, org: Any) -> None:
        fte = org.hours / self.full_week  # per employee
        self.course_hours = self.hours.course / WEEKS_PER_YEAR * fte
        team_fte = org.team_sum(fte) / org.layout.team_size
        per_person = self.hours.support / WEEKS_PER_YEAR * team_fte
        self.effect = support_effect(per_person, self.params.support_quality, self.saturation)
        self.level = np.zeros(org.layout.teams)

    def adjust(self, state: WeekState, org: Any, levers: Any,
               rng: np.random.Generator) -> None:
        if self.level is None:
            self._start(org)
        assert self.level is not None and self.effect is not None
        self.level = 1.0 - (1.0 - self.level) * (1.0 - self.effect)
        levers.support += self.level * (1.0 - state.facilitation)
        if self.productivity != 1.0:
            levers.productivity *= self.productivity
        self.levers = levers
        self.weeks += 1
        self.level_sum += float(self.level.mean())

    def after_week(self, state: WeekState, org: Any) -> None:
        levers = self.levers
        if self.course_hours is not None and self.hours.course > 0 and levers is not None:
            support = org.by_employee(np.clip(org.facilitation + levers.support, 0.0, 1.0))
            self.model.learn(org, self.course_hours, FORMAL, support,
                             rates=levers.learning, alignment=levers.alignment)
        if self.level is not None:
            self.level *= self.kept

    def outcomes(self) -> dict[str, float]:
        """``investment_split_course_hours_per_fte_year`` and ``..._support_hours_per_fte_year``:
        what the budget buys; ``..._support_level``: mean support level it adds (0-1, before
        combining with facilitation); ``..._cost_per_fte_year``: the budget (not included in
        the engine's ``cost_per_fte_year``)."""
        return {
            "investment_split_course_hours_per_fte_year": self.hours.course,
            "investment_split_support_hours_per_fte_year": self.hours.support,
            "investment_split_support_level": self.level_sum / self.weeks if self.weeks else 0.0,
            "investment_split_cost_per_fte_year": self.params.budget,
        }


def _investment_split(params: InvestmentSplitParams, scenario: Any) -> InvestmentSplit:
    return InvestmentSplit(params, scenario)


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("practice", "investment_split", _investment_split,
                 params=InvestmentSplitParams,
                 summary="A learning budget split between courses (formal hours) and learning "
                 "culture and leadership (support before and after learning).")
