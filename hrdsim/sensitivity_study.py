"""A sensitivity study of one scenario: which parameters move which outcomes.

``hrdsim.sensitivity(scenario, ranges={...})`` (:func:`sensitivity`) is the way
in from Python; ``hrdsim sensitivity`` from the command line; ``docs/sensitivity.md``
explains the methods, their cost and how to read the results.

:func:`plan_study` checks every input and every design point before anything
runs; each design point becomes ``--set`` overrides of the scenario (points whose
rounded values coincide run once). :func:`run_study` runs every point's
replications on the same seed (common random numbers) on an executor, and
:class:`Sensitivity` holds the runs and analyses each outcome with
:mod:`hrdsim.sensitivity_analysis`: the mean over a point's replications is the
model output, their spread gives the noise floor. It renders the study as text,
JSON, pandas DataFrames or a results folder.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.design import Range, check_keys, check_range_ends, parse_range, scale_text
from hrdsim.errors import HrdsimError, ScenarioError
from hrdsim.metrics import format_number
from hrdsim.sensitivity_analysis import (
    CONFIDENCE,
    DEFAULT_SAMPLES,
    INDEX_NAME,
    MORRIS_LEVELS,
    RESAMPLES,
    Design,
    OutcomeIndices,
    ParameterIndex,
    analyse,
    check_method,
    check_samples,
    make_design,
)

if TYPE_CHECKING:
    from hrdsim.experiment import ExecutorHandle, Failure, Prepared, ScenarioSpec
    from hrdsim.plugins import PluginInfo
    from hrdsim.resolve import ResolvedScenario

Overrides = Iterable[str] | Mapping[str, Any]
Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- the study


@attrs.define(eq=False, slots=False)
class StudyPlan:
    """A sensitivity study checked and ready to run.

    :ivar base: the scenario with the user's overrides, on the study's seed.
    :ivar design: the design points.
    :ivar specs: one scenario variant per distinct design point (points whose
        rounded values coincide run once).
    :ivar point_keys: design point → its variant's position in ``specs``.
    :ivar replications: replications at every point (numbered from 0).
    :ivar seed: the seed of every run and of the design.
    :ivar outcomes: the outcomes analysed.
    """

    base: Prepared
    design: Design
    specs: list[ScenarioSpec]
    point_keys: list[int]
    replications: int
    seed: int
    outcomes: tuple[str, ...]

    @property
    def runs_planned(self) -> int:
        return len(self.specs) * self.replications


def plan_study(
    scenario: str | Path, *, method: str = "sobol",
    ranges: Sequence[str | Range] | Mapping[str, tuple[float, float]] = (),
    samples: int | None = None, replications: int | None = None, seed: int | None = None,
    outcomes: Sequence[str] | None = None, overrides: Sequence[str] = (),
    plugins: Iterable[str | Path] = (), disabled: Iterable[str] = (),
) -> StudyPlan:
    """Check every input, draw the design and check that the scenario accepts
    every design point - all before anything runs.

    :raises HrdsimError: for a bad method, range, sample count, outcome,
        replication count, scenario, override or plugin.
    """
    from hrdsim.comparison import input_values, key_metrics
    from hrdsim.experiment import prepare
    from hrdsim.loader import load_scenario
    from hrdsim.plugins import build_registry
    from hrdsim.resolve import resolve

    method = check_method(method)
    parsed = _parse_ranges(ranges)
    count = DEFAULT_SAMPLES[method] if samples is None else int(samples)
    check_samples(method, count)
    chosen = _check_outcomes(outcomes) if outcomes is not None else key_metrics()
    overrides = tuple(overrides)
    loaded = load_scenario(scenario, overrides)
    assert loaded.scenario is not None
    study_seed = loaded.scenario.seed if seed is None else seed
    base = prepare(scenario, overrides, {"seed": study_seed}, plugins, disabled)
    reps = base.resolved.scenario.replications if replications is None else replications
    if reps < 2:
        raise HrdsimError(
            f"--replications {reps}: a sensitivity study needs at least 2 replications per "
            "design point (their spread gives the noise floor), e.g. -n 5")
    current = input_values(base.resolved)
    for r in parsed:
        if r.key == "seed":
            raise ScenarioError("--range", "seed", "is the study's seed, not a parameter "
                                "(every point runs on it: common random numbers)",
                                "use --seed to change it")
    try:
        checked = check_keys(current, ranges=parsed)
    except ScenarioError as exc:
        if "--grid" not in exc.hint:
            raise
        raise ScenarioError(exc.source, exc.key, exc.problem, "a sensitivity study varies "
                            "numbers; run its values with hrdsim sweep --grid") from None
    set_keys = {expr.partition("=")[0].strip() for expr in overrides}
    for r in checked:
        if r.key in set_keys:
            raise ScenarioError("--range", r.key, "is also given with --set; the range would "
                                "override it at every point", "drop one of them")
    registry = build_registry(base.pm)

    def accepts(sets: tuple[str, ...]) -> None:
        resolve(load_scenario(scenario, overrides + sets, {"seed": study_seed}), registry)

    check_range_ends(checked, accepts)
    design = make_design(method, checked, count, study_seed)

    specs: list[ScenarioSpec] = []
    keys: list[int] = []
    seen: dict[tuple[str, ...], int] = {}
    for point in range(design.points):
        point_overrides = design.overrides(point)
        if point_overrides not in seen:
            expressions = overrides + point_overrides
            try:
                resolve(load_scenario(scenario, expressions, {"seed": study_seed}), registry)
            except ScenarioError as exc:
                values = ", ".join(f"{r.key}={_num(v)}" for r, v in
                                   zip(design.ranges, design.values(point), strict=True))
                raise HrdsimError(
                    f"--range: the scenario refuses the design point {values}: {exc} (narrow "
                    "the ranges to values the keys accept together)") from None
            seen[point_overrides] = len(specs)
            specs.append(attrs.evolve(base.spec, overrides=expressions))
        keys.append(seen[point_overrides])
    return StudyPlan(base=base, design=design, specs=specs, point_keys=keys,
                     replications=reps, seed=study_seed, outcomes=tuple(chosen))


def _parse_ranges(
    ranges: Sequence[str | Range] | Mapping[str, tuple[float, float]],
) -> list[Range]:
    if isinstance(ranges, str):
        ranges = [ranges]
    if isinstance(ranges, Mapping):
        parsed = []
        for key, bounds in ranges.items():
            try:
                low, high = bounds
            except (TypeError, ValueError):
                raise ScenarioError("ranges", str(key), f"expected (low, high), got "
                                    f"{bounds!r}") from None
            parsed.append(parse_range(f"{key}={low}:{high}", "ranges"))
    else:
        parsed = [r if isinstance(r, Range) else parse_range(r) for r in ranges]
    if not parsed:
        raise HrdsimError("a sensitivity study needs at least one --range KEY=LO:HI, e.g. "
                          "--range learning.params.share=0.02:0.1 (repeatable)")
    return parsed


def _check_outcomes(outcomes: Sequence[str]) -> tuple[str, ...]:
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.params import did_you_mean

    if isinstance(outcomes, str):
        outcomes = [outcomes]
    names = list(OUTCOME_BY_NAME)
    for name in outcomes:
        if name not in OUTCOME_BY_NAME:
            raise HrdsimError(f"--outcome {name}: unknown outcome" + did_you_mean(name, names)
                              + "; choose from " + ", ".join(names))
    if not outcomes:
        raise HrdsimError("--outcome: name at least one outcome, e.g. capability_index")
    return tuple(dict.fromkeys(outcomes))


def run_study(
    plan: StudyPlan, handle: ExecutorHandle, progress: Progress | None = None,
    on_interrupt: Callable[[int], None] | None = None,
    done: Mapping[tuple[int, int], dict[str, float]] | None = None,
) -> Sensitivity:
    """Run every replication of every distinct design point and analyse the outcomes.

    Runs go to the executor in chunks, keeping only each run's outcomes (not its
    weekly series), so a large study holds little in memory.

    :param progress: called as ``progress(runs_done, runs_to_run)``.
    :param on_interrupt: called after Ctrl-C with the number of running runs waited for.
    :param done: runs finished earlier, (distinct point, replication) → outcomes
        (:func:`hrdsim.sensitivity_folder.finished_runs`); they are not run again.
    """
    from hrdsim.experiment import WorkUnit, run_units
    from hrdsim.plugins import plugin_infos

    results: dict[tuple[int, int], dict[str, float]] = dict(done or {})
    units = [WorkUnit(key, spec, rep) for key, spec in enumerate(plan.specs)
             for rep in range(plan.replications) if (key, rep) not in results]
    chunk = max(256, 16 * handle.slots)
    failures: list[Failure] = []
    state = {"done": 0}
    interrupted = False
    started = time.perf_counter()

    def tick(_: int) -> None:
        state["done"] += 1
        if progress is not None:
            progress(state["done"], len(units))

    if progress is not None:
        progress(0, len(units))
    try:
        for first in range(0, len(units), chunk):
            batch = run_units(handle, units[first:first + chunk], progress=tick,
                              on_interrupt=on_interrupt)
            for (key, rep), result in batch.results.items():
                results[(_key(key), rep)] = dict(result.outcomes)
            failures.extend(batch.failures)
            if batch.interrupted:
                interrupted = True
                break
    except KeyboardInterrupt:  # between two chunks
        interrupted = True
    return Sensitivity(
        plan=plan, results=results, failures=failures, executor=dict(handle.description),
        wall_seconds=time.perf_counter() - started, interrupted=interrupted,
        plugins=plugin_infos(plan.base.pm), resumed=len(done or {}),
    )


# --------------------------------------------------------------------------- the result


@attrs.define(eq=False, slots=False)
class Sensitivity:
    """A sensitivity study's runs and the indices computed from them.

    :ivar plan: what was asked for: scenario, design, replications, outcomes.
    :ivar results: (distinct point, replication) → the run's outcomes.
    :ivar failures: runs that raised; a failure's key is its distinct point.
    :ivar resumed: runs found in the results folder when a resumed study started.
    """

    plan: StudyPlan
    results: dict[tuple[int, int], dict[str, float]]
    failures: list[Failure] = attrs.field(factory=list)
    executor: dict[str, Any] = attrs.field(factory=dict)
    wall_seconds: float = 0.0
    interrupted: bool = False
    plugins: list[PluginInfo] = attrs.field(factory=list)
    resumed: int = 0
    _analyses: list[OutcomeIndices] | None = attrs.field(default=None, init=False)

    # -- the numbers ----------------------------------------------------------

    @property
    def design(self) -> Design:
        return self.plan.design

    @property
    def method(self) -> str:
        return self.design.method

    @property
    def resolved(self) -> ResolvedScenario:
        return self.plan.base.resolved

    @property
    def runs_planned(self) -> int:
        return self.plan.runs_planned

    @property
    def runs_finished(self) -> int:
        return len(self.results) + len(self.failures)

    def run_counts(self) -> dict[str, Any]:
        """Runs planned, finished (with a result or a failure), failed, found in the
        folder when a resumed study started, and whether Ctrl-C stopped the study."""
        return {"planned": self.runs_planned, "finished": self.runs_finished,
                "failed": len(self.failures), "resumed": self.resumed,
                "interrupted": self.interrupted}

    def missing_points(self) -> list[int]:
        """Design points without a finished run for every replication."""
        complete = {key for key in range(len(self.plan.specs))
                    if all((key, rep) in self.results for rep in range(self.plan.replications))}
        return [p for p, key in enumerate(self.plan.point_keys) if key not in complete]

    def analyses(self) -> list[OutcomeIndices]:
        """Each outcome's indices (or why there are none), in the order asked for."""
        if self._analyses is None:
            self._analyses = [self._analyse(name) for name in self.plan.outcomes]
        return self._analyses

    def _analyse(self, name: str) -> OutcomeIndices:
        import numpy as np

        from hrdsim.metrics import OUTCOME_BY_NAME

        meta = OUTCOME_BY_NAME[name]
        label = meta.label.strip()
        missing = self.missing_points()
        if missing:
            why = ("the study was interrupted" if self.interrupted and not self.failures
                   else "runs failed" if not self.interrupted else
                   "runs failed and the study was interrupted")
            return OutcomeIndices(
                outcome=name, label=label, unit=meta.unit, method=self.method,
                reason=f"{len(missing)} of {self.design.points} design points lack a finished "
                f"run for every replication ({why}); {_METHOD_TITLE[self.method]} analysis "
                "needs every point")
        reps = self.plan.replications
        per_key = np.array([[self.results[(key, rep)].get(name, np.nan) for rep in range(reps)]
                            for key in range(len(self.plan.specs))], dtype=float)
        keys = np.asarray(self.plan.point_keys)
        means, variances = per_key.mean(axis=1)[keys], per_key.var(axis=1, ddof=1)[keys]
        found = analyse(self.design, means, variances, reps, name, label, meta.unit)
        if found.reason and not np.isfinite(means).all():
            nan_keys = {int(k) for k in np.unique(keys[~np.isfinite(means)])}
            if all(any(self.results[(key, rep)].get("queue_unstable", 0.0) > 0
                       for rep in range(reps)) for key in nan_keys):
                found = attrs.evolve(found, reason=found.reason + " (an unstable HR developer "
                                     "queue: more work offered than developers can do, so "
                                     "waits grow without bound)")
        return found

    # -- tables for notebooks ---------------------------------------------------

    @property
    def indices(self) -> Any:
        """DataFrame: one row per outcome × parameter (the columns of ``indices.csv``)."""
        return self.indices_table().to_pandas()

    @property
    def runs(self) -> Any:
        """DataFrame: one row per design point × finished replication (``runs.csv``)."""
        return self.runs_table().to_pandas()

    def indices_table(self) -> Any:
        import pyarrow as pa

        rows: list[dict[str, Any]] = []
        for found in self.analyses():
            floor = found.floor
            by_name = {p.parameter: p for p in found.parameters}
            for r in self.design.ranges:
                p = by_name.get(r.key)
                row: dict[str, Any] = {
                    "outcome": found.outcome, "outcome_label": found.label,
                    "outcome_unit": found.unit, "method": self.method,
                    "parameter": r.key, "low": float(r.low), "high": float(r.high),
                    "integer": r.integer, "rank": p.rank if p else None,
                    "index_name": INDEX_NAME[self.method],
                    "index_unit": _index_unit(self.method, found.unit),
                    "index": _finite(p.index) if p else None,
                    "index_ci_low": _finite(p.low) if p else None,
                    "index_ci_high": _finite(p.high) if p else None,
                    "S1": None, "S1_conf": None, "ST": None, "ST_conf": None,
                    "mu_star": None, "mu_star_conf": None, "mu": None, "sigma": None,
                    "noise_floor": _finite(floor.value) if floor else None,
                    "noise_floor_ci_low": _finite(floor.low) if floor else None,
                    "noise_floor_ci_high": _finite(floor.high) if floor else None,
                    "distinguishable": p.distinguishable if p else None,
                    "verdict": p.verdict if p else "",
                    "note": found.reason,
                }
                if p is not None and self.method == "sobol":
                    row.update(S1=_finite(p.first), S1_conf=_finite(p.first_conf),
                               ST=_finite(p.index), ST_conf=_finite(p.conf))
                elif p is not None:
                    row.update(mu_star=_finite(p.index), mu_star_conf=_finite(p.conf),
                               mu=_finite(p.first), sigma=_finite(p.sigma))
                rows.append(row)
        rows.sort(key=lambda row: (self.plan.outcomes.index(row["outcome"]),
                                   row["rank"] if row["rank"] is not None else 0))
        types = {"outcome": pa.string(), "outcome_label": pa.string(),
                 "outcome_unit": pa.string(), "method": pa.string(), "parameter": pa.string(),
                 "integer": pa.bool_(), "rank": pa.int64(), "index_name": pa.string(),
                 "index_unit": pa.string(), "distinguishable": pa.bool_(),
                 "verdict": pa.string(), "note": pa.string()}
        return pa.table({name: pa.array([row[name] for row in rows],
                                        type=types.get(name, pa.float64()))
                         for name in _INDEX_COLUMNS})

    def runs_table(self) -> Any:
        import pyarrow as pa

        from hrdsim.metrics import OUTCOMES

        known = [o.name for o in OUTCOMES]
        extra = sorted({n for outcomes in self.results.values() for n in outcomes} - set(known))
        names = [n for n in known if any(n in o for o in self.results.values())] + extra
        columns: dict[str, list[Any]] = {"point": []}
        columns.update({key: [] for key in self.design.parameters})
        columns["replication"] = []
        columns.update({n: [] for n in names})
        for point, key in enumerate(self.plan.point_keys):
            values = self.design.values(point)
            for rep in range(self.plan.replications):
                outcomes = self.results.get((key, rep))
                if outcomes is None:
                    continue
                columns["point"].append(point)
                for r, v in zip(self.design.ranges, values, strict=True):
                    columns[r.key].append(v)
                columns["replication"].append(rep)
                for n in names:
                    columns[n].append(_finite(outcomes.get(n, float("nan"))))
        types = {r.key: pa.int64() if r.integer else pa.float64() for r in self.design.ranges}
        types.update(point=pa.int64(), replication=pa.int64())
        return pa.table({name: pa.array(values, type=types.get(name, pa.float64()))
                         for name, values in columns.items()})

    # -- reports ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The study as plain data (no NaN: JSON null; no times, so it is reproducible)."""
        loaded = self.resolved.loaded
        design = self.design
        outcomes = []
        for found in self.analyses():
            floor = found.floor
            outcomes.append({
                "outcome": found.outcome, "label": found.label, "unit": found.unit,
                "index": INDEX_NAME[self.method],
                "index_unit": _index_unit(self.method, found.unit),
                "computed": found.computed, "reason": found.reason or None,
                "noise_floor": None if floor is None else {
                    "value": _finite(floor.value), "ci_low": _finite(floor.low),
                    "ci_high": _finite(floor.high), "replication_sd": _finite(floor.noise_sd)},
                "parameters": [_parameter_dict(self.method, p) for p in found.parameters],
            })
        return {
            "study": "sensitivity",
            "method": self.method,
            "scenario": {"name": self.resolved.scenario.name, "path": str(loaded.path),
                         "values_sha256": loaded.values_hash},
            "seed": self.plan.seed,
            "replications": self.plan.replications,
            "samples": design.samples,
            "design": _design_dict(self.plan),
            "ranges": [_range_dict(r) for r in design.ranges],
            "outcomes": outcomes,
            "confidence": CONFIDENCE,
            "runs": self.run_counts(),
            "failures": [self._failure_dict(f) for f in self.failures],
        }

    def _failure_dict(self, failure: Failure) -> dict[str, Any]:
        key = _key(failure.key)
        points = [p for p, k in enumerate(self.plan.point_keys) if k == key]
        values = self.design.values(points[0]) if points else ()
        return {"points": points,
                "values": {r.key: v for r, v in zip(self.design.ranges, values, strict=True)},
                "replication": failure.replication, "message": failure.message}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    def report(self) -> str:
        """The study as text: the design, then per outcome the ranked indices,
        the noise floor and a line per parameter."""
        return _report(self)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        return (f"<Sensitivity of {self.resolved.scenario.name!r} ({self.method}): "
                f"{len(self.design.ranges)} parameters, {self.design.points} design points, "
                f"{self.runs_finished} of {self.runs_planned} runs>")

    def write(self, out: str | Path, command: Sequence[str] | None = None) -> list[Path]:
        """Write manifest.json, sensitivity.json, indices.csv and runs.parquet/.csv into
        the folder ``out`` (created if needed; every file written atomically)."""
        from hrdsim.results import python_command

        return write_sensitivity(self, Path(out),
                                 python_command() if command is None else list(command))


_METHOD_TITLE = {"sobol": "Sobol'", "morris": "Morris"}

_INDEX_COLUMNS = (
    "outcome", "outcome_label", "outcome_unit", "method", "rank", "parameter", "low", "high",
    "integer", "index_name", "index_unit", "index", "index_ci_low", "index_ci_high", "S1",
    "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "mu", "sigma", "noise_floor",
    "noise_floor_ci_low", "noise_floor_ci_high", "distinguishable", "verdict", "note",
)


def _index_unit(method: str, unit: str) -> str:
    if method == "sobol":
        return "share of variance (0-1)"
    return f"{unit} per range" if unit else "per range"


def _parameter_dict(method: str, p: ParameterIndex) -> dict[str, Any]:
    data: dict[str, Any] = {"parameter": p.parameter, "rank": p.rank}
    if method == "sobol":
        data.update(ST=_finite(p.index), ST_conf=_finite(p.conf), S1=_finite(p.first),
                    S1_conf=_finite(p.first_conf))
    else:
        data.update(mu_star=_finite(p.index), mu_star_conf=_finite(p.conf),
                    mu=_finite(p.first), sigma=_finite(p.sigma))
    data.update(ci_low=_finite(p.low), ci_high=_finite(p.high),
                distinguishable=p.distinguishable, verdict=p.verdict)
    return data


def _range_dict(r: Range) -> dict[str, Any]:
    return {"key": r.key, "low": r.low, "high": r.high, "integer": r.integer}


def _design_dict(plan: StudyPlan) -> dict[str, Any]:
    design = plan.design
    data: dict[str, Any] = {
        "method": design.method, "samples": design.samples, "parameters": len(design.ranges),
        "points": design.points, "distinct_points": len(plan.specs),
        "points_formula": ("N·(D+2): N base samples, D parameters (Saltelli's scheme, no "
                           "second-order indices)" if design.method == "sobol" else
                           "r·(D+1): r trajectories, D parameters"),
        "sample_seed": design.seed,
        "bootstrap_resamples": RESAMPLES,
    }
    if design.method == "morris":
        data["levels"] = MORRIS_LEVELS
    return data


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _key(key: Hashable) -> int:
    return int(key)  # type: ignore[call-overload]


# --------------------------------------------------------------------------- text report


def _report(s: Sensitivity) -> str:
    scenario = s.resolved.scenario
    design = s.design
    title = _METHOD_TITLE[s.method]
    what = ("Sobol' indices: ST (total, interactions included) and S1 (first order)"
            if s.method == "sobol" else
            "Morris elementary effects: mu* (mean absolute effect), mu (mean), sigma (spread)")
    lines = [f"Sensitivity of {json.dumps(scenario.name, ensure_ascii=False)} "
             f"({s.resolved.loaded.path}) - {what}",
             f"{scale_text(scenario.organisation.employees, scenario.weeks, design.parameters)}"
             f"; {_count(len(design.ranges), 'parameter')} varied:"]
    rows = [(r.key, f"{_num(r.low)} … {_num(r.high)}" + (" (whole numbers)" if r.integer
                                                        else ""))
            for r in design.ranges]
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
    d = len(design.ranges)
    if s.method == "sobol":
        shape = f"{design.samples} base samples × ({_count(d, 'parameter')} + 2)"
    else:
        shape = (f"{design.samples} trajectories × ({_count(d, 'parameter')} + 1), "
                 f"{MORRIS_LEVELS} levels")
    distinct = len(s.plan.specs)
    same = f" ({distinct} distinct)" if distinct != design.points else ""
    lines.append(f"Design: {shape} = {design.points} points{same}, {title} sample seeded "
                 f"from {s.plan.seed}; every point runs replications "
                 f"0-{s.plan.replications - 1} on common random numbers (seed {s.plan.seed})")
    from hrdsim.experiment import executor_text, failure_lines

    where = executor_text(s.executor)
    if s.resumed:
        ran = s.runs_finished - s.resumed
        lines.append(f"{s.runs_finished} of {s.runs_planned} runs ({s.resumed} already in the "
                     f"folder; {ran} run now"
                     + (f" in {s.wall_seconds:.1f} s" + (f", {where}" if where else "")
                        if ran else "") + ")")
    else:
        lines.append(f"{s.runs_finished} of {s.runs_planned} runs in {s.wall_seconds:.1f} s"
                     + (f" ({where})" if where else ""))
    for found in s.analyses():
        lines += ["", f"{found.label} [{found.unit}]"]
        if not found.computed:
            lines.append(f"  Indices cannot be computed: {found.reason}.")
            continue
        lines += ["  " + line for line in _index_table(s.method, found)]
        lines += [f"  {p.verdict}" for p in found.parameters]
    lines += ["", _floor_note(s.method)]
    if s.failures:
        lines += ["", f"{len(s.failures)} of {s.runs_finished} finished runs failed:"]
        lines += failure_lines(s.failures, lambda f: ", ".join(
            f"{k}={_num(v)}" for k, v in s._failure_dict(f)["values"].items()),
            "sensitivity.json")
    if s.interrupted:
        lines += ["", f"Interrupted: {s.runs_finished} of {s.runs_planned} runs finished; "
                  "indices need every design point."]
    return "\n".join(lines)


def _num(value: float) -> str:
    return format_number(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _index_table(method: str, found: OutcomeIndices) -> list[str]:
    floor = found.floor
    assert floor is not None
    if method == "sobol":
        rows = [("Rank", "Parameter", "ST", "95% CI", "S1", "95% CI", "Verdict")]
        for p in found.parameters:
            rows.append((str(p.rank), p.parameter, _num(p.index), _ci(p.low, p.high),
                         _num(p.first), _ci(p.first - p.first_conf, p.first + p.first_conf),
                         _word(p)))
    else:
        rows = [("Rank", "Parameter", "mu*", "95% CI", "mu", "sigma", "Verdict")]
        for p in found.parameters:
            rows.append((str(p.rank), p.parameter, _num(p.index), _ci(p.low, p.high),
                         _num(p.first), _num(p.sigma), _word(p)))
    rows.append(("", "noise floor", _num(floor.value), _ci(floor.low, floor.high), "", "",
                 ""))
    return _table(rows)


def _word(p: ParameterIndex) -> str:
    return p.standing


def _ci(low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"{_num(low)} … {_num(high)}"


def _floor_note(method: str) -> str:
    index = "ST" if method == "sobol" else "mu*"
    more = "base samples" if method == "sobol" else "trajectories"
    return (f"Noise floor: the {index} that replication noise alone would give a parameter "
            "(one that only redraws the random numbers). 'above noise': the parameter's 95% "
            "CI lies above the floor's; 'uncertain': its estimate is above the floor but its "
            f"CI reaches down into it (more {more} would tell); 'within noise': its estimate "
            "is no larger than noise gives. See docs/sensitivity.md.")


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths).rstrip())
    return out


# --------------------------------------------------------------------------- results folder


#: The files ``--out`` writes, in the order they are written.
FILES = ("manifest.json", "sensitivity.json", "indices.csv", "runs.parquet", "runs.csv")


def write_sensitivity(s: Sensitivity, out: Path, command: Sequence[str]) -> list[Path]:
    """Write the study's files into ``out``: manifest.json, sensitivity.json,
    indices.csv (one row per outcome × parameter) and runs.parquet/.csv (one
    row per design point × finished replication).

    :raises OutputError: if the folder cannot be created or written.
    """
    from hrdsim.results import (
        _version,
        manifest_dict,
        prepare_folder,
        scenario_record,
        write_json,
        write_table,
    )
    from hrdsim.runner import RunResults

    prepare_folder(out, "sensitivity")
    manifest = manifest_dict(RunResults(s.resolved, [], {}, s.wall_seconds), s.plugins,
                             command)
    manifest.update({
        "study": "sensitivity",
        "method": s.method,
        "replications": s.plan.replications,
        "scenario": scenario_record(s.resolved),
        "ranges": [_range_dict(r) for r in s.design.ranges],
        "samples": s.design.samples,
        "design": _design_dict(s.plan),
        "outcomes": list(s.plan.outcomes),
        "seeds": {"seed": s.plan.seed, "common_random_numbers": True,
                  "replications": f"0-{s.plan.replications - 1}",
                  "design": "SALib sample drawn from the study seed"},
        "executor": dict(s.executor),
        "runs": s.run_counts(),
        "wall_seconds": round(s.wall_seconds, 3),
    })
    manifest["versions"].update({pkg: _version(pkg) for pkg in ("SALib", "pandas", "dask",
                                                                "distributed")})
    return [write_json(out / "manifest.json", manifest),
            write_json(out / "sensitivity.json", s.to_dict()),
            *write_table(out, "indices", s.indices_table(), parquet=False),
            *write_table(out, "runs", s.runs_table())]


# --------------------------------------------------------------------------- Python API


def sensitivity(
    scenario: str | Path, *, method: str = "sobol",
    ranges: Mapping[str, tuple[float, float]] | Sequence[str],
    samples: int | None = None, replications: int | None = None, seed: int | None = None,
    outcomes: Sequence[str] | None = None, overrides: Overrides = (),
    out: str | Path | None = None, resume: bool = False, executor: Any = None,
    workers: int | None = None, plugins: Iterable[str | Path] = (),
    disabled: Iterable[str] = (), progress: Progress | None = None,
) -> Sensitivity:
    """Which parameters move which outcomes: a global sensitivity analysis.

    :param scenario: the scenario file.
    :param method: ``"sobol"`` (indices S1 and ST) or ``"morris"`` (mu*, mu, sigma).
    :param ranges: ``{key: (low, high)}`` or ``["key=low:high", ...]``; keys as
        ``--set`` takes them, e.g. ``{"learning.params.share": (0.02, 0.1)}``.
    :param samples: Sobol' base samples (a power of 2, default 64) or Morris
        trajectories (default 10); the study runs ``N·(D+2)`` or ``r·(D+1)`` points.
    :param replications: replications at every point (default: the scenario's; at least 2).
    :param seed: the seed of the runs and of the design (default: the scenario's).
    :param outcomes: outcome names to analyse (default: the key outcomes).
    :param overrides: ``["key=value", ...]`` or ``{"key": value}``, as ``--set``.
    :param out: also write the results folder here.
    :param resume: run only the runs not yet in ``out`` (which must hold this study,
        stopped earlier); without ``replications``, the folder's number.
    :param executor: a :class:`concurrent.futures.Executor` or a Dask client (left
        open: it is yours); default: this process.
    :param workers: instead of ``executor``, this many local worker processes.
    :param plugins: local plugin files or folders to load; ``disabled``: plugin names not to.
    :param progress: called as ``progress(done, total)`` after each run.
    :raises HrdsimError: for any bad input (before anything runs).
    """
    from hrdsim.api import _executor, _override_list
    from hrdsim.sensitivity_folder import finished_runs, previous_replications

    if resume and out is None:
        raise TypeError("resume=True continues the study in a folder: give out=")
    if resume and replications is None and out is not None:
        replications = previous_replications(Path(out))
    plan = plan_study(scenario, method=method, ranges=ranges, samples=samples,
                      replications=replications, seed=seed, outcomes=outcomes,
                      overrides=_override_list(overrides), plugins=plugins, disabled=disabled)
    done: dict[tuple[int, int], dict[str, float]] = {}
    if out is not None:  # before simulating, so a bad folder does not waste the study
        from hrdsim.results import prepare_folder

        if resume:
            done = finished_runs(Path(out), plan)
        prepare_folder(Path(out), "sensitivity")
    with _executor(executor, workers) as handle:
        study = run_study(plan, handle, progress=progress, done=done)
    if study.interrupted:
        warnings.warn(f"interrupted: {study.runs_finished} of {study.runs_planned} runs "
                      "finished" + (f"; run again with resume=True to continue in {out}"
                                    if out is not None else ""), stacklevel=2)
    if out is not None:
        study.write(out)
    return study


__all__ = ["Sensitivity", "StudyPlan", "plan_study", "run_study", "sensitivity",
           "write_sensitivity"]
