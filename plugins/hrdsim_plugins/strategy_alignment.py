"""Strategy alignment: linking people's own learning to the strategy, and unlearning
what a strategic shift makes obsolete.

``strategy_alignment`` (a practice)
    The source text puts three things at the centre of leading a learning
    organisation: a clear strategic direction, *linking people's own
    learning aspirations to shared goals and to changes in the environment*,
    and dialogue. Its first focus point asks of every strategic choice what
    learning - *and unlearning* - it demands. This practice does both.

**What it does, in HR terms.**

* *Learning is linked to the strategy.* ``alignment`` is the share of
  people's learning aimed at the strategy's gaps - what development
  dialogues, personal development plans agreed against the strategy and a
  visible skills roadmap achieve. The rest follows people's own interests,
  spread evenly over all skills. With ``alignment = 0`` learning is spread
  evenly; with 1 it goes wholly to each person's gaps, in proportion to
  their size. Without the practice the scenario's
  ``dynamics.learning_alignment`` (0.8 by default) applies.
* *After a shift, the organisation says what to stop.* When the strategy
  stops needing a skill (its required level falls from above 0 to 0, as
  the engine's ``StrategyShifted`` event reports it as obsolete), people
  actively unlearn it for ``unlearning_weeks``: the old routines are retired
  from processes, tools and expectations, so the skill is forgotten at an
  extra rate ``unlearning_rate`` on top of the plain forgetting of an unused
  skill (half-life 28 weeks; Tatel & Ackerman 2025). Organisational
  unlearning is the deliberate discarding of obsolete routines to make room
  for new ones (Hedberg 1981; Tsang & Zahra 2008).
* *Learning is refocused for the same period.* While unlearning runs, at
  least ``refocus_alignment`` of learning is aimed at the new strategy's
  gaps: the organisation says explicitly what to learn instead.
* *Old routines compete for attention (optional).* With ``interference``
  above 0, the obsolete skill people still hold slows their learning: every
  learning mode's rate is multiplied by ``1 − interference · H_i``, where
  ``H_i`` is the share of the old required level the person still holds in
  obsolete skills (proactive interference between old and new routines).
  Unlearning then *frees attention*: the faster the old skill goes, the
  sooner learning runs at full speed. It is off (0) by default because its
  size has not been measured, and because the engine itself has no such
  interference - without the practice, holding an obsolete skill costs
  nothing, so a default above 0 would make the practice look worse than no
  practice.

**How it notices a shift.** Every week the practice compares the
strategy's required levels (``org.required``) with last week's. Skills
whose level fell from above 0 to 0 are obsolete (the same rule as the
engine's ``StrategyShifted.obsolete``); a skill that is needed again leaves
the obsolete set. Random shifts (``strategy.random_shifts_per_year``) move
required levels only part of the way, so they rarely make a skill obsolete
and rarely trigger unlearning.

**Equations** (per employee *i*, skill *k*, in week *t*; ``t_s`` = week of the
latest shift that made a skill obsolete, ``O`` = obsolete skills, ``r⁰_k`` =
a skill's required level before it became obsolete):

* alignment lever ``α_i = alignment``, or ``max(alignment,
  refocus_alignment)`` while ``t − t_s < unlearning_weeks``; the engine then
  aims ``α_i · gap_ik / Σ_k gap_ik + (1 − α_i) / K`` of the learning at skill *k*;
* forgetting lever ``+ unlearning_rate`` for ``k ∈ O`` while
  ``t − t_s < unlearning_weeks``, so
  ``C_ik ← C_ik · exp(−unlearning_rate) · exp(−λ_F)``;
* learning lever, all modes, ``× (1 − interference · H_i)`` with
  ``H_i = mean_{k ∈ O} min(E_ik / r⁰_k, 1)``.

``docs/research/strategy_alignment.md`` gives the sources, the measured
effects and the limits.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim import WeekState, hookimpl, setting

__all__ = ["StrategyAlignment", "StrategyAlignmentParams"]


@attrs.frozen
class StrategyAlignmentParams:
    """Parameters of ``strategy_alignment``: learning linked to strategy; unlearning."""

    alignment: float = setting(
        0.95, ge=0, le=1, unit="share",
        doc="Share of people's learning aimed at the strategy's gaps; the rest follows "
        "their own interests evenly across skills.",
        source="assumption: when development plans are agreed against the strategy in "
        "dialogue, nearly all learning targets its gaps (source text, point 4); the "
        "scenario default without the practice is 0.8",
    )
    unlearning_rate: float = setting(
        0.05, ge=0, le=5, unit="1/week",
        doc="Extra forgetting rate of a skill the strategy made obsolete while it is "
        "actively unlearnt (0 = plain forgetting only).",
        source="assumption: retiring old routines from processes and tools about triples "
        "the forgetting of an unused skill (0.0246/week, half-life 28 weeks: Tatel & "
        "Ackerman 2025), giving a half-life of about 9 weeks",
    )
    unlearning_weeks: int = setting(
        26, ge=0, le=5200, unit="weeks",
        doc="How long after a shift the organisation actively unlearns and refocuses "
        "learning.",
        source="assumption: about half a year, the span of a typical change programme",
    )
    refocus_alignment: float = setting(
        1.0, ge=0, le=1, unit="share",
        doc="Least share of learning aimed at the new strategy's gaps while unlearning runs.",
        source="assumption: right after a shift the organisation says explicitly what to "
        "learn instead, so all guided learning goes to the new gaps",
    )
    interference: float = setting(
        0.0, ge=0, le=1, unit="share",
        doc="How much obsolete skill still held slows learning (0 = not at all; 0.5 = "
        "holding all of it halves the learning rate).",
        source="assumption: off by default, since the size of interference between old "
        "and new routines is not measured (Hedberg 1981; Tsang & Zahra 2008)",
    )


class StrategyAlignment:
    """Practice ``strategy_alignment``: aligned learning, unlearning and refocus after shifts."""

    def __init__(self, params: StrategyAlignmentParams, scenario: Any = None) -> None:
        self.params = params
        self.required: NDArray[np.float64] | None = None
        #: skills made obsolete (mask) and their required level before that
        self.obsolete: NDArray[np.bool_] | None = None
        self.old_level: NDArray[np.float64] | None = None
        self.until = -1  # unlearning and refocus run while week < until
        self.shifts = 0
        self.first_shift: int | None = None
        self.at_shift = float("nan")  # mean obsolete capability when the first shift came
        self.gap_sum = 0.0
        self.gap_weeks = 0
        self.org: Any = None
        if scenario is not None:  # the strategy at the start, so a shift in week 0 is seen
            self._start([scenario.strategy.required.get(s, 0.0) for s in scenario.skills])

    def _start(self, required: Any) -> None:
        self.required = np.array(required, dtype=float)
        self.obsolete = np.zeros(self.required.shape, dtype=bool)
        self.old_level = np.zeros(self.required.shape)

    def _notice(self, state: WeekState, org: Any) -> None:
        """Compare the strategy with last week's and start unlearning after a shift."""
        now = org.required
        if self.required is None:
            self._start(now)
            return
        assert self.obsolete is not None and self.old_level is not None
        if np.array_equal(now, self.required):
            return
        became = (self.required > 0) & (now == 0)
        self.obsolete &= now == 0  # a skill needed again is no longer obsolete
        if became.any():
            self.obsolete |= became
            self.old_level[became] = self.required[became]
            self.until = state.week + self.params.unlearning_weeks
            self.shifts += 1
            if self.first_shift is None:
                self.first_shift = state.week
                self.at_shift = self._obsolete_capability(org)
        self.required = now.copy()

    def _obsolete_capability(self, org: Any) -> float:
        if self.obsolete is None or not self.obsolete.any():
            return float("nan")
        effective = org.capability[:, self.obsolete] + org.fresh[:, self.obsolete]
        return float(effective.mean())

    def adjust(self, state: WeekState, org: Any, levers: Any,
               rng: np.random.Generator) -> None:
        self._notice(state, org)
        self.org = org
        p = self.params
        active = state.week < self.until
        levers.alignment[:] = max(p.alignment, p.refocus_alignment) if active else p.alignment
        if self.first_shift is not None:
            size = org.layout.team_size
            self.gap_sum += float((state.strategic_gap * size).sum() / size.sum())
            self.gap_weeks += 1
        obsolete = self.obsolete
        if obsolete is None or not obsolete.any():
            return
        if active and p.unlearning_rate > 0:
            levers.forgetting[:, obsolete] += p.unlearning_rate
        if p.interference > 0:
            assert self.old_level is not None
            held = np.minimum(
                (org.capability[:, obsolete] + org.fresh[:, obsolete]) / self.old_level[obsolete],
                1.0,
            ).mean(axis=1)
            levers.learning *= (1.0 - p.interference * held)[:, None]

    def outcomes(self) -> dict[str, float]:
        """``strategy_alignment_shifts``: shifts that made a skill obsolete;
        ``..._obsolete_capability``: mean capability in obsolete skills at the end (0-1);
        ``..._obsolete_retained``: that as a share of its level at the first such shift;
        ``..._gap_after_shift``: mean strategic gap (%) from the first such shift to the end.
        NaN where no skill became obsolete."""
        nan = float("nan")
        end = self._obsolete_capability(self.org) if self.org is not None else nan
        return {
            "strategy_alignment_shifts": float(self.shifts),
            "strategy_alignment_obsolete_capability": end,
            "strategy_alignment_obsolete_retained":
                end / self.at_shift if self.at_shift > 0 else nan,
            "strategy_alignment_gap_after_shift":
                100.0 * self.gap_sum / self.gap_weeks if self.gap_weeks else nan,
        }


def _strategy_alignment(params: StrategyAlignmentParams, scenario: Any) -> StrategyAlignment:
    return StrategyAlignment(params, scenario)


@hookimpl
def hrdsim_register_policies(registry) -> None:  # type: ignore[no-untyped-def]
    registry.add("practice", "strategy_alignment", _strategy_alignment,
                 params=StrategyAlignmentParams,
                 summary="People's learning linked to the strategy's gaps, and active "
                 "unlearning of what a strategic shift makes obsolete.")
