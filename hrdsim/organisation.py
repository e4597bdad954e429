"""The organisation's state during a run: NumPy arrays, no object per employee.

Employees are numbered so that each team's members are contiguous; team
totals are row sums of a reshaped array when every team has the same size, and
``np.add.reduceat`` over ``team_start`` otherwise. The employees × skills
arrays are stored column by column (Fortran order): every weekly operation
combines them with one value per employee, which then runs over contiguous
memory.
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim.policies import OrgLayout
from hrdsim.scenario import Scenario


@attrs.define(eq=False)
class OrgState:
    """Everything that changes during a run (the only mutable domain state).

    :ivar capability: consolidated capability, employees × skills, in [0, 1].
    :ivar fresh: new learning not yet consolidated (fades unless supported);
        ``capability + fresh`` never exceeds 1.
    :ivar required: the strategy's required level of each skill.
    :ivar backlog: unfinished work per team, in standard hours.
    :ivar facilitation: each team's facilitation level in [0, 1].
    :ivar team_size: the size of every team when all teams are equally large,
        0 when they are not (only the speed of team sums depends on it).
    """

    layout: OrgLayout
    team_of: NDArray[np.int64]
    team_start: NDArray[np.int64]
    hours: NDArray[np.float64]
    agility: NDArray[np.float64]
    capability: NDArray[np.float64]
    fresh: NDArray[np.float64]
    required: NDArray[np.float64]
    backlog: NDArray[np.float64]
    facilitation: NDArray[np.float64]
    team_size: int = 0

    def team_sum(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum a per-employee array (first axis) over each team."""
        if self.team_size and values.ndim == 1:
            # one row per team; einsum sums short rows far faster than .sum(axis=1)
            return np.einsum("ij->i", values.reshape(-1, self.team_size))
        return np.add.reduceat(values, self.team_start, axis=0)

    def by_employee(self, values: NDArray[np.float64],
                    out: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
        """Give each employee their team's value of a per-team array.

        :param out: an array of one value per employee to write them into
            (``None``: a new array).
        """
        if out is not None:
            if self.team_size and values.ndim == 1:
                out.reshape(-1, self.team_size)[...] = values[:, None]
                return out
            return np.take(values, self.team_of, axis=0, out=out)
        if self.team_size:
            return np.repeat(values, self.team_size, axis=0)
        return values[self.team_of]

    @property
    def effective(self) -> NDArray[np.float64]:
        """Capability usable at work: consolidated plus fresh learning."""
        effective = self.capability + self.fresh
        return np.minimum(effective, 1.0, out=effective)


def build_organisation(scenario: Scenario, rng: np.random.Generator) -> OrgState:
    """Create the starting organisation of one replication.

    Starting capability is normal around ``initial_capability`` for skills the
    strategy needs at the start and around ``new_skill_capability`` for the
    others, clipped to [0, 1]; agility is lognormal with median 1.
    """
    org = scenario.organisation
    teams, size = org.teams, org.team_size
    n = teams * size
    skills = scenario.skills
    required = np.array([scenario.strategy.required.get(s, 0.0) for s in skills])
    mean = np.where(required > 0, org.initial_capability, org.new_skill_capability)
    capability = np.asfortranarray(np.clip(
        rng.normal(mean, org.initial_capability_sd, size=(n, len(skills))), 0.0, 1.0
    ))
    agility = rng.lognormal(0.0, org.agility_sd, size=n)
    part_time = rng.random(n) < org.part_time_share
    hours = np.where(part_time, org.part_time_hours, org.hours_per_week)
    team_of = np.repeat(np.arange(teams), size)
    team_start = np.arange(teams) * size
    team_unit = np.repeat(np.arange(org.units), org.teams_per_unit)
    layout = OrgLayout(
        units=org.units,
        teams=teams,
        employees=n,
        team_unit=team_unit,
        team_size=np.full(teams, size),
        team_hours=np.add.reduceat(hours, team_start),
    )
    return OrgState(
        layout=layout,
        team_of=team_of,
        team_start=team_start,
        hours=hours,
        agility=agility,
        capability=capability,
        fresh=np.zeros_like(capability),
        required=required,
        backlog=np.zeros(teams),
        facilitation=np.zeros(teams),
        team_size=size,
    )
