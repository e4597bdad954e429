"""Typed domain events, delivered to plugins through one observer hook.

The engine emits an event when something happens that a plugin may want to
react to or record; plugins receive it in :func:`hrdsim_event
<hrdsim.hookspecs.hrdsim_event>`. Events are frozen, and are never emitted per
employee or per week: only for things that happen to the organisation.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Event:
    """Base of every event. :ivar week: simulated time, in weeks."""

    week: float


@attrs.frozen
class StrategyShifted(Event):
    """The strategy's required skills changed.

    :ivar label: the shift's name from the scenario, or ``"random"``.
    :ivar required: the new required level of every skill.
    :ivar obsolete: skills that were needed before and are not now (to unlearn).
    """

    label: str
    required: dict[str, float]
    obsolete: tuple[str, ...]


@attrs.frozen
class QueueSaturated(Event):
    """A service desk got more work than its developers can do (offered load ≥ 1).

    Emitted once, at the end of the run, for each such desk.
    """

    desk: str
    offered_load: float
