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

import functools
import math

import attrs
import numpy as np
from numpy.typing import NDArray

from hrdsim.organisation import OrgState
from hrdsim.scenario import Dynamics, Modes

FloatArray = NDArray[np.float64]


@attrs.frozen
class WeekStart:
    """Employees' capability at the start of a week (:meth:`CapabilityModel.assess`).

    :ivar person_index: Σ_k w_k E_ik, each employee's capability weighted by the
        strategy (:func:`strategy_weights`).
    :ivar cover: the share of the strategy's required capability each employee has
        (:func:`coverage`).
    :ivar gap_total: Σ_k gap_ik, each employee's total gap.
    :ivar effective: E = min(capability + fresh, 1), employees × skills.
    :ivar gap: max(required − E, 0), employees × skills.
    """

    person_index: FloatArray
    cover: FloatArray
    gap_total: FloatArray
    effective: FloatArray
    gap: FloatArray


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
        start: WeekStart | None = None, *, rates: FloatArray | None = None,
        alignment: FloatArray | None = None,
    ) -> None:
        """Add one week of learning.

        :param hours: learning hours of each employee this week.
        :param mix: shares of the three modes (sum 1).
        :param facilitation: facilitation level of each employee's team (0-1), one
            value per employee or one per team.
        :param start: :meth:`assess` of ``org`` this week, if nothing has changed
            ``org`` since: its gaps are used (and its buffers used up) instead of
            being found again; ``None``: find them.
        :param rates: multipliers on learning per hour, employees × modes, from
            practices (``None``: all 1).
        :param alignment: share of learning aimed at strategic gaps per
            employee, from practices (``None``: the scenario's).
        """
        if rates is not None or alignment is not None:
            if facilitation.shape[0] != hours.shape[0]:
                facilitation = org.by_employee(facilitation)
            self._learn_with_practices(org, hours, mix, facilitation, rates, alignment)
            return
        if start is None:
            effective, gap = self._buffers(org.capability)
            np.add(org.capability, org.fresh, out=effective)
            np.maximum(np.subtract(org.required, effective, out=gap), 0.0, out=gap)
            gap_total = gap.sum(axis=1)
        else:
            effective, gap, gap_total = start.effective, start.gap, start.gap_total
        learning = self._learning(org, hours, mix, facilitation, gap_total)
        if learning is None:
            return
        scale, even, durable_share, fresh_share = learning
        # gain = (1 − E)(1 − exp(−focus · total)) = (E − 1) · expm1(scale · gap − even)
        exponent = np.multiply(gap, scale[:, None], out=gap)
        np.subtract(exponent, even[:, None], out=exponent)
        gain = np.multiply(np.expm1(exponent, out=exponent),
                           np.subtract(effective, 1.0, out=effective), out=exponent)
        org.capability += np.multiply(gain, durable_share[:, None], out=effective)
        org.fresh += np.multiply(gain, fresh_share[:, None], out=effective)

    def _learning(
        self, org: OrgState, hours: FloatArray, mix: FloatArray, facilitation: FloatArray,
        gap_total: FloatArray,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None:
        """Per employee, the factor ``scale`` and offset ``even`` of the exponent
        (−focus_ik · total_i = scale_i · gap_ik − even_i), and the shares of the gain
        that last at once and that are fresh; ``None`` if nobody learns.

        Every sum over modes of x_im is a_i h_i (c0 + c1 q_i), with constants c0, c1 of
        the mix: Σ_m x_im, Σ_m x_im τ_m δ_m and Σ_m x_im τ_m (1 − δ_m) need no
        employees × modes array. The exponent −focus_ik · total_i is
        −α total_i · gap_ik / Σ_k gap_ik − (1 − α) total_i / K, where an employee
        without gaps spreads the aligned share evenly too.

        :param facilitation: one level per employee, or one per team (then the
            shares, which depend on it alone, are found per team).
        :param gap_total: Σ_k gap_ik, each employee's total gap.
        """
        (exposure0, exposure1), (durable0, durable1), (fresh0, fresh1) = self._mode_sums(mix)
        # c0 + c1 q, written into reused arrays
        level, durable, fresh = self._vectors("support", facilitation.shape[0], 3)
        np.add(np.multiply(facilitation, exposure1, out=level), exposure0, out=level)
        n = hours.shape[0]
        total, even, scale, gaps = self._vectors("learning", n, 4)
        np.multiply(np.multiply(org.agility, hours, out=total),
                    self._by_employee(org, level, "level"), out=total)  # Σ_m x_im
        if not total.any():
            return None
        if exposure0 <= 0:  # level can be 0 (and then so is the gain)
            np.copyto(level, 1.0, where=level <= 0)
        np.add(np.multiply(facilitation, durable1, out=durable), durable0, out=durable)
        np.divide(durable, level, out=durable)
        np.add(np.multiply(facilitation, fresh1, out=fresh), fresh0, out=fresh)
        np.divide(fresh, level, out=fresh)
        no_gap = gap_total == 0  # gap_total ≥ 0
        skills = org.required.size
        spread = (1.0 - self.alignment) / skills
        # even = total · (spread, or α/K + spread without gaps)
        np.multiply(np.add(np.multiply(no_gap, self.alignment / skills, out=even), spread,
                           out=even), total, out=even)
        # scale = −α total / Σ_k gap_k, or −α total without gaps (then every gap_k is 0)
        np.divide(np.multiply(total, -self.alignment, out=scale),
                  np.add(gap_total, no_gap, out=gaps), out=scale)
        return (scale, even, self._by_employee(org, durable, "durable"),
                self._by_employee(org, fresh, "fresh"))

    def assess(self, org: OrgState) -> WeekStart:
        """Employees' capability at the start of a week, as the week's steps need it.

        The result's arrays are the model's buffers, reused every week: valid until
        the model's next :meth:`assess`, :meth:`learn` or :meth:`settle`.
        """
        capability, required = org.capability, org.required
        effective, gap = self._buffers(capability)
        person, cover, gap_total = self._vectors("start", capability.shape[0], 3)
        np.minimum(np.add(capability, org.fresh, out=effective), 1.0, out=effective)
        np.maximum(np.subtract(required, effective, out=gap), 0.0, out=gap)
        weights, cover_weights, full_cover = self._strategy(required)
        weighted_sum(effective, weights, out=person)
        # coverage: Σ_k c_k min(E_ik, r_k), where min(E, r) = r − gap
        np.subtract(full_cover, weighted_sum(gap, cover_weights, out=cover), out=cover)
        np.einsum("ik->i", gap, out=gap_total)
        return WeekStart(person, cover, gap_total, effective, gap)

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

        :param support: each employee's facilitation level (0-1), or each team's.
        """
        consolidated, kept = self._settling(support)
        consolidated = self._by_employee(org, consolidated, "consolidated")
        org.capability += np.multiply(org.fresh, consolidated[:, None],
                                      out=self._buffers(org.fresh)[0])
        org.fresh *= self._by_employee(org, kept, "kept")[:, None]

    def _settling(self, support: FloatArray) -> tuple[FloatArray, FloatArray]:
        """For each support level, the share of fresh learning consolidated this week
        and the share that stays fresh."""
        rate, consolidated, kept = self._vectors("settling", support.shape[0], 3)
        # rate = κ s + λ_T (1 − s), written into reused arrays
        np.multiply(np.subtract(1.0, support, out=kept), self.fade_rate, out=kept)
        np.add(np.multiply(support, self.consolidation_rate, out=rate), kept, out=rate)
        leaving_share = np.negative(np.expm1(np.negative(rate, out=kept), out=kept), out=kept)
        # the share consolidated, κ s / rate; where the rate is 0 nothing leaves, whatever
        # share would be consolidated
        np.multiply(support, self.consolidation_rate, out=consolidated)
        np.divide(consolidated, rate, out=consolidated, where=rate > 0)
        np.multiply(consolidated, leaving_share, out=consolidated)
        return consolidated, np.subtract(1.0, leaving_share, out=kept)

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
        used = org.required > 0
        if np.ndim(kept_if_used) == 0:  # the same for every employee: one pass
            org.capability *= np.where(used, kept_if_used, kept_if_unused)
            return
        for skill, is_used in enumerate(used.tolist()):
            org.capability[:, skill] *= kept_if_used if is_used else kept_if_unused

    def _strategy(self, required: FloatArray) -> tuple[FloatArray, FloatArray, float]:
        """The skills' weights in the capability index, their weights in the coverage
        (:func:`coverage_weights`) and the coverage Σ_k c_k r_k of someone with every
        required level (cached per strategy)."""
        key = ("strategy", required.tobytes())
        weights = self._scratch.get(key)
        if weights is None:
            cover_weights = coverage_weights(required)
            weights = self._scratch[key] = (strategy_weights(required), cover_weights,
                                            float(cover_weights @ required))
        return weights  # type: ignore[return-value]

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

    def _by_employee(self, org: OrgState, values: FloatArray, use: str) -> FloatArray:
        """``values`` if there is one per employee; else, one per team, each team's
        value for each of its employees (in an array reused for ``use``)."""
        n = org.capability.shape[0]
        if values.shape[0] == n:
            return values
        return org.by_employee(values, out=self._vectors(use, n, 1)[0])

    def _vectors(self, use: str, n: int, count: int) -> list[FloatArray]:
        """``count`` scratch arrays of ``n`` values for ``use``, reused every week.

        Steps write their per-employee values into these (``out=``) rather than into
        new arrays: besides the copying saved, memory the allocator hands back to
        the system every week would have to be mapped in again.
        """
        key = (use, n, count)
        vectors = self._scratch.get(key)
        if vectors is None:
            vectors = self._scratch[key] = [np.empty(n) for _ in range(count)]
        return vectors  # type: ignore[return-value]

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
    return weighted_sum(np.minimum(effective, required), coverage_weights(required))


def coverage_weights(required: FloatArray) -> FloatArray:
    """Weights c_k with :func:`coverage` = Σ_k c_k min(E_ik, r_k).

    Σ_k w_k min(E_ik / r_k, 1) over the needed skills = Σ_k (w_k / r_k) min(E_ik, r_k);
    c_k = 0 for the skills the strategy does not need.
    """
    needed = required > 0
    return np.where(needed, strategy_weights(required) / np.where(needed, required, 1.0), 0.0)


def weighted_sum(values: FloatArray, weights: FloatArray,
                 out: FloatArray | None = None) -> FloatArray:
    """``values @ weights`` for employees × skills values, on one thread.

    A BLAS product would split a tall, thin product over several threads, whose
    busy waiting afterwards costs more than the product saves.

    :param out: where to write the result (``None``: a new array).
    """
    return np.einsum("ik,k->i", values, weights, out=out)


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
    return float((2.0 * (_ranks(n) * ordered).sum() / (n * total)) - (n + 1) / n)


@functools.lru_cache(maxsize=4)
def _ranks(n: int) -> FloatArray:
    """1, 2, ..., n as floats (read-only), shared by every :func:`gini` of n values."""
    ranks = np.arange(1.0, n + 1.0)
    ranks.flags.writeable = False
    return ranks


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
