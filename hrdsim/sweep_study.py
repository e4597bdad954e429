"""Parameter sweeps: one scenario run at every point of a design.

``hrdsim sweep SCENARIO --grid KEY=V1,V2,...`` runs a full factorial of the
listed values; ``--lhs N --range KEY=LO:HI`` a Latin hypercube of N points.
``hrdsim.sweep(...)`` (:func:`hrdsim.api.sweep`) is the way in from Python.

Every point runs replications ``0 .. n-1`` on the same seed, so the points
are compared on common random numbers. Runs go replication by replication -
every point's replication 0 first - and within a replication in an order
that spreads over the space (:func:`hrdsim.design.spread_order`), so a sweep
cut short has covered the space evenly. Each result is written to a Parquet
part as it arrives (:mod:`hrdsim.sweep_store`) and dropped, so memory stays
flat, a killed sweep keeps what it finished, and ``--resume`` runs the rest.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import pandas as pd

    from hrdsim.experiment import ExecutorHandle, Failure
    from hrdsim.metrics import Estimate
    from hrdsim.plugins import PluginInfo
    from hrdsim.resolve import ResolvedScenario
    from hrdsim.sweep_plan import Design, SweepPlan

#: The outcome the report names the best points for.
BEST_METRIC = "capability_index"
#: The outcomes the printed table shows unless told otherwise.
TABLE_METRICS = ("capability_index", "strategic_gap", "throughput_per_fte",
                 "facilitation_wait_days", "cost_per_fte_year")


# --------------------------------------------------------------------------- running


def run_sweep(
    plan: SweepPlan, handle: ExecutorHandle, *, out: Path | None = None, resume: bool = False,
    weekly: bool = False, metrics: Sequence[str] | None = None,
    command: Sequence[str] = (), progress: Callable[[int, int], None] | None = None,
    on_interrupt: Callable[[int], None] | None = None,
) -> Sweep:
    """Run every point's replications, streaming each result to ``out`` (or to a
    temporary folder, removed at the end, without ``out``).

    :param out: the results folder; with ``resume``, runs already in it are skipped.
    :param weekly: also keep every run's organisation-level weekly series.
    :param metrics: the outcomes the printed table shows (default :data:`TABLE_METRICS`).
    :param command: the command line recorded in the manifest.
    :param progress: called as ``progress(runs_done, runs_to_run)`` after each run.
    :param on_interrupt: called after Ctrl-C with the number of running runs waited for.
    :raises OutputError: for a folder that cannot be used or resumed, or a failed write.
    """
    import contextlib

    from hrdsim.experiment import WorkUnit, run_units
    from hrdsim.plugins import plugin_infos
    from hrdsim.sweep_folder import open_folder, remove_quietly, write_summary
    from hrdsim.sweep_store import RunStore, read_runs, read_weekly

    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="hrdsim-sweep-"))
    try:
        done = open_folder(folder, plan, resume=resume, weekly=weekly)
        sweep = Sweep(plan=plan, runs=read_runs(folder, plan), failures=[],
                      table_metrics=tuple(metrics or TABLE_METRICS), keeps_weekly=weekly,
                      executor=handle.description, resumed=len(done),
                      plugins=plugin_infos(plan.base.pm), folder=folder if out else None)
        if out is not None:
            write_summary(sweep, folder, command, "running")
        units = [WorkUnit(p, plan.points[p].spec, replication)
                 for replication in range(plan.replications) for p in plan.design.order
                 if (p, replication) not in done]
        count = {"done": 0}

        def tick(_: int) -> None:
            count["done"] += 1
            if progress is not None:
                progress(count["done"], len(units))

        if progress is not None:
            progress(0, len(units))
        with RunStore(folder, plan, weekly) as store:
            try:
                batch = run_units(handle, units, progress=tick, on_interrupt=on_interrupt,
                                  on_result=lambda unit, result: store.add(
                                      _point_of(unit.key), unit.replication, result))
            except BaseException:
                with contextlib.suppress(Exception):
                    store.close()
                    store.flush()
                raise
            store.finish()
        sweep.runs = read_runs(folder, plan)
        sweep.weekly = read_weekly(folder) if weekly else None
        sweep.failures = list(batch.failures)
        sweep.interrupted = batch.interrupted
        sweep.wall_seconds = batch.wall_seconds
        if out is not None:
            write_summary(sweep, folder, command,
                          "interrupted" if batch.interrupted else "finished")
        return sweep
    finally:
        if out is None:
            remove_quietly(folder)


# --------------------------------------------------------------------------- the results


@attrs.define(eq=False, slots=False)
class Sweep:
    """A sweep's results.

    :ivar plan: the scenario, design and points.
    :ivar runs: DataFrame, one row per finished point × replication: ``point``, the
        varied keys, ``replication``, ``seed`` and every outcome.
    :ivar failures: runs that raised; a failure's key is its point.
    :ivar weekly: DataFrame of every run's weekly series (``point``, ``replication``,
        ``week``, the series), or ``None`` unless asked for.
    :ivar keeps_weekly: the weekly series were asked for (written as the runs finish).
    :ivar resumed: runs found in the results folder when the sweep started.
    :ivar folder: the results folder, or ``None`` when none was given.
    """

    plan: SweepPlan
    runs: pd.DataFrame
    failures: list[Failure] = attrs.field(factory=list)
    weekly: pd.DataFrame | None = None
    keeps_weekly: bool = False
    table_metrics: tuple[str, ...] = TABLE_METRICS
    executor: dict[str, Any] = attrs.field(factory=dict)
    wall_seconds: float = 0.0
    interrupted: bool = False
    resumed: int = 0
    plugins: list[PluginInfo] = attrs.field(factory=list)
    folder: Path | None = None

    @property
    def resolved(self) -> ResolvedScenario:
        return self.plan.base.resolved

    @property
    def design(self) -> Design:
        return self.plan.design

    @property
    def seed(self) -> int:
        return self.plan.seed

    @property
    def replications(self) -> int:
        return self.plan.replications

    @property
    def metrics(self) -> list[str]:
        """The outcomes summarised per point in ``to_dict()``: the key outcomes and
        those of the table."""
        from hrdsim.comparison import key_metrics

        chosen = list(key_metrics())
        return chosen + [m for m in self.table_metrics if m not in chosen]

    def run_counts(self) -> dict[str, Any]:
        """Runs planned, finished (with a result or a failure), failed, found in the
        folder at the start (resumed), and whether Ctrl-C stopped the sweep."""
        return {"planned": self.plan.runs_planned,
                "finished": len(self.runs) + len(self.failures),
                "failed": len(self.failures), "resumed": self.resumed,
                "interrupted": self.interrupted}

    def outcome_names(self) -> list[str]:
        """The outcome columns of :attr:`runs`."""
        fixed = {"point", "replication", "seed", *self.plan.keys}
        return [c for c in self.runs.columns if c not in fixed]

    def estimates(self) -> dict[int, dict[str, Estimate]]:
        """Point → outcome → mean and 95% CI over the point's finished replications."""
        from hrdsim.metrics import estimate, limits_of

        names = self.outcome_names()
        found: dict[int, dict[str, Estimate]] = {p.index: {} for p in self.plan.points}
        for point, group in self.runs.groupby("point", sort=True):
            found[int(point)] = {n: estimate(group[n].to_numpy(dtype=float), limits_of(n))
                                 for n in names}
        return found

    @property
    def points(self) -> pd.DataFrame:
        """DataFrame, one row per design point: ``point``, the varied keys,
        ``replications`` (finished), ``failed``, then for every outcome
        ``<outcome>_mean``, ``<outcome>_ci_low`` and ``<outcome>_ci_high``."""
        import pandas as pd

        failed = self._failed_per_point()
        names = self.outcome_names()
        estimates = self.estimates()
        rows = []
        for p in self.plan.points:
            found = estimates[p.index]
            row: dict[str, Any] = {"point": p.index, **p.values,
                                   "replications": _finished(found),
                                   "failed": failed.get(p.index, 0)}
            for name in names:
                est = found.get(name)
                row[f"{name}_mean"] = est.mean if est else math.nan
                row[f"{name}_ci_low"] = est.low if est else math.nan
                row[f"{name}_ci_high"] = est.high if est else math.nan
            rows.append(row)
        columns = ["point", *self.plan.keys, "replications", "failed"] + [
            f"{n}_{s}" for n in names for s in ("mean", "ci_low", "ci_high")]
        return pd.DataFrame(rows, columns=columns)

    def best(self, metric: str = BEST_METRIC) -> dict[str, Any] | None:
        """The point with the best mean of ``metric``, and the points within noise of
        it: those whose paired difference from it (replication by replication, on
        common random numbers) has a 95% CI that includes 0.

        :return: ``None`` when no point has a number for the metric.
        """
        from hrdsim.metrics import OUTCOME_BY_NAME, estimate, limits_of

        outcome = OUTCOME_BY_NAME[metric]
        if self.runs.empty or metric not in self.runs:
            return None
        sign = -1.0 if outcome.better == "lower" else 1.0
        means = self.runs.groupby("point")[metric].mean()
        means = means[means.map(math.isfinite)]
        if means.empty:
            return None
        top = int((means * sign).idxmax())
        wide = self.runs.pivot(index="replication", columns="point", values=metric)
        within = []
        for point in means.index:
            if point == top:
                continue
            pairs = wide[[top, point]].dropna()
            est = estimate((pairs[point] - pairs[top]).to_numpy())
            if est.n >= 2 and est.low <= 0 <= est.high:
                within.append(int(point))
        best = estimate(self.runs.loc[self.runs.point == top, metric].to_numpy(dtype=float),
                        limits_of(metric))
        return {"metric": metric, "label": outcome.label.strip(), "unit": outcome.unit,
                "better": outcome.better or None, "point": top,
                "values": self.plan.points[top].values, "mean": best.mean,
                "ci_low": _finite(best.low), "ci_high": _finite(best.high), "n": best.n,
                "within_noise": within}

    def to_dict(self) -> dict[str, Any]:
        """What ``sweep.json`` holds and ``--json`` prints (no NaN: null; no times)."""
        estimates = self.estimates()
        failed = self._failed_per_point()
        loaded = self.resolved.loaded
        return {
            "study": "sweep",
            "scenario": {"name": self.resolved.scenario.name, "path": str(loaded.path),
                         "file_sha256": loaded.file_hash},
            "design": self.plan.design_dict(),
            "seed": self.seed,
            "common_random_numbers": True,
            "replications": self.replications,
            "metrics": self.metrics,
            "points": [{
                "point": p.index, "values": p.values,
                "replications": _finished(estimates[p.index]),
                "failed": failed.get(p.index, 0),
                "outcomes": {m: _estimate_dict(estimates[p.index][m])
                             for m in self.metrics if m in estimates[p.index]},
            } for p in self.plan.points],
            "best": self.best(),
            "runs": self.run_counts(),
            "failures": [{"point": _point(f), "values": self.plan.points[_point(f)].values,
                          "replication": f.replication, "message": f.message}
                         for f in self.failures],
        }

    def _failed_per_point(self) -> dict[int, int]:
        failed: dict[int, int] = {}
        for f in self.failures:
            failed[_point(f)] = failed.get(_point(f), 0) + 1
        return failed

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    def report(self) -> str:
        """The sweep as text: the design, a table of points, the best points, failures."""
        from hrdsim.sweep_report import report

        return report(self)

    def __str__(self) -> str:
        return self.report()

    def __repr__(self) -> str:
        counts = self.run_counts()
        return (f"<Sweep of {self.resolved.scenario.name!r}: {self.design.method}, "
                f"{len(self.plan.points)} points × {self.replications} replications, "
                f"{counts['finished']} of {counts['planned']} runs finished>")

    def write(self, out: str | Path, command: Sequence[str] | None = None) -> list[Path]:
        """Write the results folder (manifest, sweep.json, points, runs as one part, and
        the weekly series if kept) into ``out``, which must be new or empty."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from hrdsim.results import atomic_write, python_command
        from hrdsim.sweep_folder import open_folder, write_summary
        from hrdsim.sweep_store import RUNS, WEEKLY

        folder = Path(out)
        open_folder(folder, self.plan, resume=False, weekly=self.weekly is not None)
        (folder / RUNS).mkdir()
        written = []
        if self.weekly is not None:
            (folder / WEEKLY).mkdir()
            weeks = pa.Table.from_pandas(self.weekly, preserve_index=False)
            written.append(atomic_write(folder / WEEKLY / "part-00000.parquet",
                                   lambda p: pq.write_table(weeks, p)))
        runs = pa.Table.from_pandas(self._runs_with_identity(), preserve_index=False)
        written.append(atomic_write(folder / RUNS / "part-00000.parquet",
                               lambda p: pq.write_table(runs, p)))
        status = "interrupted" if self.interrupted else "finished"
        return written + write_summary(self, folder, python_command() if command is None
                                       else list(command), status)

    def _runs_with_identity(self) -> pd.DataFrame:
        from hrdsim.sweep_store import hrdsim_version

        frame = self.runs.copy()
        frame["point_sha256"] = [self.plan.points[int(p)].inputs_sha256 for p in frame.point]
        frame["scenario_sha256"] = self.resolved.loaded.file_hash
        frame["hrdsim_version"] = hrdsim_version()
        return frame


def _point(failure: Failure) -> int:
    """The point of a failed run."""
    return _point_of(failure.key)


def _point_of(key: Hashable) -> int:
    """A unit's point: a sweep keys its units by their point's number."""
    assert isinstance(key, int)
    return key


def _finished(estimates: dict[str, Estimate]) -> int:
    return next(iter(estimates.values())).n if estimates else 0


def _estimate_dict(est: Estimate) -> dict[str, Any]:
    return {"mean": _finite(est.mean), "ci_low": _finite(est.low), "ci_high": _finite(est.high),
            "half_width": _finite(est.half_width), "sd": _finite(est.sd), "n": est.n}


def _finite(value: float) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


__all__ = ["BEST_METRIC", "TABLE_METRICS", "Sweep", "run_sweep"]
