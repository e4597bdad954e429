"""Bridges between silos: team playbooks and how much practice flows between teams.

Fang, C., Lee, J. & Schilling, M. A. (2010). Balancing exploration and
exploitation through structural design: the isolation of subgroups and
organizational learning. *Organization Science* 21(3):625-642.

**What it means for an organisation.** Every team keeps its own playbook -
its local "how we work here" - and learns as in March (1991): people are
socialised into their team's playbook, and the playbook harvests the practice
of the team members who do better than it. ``linking`` is the chance, each
week, that a person works with another team instead (a cross-team project, a
secondment, a community of practice, a rotation): for that week they are
socialised by that team's playbook, act alongside its members and can be
harvested by it. Back home they carry what they picked up, and their own
team's playbook can harvest it from them.

* Silos (``linking = 0``) keep views diverse across teams but let no good
  practice spread: each small team settles early on its own, partly wrong,
  playbook.
* Everyone everywhere (``linking = 1``) spreads practice fastest, so the
  organisation leads early, but views converge before the playbooks have
  learnt from the people who were right.
* Occasional bridges let good practice spread while teams stay different long
  enough to keep exploring: the highest knowledge in the long run (Fang et
  al.'s inverted U; check O1 in ``tests/test_bridges.py``).

**Variant implemented.** Fang et al. extend March's model with semi-isolated
subgroups and vary the cross-group linking; in their model people learn from
each other directly, on a network of groups whose within-group ties are
rewired to other groups with a probability. hrdsim keeps March's codes as team
playbooks (the form of check O1 in model-science §7.3) and makes the linking a
per-person, per-week chance of working with another team. Everything else is
the March variant of :mod:`hrdsim_plugins.march` (Rodan / Christensen /
Workiewicz): act, then socialise, then the codes learn. See
docs/research/march.md for the sources and the measured curve.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import hookimpl, setting
from hrdsim_plugins import _march_core as core
from hrdsim_plugins._march_core import EquilibriumResult, PathResult
from hrdsim_plugins.march import PlaybookParams, PlaybookPractice

__all__ = [
    "Bridges",
    "BridgesParams",
    "bridges_equilibrium",
    "bridges_paths",
    "code_disagreement",
]


def bridges_equilibrium(rng: np.random.Generator, runs: int, *, linking: float,
                        teams: int = 5, people: int = 50, dims: int = 30,
                        p1: float = 0.9, p2: float = 0.9,
                        max_periods: int = 20_000) -> EquilibriumResult:
    """Closed organisations of ``teams`` equal teams, each with its own code, run to equilibrium.

    ``result.code_knowledge`` is the team codes' mean net score.
    """
    return core.run_to_equilibrium(rng, runs, p1=p1, p2=p2, people=people, dims=dims,
                                   groups=teams, linking=linking, max_periods=max_periods)


def bridges_paths(rng: np.random.Generator, runs: int, periods: int, *, linking: float,
                  teams: int = 5, people: int = 50, dims: int = 30, p1: float = 0.9,
                  p2: float = 0.9, p3: float = 0.0, p4: float = 0.0) -> PathResult:
    """Time paths of the team codes' knowledge (``teams = 1``: one central code)."""
    return core.run_paths(rng, runs, periods, p1=p1, p2=p2, p3=p3, p4=p4, people=people,
                          dims=dims, groups=teams, linking=linking)


def code_disagreement(codes: NDArray[np.int8]) -> NDArray[np.float64]:
    """Share of aspects on which the team codes do not all hold the same view, ``(runs,)``."""
    differs = (codes != codes[:, :1, :]).any(axis=1)
    return differs.mean(axis=1)  # type: ignore[no-any-return]


@attrs.frozen
class BridgesParams(PlaybookParams):
    """Parameters of ``bridges``: a playbook per team, linked by people working across teams."""

    linking: float = setting(
        0.03, ge=0, le=1, unit="probability per person-week",
        doc="Chance per week that a person works with another team - socialised by, acting "
        "with and harvested by its playbook (0 = silos, 1 = everyone mixes every week).",
        source="Fang, Lee & Schilling 2010 (moderate cross-group linking is best); 0.03 "
        "sits on the top of the inverted U measured in docs/research/march.md",
    )


class Bridges(PlaybookPractice):
    """Practice ``bridges``: team playbooks with knowledge flowing through people who link teams."""

    def __init__(self, params: BridgesParams, scenario: Any = None) -> None:
        super().__init__(params, scenario, name="bridges", by_team=True, linking=params.linking)

    def outcomes(self) -> dict[str, float]:
        """Team playbooks' and people's knowledge (net score, -1 to 1) at the end.

        ``bridges_team_code_knowledge``: the team playbooks' mean net score;
        ``bridges_team_code_knowledge_average``: its average over the weeks;
        ``bridges_individual_knowledge``: people's mean net score;
        ``bridges_team_code_correct_share``: share of aspects the playbooks have right;
        ``bridges_code_disagreement``: share of aspects on which teams' playbooks differ.
        """
        summary = self._summary()
        if self.world is None:
            return {}
        return {
            "bridges_team_code_knowledge": summary["knowledge"],
            "bridges_team_code_knowledge_average": summary["knowledge_average"],
            "bridges_individual_knowledge": summary["individual_knowledge"],
            "bridges_team_code_correct_share": summary["correct_share"],
            "bridges_code_disagreement": float(code_disagreement(self.world.codes)[0]),
        }


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("practice", "bridges", Bridges, params=BridgesParams,
                 summary="Team playbooks that learn from their members, linked by people who "
                 "work across teams (Fang, Lee & Schilling 2010).")
