"""Service desks: HR developers as SimPy resources with real queues.

A desk is a ``simpy.Resource`` whose capacity is its number of developers.
Requests wait first come, first served. The desk records every wait and the
work it was offered, so that its utilisation and stability can be reported.

A request is a chain of SimPy events with callbacks (queue, session) rather
than a SimPy process: the queue is the same, but each request costs a few
microseconds instead of a generator's resumptions. The engine delivers each
request to a desk when it arrives there (after the detection delay).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import simpy

from hrdsim.policies import DeskSpec


@attrs.define(eq=False)
class ServiceDesk:
    """A desk of HR developers during one replication.

    :ivar spec: what the operating model asked for.
    :ivar resource: the SimPy resource requests queue for.
    :ivar waits: time each served request waited in the queue, in weeks.
    :ivar busy_weeks: developer-weeks spent serving (sum of service times).
    :ivar offered_weeks: developer-weeks of work routed to the desk.
    :ivar arrivals: requests routed to the desk.
    """

    spec: DeskSpec
    resource: simpy.Resource
    waits: list[float] = attrs.field(factory=list)
    busy_weeks: float = 0.0
    offered_weeks: float = 0.0
    arrivals: int = 0
    env: simpy.Environment = attrs.field(
        default=attrs.Factory(lambda self: self.resource._env, takes_self=True)
    )
    #: time from each served request's need arising to a developer starting on it
    times_to_help: list[float] = attrs.field(factory=list)

    @classmethod
    def open(cls, env: simpy.Environment, spec: DeskSpec) -> ServiceDesk:
        return cls(spec=spec, resource=simpy.Resource(env, capacity=max(spec.developers, 1)),
                   env=env)

    def arrive(self, service: float, served: Callable[[], None],
               needed_at: float | None = None) -> None:
        """A request reaches the desk now and needs a developer for ``service`` weeks.

        It waits its turn, holds a developer for ``service`` weeks, and
        ``served()`` is called when its session ends.

        :param needed_at: when the team's need arose (for the time to help);
            ``None``: now.
        """
        _Visit(self, service, served, self.env.now if needed_at is None else needed_at).arrive()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def busy(self) -> bool:
        """All developers are serving someone."""
        return self.resource.count >= self.resource.capacity

    @property
    def queue_length(self) -> int:
        return len(self.resource.queue)

    def offered_load(self, weeks: float) -> float:
        """Work routed to the desk per developer-week of capacity (ρ)."""
        capacity = self.spec.developers * weeks
        return self.offered_weeks / capacity if capacity > 0 else float("inf")

    def waits_array(self) -> np.ndarray:
        return np.asarray(self.waits, dtype=float)


class _Visit:
    """One request's way through a desk: the callbacks of its SimPy events."""

    __slots__ = ("arrived", "desk", "needed_at", "request", "served", "service")

    def __init__(self, desk: ServiceDesk, service: float, served: Callable[[], None],
                 needed_at: float) -> None:
        self.desk = desk
        self.service = service
        self.served = served
        self.needed_at = needed_at

    def arrive(self) -> None:
        """The request reaches the desk and joins its queue."""
        desk = self.desk
        desk.arrivals += 1
        desk.offered_weeks += self.service
        self.arrived = desk.env.now
        self.request = desk.resource.request()
        if self.request.triggered:  # a developer was free: the session starts now
            self.start()
        else:
            self.request.callbacks.append(self.start)

    def start(self, _event: simpy.Event | None = None) -> None:
        """A developer takes the request."""
        desk = self.desk
        desk.waits.append(desk.env.now - self.arrived)
        desk.times_to_help.append(desk.env.now - self.needed_at)
        simpy.Timeout(desk.env, self.service).callbacks.append(self.finish)

    def finish(self, _: simpy.Event) -> None:
        """The session ends; the developer is free for the next request."""
        desk = self.desk
        desk.busy_weeks += self.service
        desk.resource.release(self.request)
        self.served()
