"""The Python API, for notebooks and scripts: :func:`run`, :func:`compare` and :func:`sweep`.

Each takes a scenario file and optional overrides, runs the replications on an
executor (this process by default; ``workers=N`` local processes; or any
:class:`concurrent.futures.Executor`, e.g. a Dask client's), and returns an
object whose tables are pandas DataFrames::

    import hrdsim

    result = hrdsim.run("scenarios/baseline.toml", replications=5)
    result.summary      # one row per outcome: mean, ci_low, ci_high...
    result.weekly       # one row per replication × week

    comparison = hrdsim.compare("scenarios/baseline.toml", "scenarios/octopus.toml")
    comparison.differences   # alternative, metric, mean, ci_low, ci_high, share_better, verdict
    print(comparison)        # the same report as `hrdsim compare`

    sweep = hrdsim.sweep("scenarios/baseline.toml", grid={"operating_model.developers": [4, 6, 8]})
    sweep.runs               # one row per point × replication
    sweep.points             # one row per point: mean and 95% CI of every outcome

See ``docs/experiments.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.comparison import (
    DEFAULT_MAX_REPLICATIONS,
    Comparison,
    Target,
    parse_precision,
    run_comparison,
    scenario_labels,
)
from hrdsim.errors import HrdsimError
from hrdsim.experiment import ExecutorHandle, Failure, open_executor, prepare

if TYPE_CHECKING:
    from hrdsim.design import Range
    from hrdsim.engine import ReplicationResult
    from hrdsim.metrics import Estimate
    from hrdsim.resolve import ResolvedScenario
    from hrdsim.runner import RunResults
    from hrdsim.sweep_study import Sweep

Overrides = Iterable[str] | Mapping[str, Any]
Progress = Callable[[int, int], None]


@attrs.define(eq=False, slots=False)
class RunResult:
    """The replications of one scenario.

    :ivar resolved: the scenario as it ran.
    :ivar results: replication number → its result.
    :ivar failures: replications that raised (the others are complete).
    :ivar replications: replications asked for.
    :ivar executor: where they ran.
    """

    resolved: ResolvedScenario
    results: dict[int, ReplicationResult]
    failures: list[Failure]
    replications: int
    executor: dict[str, Any]
    wall_seconds: float
    interrupted: bool = False

    @property
    def name(self) -> str:
        return self.resolved.scenario.name

    @property
    def seed(self) -> int:
        return self.resolved.scenario.seed

    @property
    def runs(self) -> RunResults:
        """The finished replications as :class:`hrdsim.runner.RunResults`."""
        from hrdsim.metrics import summarise
        from hrdsim.runner import RunResults

        reps = [self.results[r] for r in sorted(self.results)]
        return RunResults(self.resolved, reps, summarise([r.outcomes for r in reps]),
                          self.wall_seconds)

    @property
    def estimates(self) -> dict[str, Estimate]:
        """Outcome → mean and 95% CI over the finished replications."""
        return self.runs.summary

    @property
    def summary(self) -> Any:
        """DataFrame indexed by outcome: mean, ci_low, ci_high, sd, n, label, unit."""
        import pandas as pd

        from hrdsim.metrics import OUTCOME_BY_NAME

        rows = []
        for name, est in self.estimates.items():
            meta = OUTCOME_BY_NAME.get(name)
            rows.append({"outcome": name, "mean": est.mean, "ci_low": est.low,
                         "ci_high": est.high, "sd": est.sd, "n": est.n,
                         "label": meta.label.strip() if meta else name,
                         "unit": meta.unit if meta else ""})
        return pd.DataFrame(rows, columns=["outcome", "mean", "ci_low", "ci_high", "sd", "n",
                                           "label", "unit"]).set_index("outcome")

    @property
    def weekly(self) -> Any:
        """DataFrame, tidy: one row per replication × week (organisation level)."""
        from hrdsim.results import weekly_table

        return weekly_table(self.runs).to_pandas()

    @property
    def outcomes(self) -> Any:
        """DataFrame: one row per finished replication, one column per outcome."""
        import pandas as pd

        rows = [{"replication": r, **self.results[r].outcomes} for r in sorted(self.results)]
        return pd.DataFrame(rows).set_index("replication") if rows else pd.DataFrame()

    def __repr__(self) -> str:
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (f"<RunResult {self.name!r}: {len(self.results)} of {self.replications} "
                f"replications{failed}, seed {self.seed}>")


def run(
    scenario: str | Path, *, replications: int | None = None, seed: int | None = None,
    overrides: Overrides = (), executor: Any = None, workers: int | None = None,
    plugins: Iterable[str | Path] = (), disabled: Iterable[str] = (),
    progress: Progress | None = None,
) -> RunResult:
    """Run the replications of a scenario.

    :param scenario: the scenario file.
    :param replications: how many (default: the scenario's ``replications``).
    :param seed: the seed (default: the scenario's).
    :param overrides: ``["key=value", ...]`` or ``{"key": value}``, as ``--set``.
    :param executor: a :class:`concurrent.futures.Executor` or a Dask client to run
        on (left open: it is yours); default: this process.
    :param workers: instead of ``executor``, this many local worker processes.
    :param plugins: local plugin files or folders to load, as ``--plugin``.
    :param disabled: plugin names not to load.
    :param progress: called as ``progress(done, total)`` after each replication.
    :raises HrdsimError: for a bad scenario, override or plugin (before anything runs).
    """
    from hrdsim.experiment import run_units, units_for

    options: dict[str, Any] = {}
    if seed is not None:
        options["seed"] = seed
    if replications is not None:
        options["replications"] = replications
    prepared = prepare(scenario, _override_list(overrides), options, plugins, disabled)
    count = prepared.resolved.scenario.replications
    done = [0]

    def tick(_: int) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], count)

    with _executor(executor, workers) as handle:
        batch = run_units(handle, units_for([(0, prepared.spec)], range(count)), progress=tick)
    if batch.interrupted:
        warnings.warn(f"interrupted: {batch.finished} of {count} replications finished",
                      stacklevel=2)
    return RunResult(
        resolved=prepared.resolved,
        results={rep: result for (_, rep), result in sorted(batch.results.items(),
                                                             key=lambda item: item[0][1])},
        failures=batch.failures, replications=count, executor=handle.description,
        wall_seconds=batch.wall_seconds, interrupted=batch.interrupted,
    )


def compare(
    baseline: str | Path | RunResult, *alternatives: str | Path | RunResult,
    replications: int | None = None, seed: int | None = None, overrides: Overrides = (),
    executor: Any = None, workers: int | None = None,
    precision: str | Mapping[str, float] | Sequence[str] | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS, metrics: Sequence[str] | None = None,
    plugins: Iterable[str | Path] = (), disabled: Iterable[str] = (),
    progress: Progress | None = None,
) -> Comparison:
    """Compare alternatives with a baseline on common random numbers.

    Every scenario runs replications ``0 .. n-1`` on the same seed (the
    baseline's unless ``seed`` is given), so replication ``i`` of each sees the
    same draws; each metric's difference is a t-interval over the paired
    differences ``alternative_i - baseline_i``.

    :param baseline: the baseline scenario file - or a :class:`RunResult`, to pair
        runs made earlier (then every argument must be one, and only the
        ``metrics`` option applies).
    :param alternatives: one or more scenario files (or :class:`RunResult`).
    :param replications: paired replications (default: the baseline's ``replications``;
        with ``precision``, the first batch).
    :param seed: the seed of every scenario (default: the baseline's).
    :param overrides: applied to every scenario, as ``--set``.
    :param precision: ``"metric=half_width"``, a list of them, or ``{metric: half_width}``:
        add replications until each metric's 95% CI half-width is below its target
        for every alternative, or ``max_replications`` is reached.
    :param metrics: outcome names to compare (default: the key outcomes).
    :param executor: as in :func:`run`; ``workers``, ``plugins``, ``disabled``,
        ``progress`` too (``progress(done, total)`` counts runs of all scenarios).
    :raises HrdsimError: for a bad scenario, override, plugin or precision target.
    """
    if not alternatives:
        raise TypeError("compare() needs a baseline and at least one alternative")
    given = [baseline, *alternatives]
    if any(isinstance(item, RunResult) for item in given):
        if not all(isinstance(item, RunResult) for item in given):
            raise TypeError("compare() takes scenario files or RunResult objects, not a mix")
        return _compare_runs([item for item in given if isinstance(item, RunResult)], metrics)
    targets = _targets(precision)
    if metrics is not None:
        _check_metrics(metrics)
    overrides = _override_list(overrides)
    from hrdsim.loader import load_scenario

    paths = [item for item in given if not isinstance(item, RunResult)]
    loaded = load_scenario(paths[0], overrides)
    assert loaded.scenario is not None
    common_seed = loaded.scenario.seed if seed is None else seed
    prepared = [prepare(path, overrides, {"seed": common_seed}, plugins, disabled)
                for path in paths]
    count = replications if replications is not None else \
        prepared[0].resolved.scenario.replications
    with _executor(executor, workers) as handle:
        comparison = run_comparison(prepared, handle, replications=count, targets=targets,
                                    max_replications=max_replications, metrics=metrics,
                                    progress=progress)
    if comparison.interrupted:
        warnings.warn(f"interrupted: {comparison.runs_finished} of {comparison.runs_planned} "
                      "runs finished", stacklevel=2)
    return comparison


def sweep(
    scenario: str | Path, *, grid: Mapping[str, Sequence[Any]] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None, lhs: int | None = None,
    replications: int | None = None, seed: int | None = None, overrides: Overrides = (),
    out: str | Path | None = None, resume: bool = False, weekly: bool = False,
    metrics: Sequence[str] | None = None, executor: Any = None, workers: int | None = None,
    plugins: Iterable[str | Path] = (), disabled: Iterable[str] = (),
    progress: Progress | None = None,
) -> Sweep:
    """Run a scenario at every point of a design, on common random numbers.

    Give ``grid={key: [values]}`` for a full factorial, or ``lhs=N`` with
    ``ranges={key: (low, high)}`` for a Latin hypercube of N points (drawn from
    the seed, so the same seed gives the same design). Every point runs
    replications ``0 .. n-1`` on the same seed; all points' replication 0
    runs first. Each run is written to ``out`` as it finishes (to a temporary
    folder, removed at the end, without ``out``).

    :param scenario: the scenario file.
    :param grid: key → the values to run (every combination runs).
    :param ranges: key → ``(low, high)``, with ``lhs``; whole-number keys are rounded.
    :param lhs: the number of Latin hypercube points.
    :param replications: replications at every point (default: the scenario's).
    :param seed: the seed of every run and of the design (default: the scenario's).
    :param overrides: applied at every point, as ``--set``.
    :param out: the results folder (new or empty, unless ``resume``).
    :param resume: skip the runs already in ``out`` (which must hold the same sweep).
    :param weekly: also keep every run's organisation-level weekly series.
    :param metrics: the outcomes of the printed table.
    :param executor: as in :func:`run`; ``workers``, ``plugins``, ``disabled`` too;
        ``progress(done, total)`` counts the runs still to run.
    :return: the sweep; ``.runs`` has one row per point × replication, ``.points``
        one per point.
    :raises HrdsimError: for a bad scenario, key, value, design, plugin or folder.
    """
    from hrdsim.design import grids_from_mapping
    from hrdsim.results import python_command
    from hrdsim.sweep_plan import plan_sweep
    from hrdsim.sweep_study import run_sweep

    if resume and out is None:
        raise TypeError("resume=True continues the sweep in a folder: give out=")
    grids = grids_from_mapping(grid or {})
    bounds = [_range(key, value) for key, value in (ranges or {}).items()]
    if metrics is not None:
        _check_metrics(metrics)
    if resume and replications is None and out is not None:
        from hrdsim.results import previous_replications

        replications = previous_replications(Path(out))
    plan = plan_sweep(scenario, grids=grids, ranges=bounds, lhs=lhs, replications=replications,
                      seed=seed, overrides=_override_list(overrides), plugin_paths=list(plugins),
                      disabled=list(disabled))
    with _executor(executor, workers) as handle:
        result = run_sweep(plan, handle, out=None if out is None else Path(out), resume=resume,
                           weekly=weekly, metrics=metrics, command=python_command(),
                           progress=progress)
    if result.interrupted:
        counts = result.run_counts()
        warnings.warn(f"interrupted: {counts['finished']} of {counts['planned']} runs finished"
                      + (f"; run again with resume=True to continue in {out}" if out else ""),
                      stacklevel=2)
    return result


def _range(key: str, bounds: Any) -> Range:
    from hrdsim.design import parse_range

    try:
        low, high = bounds
    except (TypeError, ValueError):
        raise HrdsimError(f"ranges: {key} needs (low, high), got {bounds!r}") from None
    return parse_range(f"{key}={low}:{high}", option="ranges")


def _compare_runs(runs: Sequence[RunResult], metrics: Sequence[str] | None) -> Comparison:
    """Pair runs made earlier, replication by replication."""
    from hrdsim.comparison import key_metrics
    from hrdsim.experiment import Failure as Failed

    if metrics is not None:
        _check_metrics(metrics)
    resolved = [r.resolved for r in runs]
    failures = [Failed(i, f.scenario, f.replication, f.message)
                for i, r in enumerate(runs) for f in r.failures]
    return Comparison(
        resolved=resolved, labels=scenario_labels(resolved),
        results=[dict(r.results) for r in runs], seeds=[r.seed for r in runs],
        replications=max(r.replications for r in runs), failures=failures,
        metrics=tuple(metrics) if metrics is not None else key_metrics(),
        executor=dict(runs[0].executor), wall_seconds=sum(r.wall_seconds for r in runs),
        interrupted=any(r.interrupted for r in runs),
        runs_planned=sum(r.replications for r in runs),
    )


def _executor(executor: Any, workers: int | None) -> ExecutorHandle:
    if executor is not None and workers is not None:
        raise TypeError("give executor= or workers=, not both")
    if executor is not None:
        return open_executor(executor)
    return open_executor(workers=workers or 1)


def _override_list(overrides: Overrides) -> list[str]:
    """``{"weeks": 26, "name": "x"}`` → ``["weeks=26", 'name="x"']``; strings pass through."""
    import json

    if isinstance(overrides, Mapping):
        out = []
        for key, value in overrides.items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str | list | dict):
                text = json.dumps(value)
            else:
                text = str(value)
            out.append(f"{key}={text}")
        return out
    if isinstance(overrides, str):
        return [overrides]
    return list(overrides)


def _targets(precision: str | Mapping[str, float] | Sequence[str] | None) -> list[Target]:
    if precision is None:
        return []
    if isinstance(precision, str):
        return [parse_precision(precision)]
    if isinstance(precision, Mapping):
        return [parse_precision(f"{k}={v}") for k, v in precision.items()]
    return [parse_precision(p) for p in precision]


def _check_metrics(metrics: Sequence[str]) -> None:
    from hrdsim.metrics import OUTCOME_BY_NAME
    from hrdsim.params import did_you_mean

    for name in metrics:
        if name not in OUTCOME_BY_NAME:
            raise HrdsimError(f"unknown metric {name!r}"
                              + (did_you_mean(name, list(OUTCOME_BY_NAME)) or ""))


__all__ = ["Comparison", "RunResult", "compare", "run", "sweep"]
