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
    #: scratch arrays and per-mix constants, reused from week to week
    _scratch: dict[object, object] = attrs.field(factory=dict, init=False, repr=False, eq=False)

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
        self, org: OrgState, hours: FloatArray, mix: FloatArray, facilitation: FloatArray,
        rates: FloatArray | None = None, alignment: FloatArray | None = None,
    ) -> None:
        """Add one week of learning.

        :param hours: learning hours of each employee this week.
        :param mix: shares of the three modes (sum 1).
        :param facilitation: facilitation level of each employee's team (0-1).
        :param rates: multipliers on learning per hour, employees × modes, from
            practices (``None``: all 1).
        :param alignment: share of learning aimed at strategic gaps per
            employee, from practices (``None``: the scenario's).
        """
        if rates is not None or alignment is not None:
            self._learn_with_practices(org, hours, mix, facilitation, rates, alignment)
            return
        # Every sum over modes of x_im is a_i h_i (c0 + c1 q_i), with constants c0, c1 of
        # the mix: Σ_m x_im, Σ_m x_im τ_m δ_m and Σ_m x_im τ_m (1 − δ_m) need no
        # employees × modes array.
        (exposure0, exposure1), (durable0, durable1), (fresh0, fresh1) = self._mode_sums(mix)
        level = exposure0 + exposure1 * facilitation
        total = org.agility * hours * level  # Σ_m x_im
        if not total.any():
            return
        if exposure0 <= 0:  # level can be 0 (and then so is the gain)
            level = np.where(level > 0, level, 1.0)
        durable_share = (durable0 + durable1 * facilitation) / level
        fresh_share = (fresh0 + fresh1 * facilitation) / level

        effective, scratch = self._buffers(org.capability)
        np.add(org.capability, org.fresh, out=effective)
        gap = np.maximum(np.subtract(org.required, effective, out=scratch), 0.0, out=scratch)
        gap_total = gap.sum(axis=1)
        has_gap = gap_total > 0
        # −focus_ik · total_i = −α total_i · gap_ik / Σ_k gap_ik − (1 − α) total_i / K, where
        # an employee without gaps spreads the aligned share evenly too
        skills = gap.shape[1]
        spread = (1.0 - self.alignment) / skills
        even = total * np.where(has_gap, spread, self.alignment / skills + spread)
        gap_share = np.divide(gap, np.where(has_gap, gap_total, 1.0)[:, None], out=gap)
        exponent = np.multiply(gap_share, (-self.alignment * total)[:, None], out=gap_share)
        np.subtract(exponent, even[:, None], out=exponent)
        # gain = (1 − E) (1 − exp(−focus · total)) = (E − 1) · expm1(−focus · total)
        gain = np.multiply(np.expm1(exponent, out=exponent),
                           np.subtract(effective, 1.0, out=effective), out=exponent)
        org.capability += np.multiply(gain, durable_share[:, None], out=effective)
        org.fresh += np.multiply(gain, fresh_share[:, None], out=effective)

    def _learn_with_practices(
        self, org: OrgState, hours: FloatArray, mix: FloatArray, facilitation: FloatArray,
        rates: FloatArray | None, alignment: FloatArray | None,
    ) -> None:
        """The same equations as :meth:`learn`, with per-employee mode multipliers and
        alignment; spelt out mode by mode, as practices are the uncommon case."""
        need = self.facilitation_need
        exposure = (org.agility * hours)[:, None] * (mix * self.effectiveness) * (
            (1.0 - need) + need * facilitation[:, None])
        if rates is not None:
            exposure *= rates
        total = exposure.sum(axis=1)
        if not total.any():
            return
        safe = np.where(total > 0, total, 1.0)
        durable_share = weighted_sum(exposure, self.durable) / safe
        fresh_share = weighted_sum(exposure, self.fresh) / safe
        alpha = (np.full(total.shape, self.alignment) if alignment is None
                 else np.clip(alignment, 0.0, 1.0))[:, None]
        effective = org.capability + org.fresh
        gap = np.maximum(org.required - effective, 0.0)
        gap_total = gap.sum(axis=1, keepdims=True)
        skills = gap.shape[1]
        gap_share = np.divide(gap, gap_total, out=np.full_like(gap, 1.0 / skills),
                              where=gap_total > 0)
        focus = alpha * gap_share + (1.0 - alpha) / skills
        gain = (1.0 - effective) * -np.expm1(-focus * total[:, None])
        org.capability += gain * durable_share[:, None]
        org.fresh += gain * fresh_share[:, None]

    def settle(self, org: OrgState, support: FloatArray) -> None:
        """Consolidate or fade fresh learning for one week.

        :param support: each employee's facilitation level (0-1).
        """
        rate = self.consolidation_rate * support + self.fade_rate * (1.0 - support)
        leaving_share = -np.expm1(-rate)
        # where the rate is 0 nothing leaves, whatever share would be consolidated
        consolidated_share = (self.consolidation_rate * support) / np.where(rate > 0, rate, 1.0)
        consolidated = np.multiply(org.fresh, (leaving_share * consolidated_share)[:, None],
                                   out=self._buffers(org.fresh)[0])
        org.capability += consolidated
        org.fresh *= (1.0 - leaving_share)[:, None]

    def forget(self, org: OrgState, work_share: FloatArray | float,
               extra: FloatArray | None = None) -> None:
        """One week of forgetting.

        :param work_share: share of each employee's hours spent working.
        :param extra: additional forgetting rate per employee and skill, from
            practices (``None``: none).
        """
        if extra is not None:
            org.capability *= np.exp(-extra)
        # the strategy's skills are used at work (u_k = 1) and forgotten at a rate that
        # depends on the employee only; the others (u_k = 0) at the full rate
        kept_if_used = np.exp(-(self.forgetting_rate * (1.0 - self.use_protection * work_share)))
        kept_if_unused = np.exp(-self.forgetting_rate)
        for skill, used in enumerate((org.required > 0).tolist()):
            org.capability[:, skill] *= kept_if_used if used else kept_if_unused

    def _mode_sums(self, mix: FloatArray) -> list[list[float]]:
        """Per unit of a_i h_i: exposure, its lasting and its fresh part, as c0 + c1 q_i."""
        key = ("mix", mix.tobytes())
        sums = self._scratch.get(key)
        if sums is None:
            weight = mix * self.effectiveness
            unsupported = weight * (1.0 - self.facilitation_need)
            supported = weight * self.facilitation_need
            shares = np.stack([np.ones_like(self.durable), self.durable, self.fresh])
            sums = self._scratch[key] = (shares @ np.stack([unsupported, supported]).T).tolist()
        return sums  # type: ignore[return-value]

    def _buffers(self, like: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Two scratch arrays shaped and laid out like ``like``, reused every week."""
        key = (like.shape, like.flags.f_contiguous)
        pair = self._scratch.get(key)
        if pair is None:
            pair = self._scratch[key] = (np.empty_like(like), np.empty_like(like))
        return pair  # type: ignore[return-value]


def strategy_weights(required: FloatArray) -> FloatArray:
    """Weights of the skills in the capability index: required levels, normalised."""
    total = required.sum()
    return required / total if total > 0 else np.full_like(required, 1.0 / required.size)


def coverage(effective: FloatArray, required: FloatArray) -> FloatArray:
    """Share of the strategy's required capability each employee has (0-1)."""
    # Σ_k w_k min(E_ik / r_k, 1) over the needed skills = Σ_k (w_k / r_k) min(E_ik, r_k)
    needed = required > 0
    weights = np.where(needed, strategy_weights(required) / np.where(needed, required, 1.0), 0.0)
    return weighted_sum(np.minimum(effective, required), weights)


def weighted_sum(values: FloatArray, weights: FloatArray) -> FloatArray:
    """``values @ weights`` for employees × skills values, on one thread.

    A BLAS product would split a tall, thin product over several threads, whose
    busy waiting afterwards costs more than the product saves.
    """
    return np.einsum("ik,k->i", values, weights)


def gini(values: FloatArray, *, presorted: bool = False) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = unequal).

    :param presorted: ``values`` are already in ascending order.
    """
    n = values.size
    if n == 0:
        return 0.0
    ordered = values if presorted else np.sort(values)
    total = ordered.sum()
    if total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * (ranks * ordered).sum() / (n * total)) - (n + 1) / n)


def quantile(ordered: FloatArray, q: float) -> float:
    """The ``q``-quantile (0-1) of values in ascending order.

    Linear interpolation between the nearest ranks: the same value as
    ``np.quantile(values, q)``, without sorting again.
    """
    index = (ordered.size - 1) * q
    below = math.floor(index)
    above = min(below + 1, ordered.size - 1)
    low, high = float(ordered[below]), float(ordered[above])
    t = index - below
    # NumPy's form of the interpolation, for identical rounding
    return high - (high - low) * (1 - t) if t >= 0.5 else low + (high - low) * t
