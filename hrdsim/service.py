"""Service desks: HR developers as SimPy resources with real queues.

A desk is a ``simpy.Resource`` whose capacity is its number of developers.
Requests wait first come, first served. The desk records every wait and the
work it was offered, so that its utilisation and stability can be reported.
"""

from __future__ import annotations

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

    @classmethod
    def open(cls, env: simpy.Environment, spec: DeskSpec) -> ServiceDesk:
        return cls(spec=spec, resource=simpy.Resource(env, capacity=max(spec.developers, 1)))

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
