"""How capability grows, is forgotten and transfers: the core equations.

All functions work on whole arrays (employees × skills) and change the
:class:`~hrdsim.organisation.OrgState` in place. ``docs/model.md`` derives
each step and gives its sources.

Per week, for employee *i*, skill *k* and learning mode *m*:

* exposure  ``x_im = a_i · h_i · mix_m · η_m · (1 − φ_m + φ_m · q_team(i))``
* focus     ``f_ik = α · gap_ik / Σ_k gap_ik + (1 − α) / K``
* gain      ``g_ik = (1 − E_ik) · (1 − exp(−f_ik · Σ_m x_im))`` (exponential
  approach: diminishing returns, Heathcote et al. 2000)
* the gain splits by mode: ``τ_m δ_m`` of mode *m*'s share becomes lasting
  capability at once, ``τ_m (1 − δ_m)`` becomes fresh learning, the rest is
  never applied (Saks & Belcourt 2006);
* fresh learning is consolidated at rate ``κ s`` and fades at rate
  ``λ_T (1 − s)``, where ``s`` is the team's facilitation level;
* forgetting: ``C_ik ← C_ik · exp(−λ_F (1 − p · u_k · w_i))``, where ``u_k``
  is 1 if the strategy uses skill *k* (0 otherwise) and ``w_i`` the share of the
  employee's hours spent working (Tatel & Ackerman 2025).
"""

from __future__ import annotations

import math

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim.organisation import OrgState
from hrdsim.scenario import Dynamics, Modes

FloatArray = NDArray[np.float64]


@attrs.frozen
class CapabilityModel:
    """The scenario's growth, transfer and forgetting parameters as arrays."""

    effectiveness: FloatArray
    facilitation_need: FloatArray
    durable: FloatArray  # τ·δ per mode
    fresh: FloatArray  # τ·(1 − δ) per mode
    forgetting_rate: float
    use_protection: float
    fade_rate: float
    consolidation_rate: float
    alignment: float

    @classmethod
    def from_scenario(cls, modes: Modes, dynamics: Dynamics) -> CapabilityModel:
        ms = modes.as_tuple()
        transfer = np.array([m.transfer for m in ms])
        durable_share = np.array([m.durable_share for m in ms])
        return cls(
            effectiveness=np.array([m.effectiveness for m in ms]),
            facilitation_need=np.array([m.facilitation_need for m in ms]),
            durable=transfer * durable_share,
            fresh=transfer * (1.0 - durable_share),
            forgetting_rate=math.log(2) / dynamics.forgetting_half_life_weeks,
            use_protection=dynamics.use_protection,
            fade_rate=dynamics.transfer_fade_per_week,
            consolidation_rate=dynamics.consolidation_per_week,
            alignment=dynamics.learning_alignment,
        )

    def learn(
        self, org: OrgState, hours: FloatArray, mix: FloatArray, facilitation: FloatArray
    ) -> None:
        """Add one week of learning.

        :param hours: learning hours of each employee this week.
        :param mix: shares of the three modes (sum 1).
        :param facilitation: facilitation level of each employee's team (0-1).
        """
        need = self.facilitation_need
        support = (1.0 - need) + need * facilitation[:, None]  # (N, 3)
        exposure = (org.agility * hours)[:, None] * (mix * self.effectiveness) * support
        total = exposure.sum(axis=1)
        if not total.any():
            return
        effective = org.capability + org.fresh
        gap = np.maximum(org.required - effective, 0.0)
        gap_total = gap.sum(axis=1, keepdims=True)
        skills = effective.shape[1]
        gap_share = np.divide(gap, gap_total, out=np.full_like(gap, 1.0 / skills),
                              where=gap_total > 0)
        focus = self.alignment * gap_share + (1.0 - self.alignment) / skills
        gain = (1.0 - effective) * -np.expm1(-focus * total[:, None])
        safe_total = np.where(total > 0, total, 1.0)
        org.capability += gain * ((exposure @ self.durable) / safe_total)[:, None]
        org.fresh += gain * ((exposure @ self.fresh) / safe_total)[:, None]

    def settle(self, org: OrgState, support: FloatArray) -> None:
        """Consolidate or fade fresh learning for one week.

        :param support: each employee's facilitation level (0-1).
        """
        rate = self.consolidation_rate * support + self.fade_rate * (1.0 - support)
        leaving = org.fresh * -np.expm1(-rate)[:, None]
        consolidated_share = np.divide(
            self.consolidation_rate * support, rate, out=np.zeros_like(rate), where=rate > 0
        )
        org.capability += leaving * consolidated_share[:, None]
        org.fresh -= leaving

    def forget(self, org: OrgState, work_share: FloatArray) -> None:
        """One week of forgetting.

        :param work_share: share of each employee's hours spent working.
        """
        use = (org.required > 0).astype(float)  # the strategy's skills are used at work
        rate = self.forgetting_rate * (1.0 - self.use_protection * np.outer(work_share, use))
        org.capability *= np.exp(-rate)


def strategy_weights(required: FloatArray) -> FloatArray:
    """Weights of the skills in the capability index: required levels, normalised."""
    total = required.sum()
    return required / total if total > 0 else np.full_like(required, 1.0 / required.size)


def coverage(effective: FloatArray, required: FloatArray) -> FloatArray:
    """Share of the strategy's required capability each employee has (0-1)."""
    weights = strategy_weights(required)
    needed = required > 0
    ratio = np.minimum(effective[:, needed] / required[needed], 1.0)
    return ratio @ weights[needed]


def gini(values: FloatArray) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = unequal)."""
    n = values.size
    if n == 0:
        return 0.0
    ordered = np.sort(values)
    total = ordered.sum()
    if total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * (ranks * ordered).sum() / (n * total)) - (n + 1) / n)
