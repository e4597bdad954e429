"""Learning-time allocation: how much time people get for learning, and how
much of it survives the pressure of work.

Three policies, from least to most protected:

``leftover``
    People learn only with the time work leaves. When fires and backlog fill
    the week, learning stops: the firefighting loop of the capability trap
    (Repenning & Sterman 2002).
``fixed_share``
    A planned share of hours, which work pressure erodes: when work needs
    more than the hours not planned for learning, it takes a share
    (``erosion``) of the overflow from learning.
``protected``
    A floor of learning time that work pressure cannot take, with any
    planned time above the floor erodible as in ``fixed_share``. The source
    text asks for time and room for learning to be secured structurally.

Every policy splits its learning time over the three 70-20-10 modes by the
explicit ``on_the_job``/``social``/``formal`` parameters.
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import MixParams, WeekState, hookimpl, setting
from hrdsim.params import InvalidValue


@attrs.frozen
class LeftoverParams(MixParams):
    slack_use: float = setting(
        0.5, ge=0, le=1, unit="share",
        doc="Share of the hours work leaves free that people spend learning.",
        source="assumption: spare time is partly used for other things",
    )
    max_share: float = setting(
        0.1, ge=0, le=1, unit="share of hours",
        doc="Most of the week people would spend learning if work left the time (the plan).",
        source="assumption: half a day a week, as the protected policy plans, so the two "
        "differ in protection, not in ambition",
    )


class Leftover:
    """Learn only with the time work leaves."""

    def __init__(self, params: LeftoverParams) -> None:
        self.params = params
        self.mix = params.mix

    def plan(self, state: WeekState) -> NDArray[np.float64]:
        return self.params.max_share * state.team_hours

    def realise(self, planned: NDArray[np.float64], state: WeekState) -> NDArray[np.float64]:
        slack = np.maximum(state.team_hours - state.needed_work_hours, 0.0)
        return np.minimum(planned, self.params.slack_use * slack)


@attrs.frozen
class FixedShareParams(MixParams):
    share: float = setting(
        0.05, ge=0, le=1, unit="share of hours",
        doc="Share of contracted hours planned for learning.",
        source="assumption; Bersin (2014) reports about 1% of the week in practice",
    )
    erosion: float = setting(
        0.7, ge=0, le=1, unit="share",
        doc="Share of work's overflow (hours work needs beyond those not planned for "
        "learning) taken from learning time.",
        source="assumption: most, not all, urgent work displaces learning "
        "(Repenning & Sterman 2001)",
    )


@attrs.frozen
class ProtectedParams(FixedShareParams):
    share: float = setting(
        0.1, ge=0, le=1, unit="share of hours",
        doc="Share of contracted hours planned for learning.",
        source="assumption: a structural commitment such as half a day a week",
    )
    floor: float = setting(
        0.1, ge=0, le=1, unit="share of hours",
        doc="Share of contracted hours that work pressure cannot take from learning.",
        source="assumption; a protected floor removes the capability trap's bad equilibrium "
        "(docs/model.md, capability trap)",
    )

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.floor > self.share:
            raise InvalidValue(
                "floor", f"{self.floor:g} is above the planned share {self.share:g}; "
                "expected floor ≤ share",
            )


class ShareOfHours:
    """A planned share of hours, of which everything above ``floor`` is erodible."""

    def __init__(self, params: FixedShareParams, floor: float = 0.0) -> None:
        self.params = params
        self.floor = floor
        self.mix = params.mix

    def plan(self, state: WeekState) -> NDArray[np.float64]:
        return self.params.share * state.team_hours

    def realise(self, planned: NDArray[np.float64], state: WeekState) -> NDArray[np.float64]:
        overflow = np.maximum(state.needed_work_hours - (state.team_hours - planned), 0.0)
        protected = np.minimum(self.floor * state.team_hours, planned)
        taken = np.minimum(self.params.erosion * overflow, planned - protected)
        return planned - taken


def _fixed_share(params: FixedShareParams, scenario: object) -> ShareOfHours:
    return ShareOfHours(params)


def _protected(params: ProtectedParams, scenario: object) -> ShareOfHours:
    return ShareOfHours(params, floor=params.floor)


def _leftover(params: LeftoverParams, scenario: object) -> Leftover:
    return Leftover(params)


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("learning", "leftover", _leftover, params=LeftoverParams,
                 summary="Learn only with the time work leaves.")
    registry.add("learning", "fixed_share", _fixed_share, params=FixedShareParams,
                 summary="A planned share of hours that work pressure erodes.")
    registry.add("learning", "protected", _protected, params=ProtectedParams,
                 summary="A floor of learning time work pressure cannot take.")
