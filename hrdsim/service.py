"""Service desks: HR developers as SimPy resources with real queues.

A desk is a ``simpy.Resource`` (a :class:`DeveloperPool`) whose capacity is its
number of developers. Requests wait first come, first served. The desk records every wait and the
work it was offered, so that its utilisation and stability can be reported.

A request is a chain of SimPy events with callbacks rather than a SimPy
process: the queue is the same, but each request costs a few microseconds
instead of a generator's resumptions. The request event itself
(:class:`_Visit`, a subclass of SimPy's ``Request``) carries what its session
needs, and its methods are the callbacks of its events, so that no closure or
helper object is made per request. The engine delivers each request to a desk
when it arrives there (after the detection delay).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import simpy
from simpy.resources.resource import Release, Request

from hrdsim.policies import DeskSpec


@attrs.define(eq=False)
class ServiceDesk:
    """A desk of HR developers during one replication.

    :ivar spec: what the operating model asked for.
    :ivar resource: the SimPy resource requests queue for (a :class:`DeveloperPool`).
    :ivar waits: time each served request waited in the queue, in weeks.
    :ivar busy_weeks: developer-weeks spent serving (sum of service times).
    :ivar offered_weeks: developer-weeks of work routed to the desk.
    :ivar arrivals: requests routed to the desk.
    :ivar helped_teams: the team of each session that ended since
        :meth:`take_helped` was last called (requests made by :meth:`serve_team`).
    :ivar helped_effects: the effect of each of those sessions.
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
    helped_teams: list[int] = attrs.field(factory=list)
    helped_effects: list[float] = attrs.field(factory=list)

    @classmethod
    def open(cls, env: simpy.Environment, spec: DeskSpec) -> ServiceDesk:
        return cls(spec=spec, resource=DeveloperPool(env, capacity=max(spec.developers, 1)),
                   env=env)

    def arrive(self, service: float, served: Callable[[], None],
               needed_at: float | None = None) -> None:
        """A request reaches the desk now and needs a developer for ``service`` weeks.

        It waits its turn, holds a developer for ``service`` weeks, and
        ``served()`` is called when its session ends (after the developer is
        released).

        :param needed_at: when the team's need arose (for the time to help);
            ``None``: now.
        """
        self._join(_Visit(self, service, self.env.now if needed_at is None else needed_at,
                          served, -1, 0.0))

    def serve_team(self, team: int, service: float, effect: float, needed_at: float) -> None:
        """Like :meth:`arrive`, but instead of calling back when the session ends,
        record ``team`` and ``effect`` in :attr:`helped_teams` and
        :attr:`helped_effects`, for the engine to apply in one step (see
        :meth:`take_helped`)."""
        self._join(_Visit(self, service, needed_at, None, team, effect))

    def take_helped(self) -> tuple[list[int], list[float]]:
        """The teams and effects of the sessions that ended since the last call,
        in the order they ended; the desk starts new lists."""
        done = self.helped_teams, self.helped_effects
        self.helped_teams, self.helped_effects = [], []
        return done

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

    def _join(self, visit: _Visit) -> None:
        """Count a request that has just reached the desk (and joined its queue)."""
        self.arrivals += 1
        self.offered_weeks += visit.service
        if visit.usage_since is None:  # every developer is busy: it waits its turn
            visit.arrived = self.env.now
            visit.callbacks.append(visit.granted)  # type: ignore[arg-type]
        else:
            self.waits.append(0.0)
            visit.begin()


class DeveloperPool(simpy.Resource):
    """A ``simpy.Resource`` that finds a released request among its users at once.

    ``simpy.Resource`` removes a released request from :attr:`users` with
    ``list.remove``, a scan of every developer in service: with hundreds of
    developers in one pool that scan costs more than the rest of the release.
    This pool remembers each user's place in :attr:`users` and fills the place of
    a released one with the last user. Only the order of :attr:`users` differs;
    requests still wait and are granted exactly as in ``simpy.Resource`` (first
    come, first served), through the hooks SimPy provides for resource subclasses.
    """

    def _do_put(self, event: Request) -> None:
        users = self.users
        if len(users) < self._capacity:
            event.user_place = len(users)  # type: ignore[attr-defined]
            users.append(event)
            event.usage_since = self._env.now
            event.succeed()

    def _do_get(self, event: Release) -> None:
        users, request = self.users, event.request
        place = getattr(request, "user_place", None)
        if place is not None and place < len(users) and users[place] is request:
            last = users.pop()
            if last is not request:
                users[place] = last
                last.user_place = place  # type: ignore[attr-defined]
            request.user_place = None  # type: ignore[attr-defined]
        event.succeed()


class _Visit(Request):
    """One request's way through a desk: SimPy's ``Request`` event, carrying its session.

    Making it joins the desk's resource queue (first come, first served) exactly as
    ``resource.request()`` does; it is granted at once if a developer is free
    (``usage_since`` is then set), or else when one is released. Its methods are
    the callbacks of its events, so no closure is made per request.
    """

    arrived: float

    def __init__(self, desk: ServiceDesk, service: float, needed_at: float,
                 served: Callable[[], None] | None, team: int, effect: float) -> None:
        self.desk = desk
        self.service = service
        self.needed_at = needed_at
        self.served = served
        self.team = team
        self.effect = effect
        super().__init__(desk.resource)

    def granted(self, _event: _Visit) -> None:
        """A developer took the request after it waited in the queue."""
        self.desk.waits.append(self.usage_since - self.arrived)  # type: ignore[operator]
        self.begin()

    def begin(self) -> None:
        """The session starts now (``usage_since``) and lasts the service time."""
        desk = self.desk
        desk.times_to_help.append(self.usage_since - self.needed_at)  # type: ignore[operator]
        simpy.Timeout(desk.env, self.service).callbacks.append(self.finish)

    def finish(self, _session: simpy.Event) -> None:
        """The session ends; the developer is free for the next request."""
        desk = self.desk
        desk.busy_weeks += self.service
        desk.resource.release(self)
        if self.served is not None:
            self.served()
        else:
            desk.helped_teams.append(self.team)
            desk.helped_effects.append(self.effect)
