"""The design and the indices of a sensitivity study, with the noise floor beside them.

:mod:`hrdsim.sensitivity_study` runs a study; this module holds its mathematics,
free of simulation so it can be checked on functions whose answers are known.

The parameters are scenario keys varied between two bounds (:class:`~hrdsim.design.Range`).
SALib draws the design in the unit cube - Saltelli's scheme on a scrambled
Sobol' sequence (``method="sobol"``) or Morris trajectories (``method="morris"``),
seeded from the study's seed - and :meth:`Design.values` maps each row to the
ranges. Given the mean outcome over the replications at every point,
:func:`analyse` has SALib compute the indices with bootstrap confidence
intervals: S1 and ST (Sobol'), or mu*, mu and sigma (Morris).

Beside the indices stands a **noise floor** (:func:`noise_floor`): the index that
a parameter with no effect on the expected outcome would get if changing it drew
entirely fresh random numbers - the index of a dummy parameter made of
replication noise alone, estimated from the spread of the replications at each
design point. A parameter whose index does not clearly exceed the floor is
reported as not distinguishable from noise. ``docs/sensitivity.md`` explains both.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.design import Range, override
from hrdsim.errors import HrdsimError
from hrdsim.metrics import format_number

if TYPE_CHECKING:
    import numpy as np

#: The methods, by the name ``--method`` takes.
METHODS = ("sobol", "morris")
#: Samples when none are asked for: Sobol' base samples, Morris trajectories.
DEFAULT_SAMPLES = {"sobol": 64, "morris": 10}
#: The fewest samples each method accepts (fewer give intervals that mean nothing).
MIN_SAMPLES = {"sobol": 8, "morris": 4}
#: Grid levels of the Morris design (SALib's default; the step is 2/3 of a range).
MORRIS_LEVELS = 4
#: Confidence level of every interval.
CONFIDENCE = 0.95
#: Bootstrap resamples behind each interval.
RESAMPLES = 1000
#: The index each method ranks parameters by.
INDEX_NAME = {"sobol": "ST", "morris": "mu_star"}


# --------------------------------------------------------------------------- the design


def points_needed(method: str, samples: int, parameters: int) -> int:
    """Design points a study needs: Sobol' ``N·(D+2)`` (first and total order,
    no second order), Morris ``r·(D+1)``."""
    if method == "sobol":
        return samples * (parameters + 2)
    return samples * (parameters + 1)


def check_method(method: str) -> str:
    """The method's name, checked.

    :raises HrdsimError: naming the methods there are.
    """
    from hrdsim.params import did_you_mean

    name = str(method).strip().lower()
    if name not in METHODS:
        raise HrdsimError(f"--method {method}: unknown method" + did_you_mean(name, list(METHODS))
                          + "; choose sobol (variance-based indices S1 and ST) or morris "
                          "(elementary effects mu*, sigma: cheaper screening)")
    return name


def check_samples(method: str, samples: int) -> int:
    """Check ``samples`` for ``method``: Sobol' base samples are a power of 2.

    :raises HrdsimError: saying what the method needs and what to use instead.
    """
    least = MIN_SAMPLES[method]
    if method == "sobol":
        if samples < least:
            raise HrdsimError(
                f"--samples {samples}: Sobol' needs at least {least} base samples, a power of "
                "2 (the confidence intervals come from resampling them: fewer give intervals "
                "that mean nothing), e.g. --samples 64")
        if samples & (samples - 1):
            lower = 1 << (samples.bit_length() - 1)
            raise HrdsimError(
                f"--samples {samples}: Sobol' base samples must be a power of 2 (SALib draws "
                "them from a Sobol' sequence, which covers the ranges evenly only in blocks "
                f"of a power of 2); use {lower} or {lower * 2}")
    elif samples < least:
        raise HrdsimError(
            f"--samples {samples}: Morris needs at least {least} trajectories (sigma and the "
            "confidence interval of mu* come from the elementary effects of the "
            "trajectories: fewer give numbers that mean nothing), e.g. --samples 10")
    return samples


@attrs.frozen(eq=False)
class Design:
    """Where the parameters are set: SALib's sample, in SALib's order.

    :ivar method: ``"sobol"`` or ``"morris"``.
    :ivar ranges: the varied keys, in the order of the sample's columns.
    :ivar samples: Sobol' base samples ``N`` or Morris trajectories ``r``.
    :ivar seed: the seed the sample was drawn from.
    :ivar unit: the sample as positions in [0, 1] within each range, one row per point.
    """

    method: str
    ranges: tuple[Range, ...]
    samples: int
    seed: int
    unit: np.ndarray

    @property
    def parameters(self) -> list[str]:
        return [r.key for r in self.ranges]

    @property
    def points(self) -> int:
        return int(self.unit.shape[0])

    @property
    def group_size(self) -> int:
        """Points per Sobol' base sample (D+2) or per Morris trajectory (D+1)."""
        return self.points // self.samples

    def values(self, point: int) -> tuple[float | int, ...]:
        """The parameter values at a design point (rounded for whole-number keys)."""
        return tuple(r.value(float(u)) for r, u in zip(self.ranges, self.unit[point], strict=True))

    def overrides(self, point: int) -> tuple[str, ...]:
        """The ``--set`` expressions of a design point."""
        return tuple(override(r.key, v) for r, v in zip(self.ranges, self.values(point),
                                                        strict=True))

    def problem(self) -> dict[str, Any]:
        """The SALib problem: every parameter on [0, 1] (the ranges scale it)."""
        return {"num_vars": len(self.ranges), "names": self.parameters,
                "bounds": [[0.0, 1.0]] * len(self.ranges)}


def make_design(method: str, ranges: Sequence[Range], samples: int, seed: int) -> Design:
    """Draw the design with SALib, from a generator seeded by ``seed``.

    :raises HrdsimError: for an unknown method or a bad number of samples.
    """
    import numpy as np

    method = check_method(method)
    check_samples(method, samples)
    if not ranges:
        raise HrdsimError("a sensitivity study needs at least one --range KEY=LO:HI, e.g. "
                          "--range learning.params.share=0.02:0.1")
    rng = _generator(seed, "sensitivity.design")
    design = Design(method, tuple(ranges), samples, seed, np.zeros((0, len(ranges))))
    problem = design.problem()
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        unit = sobol_sample.sample(problem, samples, calc_second_order=False, seed=rng)
    else:
        from SALib.sample import morris as morris_sample

        unit = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=rng)
    return attrs.evolve(design, unit=np.asarray(unit, dtype=float))


def _generator(seed: int, name: str, *more: str) -> np.random.Generator:
    """A generator for one purpose of the study, independent of the simulation's streams."""
    import numpy as np

    from hrdsim.rng import stream_key

    sequence = np.random.SeedSequence(
        entropy=seed, spawn_key=(stream_key(name), *(stream_key(m) for m in more)))
    return np.random.Generator(np.random.PCG64(sequence))


# --------------------------------------------------------------------------- the indices


@attrs.frozen
class NoiseFloor:
    """The index replication noise alone would produce, with its 95% interval.

    :ivar value: the floor (the index's unit: a share of variance for ST, the
        outcome's unit for mu*).
    :ivar low: lower end of its 95% bootstrap percentile interval.
    :ivar high: upper end; a parameter must clear this to count as an effect.
    :ivar noise_sd: the replications' standard deviation at a point (pooled over points).
    """

    value: float
    low: float
    high: float
    noise_sd: float


@attrs.frozen
class ParameterIndex:
    """One parameter's indices for one outcome.

    :ivar index: the ranking index: ST (Sobol') or mu* (Morris).
    :ivar conf: half-width of its 95% bootstrap interval.
    :ivar first: S1 (Sobol'); mu (Morris: the mean signed effect).
    :ivar first_conf: S1's half-width (Sobol'); NaN for Morris.
    :ivar sigma: Morris' standard deviation of the elementary effects; NaN for Sobol'.
    :ivar distinguishable: the interval lies above the noise floor's.
    :ivar above_floor: the index itself lies above the floor's interval (when its own
        interval still reaches into the floor's, the effect is too uncertain to tell
        from noise: more samples would settle it).
    """

    parameter: str
    rank: int
    index: float
    conf: float
    first: float
    first_conf: float
    sigma: float
    distinguishable: bool
    verdict: str
    above_floor: bool = False

    @property
    def standing(self) -> str:
        """``above noise``, ``uncertain`` (the index is above the floor, its interval
        is not) or ``within noise``."""
        if self.distinguishable:
            return "above noise"
        return "uncertain" if self.above_floor else "within noise"

    @property
    def low(self) -> float:
        return self.index - self.conf

    @property
    def high(self) -> float:
        return self.index + self.conf


@attrs.frozen
class OutcomeIndices:
    """Every parameter's indices for one outcome, ranked, and the noise floor.

    :ivar parameters: ranked, largest index first (empty when not computed).
    :ivar reason: why no indices could be computed, or ``""``.
    """

    outcome: str
    label: str
    unit: str
    method: str
    parameters: tuple[ParameterIndex, ...] = ()
    floor: NoiseFloor | None = None
    reason: str = ""

    @property
    def computed(self) -> bool:
        return not self.reason


def analyse(
    design: Design, means: Any, variances: Any, replications: int, outcome: str = "",
    label: str = "", unit: str = "",
) -> OutcomeIndices:
    """Indices of one outcome from its mean and variance at every design point.

    :param means: the mean over replications at each point, in design order.
    :param variances: the variance (ddof 1) over replications at each point; zeros
        for a deterministic model.
    :param replications: replications behind each mean.
    :return: the indices; ``reason`` is set (and nothing computed) when an output
        is not a number or does not vary.
    """
    import numpy as np

    y = np.asarray(means, dtype=float)
    var = np.asarray(variances, dtype=float)
    label = label or outcome
    common: dict[str, Any] = {"outcome": outcome, "label": label, "unit": unit,
                              "method": design.method}
    if y.shape != (design.points,):
        raise ValueError(f"expected {design.points} outputs, got {y.shape}")
    spread = float(np.ptp(y)) if y.size else 0.0
    if not math.isfinite(spread):
        bad = int((~np.isfinite(y)).sum())
        return OutcomeIndices(**common, reason=f"not a number at {bad} of {design.points} "
                              "design points")
    if spread <= 1e-12 * max(1.0, float(np.abs(y).max())):
        return OutcomeIndices(**common, reason=f"the same ({format_number(float(y[0]))}) at "
                              "every design point: no parameter moves it within these ranges")
    rng = _generator(design.seed, "sensitivity.bootstrap", outcome)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design.method == "sobol":
            from SALib.analyze import sobol as sobol_analyze

            result = sobol_analyze.analyze(
                design.problem(), y, calc_second_order=False, num_resamples=RESAMPLES,
                conf_level=CONFIDENCE, seed=rng)
            index, conf = result["ST"], result["ST_conf"]
            first, first_conf = result["S1"], result["S1_conf"]
            sigma = np.full(len(design.ranges), np.nan)
        else:
            from SALib.analyze import morris as morris_analyze

            result = morris_analyze.analyze(
                design.problem(), design.unit, y, num_resamples=RESAMPLES,
                conf_level=CONFIDENCE, num_levels=MORRIS_LEVELS, seed=rng)
            index, conf = result["mu_star"], result["mu_star_conf"]
            first, first_conf = result["mu"], np.full(len(design.ranges), np.nan)
            sigma = result["sigma"]
    floor = noise_floor(design, y, var, replications, rng)
    order = sorted(range(len(design.ranges)), key=lambda j: -float(index[j]))
    ranked = []
    for rank, j in enumerate(order, start=1):
        value, half = float(index[j]), float(conf[j])
        clear = value - half > floor.high
        above = value > floor.high
        ranked.append(ParameterIndex(
            parameter=design.ranges[j].key, rank=rank, index=value, conf=half,
            first=float(first[j]), first_conf=float(first_conf[j]), sigma=float(sigma[j]),
            distinguishable=bool(clear), above_floor=bool(above),
            verdict=_verdict(design, design.ranges[j], label, unit, value, half,
                             float(first[j]), float(first_conf[j]), float(sigma[j]), floor,
                             clear, above),
        ))
    return OutcomeIndices(**common, parameters=tuple(ranked), floor=floor)


def noise_floor(design: Design, means: Any, variances: Any, replications: int,
                rng: np.random.Generator | None = None) -> NoiseFloor:
    """The index of a parameter that only redraws the random numbers.

    With ``s²`` the replications' variance at a point (pooled over the points),
    a mean over ``R`` replications carries noise of variance ``s²/R``; a
    parameter whose change redraws it has, in expectation,

    * ST = ``(s²/R) / V``, with ``V`` the variance of the outputs that Sobol'
      analysis divides by (those of the A and B matrices);
    * mu* at most ``sqrt(2·s²/R) / Δ``, with ``Δ`` the Morris step (2/3 of the
      unit range) - the mean absolute difference of two such means, per step.

    Under common random numbers a parameter with no effect on the expected
    outcome gets at most this (its neighbouring points share part of their
    noise). The interval comes from resampling Sobol' base samples or Morris
    trajectories, as SALib's does, but takes the percentiles: the floor is a
    ratio, and with few samples its resampled values have a long upper tail.
    """
    import numpy as np

    y = np.asarray(means, dtype=float)
    var = np.asarray(variances, dtype=float)
    # replications that differ only by rounding in their sums carry no noise
    var = np.where(var <= (1e-9 * np.abs(y)) ** 2, 0.0, var)
    size = design.group_size
    groups = design.samples
    y_groups = y.reshape(groups, size)
    var_groups = var.reshape(groups, size).mean(axis=1)

    def floor_of(rows: Any) -> Any:
        noise = var_groups[rows].mean(axis=-1) / replications
        if design.method == "sobol":
            ends = np.concatenate([y_groups[rows, 0], y_groups[rows, -1]], axis=-1)
            spread = ends.var(axis=-1)
            return np.divide(noise, spread, out=np.full_like(noise, np.nan),
                             where=spread > 0)
        from SALib.sample.morris import _compute_delta

        return np.sqrt(2 * noise) / _compute_delta(MORRIS_LEVELS)

    value = float(floor_of(np.arange(groups)))
    rng = rng if rng is not None else _generator(design.seed, "sensitivity.floor")
    resampled = floor_of(rng.integers(groups, size=(RESAMPLES, groups)))
    finite = resampled[np.isfinite(resampled)]
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = (np.percentile(finite, [tail, 100 - tail]) if finite.size
                 else (float("nan"), float("nan")))
    return NoiseFloor(value=value, low=float(low), high=float(high),
                      noise_sd=float(math.sqrt(var.mean())))


def _verdict(design: Design, r: Range, label: str, unit: str, index: float, conf: float,
             first: float, first_conf: float, sigma: float, floor: NoiseFloor,
             clear: bool, above: bool = False) -> str:
    """One plain-language line about one parameter's effect on one outcome."""
    name = _lower(label)
    span = f"{_num(r.low)} to {_num(r.high)}"
    if above and not clear:
        symbol = "ST" if design.method == "sobol" else "mu*"
        words = "" if design.method == "sobol" else _unit_words(unit)
        samples = (f"{design.samples} base samples" if design.method == "sobol"
                   else f"{design.samples} trajectories")
        more = "base samples" if design.method == "sobol" else "trajectories"
        return (f"{r.key}: its effect on {name} is too uncertain to tell from noise with "
                f"{samples} ({symbol} {_num(index)}{' ' + words if words else ''} is above the "
                f"noise floor {_num(floor.value)}, but its 95% CI {_num(index - conf)} to "
                f"{_num(index + conf)} reaches down to the floor's, up to {_num(floor.high)}); "
                f"more {more} would settle it")
    if design.method == "sobol":
        if not clear:
            return (f"{r.key}: its effect on {name} is not distinguishable from noise (ST "
                    f"{_num(index)}, 95% CI {_num(index - conf)} to {_num(index + conf)}; "
                    f"noise floor {_num(floor.value)}, up to {_num(floor.high)})")
        alone = (f"on its own (S1) {_num(first)}" if first - first_conf > 0 else
                 f"on its own (S1) {_num(first)}, too uncertain to tell from 0 with "
                 f"{design.samples} base samples")
        return (f"{r.key} ({span}) accounts for {_share_words(index)} of the variance of "
                f"{name} (ST {_num(index)}, 95% CI {_num(index - conf)} to "
                f"{_num(index + conf)}, interactions included); {alone}; noise floor "
                f"{_num(floor.value)}")
    words = _unit_words(unit)
    amount = f"{_num(index)}{' ' + words if words else ''}"
    if not clear:
        return (f"{r.key}: its effect on {name} is not distinguishable from noise (mu* "
                f"{amount}, 95% CI {_num(index - conf)} to {_num(index + conf)}; noise floor "
                f"{_num(floor.value)}, up to {_num(floor.high)})")
    direction = ("raises" if first > 0 else "lowers") if abs(first) >= 0.9 * index else \
        "raises or lowers (depending on where the other parameters are)"
    shape = ("about the same across the ranges (sigma small: nearly linear, little "
             "interaction)" if sigma < 0.5 * index else
             "varying across the ranges (sigma large: non-linear or interacting)")
    return (f"{r.key}: moving it across its range ({span}) {direction} {name} by about "
            f"{amount} (mu*, 95% CI {_num(index - conf)} to {_num(index + conf)}), "
            f"{shape}; noise floor {_num(floor.value)}")


def _lower(label: str) -> str:
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


_UNIT_WORDS = {"0-100": "points", "%": "percentage points", "0-1": "", "0/1": "",
               "ratio": "", "ρ": ""}


def _unit_words(unit: str) -> str:
    return _UNIT_WORDS.get(unit, unit)


def _num(value: float) -> str:
    return format_number(value)


def _share_words(share: float) -> str:
    """A variance share in words: estimates scatter around the true share (even past 1
    or below 0 with few samples), so words are steadier than a percentage."""
    for least, words in ((0.9, "nearly all"), (0.5, "most"), (0.2, "a large part"),
                         (0.05, "some")):
        if share >= least:
            return words
    return "a small part"


__all__ = [
    "CONFIDENCE", "DEFAULT_SAMPLES", "INDEX_NAME", "METHODS", "MIN_SAMPLES", "MORRIS_LEVELS",
    "RESAMPLES", "Design", "NoiseFloor", "OutcomeIndices", "ParameterIndex", "analyse",
    "check_method", "check_samples", "make_design", "noise_floor", "points_needed",
]
