"""The roles a policy can play, and the values policies and the engine exchange.

A plugin contributes policies through :func:`hrdsim_register_policies
<hrdsim.hookspecs.hrdsim_register_policies>`; a scenario chooses one policy of
each kind by name. The engine calls policies once per week on whole arrays
(one value per team), never once per employee. Every array is a NumPy array
indexed by team number ``0..teams-1``.

Three kinds of policy exist:

``learning`` -- :class:`LearningPolicy`
    How much time is planned for learning, in which 70-20-10 mix, and how much
    of it survives work pressure.
``operating_model`` -- :class:`OperatingModel`
    How HR developers are organised into service desks (a central pool,
    embedded arms, both) and which desk serves a team's request.
``facilitation`` -- :class:`FacilitationPolicy`
    Where, how often and by whom learning is facilitated near teams.
``practice`` -- :class:`Practice`
    Anything else an organisation does that changes how people work, learn or
    forget - an AI assistant, bridges between silos, leadership support -
    expressed through the weekly :class:`Levers`. A scenario may choose any
    number of practices (``[[practices]]``), or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs
import numpy as np

from hrdsim.params import InvalidValue, setting

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hrdsim.service import ServiceDesk

PolicyKind = Literal["learning", "operating_model", "facilitation", "practice"]
POLICY_KINDS: tuple[PolicyKind, ...] = ("learning", "operating_model", "facilitation", "practice")


@attrs.frozen
class Mix:
    """Shares of learning time by mode; they sum to 1 (the 70-20-10 idea made explicit)."""

    on_the_job: float
    social: float
    formal: float

    def __attrs_post_init__(self) -> None:
        total = self.on_the_job + self.social + self.formal
        if min(self.as_array()) < 0 or abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"learning mix must be non-negative shares that sum to 1, got "
                f"on_the_job={self.on_the_job}, social={self.social}, formal={self.formal} "
                f"(sum {total:g})"
            )

    def as_array(self) -> NDArray[np.float64]:
        return np.array([self.on_the_job, self.social, self.formal])


@attrs.frozen
class OrgLayout:
    """The shape of the organisation, as policies see it (read-only).

    :ivar team_unit: the unit of each team.
    :ivar team_size: people in each team.
    :ivar team_hours: contracted hours of each team per week.
    """

    units: int
    teams: int
    employees: int
    team_unit: NDArray[np.int64]
    team_size: NDArray[np.int64]
    team_hours: NDArray[np.float64]


@attrs.frozen
class WeekState:
    """What the engine knows about each team at the start of a week (read-only).

    :ivar week: the week number, from 0.
    :ivar team_hours: contracted hours per team this week.
    :ivar needed_work_hours: hours the team needs this week for planned work,
        backlog and fires, at its current productivity.
    :ivar fire_hours: the part of ``needed_work_hours`` that is unplanned and urgent.
    :ivar capability: the team's mean capability index (0-1).
    :ivar strategic_gap: the team's share of required capability it lacks (0-1).
    :ivar facilitation: the team's current facilitation level (0-1).
    """

    week: int
    team_hours: NDArray[np.float64]
    needed_work_hours: NDArray[np.float64]
    fire_hours: NDArray[np.float64]
    capability: NDArray[np.float64]
    strategic_gap: NDArray[np.float64]
    facilitation: NDArray[np.float64]


class LearningPolicy(Protocol):
    """Plans learning time and decides how much of it work pressure takes.

    ``mix`` says how learning time is split over the three modes.
    """

    mix: Mix

    def plan(self, state: WeekState) -> NDArray[np.float64]:
        """Hours of learning each team plans this week (shape ``(teams,)``)."""
        ...

    def realise(self, planned: NDArray[np.float64], state: WeekState) -> NDArray[np.float64]:
        """Hours of learning each team actually gets, given this week's work.

        The engine clips the result to ``[0, team_hours]``; work gets the rest
        of the hours it needs.
        """
        ...


@attrs.frozen
class DeskSpec:
    """A service desk of HR developers that teams queue for.

    :ivar name: shown in outputs (``"central"``, ``"arm-3"``...).
    :ivar developers: developers serving the desk (its SimPy capacity).
    :ivar overhead_hours: travel and context-building per request, added to
        the session's own hours.
    :ivar quality: how much one session at the desk achieves (0-1).
    :ivar detection_weeks: time from a team's need arising to the request
        reaching the desk (embedded developers see needs earlier).
    """

    name: str
    developers: int
    overhead_hours: float
    quality: float
    detection_weeks: float


class OperatingModel(Protocol):
    """Organises HR developers into desks and routes each request to one."""

    def desks(self, layout: OrgLayout, developers: int) -> Sequence[DeskSpec]:
        """The desks to create, once per run."""
        ...

    def route(self, team: int, desks: Sequence[ServiceDesk]) -> ServiceDesk:
        """The desk that takes a request from ``team``.

        Called when each request reaches HR, and once per team when a run
        starts, with every desk free, to find the team's *home desk*, whose
        ``detection_weeks`` delays the team's requests.
        """
        ...


@attrs.frozen
class SessionPlan:
    """Facilitated sessions teams hold this week.

    :ivar sessions: number of sessions per team this week.
    :ivar hours: length of one session, in hours.
    :ivar provider: ``"hr_developer"`` sessions queue at a desk of the
        operating model; ``"supervisor"`` and ``"peer"`` sessions happen in the
        team at once.
    :ivar quality: effect of one in-team session, a number or one per team
        (up to 1; a negative value is a session that does harm, as a share of
        feedback does); for HR developers the desk's quality is used instead.
    :ivar context: how close to the team's work the session is (0-1):
        multiplies the quality.
    """

    sessions: NDArray[np.int64]
    hours: float
    provider: Literal["hr_developer", "supervisor", "peer"]
    quality: float | NDArray[np.float64]
    context: float


@attrs.define(eq=False)
class Levers:
    """What practices may change in one week; reset to neutral every week.

    Practices multiply or add to these arrays in place (``levers.productivity
    *= ...``) so that several practices combine. The engine reads them after
    every practice has had its say.

    :ivar productivity: output per hour multiplier per employee (1 = no change).
    :ivar learning: multiplier on learning per hour, per employee and mode
        (columns: on the job, social, formal).
    :ivar forgetting: extra forgetting rate per week, per employee and skill
        (0 = none), on top of the scenario's forgetting.
    :ivar support: extra support for transfer per team (0-1), added to the
        team's facilitation level where learning needs facilitation or
        consolidation.
    :ivar alignment: share of learning aimed at strategic gaps per employee
        (starts at the scenario's ``dynamics.learning_alignment``).
    """

    productivity: NDArray[np.float64]
    learning: NDArray[np.float64]
    forgetting: NDArray[np.float64]
    support: NDArray[np.float64]
    alignment: NDArray[np.float64]

    @classmethod
    def neutral(cls, employees: int, teams: int, skills: int, alignment: float) -> Levers:
        levers = cls(
            productivity=np.empty(employees), learning=np.empty((employees, 3)),
            forgetting=np.empty((employees, skills)), support=np.empty(teams),
            alignment=np.empty(employees),
        )
        levers.reset(alignment)
        return levers

    def reset(self, alignment: float) -> None:
        """Back to 'no practice changes anything'."""
        self.productivity.fill(1.0)
        self.learning.fill(1.0)
        self.forgetting.fill(0.0)
        self.support.fill(0.0)
        self.alignment.fill(alignment)


class Practice(Protocol):
    """Changes how people work, learn or forget, through the weekly levers.

    Only :meth:`adjust` is required. The engine also calls, when present:

    * ``after_week(state, org)`` - after learning and forgetting, e.g. to let
      knowledge flow between teams; it may change ``org.capability`` and
      ``org.fresh`` but must keep ``capability + fresh`` within [0, 1];
    * ``outcomes()`` - once at the end of a replication, returning a mapping
      of extra outcome names (prefixed with the practice's name) to values.
    """

    def adjust(self, state: WeekState, org: Any, levers: Levers,
               rng: np.random.Generator) -> None:
        """Change this week's ``levers``; read (do not change) ``org``, the
        :class:`~hrdsim.organisation.OrgState`. Draw randomness from ``rng`` only."""
        ...


class FacilitationPolicy(Protocol):
    """Decides where, how often and by whom learning is facilitated near teams."""

    def sessions(self, state: WeekState, rng: np.random.Generator) -> SessionPlan:
        """This week's sessions; draw any randomness from ``rng`` only."""
        ...


def _mix_setting(default: float, what: str) -> float:
    return setting(  # type: ignore[no-any-return]
        default, ge=0, le=1, unit="share of learning time", doc=what,
        source="70-20-10 framing (Lombardo & Eichinger; McCall et al. 1988) - a default, "
        "not a law (Clardy 2018)",
    )


@attrs.frozen
class MixParams:
    """Parameters every learning policy shares: the split of learning time over modes.

    Subclass it (``@attrs.frozen class MyParams(MixParams): ...``) to give a
    learning policy the 70-20-10 mix as explicit, validated parameters.
    """

    on_the_job: float = _mix_setting(0.7, "Share of learning time spent learning on the job.")
    social: float = _mix_setting(0.2, "Share of learning time spent learning with others.")
    formal: float = _mix_setting(0.1, "Share of learning time spent in formal learning.")

    def __attrs_post_init__(self) -> None:
        total = self.on_the_job + self.social + self.formal
        if abs(total - 1.0) > 1e-6:
            raise InvalidValue(
                "on_the_job", f"the mix on_the_job + social + formal must sum to 1, got "
                f"{self.on_the_job:g} + {self.social:g} + {self.formal:g} = {total:g}",
            )

    @property
    def mix(self) -> Mix:
        return Mix(self.on_the_job, self.social, self.formal)
