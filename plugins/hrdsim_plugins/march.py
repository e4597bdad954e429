"""A shared playbook that learns from its best practitioners: March (1991).

March, J. G. (1991). Exploration and exploitation in organizational learning.
*Organization Science* 2(1):71-87. doi:10.1287/orsc.2.1.71

**What it means for an organisation.** The organisation keeps a *playbook* -
its code of "how we work here" - on a number of separate aspects of good
practice (March's dimensions of reality). People hold their own views on each
aspect. Every week:

* people *act* on their views (where they have none, they improvise);
* people are *socialised* into the playbook: onboarding, formal training and
  norms pull each person, one step at a time, towards the playbook's view
  (March's ``p1``, here ``socialisation``);
* the playbook *harvests practice*: it adopts the way of working of the
  people who did better than the playbook this week, the more readily the
  more of them agree (March's ``p2``, here ``harvesting``).

Fast socialisation makes everyone agree early, before the playbook has had the
chance to learn from the people who were right: the organisation exploits what
it already believes and stops exploring. Slow socialisers keep the diversity
the playbook learns from; a mix of fast and slow beats everyone at the middle
rate. Turnover (``p3``) brings in newcomers with fresh views; a strategic
shift (``p4``) turns some of what was right into what is now wrong, and
without newcomers the organisation cannot relearn.

**Variant implemented (it moves the numbers; see docs/research/march.md).**
The *Rodan (2005) / Christensen (2015) reading of March's original program,
as recreated by Workiewicz (2019)*: each period people act, then socialise,
then the code learns; a 0-belief is acted on by coin flip; the superior group
is everyone whose *performance* (Σ action × reality) beats the code's score
(Σ code × reality); socialisation is gradual (an opposite belief first
becomes 0); knowledge is the net score (#right − #wrong)/m; a run without
turnover and turbulence stops at equilibrium, when no one can beat the code
even with perfect luck and no one can still be socialised. With m = 30,
n = 50 it reproduces Workiewicz's 10,000-run table within ±0.01
(``REFERENCE_TABLE``; ``tests/test_march.py``).

**In hrdsim** (practice ``march_code``) one March period is one week; every
employee is one of March's individuals. The weekly socialisation rate can
depend on the team's facilitation level (``facilitation_weight``), strategic
shifts flip aspects of the right practice in proportion to how far the
strategy's emphasis moved, and - only if you set ``productivity_coupling`` -
people who know more work faster.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import hookimpl, setting
from hrdsim.policies import Levers, WeekState
from hrdsim_plugins import _march_core as core
from hrdsim_plugins._march_core import (
    EquilibriumResult,
    MarchState,
    PathResult,
    run_paths,
    run_to_equilibrium,
)

__all__ = [
    "REFERENCE_TABLE",
    "EquilibriumResult",
    "MarchCode",
    "MarchCodeParams",
    "MarchState",
    "PathResult",
    "mixed_socialisation",
    "run_paths",
    "run_to_equilibrium",
    "strategy_shift_size",
]

#: Equilibrium net-score knowledge of the code, m = 30, n = 50, p3 = p4 = 0,
#: 10,000 runs per cell: ``REFERENCE_TABLE[(p1, p2)]``. Workiewicz,
#: ``Mac13kW/March_1991_Original``, file ``Output/March_1991_p1_0.1-0.9_p2_
#: 0.1-0.9_p3_0_p4_0_t_limit_100_i_10000.csv`` (via model-science §1.4).
REFERENCE_TABLE: dict[tuple[float, float], float] = {
    (p1, p2): value
    for p1, row in zip(
        (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
        (
            (0.863, 0.954, 0.972),
            (0.817, 0.909, 0.940),
            (0.805, 0.869, 0.908),
            (0.802, 0.837, 0.874),
            (0.799, 0.811, 0.840),
            (0.803, 0.787, 0.807),
            (0.806, 0.768, 0.780),
            (0.809, 0.754, 0.756),
            (0.813, 0.742, 0.728),
        ),
        strict=True,
    )
    for p2, value in zip((0.1, 0.5, 0.9), row, strict=True)
}


def mixed_socialisation(people: int, fast: int, fast_rate: float = 0.9,
                        slow_rate: float = 0.1) -> NDArray[np.float64]:
    """One socialisation rate per person: ``fast`` fast learners, the rest slow (March's Fig. 2)."""
    if not 0 <= fast <= people:
        raise ValueError("fast must be between 0 and people")
    return np.r_[np.full(fast, fast_rate), np.full(people - fast, slow_rate)]


def strategy_shift_size(before: NDArray[np.float64], after: NDArray[np.float64]) -> float:
    """How far the strategy's emphasis moved, 0-1.

    The total-variation distance between the required-skill profiles, each
    normalised to sum to 1: the share of the strategy's emphasis that moved
    from some skills to others. 0 when nothing changed, 1 when the new
    strategy needs only skills the old one did not.
    """
    a, b = before.sum(), after.sum()
    if a <= 0 or b <= 0:
        return 0.0 if a == b else 1.0
    return float(0.5 * np.abs(before / a - after / b).sum())


# -- the practice ---------------------------------------------------------------------


def _probability(default: float, doc: str, source: str, unit: str = "probability per week"
                 ) -> Any:
    return setting(default, ge=0, le=1, unit=unit, doc=doc, source=source)


@attrs.frozen
class PlaybookParams:
    """What the playbook practices share (``march_code`` and ``bridges``)."""

    dimensions: int = setting(
        30, ge=1, le=127, unit="aspects",
        doc="Separate aspects of good practice the playbook has a view on (March's m).",
        source="March 1991 (m = 30)",
    )
    socialisation: float = _probability(
        0.5, "Chance per week and aspect that a person who differs from the playbook moves "
        "one step towards it (March's p1): onboarding, training and norms.",
        "March 1991 (p1 from 0.1 to 0.9); 0.5 is the middle of his range",
    )
    harvesting: float = _probability(
        0.5, "Chance per week and aspect, per net supporter, that the playbook adopts the "
        "practice of the people who did better than it (March's p2).",
        "March 1991 (p2 = 0.1, 0.5, 0.9); 0.5 is the middle of his range",
    )
    fast_share: float = _probability(
        0.0, "Share of people who socialise at fast_socialisation instead (fast/slow mix).",
        "March 1991 Fig. 2 (mix of p1 = 0.1 and 0.9); 0 = everyone alike",
        unit="share of people",
    )
    fast_socialisation: float = _probability(
        0.9, "Socialisation chance of the fast share of people.",
        "March 1991 Fig. 2 (fast learners p1 = 0.9)",
    )
    facilitation_weight: float = _probability(
        0.0, "Share of socialisation that depends on the team's facilitation level "
        "(0 = none: socialisation is the same with or without facilitation).",
        "assumption: facilitation near teams carries the playbook to people; off by default "
        "so the March dynamics stand alone", unit="share",
    )
    turnover: float = _probability(
        0.002, "Chance per week that a person is replaced by a newcomer with fresh views "
        "(March's p3).",
        "assumption: about 10% of staff a year (1 - 0.998^52 = 0.099), a common annual "
        "turnover; March 1991 used 0 to 0.3 per period",
    )
    turbulence: float = _probability(
        0.0, "Background chance per week that an aspect of good practice reverses (March's "
        "p4), besides strategic shifts.",
        "assumption: change comes through the scenario's strategic shifts; March 1991 "
        "used p4 = 0.02 per period",
    )
    shift_turbulence: float = _probability(
        1.0, "At a strategic shift, chance that an aspect of good practice reverses, per "
        "unit of shift size (the share of the strategy's emphasis that moved).",
        "assumption: a shift that moves all emphasis makes every old aspect of practice "
        "a coin flip; smaller shifts in proportion", unit="probability per unit shift",
    )
    productivity_coupling: float = setting(
        0.0, ge=0, le=0.5, unit="productivity per unit knowledge",
        doc="How much people's knowledge (net score, -1 to 1) raises their productivity: "
        "factor 1 + coupling × knowledge.",
        source="assumption: hrdsim's capability already drives productivity; this link is "
        "off by default so the playbook does not count twice",
    )


@attrs.frozen
class MarchCodeParams(PlaybookParams):
    """Parameters of ``march_code``: one playbook for the whole organisation."""


class PlaybookPractice:
    """One March world per replication, advanced one period per week.

    :param params: the practice's parameters.
    :param scenario: the scenario (unused; kept for the factory signature).
    :param name: outcome prefix.
    :param by_team: whether every team keeps its own code.
    :param linking: probability per week that a person works with another team.
    """

    def __init__(self, params: PlaybookParams, scenario: Any = None, *, name: str = "march_code",
                 by_team: bool = False, linking: float = 0.0) -> None:
        self.params = params
        self.name = name
        self.by_team = by_team
        self.linking = linking
        self.world: MarchState | None = None
        self._base_rate: NDArray[np.float64] = np.empty(0)
        self._required: NDArray[np.float64] | None = None
        self._weeks = 0
        self._knowledge_sum = 0.0

    def _start(self, org: Any, rng: np.random.Generator) -> MarchState:
        p = self.params
        people = int(org.layout.employees)
        groups = org.team_of if self.by_team else 1
        world = core.start(rng, 1, people=people, dims=p.dimensions, groups=groups)
        fast = rng.random(people) < p.fast_share
        self._base_rate = np.where(fast, p.fast_socialisation, p.socialisation)
        self.world = world
        return world

    def adjust(self, state: WeekState, org: Any, levers: Levers,
               rng: np.random.Generator) -> None:
        """Play one March period (a week) and pass knowledge on to productivity."""
        world = self.world if self.world is not None else self._start(org, rng)
        p = self.params
        turbulence = p.turbulence
        required = np.asarray(org.required, dtype=float)
        if self._required is not None and not np.array_equal(required, self._required):
            shift = min(1.0, p.shift_turbulence * strategy_shift_size(self._required, required))
            turbulence = 1.0 - (1.0 - turbulence) * (1.0 - shift)
        self._required = required.copy()
        rate = self._base_rate
        if p.facilitation_weight > 0.0:
            level = org.by_employee(np.asarray(state.facilitation, dtype=float))
            rate = rate * (1.0 - p.facilitation_weight + p.facilitation_weight * level)
        core.step(world, rng, rate[None, :], p.harvesting, p.turnover, turbulence, self.linking)
        self._weeks += 1
        self._knowledge_sum += float(core.code_knowledge(world).mean())
        if p.productivity_coupling > 0.0:
            knowledge = core.individual_knowledge(world)[0]
            levers.productivity *= 1.0 + p.productivity_coupling * knowledge

    def _summary(self) -> dict[str, float]:
        world = self.world
        if world is None:
            return {}
        return {
            "knowledge": float(core.code_knowledge(world).mean()),
            "knowledge_average": self._knowledge_sum / max(self._weeks, 1),
            "individual_knowledge": float(core.individual_knowledge(world).mean()),
            "correct_share": float(core.code_correct(world).mean()),
        }


class MarchCode(PlaybookPractice):
    """Practice ``march_code``: one organisational playbook (March 1991)."""

    def __init__(self, params: MarchCodeParams, scenario: Any = None) -> None:
        super().__init__(params, scenario, name="march_code")

    def outcomes(self) -> dict[str, float]:
        """The playbook's and the people's knowledge (net score, -1 to 1) at the end.

        ``march_code_knowledge``: the playbook's net score;
        ``march_code_knowledge_average``: its average over the weeks;
        ``march_code_individual_knowledge``: people's mean net score;
        ``march_code_correct_share``: share of aspects the playbook has right.
        """
        return {f"march_code_{k}": v for k, v in self._summary().items()}


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("practice", "march_code", MarchCode, params=MarchCodeParams,
                 summary="A shared playbook that harvests its best practitioners' ways while "
                 "people socialise to it (March 1991).")
