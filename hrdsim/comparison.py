"""Paired comparison of scenarios on common random numbers.

``hrdsim.compare(baseline, *alternatives, ...)`` (:func:`hrdsim.api.compare`)
is the way in from Python; ``hrdsim compare`` from the command line.

Replication ``i`` of every scenario runs on the same seed and replication
number, so it draws the same demand, fires and facilitation needs (see
:mod:`hrdsim.rng`). The difference ``alternative_i - baseline_i`` then holds
the effect of what differs between the scenarios with most of the noise
cancelled, and a t-interval over these paired differences says whether the
effect is distinguishable from noise.

:func:`run_comparison` runs a comparison on an executor (adding replications
until a precision target is met, if asked); :class:`Comparison` holds the
results and renders them as text, JSON, pandas DataFrames or a results folder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs

from hrdsim.errors import HrdsimError
from hrdsim.metrics import format_number

if TYPE_CHECKING:
    from hrdsim.engine import ReplicationResult
    from hrdsim.experiment import ExecutorHandle, Failure, Prepared
    from hrdsim.metrics import Estimate, Outcome
    from hrdsim.plugins import PluginInfo
    from hrdsim.resolve import ResolvedScenario

#: The replications a --precision study may grow to unless told otherwise.
DEFAULT_MAX_REPLICATIONS = 200


def key_metrics() -> tuple[str, ...]:
    """The outcomes compared by default: the key outcomes of :data:`hrdsim.metrics.OUTCOMES`."""
    from hrdsim.metrics import OUTCOMES

    return tuple(o.name for o in OUTCOMES if o.key)


# --------------------------------------------------------------------------- precision targets


@attrs.frozen
class Target:
    """Run until the 95% CI half-width of ``metric``'s difference (for every
    alternative) is below ``half_width``."""

    metric: str
    half_width: float


def parse_precision(text: str) -> Target:
    """Read ``METRIC=HALFWIDTH``, e.g. ``capability_index=0.5``.

    :raises HrdsimError: for a bad form, an unknown metric or a half-width that is
        not a positive number.
    """
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.params import did_you_mean

    metric, sep, raw = text.partition("=")
    metric = metric.strip()
    if not sep or not metric or not raw.strip():
        raise HrdsimError(
            f"--precision {text}: expected METRIC=HALFWIDTH, e.g. capability_index=0.5"
        )
    if metric not in OUTCOME_BY_NAME:
        names = list(OUTCOME_BY_NAME)
        raise HrdsimError(
            f"--precision {text}: unknown metric {metric!r}"
            + (did_you_mean(metric, names) or "")
            + "; choose one of " + ", ".join(names)
        )
    try:
        half_width = float(raw)
    except ValueError:
        half_width = float("nan")
    if not (math.isfinite(half_width) and half_width > 0):
        raise HrdsimError(
            f"--precision {text}: the half-width must be a positive number in the metric's "
            f"unit ({OUTCOME_BY_NAME[metric].unit}), e.g. {metric}=0.5"
        )
    return Target(metric, half_width)


@attrs.frozen
class PrecisionReport:
    """How a precision-driven study ended.

    :ivar stopped: ``"target met"``, ``"cap"`` (max replications reached),
        ``"not a number"`` (the metric is NaN, e.g. an unstable queue) or
        ``"interrupted"``.
    :ivar half_widths: metric → alternative → half-width reached.
    """

    targets: tuple[Target, ...]
    reached: bool
    stopped: str
    replications: int
    cap: int
    half_widths: dict[str, dict[str, float]]

    def describe(self) -> str:
        parts = []
        for target in self.targets:
            widths = self.half_widths.get(target.metric, {})
            shown = ", ".join(f"{alt}: {w:.2g}" for alt, w in widths.items())
            parts.append(f"{target.metric} 95% CI half-width below {target.half_width:g} "
                         f"(reached {shown})")
        goal = "; ".join(parts)
        if self.stopped == "target met":
            return f"Precision: {goal} reached after {self.replications} paired replications."
        if self.stopped == "cap":
            return (f"Precision NOT reached: {goal} - stopped at the cap of {self.cap} paired "
                    "replications (raise it with --max-replications, or accept a wider "
                    "interval).")
        if self.stopped == "not a number":
            return (f"Precision NOT reached: {goal} - the metric is not a number (an unstable "
                    f"queue), so more replications cannot help; stopped after "
                    f"{self.replications}.")
        return f"Precision NOT reached: {goal} - interrupted after {self.replications}."

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": [{"metric": t.metric, "half_width": t.half_width} for t in self.targets],
            "reached": self.reached,
            "stopped": self.stopped,
            "replications": self.replications,
            "max_replications": self.cap,
            "half_widths": {m: {a: _finite(w) for a, w in ws.items()}
                            for m, ws in self.half_widths.items()},
        }


# --------------------------------------------------------------------------- differences


@attrs.frozen
class Difference:
    """One alternative's paired difference from the baseline in one metric.

    :ivar mean: mean of ``alternative_i - baseline_i`` (NaN when not a number).
    :ivar better_count: paired runs in which the alternative is better (``None``
        for a metric that is neither better higher nor lower).
    :ivar undefined: why there is no number (e.g. an unstable queue), or ``""``.
    """

    alternative: str
    metric: str
    label: str
    unit: str
    better: str
    mean: float
    ci_low: float
    ci_high: float
    sd: float
    n: int
    better_count: int | None
    verdict: str
    undefined: str = ""
    not_a_number: tuple[int, int] = (0, 0)  # NaN outcomes in (baseline, alternative)

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2

    @property
    def share_better(self) -> float | None:
        if self.better_count is None or self.n == 0 or self.undefined:
            return None
        return self.better_count / self.n

    def as_dict(self) -> dict[str, Any]:
        return {
            "alternative": self.alternative, "metric": self.metric, "label": self.label,
            "unit": self.unit, "better": self.better or None,
            "mean": _finite(self.mean), "ci_low": _finite(self.ci_low),
            "ci_high": _finite(self.ci_high), "sd": _finite(self.sd), "n": self.n,
            "better_count": None if self.undefined else self.better_count,
            "share_better": self.share_better, "verdict": self.verdict,
            "not_a_number": None if not self.undefined else
            {"baseline": self.not_a_number[0], "alternative": self.not_a_number[1]},
        }


def paired_difference(
    outcome: Outcome, alternative: str, baseline_runs: Mapping[int, Mapping[str, float]],
    alternative_runs: Mapping[int, Mapping[str, float]],
) -> Difference:
    """The difference ``alternative - baseline`` over the replications both finished."""
    import numpy as np

    from hrdsim.metrics import estimate

    reps = sorted(set(baseline_runs) & set(alternative_runs))
    nan = float("nan")
    base = np.array([baseline_runs[r].get(outcome.name, nan) for r in reps], dtype=float)
    alt = np.array([alternative_runs[r].get(outcome.name, nan) for r in reps], dtype=float)
    label = outcome.label.strip()
    common: dict[str, Any] = {"alternative": alternative, "metric": outcome.name, "label": label,
              "unit": outcome.unit, "better": outcome.better}
    bad_base, bad_alt = ~np.isfinite(base), ~np.isfinite(alt)
    if bad_base.any() or bad_alt.any():
        why = _why_not_a_number(
            [baseline_runs[r] for r, bad in zip(reps, bad_base, strict=True) if bad]
            + [alternative_runs[r] for r, bad in zip(reps, bad_alt, strict=True) if bad])
        which = [f"the {role} in {int(bad.sum())} of {len(reps)}"
                 for role, bad in (("baseline", bad_base), ("alternative", bad_alt)) if bad.any()]
        reason = f"{why} in {' and '.join(which)} paired runs"
        return Difference(**common, mean=nan, ci_low=nan, ci_high=nan, sd=nan, n=len(reps),
                          better_count=None, undefined=reason,
                          not_a_number=(int(bad_base.sum()), int(bad_alt.sum())),
                          verdict=f"{alternative}: no number for {_lower(label)} - {reason}")
    diffs = alt - base
    est = estimate(diffs)
    better_count = None
    if outcome.better == "higher":
        better_count = int((diffs > 0).sum())
    elif outcome.better == "lower":
        better_count = int((diffs < 0).sum())
    from hrdsim.report.meaningful import threshold

    limit = threshold(outcome.name, float(base.mean()) if base.size else None)
    return Difference(**common, mean=est.mean, ci_low=est.low, ci_high=est.high, sd=est.sd,
                      n=est.n, better_count=better_count,
                      verdict=verdict(alternative, outcome, diffs, est, better_count, limit))


def _why_not_a_number(runs: Sequence[Mapping[str, float]]) -> str:
    if any(r.get("queue_unstable", 0.0) > 0 for r in runs):
        return "an unstable HR developer queue (offered more work than developers can do, " \
               "so waits grow without bound)"
    return "not defined (e.g. no request was served)"


def verdict(alternative: str, outcome: Outcome, diffs: Any, est: Estimate,
            better_count: int | None, limit: float | None = None) -> str:
    """A plain-language reading of a paired difference.

    'Octopus raises capability index (end) by 1.20 (0.80 to 1.60) points; better in
    19 of 20 paired runs', or '...: no difference in ... distinguishable from noise'
    when the 95% CI contains 0.

    :param limit: the smallest change in the outcome that matters
        (:mod:`hrdsim.report.meaningful`): a difference clear of noise whose whole
        interval lies within it is said to be practically no change.
    """
    n = est.n
    name = _lower(outcome.label.strip())
    unit = _unit_words(outcome.unit)
    unit = f" {unit}" if unit else ""
    better = "" if better_count is None else f"; better in {better_count} of {n} paired runs"
    if n == 0:
        return f"{alternative}: no paired runs finished, so no comparison"
    if bool((diffs == 0).all()):
        return (f"{alternative}: no difference in {name} distinguishable from noise "
                f"(identical in all {n} paired runs)")
    if n == 1 or math.isnan(est.low):
        return (f"{alternative}: {_signed(est.mean)}{unit} in {name} in a single paired run; "
                f"one run gives no interval (run at least 2){better}")
    if est.low <= 0 <= est.high:
        mean, low, high = _numbers(est.mean, est.low, est.high)
        sign = "" if mean.startswith("-") else "+"
        return (f"{alternative}: no difference in {name} distinguishable from noise "
                f"({sign}{mean}{unit}, 95% CI {low} to {high}){better}")
    verb = "raises" if est.mean > 0 else "lowers"
    low_, high_ = sorted((abs(est.low), abs(est.high)))
    mean, low, high = _numbers(abs(est.mean), low_, high_)
    told = f"{alternative} {verb} {name} by {mean} ({low} to {high}){unit}{better}"
    if limit is not None and -limit < est.low and est.high < limit:
        told += (f" - practically no change: the whole interval lies within "
                 f"±{format_number(limit)}{unit}, the smallest change that matters")
    return told


def _numbers(mean: float, low: float, high: float) -> tuple[str, str, str]:
    """A mean and its interval with the same decimals: two significant digits of the
    half-width (of the mean when the interval has no width)."""
    scale = (high - low) / 2 or abs(mean)
    decimals = 0 if scale == 0 else min(max(1 - math.floor(math.log10(scale)), 0), 8)
    return tuple(f"{v:,.{decimals}f}" for v in (mean, low, high))  # type: ignore[return-value]


def _lower(label: str) -> str:
    """'Capability index (end)' → 'capability index (end)'; 'HR developer...' stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


_UNIT_WORDS = {"0-100": "points", "%": "percentage points", "0-1": "", "0/1": "",
               "ratio": "", "ρ": "", "/team/year": "per team per year"}


def _unit_words(unit: str) -> str:
    return _UNIT_WORDS.get(unit, unit)


# --------------------------------------------------------------------------- inputs


MISSING = "(not set)"


@attrs.frozen
class InputDifference:
    """A resolved input that differs: its dotted key and both values."""

    key: str
    baseline: Any
    alternative: Any

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key,
                "baseline": None if self.baseline is MISSING else self.baseline,
                "alternative": None if self.alternative is MISSING else self.alternative}


def input_values(resolved: ResolvedScenario) -> dict[str, Any]:
    """A scenario's resolved values as one flat table, every policy's parameters
    with their defaults filled in (``learning.params.share``...)."""
    values = attrs.asdict(resolved.scenario)
    values.pop("replications", None)  # a study chooses how many replications run
    table: dict[str, Any] = resolved.params_table()
    for kind in ("learning", "operating_model", "facilitation"):
        values[kind]["params"] = table[kind]["params"]
    values["practices"] = [{"policy": p["policy"], "params": p["params"]}
                           for p in table["practices"]]
    return flatten(values)


def flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """Nested tables and lists of tables as one table of dotted keys
    (``learning.params.share``, ``strategy.shifts[0].week``); a list of plain values, or
    an empty table, is one value."""
    flat: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping) and (value or not prefix):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value):
            for i, item in enumerate(value):
                walk(item, f"{prefix}[{i}]")
        else:
            flat[prefix] = value

    walk(values, "")
    return flat


def input_differences(baseline: ResolvedScenario,
                      alternative: ResolvedScenario) -> list[InputDifference]:
    """Every resolved input whose value differs, in the baseline's key order."""
    base, alt = input_values(baseline), input_values(alternative)
    keys = list(base) + [k for k in alt if k not in base]
    return [InputDifference(k, base.get(k, MISSING), alt.get(k, MISSING))
            for k in keys if base.get(k, MISSING) != alt.get(k, MISSING)]


# --------------------------------------------------------------------------- the comparison


@attrs.define(eq=False, slots=False)
class Comparison:
    """A baseline and its alternatives, run on paired replications.

    :ivar resolved: the scenarios, the baseline first.
    :ivar labels: their names as shown (made unique).
    :ivar results: per scenario, replication → its result.
    :ivar seeds: the seed each scenario ran on (all equal on common random numbers).
    :ivar replications: paired replications run (numbered from 0).
    :ivar failures: replications that raised; a failure's key is the scenario's position.
    :ivar metrics: the outcomes compared.
    """

    resolved: list[ResolvedScenario]
    labels: list[str]
    results: list[dict[int, ReplicationResult]]
    seeds: list[int]
    replications: int
    failures: list[Failure] = attrs.field(factory=list)
    metrics: tuple[str, ...] = attrs.field(factory=key_metrics)
    precision: PrecisionReport | None = None
    executor: dict[str, Any] = attrs.field(factory=dict)
    wall_seconds: float = 0.0
    interrupted: bool = False
    runs_planned: int = 0
    plugins: list[PluginInfo] = attrs.field(factory=list)

    # -- the numbers ----------------------------------------------------------

    @property
    def baseline(self) -> str:
        return self.labels[0]

    @property
    def alternatives(self) -> list[str]:
        return self.labels[1:]

    @property
    def common_random_numbers(self) -> bool:
        """Every scenario ran on the same seed (so replication i saw the same draws)."""
        return len(set(self.seeds)) == 1

    @property
    def runs_finished(self) -> int:
        return sum(len(r) for r in self.results) + len(self.failures)

    def outcomes(self, index: int) -> dict[int, dict[str, float]]:
        """Replication → outcomes of the scenario at ``index`` (0 = the baseline)."""
        return {rep: result.outcomes for rep, result in sorted(self.results[index].items())}

    def difference_list(self) -> list[Difference]:
        """Every alternative's difference in every metric, metric by metric."""
        from hrdsim.metrics import OUTCOME_BY_NAME

        base = self.outcomes(0)
        return [
            paired_difference(OUTCOME_BY_NAME[metric], label, base, self.outcomes(i))
            for metric in self.metrics
            for i, label in enumerate(self.labels) if i > 0
        ]

    def input_list(self) -> list[list[InputDifference]]:
        """Per alternative, the resolved inputs that differ from the baseline's."""
        return [input_differences(self.resolved[0], r) for r in self.resolved[1:]]

    def summaries(self) -> list[dict[str, Estimate]]:
        """Per scenario, each outcome's mean and 95% CI over its finished replications."""
        from hrdsim.metrics import summarise

        return [summarise(list(self.outcomes(i).values())) for i in range(len(self.labels))]

    # -- tables for notebooks ---------------------------------------------------

    @property
    def differences(self) -> Any:
        """DataFrame: alternative, metric, mean, ci_low, ci_high, share_better, verdict
        (and n, better_count, label, unit); NaN where the metric is not a number."""
        import pandas as pd

        rows = [{
            "alternative": d.alternative, "metric": d.metric, "mean": d.mean,
            "ci_low": d.ci_low, "ci_high": d.ci_high,
            "share_better": float("nan") if d.share_better is None else d.share_better,
            "verdict": d.verdict, "n": d.n,
            "better_count": pd.NA if d.better_count is None or d.undefined else d.better_count,
            "label": d.label, "unit": d.unit,
        } for d in self.difference_list()]
        frame = pd.DataFrame(rows, columns=["alternative", "metric", "mean", "ci_low",
                                            "ci_high", "share_better", "verdict", "n",
                                            "better_count", "label", "unit"])
        return frame.astype({"better_count": "Int64"})

    @property
    def weekly(self) -> Any:
        """DataFrame, tidy: one row per scenario × replication × week."""
        return self.weekly_table().to_pandas()

    @property
    def paired(self) -> Any:
        """DataFrame: one row per alternative × metric × paired replication."""
        return self.paired_table().to_pandas()

    @property
    def summary(self) -> Any:
        """DataFrame: one row per scenario × outcome (mean and 95% CI over replications)."""
        return self.summary_table().to_pandas()

    @property
    def inputs(self) -> Any:
        """DataFrame: alternative, key, baseline, alternative_value - the inputs that differ."""
        import pandas as pd

        rows = [{"alternative": label, "key": d.key, "baseline": _show(d.baseline, 0),
                 "alternative_value": _show(d.alternative, 0)}
                for label, diffs in zip(self.alternatives, self.input_list(), strict=True)
                for d in diffs]
        return pd.DataFrame(rows, columns=["alternative", "key", "baseline",
                                           "alternative_value"])

    def weekly_table(self) -> Any:
        import pyarrow as pa

        from hrdsim.results import weekly_table

        return pa.concat_tables([weekly_table(self._run_results(i), label)
                                 for i, label in enumerate(self.labels)])

    def paired_table(self) -> Any:
        import pyarrow as pa

        base = self.outcomes(0)
        rows: dict[str, list[Any]] = {k: [] for k in (
            "alternative", "metric", "replication", "baseline_value", "alternative_value",
            "difference")}
        for metric in self.metrics:
            for i, label in enumerate(self.alternatives, start=1):
                alt = self.outcomes(i)
                for rep in sorted(set(base) & set(alt)):
                    b = base[rep].get(metric, float("nan"))
                    a = alt[rep].get(metric, float("nan"))
                    rows["alternative"].append(label)
                    rows["metric"].append(metric)
                    rows["replication"].append(rep)
                    rows["baseline_value"].append(_or_none(b))
                    rows["alternative_value"].append(_or_none(a))
                    rows["difference"].append(_or_none(a - b))
        return pa.table({
            "alternative": pa.array(rows["alternative"], type=pa.string()),
            "metric": pa.array(rows["metric"], type=pa.string()),
            "replication": pa.array(rows["replication"], type=pa.int64()),
            **{k: pa.array(rows[k], type=pa.float64())
               for k in ("baseline_value", "alternative_value", "difference")},
        })

    def summary_table(self) -> Any:
        import pyarrow as pa

        from hrdsim.metrics import OUTCOME_BY_NAME

        rows: dict[str, list[Any]] = {k: [] for k in (
            "scenario", "outcome", "label", "unit", "mean", "ci_low", "ci_high", "sd", "n")}
        for label, summary in zip(self.labels, self.summaries(), strict=True):
            for name, est in summary.items():
                meta = OUTCOME_BY_NAME.get(name)
                rows["scenario"].append(label)
                rows["outcome"].append(name)
                rows["label"].append(meta.label.strip() if meta else name)
                rows["unit"].append(meta.unit if meta else "")
                for column, value in (("mean", est.mean), ("ci_low", est.low),
                                      ("ci_high", est.high), ("sd", est.sd)):
                    rows[column].append(_or_none(value))
                rows["n"].append(est.n)
        types_ = {"scenario": pa.string(), "outcome": pa.string(), "label": pa.string(),
                  "unit": pa.string(), "n": pa.int64()}
        return pa.table({k: pa.array(v, type=types_.get(k, pa.float64()))
                         for k, v in rows.items()})

    def _run_results(self, index: int) -> Any:
        from hrdsim.runner import RunResults

        reps = [self.results[index][r] for r in sorted(self.results[index])]
        return RunResults(self.resolved[index], reps,
                          self.summaries()[index] if reps else {}, self.wall_seconds)

    # -- reports ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data (no NaN: JSON null; no times, so it is reproducible)."""
        def scenario(i: int) -> dict[str, Any]:
            loaded = self.resolved[i].loaded
            return {"name": self.labels[i], "path": str(loaded.path),
                    "values_sha256": loaded.values_hash, "seed": self.seeds[i],
                    "replications_finished": len(self.results[i])}

        return {
            "baseline": scenario(0),
            "alternatives": [scenario(i) for i in range(1, len(self.labels))],
            "seed": self.seeds[0] if self.common_random_numbers else None,
            "common_random_numbers": self.common_random_numbers,
            "replications": self.replications,
            "metrics": list(self.metrics),
            "inputs_differ": [
                {"alternative": label, "differences": [d.as_dict() for d in diffs]}
                for label, diffs in zip(self.alternatives, self.input_list(), strict=True)
            ],
            "differences": [d.as_dict() for d in self.difference_list()],
            "precision": None if self.precision is None else self.precision.as_dict(),
            "runs": {"planned": self.runs_planned, "finished": self.runs_finished,
                     "failed": len(self.failures), "interrupted": self.interrupted},
            "failures": [{"scenario": self.labels[_position(f)], "path": f.scenario,
                          "replication": f.replication, "message": f.message}
                         for f in self.failures],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    def report(self) -> str:
        """The comparison as text: what differs, then each metric's verdicts."""
        return _report(self)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return (f"<Comparison of {self.baseline!r} with {self.alternatives!r}: "
                f"{self.replications} paired replications>")

    def write(self, out: str | Path, command: Sequence[str] | None = None) -> list[Path]:
        """Write manifest, comparison, summaries, weekly tables and paired differences
        into the folder ``out`` (created if needed; every file written atomically)."""
        from hrdsim.results import python_command

        return write_comparison(self, Path(out),
                                python_command() if command is None else list(command))


def scenario_labels(resolved: Sequence[ResolvedScenario]) -> list[str]:
    """The scenarios' names, with the file added where two share a name."""
    names = [r.scenario.name for r in resolved]
    labels = [f"{n} ({r.loaded.path})" if names.count(n) > 1 else n
              for n, r in zip(names, resolved, strict=True)]
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return unique


# --------------------------------------------------------------------------- running


def run_comparison(
    prepared: Sequence[Prepared], handle: ExecutorHandle, *, replications: int,
    targets: Sequence[Target] = (), max_replications: int = DEFAULT_MAX_REPLICATIONS,
    metrics: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_interrupt: Callable[[int], None] | None = None,
) -> Comparison:
    """Run every scenario on replications ``0 .. replications-1`` and pair them.

    With precision ``targets``, ``replications`` is the first batch: batches
    are added until every target is met for every alternative, or
    ``max_replications`` paired replications have run.

    :param prepared: the scenarios, the baseline first, all on the same seed.
    :param progress: called as ``progress(runs_done, runs_planned)`` after each run.
    :param on_interrupt: called after Ctrl-C with the number of running runs waited for.
    """
    from hrdsim.experiment import Batch, run_units, units_for
    from hrdsim.plugins import plugin_infos

    chosen = list(metrics) if metrics is not None else list(key_metrics())
    chosen += [t.metric for t in targets if t.metric not in chosen]
    resolved = [p.resolved for p in prepared]
    labels = scenario_labels(resolved)
    specs = [(i, p.spec) for i, p in enumerate(prepared)]
    k = len(prepared)
    planned = max(1, min(replications, max_replications) if targets else replications)
    done = 0
    state = {"done": 0}
    batch = Batch()
    report: PrecisionReport | None = None

    def tick(_: int) -> None:
        state["done"] += 1
        if progress is not None:
            progress(state["done"], planned * k)

    if progress is not None:
        progress(0, planned * k)
    while True:
        part = run_units(handle, units_for(specs, range(done, planned)), progress=tick,
                         on_interrupt=on_interrupt)
        batch.extend(part)
        done = planned
        comparison = _assemble(prepared, labels, batch, planned, chosen, handle, k)
        if not targets:
            break
        widths = _half_widths(comparison, targets)
        if part.interrupted:
            report = PrecisionReport(tuple(targets), False, "interrupted", planned,
                                     max_replications, widths)
            break
        met = all(w < t.half_width for t in targets for w in widths[t.metric].values())
        if met:
            report = PrecisionReport(tuple(targets), True, "target met", planned,
                                     max_replications, widths)
            break
        if any(d.undefined for d in comparison.difference_list()
               if d.metric in {t.metric for t in targets}):
            report = PrecisionReport(tuple(targets), False, "not a number", planned,
                                     max_replications, widths)
            break
        if planned >= max_replications:
            report = PrecisionReport(tuple(targets), False, "cap", planned,
                                     max_replications, widths)
            break
        planned = _next_size(planned, widths, targets, max_replications, handle.slots, k)
        if progress is not None:
            progress(state["done"], planned * k)
    comparison.precision = report
    infos: dict[str, PluginInfo] = {}
    for p in prepared:
        infos.update({info.name: info for info in plugin_infos(p.pm)})
    comparison.plugins = [infos[n] for n in sorted(infos)]
    return comparison


def _assemble(prepared: Sequence[Prepared], labels: list[str], batch: Any, planned: int,
              metrics: Sequence[str], handle: ExecutorHandle, k: int) -> Comparison:
    results: list[dict[int, ReplicationResult]] = [{} for _ in prepared]
    for (key, replication), result in batch.results.items():
        results[cast(int, key)][replication] = result
    return Comparison(
        resolved=[p.resolved for p in prepared], labels=labels, results=results,
        seeds=[p.resolved.scenario.seed for p in prepared], replications=planned,
        failures=list(batch.failures), metrics=tuple(metrics), executor=handle.description,
        wall_seconds=batch.wall_seconds, interrupted=batch.interrupted,
        runs_planned=planned * k,
    )


def _half_widths(comparison: Comparison, targets: Sequence[Target]) -> dict[str, dict[str, float]]:
    wanted = {t.metric for t in targets}
    widths: dict[str, dict[str, float]] = {m: {} for m in wanted}
    for d in comparison.difference_list():
        if d.metric in wanted:
            widths[d.metric][d.alternative] = d.half_width
    return widths


def _next_size(planned: int, widths: Mapping[str, Mapping[str, float]],
               targets: Sequence[Target], cap: int, slots: int, k: int) -> int:
    """The next total: enough to meet the widest target if the spread stays as it is
    (a half-width shrinks as 1/√n), at least one run per slot, at most double."""
    ratio = 1.0
    for t in targets:
        for width in widths[t.metric].values():
            ratio = max(ratio, (width / t.half_width) ** 2 if math.isfinite(width) else 4.0)
    wanted = math.ceil(planned * ratio * 1.1)
    step = min(max(wanted - planned, math.ceil(slots / k), 2), planned)
    return min(planned + step, cap)


# --------------------------------------------------------------------------- text report


def _report(c: Comparison) -> str:
    base = c.resolved[0]
    s = base.scenario
    lines = [f"Baseline {json.dumps(c.baseline, ensure_ascii=False)} ({base.loaded.path})"]
    for label, r in zip(c.alternatives, c.resolved[1:], strict=True):
        lines.append(f"  versus {json.dumps(label, ensure_ascii=False)} ({r.loaded.path})")
    from hrdsim.experiment import executor_text, failure_lines

    where = executor_text(c.executor)
    if c.common_random_numbers:
        rng = (f"{c.replications} paired replications on common random numbers "
               f"(seed {c.seeds[0]}, replications 0-{c.replications - 1})")
    else:
        rng = (f"{c.replications} paired replications NOT on common random numbers (seeds "
               f"{', '.join(map(str, c.seeds))}): differences include independent noise")
    lines.append(f"{s.organisation.employees} people, {s.weeks} weeks; {rng}")
    if c.runs_planned:
        lines.append(f"{c.runs_finished} of {c.runs_planned} runs in {c.wall_seconds:.1f} s"
                     + (f" ({where})" if where else ""))
    lines += ["", "Inputs that differ from the baseline:"]
    for label, diffs in zip(c.alternatives, c.input_list(), strict=True):
        lines.append(f"  {label}")
        if not diffs:
            lines.append("    (none: the same inputs)")
            continue
        rows = [("Key", "Baseline", "Alternative")] + [
            (d.key, _show(d.baseline), _show(d.alternative)) for d in diffs]
        lines += ["    " + line for line in _table(rows)]
    lines += ["", "Differences from the baseline (alternative − baseline: mean and 95% CI over "
              "paired replications):"]
    by_metric: dict[str, list[Difference]] = {}
    for d in c.difference_list():
        by_metric.setdefault(d.metric, []).append(d)
    for found in by_metric.values():
        first = found[0]
        direction = {"higher": "; higher is better", "lower": "; lower is better"}.get(
            first.better, "")
        lines.append(f"  {first.label} [{first.unit}{direction}]")
        lines += [f"    {d.verdict}" for d in found]
    if c.precision is not None:
        lines += ["", c.precision.describe()]
    if c.failures:
        lines += ["", f"{len(c.failures)} of {c.runs_finished} finished runs failed (their "
                  "pairs are left out):"]
        lines += failure_lines(c.failures, lambda f: c.labels[_position(f)],
                               "comparison.json")
    if c.interrupted:
        lines += ["", f"Interrupted: {c.runs_finished} of {c.runs_planned} runs finished; the "
                  "differences above use the paired replications that finished."]
    return "\n".join(lines)


def _position(failure: Failure) -> int:
    """The position of a failed run's scenario (a comparison keys units by position)."""
    return cast(int, failure.key)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def _show(value: Any, limit: int = 40) -> str:
    if value is MISSING:
        return MISSING
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def _num(value: float) -> str:
    return format_number(value)


def _signed(value: float) -> str:
    text = _num(value)
    return text if text.startswith("-") or math.isnan(value) else f"+{text}"


def _finite(value: float) -> float | None:
    return value if isinstance(value, int | float) and math.isfinite(value) else None


def _or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


# --------------------------------------------------------------------------- results folder


def write_comparison(c: Comparison, out: Path, command: Sequence[str]) -> list[Path]:
    """Write the comparison's files into ``out``.

    manifest.json (what ran, where, on which seeds), comparison.json, summary.json
    and summary.parquet/.csv (per scenario), weekly.parquet/.csv (a ``scenario``
    column) and paired.csv (one row per alternative × metric × replication).

    :raises OutputError: if the folder cannot be created or written.
    """
    from hrdsim.results import (
        _version,
        manifest_dict,
        prepare_folder,
        scenario_record,
        summary_dict,
        write_json,
        write_table,
    )

    prepare_folder(out, "compare")
    manifest = manifest_dict(c._run_results(0), c.plugins, command)
    manifest.update({
        "study": "compare",
        "replications": c.replications,
        "scenarios": [{"role": "baseline" if i == 0 else "alternative", "label": label,
                       "seed": c.seeds[i], **scenario_record(c.resolved[i])}
                      for i, label in enumerate(c.labels)],
        "seeds": {"seed": c.seeds[0] if c.common_random_numbers else list(c.seeds),
                  "common_random_numbers": c.common_random_numbers,
                  "replications": f"0-{c.replications - 1}"},
        "executor": dict(c.executor),
        "runs": {"planned": c.runs_planned, "finished": c.runs_finished,
                 "failed": len(c.failures), "interrupted": c.interrupted},
        "wall_seconds": round(c.wall_seconds, 3),
    })
    manifest["seed"] = manifest["seeds"]["seed"]
    manifest["versions"].update({pkg: _version(pkg) for pkg in ("pandas", "dask", "distributed")})
    written = [write_json(out / "manifest.json", manifest),
               write_json(out / "comparison.json", c.to_dict())]
    summaries = []
    for i, label in enumerate(c.labels):
        data = summary_dict(c._run_results(i))
        data.update({"scenario": label, "replications": len(c.results[i]), "seed": c.seeds[i]})
        summaries.append(data)
    written.append(write_json(out / "summary.json", {"scenarios": summaries}))
    written += write_table(out, "summary", c.summary_table())
    written += write_table(out, "weekly", c.weekly_table())
    written += write_table(out, "paired", c.paired_table(), parquet=False)
    return written
