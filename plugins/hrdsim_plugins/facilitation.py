"""Facilitation near teams: where, how often and by whom learning is facilitated.

``near_team``
    Teams hold facilitated sessions - development dialogue, feedback,
    coaching - every ``interval_weeks`` on average (52 is the annual
    development talk, 2 is continuous dialogue), facilitated by an HR
    developer (who must be queued for at a desk of the operating model), the
    team's supervisor or a peer. Sessions held in the team's own context
    transfer best; sessions held at unit level or centrally, less. A session
    raises the team's facilitation level, which multiplies the effectiveness
    of learning modes that need facilitation and supports the transfer of new
    learning into lasting capability; the effect fades between sessions, so
    the same total time spread over the year retains more (spacing: Cepeda et
    al. 2006, 2008; feedback as dialogue: Kluger & DeNisi 1996).
``none``
    No facilitated sessions at all.
"""

from __future__ import annotations

from typing import Literal

import attrs
import numpy as np

from hrdsim import SessionPlan, WeekState, hookimpl, setting


@attrs.frozen
class NearTeamParams:
    where: Literal["team", "unit", "central"] = setting(
        "team", doc="Where sessions take place: in the team, at unit level or centrally."
    )
    by: Literal["hr_developer", "supervisor", "peer"] = setting(
        "hr_developer",
        doc="Who facilitates: an HR developer (queued for), the supervisor or a peer.",
    )
    interval_weeks: float = setting(
        8.0, gt=0, le=520, unit="weeks",
        doc="Mean time between a team's sessions (52 = annual talk, 2 = continuous dialogue).",
        source="assumption: about six sessions a year, between an annual talk and "
        "continuous dialogue",
    )
    session_hours: float = setting(
        3.0, gt=0, le=80, unit="hours", doc="Length of one session.",
        source="assumption: a long coaching session or a short workshop",
    )
    timing: Literal["random", "regular"] = setting(
        "random",
        doc="'random': sessions arise as needs do (Poisson); 'regular': on a fixed, "
        "staggered calendar.",
    )
    unit_context: float = setting(
        0.85, ge=0, le=1, unit="0-1",
        doc="Effect of a session held at unit level, relative to one in the team.",
        source="assumption: learning away from the work context transfers less "
        "(Baldwin & Ford 1988)",
    )
    central_context: float = setting(
        0.7, ge=0, le=1, unit="0-1",
        doc="Effect of a session held centrally, relative to one in the team.",
        source="assumption (Baldwin & Ford 1988)",
    )
    supervisor_quality: float = setting(
        0.6, ge=0, le=1, unit="0-1", doc="Effect of one session facilitated by a supervisor.",
        source="assumption; supervisors coach less expertly than HR developers",
    )
    peer_quality: float = setting(
        0.5, ge=0, le=1, unit="0-1", doc="Effect of one session facilitated by a peer.",
        source="assumption; peer support matters for transfer (Hughes et al. 2020)",
    )


class NearTeam:
    def __init__(self, params: NearTeamParams, teams: int) -> None:
        self.params = params
        self.context = {"team": 1.0, "unit": params.unit_context,
                        "central": params.central_context}[params.where]
        self.quality = {"hr_developer": 0.0, "supervisor": params.supervisor_quality,
                        "peer": params.peer_quality}[params.by]
        # regular calendars are staggered so teams do not all meet in the same week
        self.phase = np.arange(teams) * params.interval_weeks / max(teams, 1)

    def sessions(self, state: WeekState, rng: np.random.Generator) -> SessionPlan:
        p = self.params
        teams = state.team_hours.size
        if p.timing == "random":
            counts = rng.poisson(1.0 / p.interval_weeks, teams)
        else:
            start = np.floor((state.week + self.phase) / p.interval_weeks)
            end = np.floor((state.week + 1 + self.phase) / p.interval_weeks)
            counts = (end - start).astype(np.int64)
        return SessionPlan(sessions=counts, hours=p.session_hours, provider=p.by,
                           quality=self.quality, context=self.context)


class NoFacilitation:
    def sessions(self, state: WeekState, rng: np.random.Generator) -> SessionPlan:
        return SessionPlan(sessions=np.zeros(state.team_hours.size, dtype=np.int64), hours=0.0,
                           provider="peer", quality=0.0, context=0.0)


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("facilitation", "near_team",
                 lambda p, s: NearTeam(p, s.organisation.teams), params=NearTeamParams,
                 summary="Sessions near teams: where, how often and by whom.")
    registry.add("facilitation", "none", lambda p, s: NoFacilitation(),
                 summary="No facilitated sessions.")
