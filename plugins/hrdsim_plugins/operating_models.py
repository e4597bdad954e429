"""HR operating models: how HR developers are organised to facilitate learning.

``centralised``
    One pool of HR developers serving every team from one queue. Pooling
    shortens waits (Erlang C; Smith & Whitt 1981), but every request carries
    travel and context-building overhead.
``octopus``
    Developers embedded with clusters of teams, each serving only its own
    cluster: no pooling, but - when the scenario says so - less overhead,
    better local context and earlier detection of needs (Jones et al. 2016:
    internal coaches more effective than external ones).
``hybrid``
    Embedded arms plus a central pool that takes the arms' overflow
    (overflow rules can beat both pure forms: van Dijk & van der Sluis 2008).

All three take the same parameters with the same defaults, so with equal
staffing and equal parameters none has a built-in advantage: results differ
only through queueing and the values a scenario sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from hrdsim import DeskSpec, OrgLayout, ServiceDesk, hookimpl, setting


def _overhead(default: float = 2.0) -> float:
    return setting(  # type: ignore[no-any-return]
        default, ge=0, le=200, unit="hours/request",
        doc="Travel and context-building per request, on top of the session itself.",
        source="assumption; the same default in every model (no built-in winner)",
    )


def _quality(default: float = 0.8) -> float:
    return setting(  # type: ignore[no-any-return]
        default, ge=0, le=1, unit="0-1",
        doc="Effect of one session by a developer of this desk (before context).",
        source="assumption; coaching effects ≈0.3-0.6 SD (Jones et al. 2016; Theeboom et al. "
        "2014)",
    )


def _detection(default: float = 1.0) -> float:
    return setting(  # type: ignore[no-any-return]
        default, ge=0, le=52, unit="weeks",
        doc="Time from a team's need arising to its request reaching the desk.",
        source="assumption; the same default in every model (no built-in winner)",
    )


@attrs.frozen
class DeskParams:
    overhead_hours: float = _overhead()
    quality: float = _quality()
    detection_weeks: float = _detection()


@attrs.frozen
class OctopusParams(DeskParams):
    developers_per_arm: int = setting(
        1, ge=1, le=1000, unit="developers",
        doc="Developers in each embedded arm; each arm serves a contiguous cluster of teams.",
    )


@attrs.frozen
class HybridParams:
    central_share: float = setting(
        0.34, ge=0, le=1, unit="share of developers",
        doc="Share of developers in the central pool.",
        source="assumption: about a third central, two thirds embedded near teams",
    )
    developers_per_arm: int = setting(
        1, ge=1, le=1000, unit="developers", doc="Developers in each embedded arm."
    )
    overflow_after: int = setting(
        0, ge=0, le=1000, unit="requests",
        doc="Requests already waiting at a busy arm before new ones go to the central pool.",
        source="assumption: overflow as soon as the arm is busy",
    )
    arm_overhead_hours: float = _overhead()
    arm_quality: float = _quality()
    arm_detection_weeks: float = _detection()
    central_overhead_hours: float = _overhead()
    central_quality: float = _quality()
    central_detection_weeks: float = _detection()


def arm_of_teams(teams: int, arms: int) -> np.ndarray:
    """Assign teams to arms in contiguous, nearly equal clusters (units stay together)."""
    return (np.arange(teams) * arms) // teams


class Centralised:
    def __init__(self, params: DeskParams) -> None:
        self.params = params

    def desks(self, layout: OrgLayout, developers: int) -> Sequence[DeskSpec]:
        p = self.params
        return [DeskSpec("central", developers, p.overhead_hours, p.quality, p.detection_weeks)]

    def route(self, team: int, desks: Sequence[ServiceDesk]) -> ServiceDesk:
        return desks[0]


class Octopus:
    def __init__(self, params: OctopusParams) -> None:
        self.params = params
        self.arm_of = np.zeros(0, dtype=int)

    def desks(self, layout: OrgLayout, developers: int) -> Sequence[DeskSpec]:
        p = self.params
        arms = max(min(developers // p.developers_per_arm, layout.teams), 1)
        sizes = np.full(arms, developers // arms) + (np.arange(arms) < developers % arms)
        self.arm_of = arm_of_teams(layout.teams, arms)
        return [
            DeskSpec(f"arm-{i}", int(n), p.overhead_hours, p.quality, p.detection_weeks)
            for i, n in enumerate(sizes)
        ]

    def route(self, team: int, desks: Sequence[ServiceDesk]) -> ServiceDesk:
        return desks[self.arm_of[team]]


class Hybrid:
    def __init__(self, params: HybridParams) -> None:
        self.params = params
        self.arm_of = np.zeros(0, dtype=int)
        self.arms = 0

    def desks(self, layout: OrgLayout, developers: int) -> Sequence[DeskSpec]:
        p = self.params
        central = round(developers * p.central_share)
        embedded = developers - central
        specs = []
        if embedded > 0:
            arms = max(min(embedded // p.developers_per_arm, layout.teams), 1)
            sizes = np.full(arms, embedded // arms) + (np.arange(arms) < embedded % arms)
            self.arm_of = arm_of_teams(layout.teams, arms)
            specs = [
                DeskSpec(f"arm-{i}", int(n), p.arm_overhead_hours, p.arm_quality,
                         p.arm_detection_weeks)
                for i, n in enumerate(sizes)
            ]
        self.arms = len(specs)
        specs.append(DeskSpec("central", central, p.central_overhead_hours, p.central_quality,
                              p.central_detection_weeks))
        return specs

    def route(self, team: int, desks: Sequence[ServiceDesk]) -> ServiceDesk:
        if self.arms == 0:
            return desks[-1]
        arm = desks[self.arm_of[team]]
        has_central = len(desks) > self.arms
        if has_central and arm.busy and arm.queue_length >= self.params.overflow_after:
            return desks[-1]
        return arm


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("operating_model", "centralised", lambda p, s: Centralised(p),
                 params=DeskParams, summary="One pooled queue of HR developers for all teams.")
    registry.add("operating_model", "octopus", lambda p, s: Octopus(p), params=OctopusParams,
                 summary="Developers embedded with clusters of teams, no pooling.")
    registry.add("operating_model", "hybrid", lambda p, s: Hybrid(p), params=HybridParams,
                 summary="Embedded arms plus a central pool that takes their overflow.")
