"""Service desks: HR developers as SimPy resources with real queues.

A desk is a ``simpy.Resource`` (a :class:`DeveloperPool`) whose capacity is its
number of developers. Requests wait first come, first served. The desk records every wait and the
work it was offered, so that its utilisation and stability can be reported.

A request is not a SimPy process but a :class:`_Visit`, a subclass of SimPy's
``Request`` event that carries what its session needs and whose methods carry it
on: the desk seats or queues it in its :class:`DeveloperPool` (first come, first
served), and the visit's own event is scheduled to be processed when its session
ends. A request thus costs one scheduled event beyond its arrival, and no
generator, closure or helper object. The engine delivers each request to a desk
when it arrives there (after the detection delay).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import simpy
from simpy.events import NORMAL
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
    resource: DeveloperPool
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
        free and the first waiting request, if any, has taken them).

        :param needed_at: when the team's need arose (for the time to help);
            ``None``: now.
        """
        _Visit(self, service, self.env.now if needed_at is None else needed_at, served, -1, 0.0)

    def serve_team(self, team: int, service: float, effect: float, needed_at: float) -> None:
        """Like :meth:`arrive`, but instead of calling back when the session ends,
        record ``team`` and ``effect`` in :attr:`helped_teams` and
        :attr:`helped_effects`, for the engine to apply in one step (see
        :meth:`take_helped`)."""
        _Visit(self, service, needed_at, None, team, effect)

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


class DeveloperPool(simpy.Resource):
    """A ``simpy.Resource`` on which a desk's visits skip SimPy's idle events.

    Requests made with :meth:`request` and freed with :meth:`release` work exactly as
    in ``simpy.Resource``. A desk's visits (:class:`_Visit`) share the same queue
    (:attr:`queue`, first come, first served) and developers (:attr:`users`), and
    a waiting one is seated by the same :meth:`_do_put` in SimPy's own
    :meth:`_trigger_put` loop, but:

    * a visit that arrives while a developer is free is seated at once
      (:meth:`admit`), and a waiting one the moment a developer is freed: its
      ``Request`` event is triggered without being scheduled, as no process waits
      on it, and is scheduled instead for the end of its session;
    * a visit's developer is freed by :meth:`free` when its session ends, which
      seats the first waiting request at once, rather than by a ``Release`` event
      processed later at the same simulated time.

    So a session costs one scheduled event instead of three (a ``Request``, a
    ``Timeout`` and a ``Release``), and every request is seated at the same time
    and in the same order as by ``simpy.Resource``.

    The pool also remembers each user's place in :attr:`users` and fills the place
    of a freed one with the last user, where ``simpy.Resource`` scans every
    developer in service (``list.remove``); only the order of :attr:`users` differs.
    """

    def admit(self, visit: _Visit) -> bool:
        """A visit reaches the pool now: seat it if a developer is free and nobody is
        waiting (``True``), or else queue it behind the waiting requests (``False``;
        :meth:`_Visit.granted` is called when a developer takes it)."""
        users = self.users
        if len(users) < self._capacity and not self.put_queue:
            visit.user_place = len(users)
            users.append(visit)
            visit.usage_since = self._env.now
            visit._ok, visit._value = True, None  # triggered, and nobody waits on it
            return True
        self.put_queue.append(visit)
        return False

    def free(self, request: Request) -> None:
        """``request``'s developer is free now; the first waiting request takes them."""
        self._unseat(request)
        if self.put_queue:
            self._trigger_put(None)

    def _do_put(self, event: Request) -> None:
        if len(self.users) < self._capacity:
            self._seat(event)
            if isinstance(event, _Visit):
                event._ok, event._value = True, None
                event.granted()
            else:
                event.succeed()

    def _do_get(self, event: Release) -> None:
        self._unseat(event.request)
        event.succeed()

    def _seat(self, request: Request) -> None:
        users = self.users
        request.user_place = len(users)  # type: ignore[attr-defined]
        users.append(request)
        request.usage_since = self._env.now

    def _unseat(self, request: Request) -> None:
        users = self.users
        place = getattr(request, "user_place", None)
        if place is not None and place < len(users) and users[place] is request:
            last = users.pop()
            if last is not request:
                users[place] = last
                last.user_place = place  # type: ignore[attr-defined]
            request.user_place = None  # type: ignore[attr-defined]


class _Visit(Request):
    """One request's way through a desk: a SimPy ``Request`` event carrying its session.

    A visit is made without joining a queue (it skips ``Request.__init__``'s
    ``put_queue`` step): the desk hands it to :meth:`DeveloperPool.admit`, which
    seats or queues it. Its methods are the desk's continuations, so no closure
    or process is made per request.
    """

    arrived: float
    user_place: int | None

    def __init__(self, desk: ServiceDesk, service: float, needed_at: float,
                 served: Callable[[], None] | None, team: int, effect: float) -> None:
        env = desk.env
        simpy.Event.__init__(self, env)
        pool = self.resource = desk.resource
        self.proc = None
        self.desk = desk
        self.service = service
        self.needed_at = needed_at
        self.served = served
        self.team = team
        self.effect = effect
        desk.arrivals += 1
        desk.offered_weeks += service
        if pool.admit(self):
            desk.waits.append(0.0)
            self.begin()
        else:  # every developer is busy: it waits its turn
            self.arrived = env.now

    def granted(self) -> None:
        """A developer took the request after it waited in the queue."""
        self.desk.waits.append(self.usage_since - self.arrived)  # type: ignore[operator]
        self.begin()

    def begin(self) -> None:
        """The session starts now (``usage_since``) and lasts the service time: the
        visit's own event is processed when it ends."""
        desk = self.desk
        desk.times_to_help.append(self.usage_since - self.needed_at)  # type: ignore[operator]
        self.callbacks.append(self.finish)  # type: ignore[union-attr]
        desk.env.schedule(self, NORMAL, self.service)

    def finish(self, _visit: _Visit) -> None:
        """The session ends; the developer is free for the next request."""
        desk = self.desk
        desk.busy_weeks += self.service
        desk.resource.free(self)
        if self.served is not None:
            self.served()
        else:
            desk.helped_teams.append(self.team)
            desk.helped_effects.append(self.effect)
