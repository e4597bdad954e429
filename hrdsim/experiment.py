"""Running many replications of one or more scenarios on an executor.

A study (a comparison now; sweeps and sensitivity analyses later) is a list of
*work units*: one replication of one scenario variant. A unit names the
scenario by its file, ``--set`` overrides and options (never by a loaded
object), so that any :class:`concurrent.futures.Executor` can run it - in this
process, in a pool of local processes or on a Dask cluster. The worker loads
the scenario and its plugins itself (once per process; see :func:`run_unit`)
and sends back the replication's result, without the team tables unless
asked for (the waits of its requests come back: a comparison's report draws
their distribution). Results are keyed by (unit key, replication), so the order in
which they finish does not matter: the same seed gives the same numbers
whichever executor ran them.

A replication that raises is recorded as a :class:`Failure` (scenario,
replication, message) and the study goes on. Ctrl-C cancels the units not yet
started, waits for the running ones (Ctrl-C again abandons them) and returns
what finished.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.errors import HrdsimError, PluginError

if TYPE_CHECKING:
    import pluggy

    from hrdsim.engine import ReplicationResult
    from hrdsim.loader import LoadedScenario
    from hrdsim.resolve import ResolvedScenario


# --------------------------------------------------------------------------- work units


@attrs.frozen
class ScenarioSpec:
    """A scenario variant as a worker can load it anywhere: plain, picklable values.

    :ivar path: the scenario file, absolute.
    :ivar overrides: ``KEY=VALUE`` expressions, in order.
    :ivar options: option values applied last (``seed``...), as sorted pairs.
    :ivar plugin_paths: every local plugin to load, absolute (the user's and the
        scenario's own ``plugins.paths``).
    :ivar disabled: plugin names not to load.
    :ivar fingerprint: SHA-256 of the scenario files, so a worker that sees
        different files (an edit, or another machine's copy) refuses to run.
    """

    path: str
    overrides: tuple[str, ...] = ()
    options: tuple[tuple[str, Any], ...] = ()
    plugin_paths: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    fingerprint: str = ""


@attrs.frozen
class WorkUnit:
    """One replication of one scenario variant.

    :ivar key: which variant of the study this is (e.g. its position).
    :ivar spec: the scenario variant.
    :ivar replication: replication number (selects the random streams).
    :ivar detail: also send back the team tables (they are large).
    """

    key: Hashable
    spec: ScenarioSpec
    replication: int
    detail: bool = False


@attrs.frozen
class Failure:
    """A replication that raised instead of finishing.

    :ivar key: the unit key of its scenario variant.
    :ivar scenario: the scenario file.
    :ivar replication: the replication number.
    :ivar message: what went wrong, in one line.
    """

    key: Hashable
    scenario: str
    replication: int
    message: str


@attrs.define(eq=False)
class Prepared:
    """A scenario variant loaded and resolved here, with the spec that workers load."""

    spec: ScenarioSpec
    resolved: ResolvedScenario
    pm: pluggy.PluginManager

    @property
    def loaded(self) -> LoadedScenario:
        return self.resolved.loaded


def prepare(
    path: str | Path, overrides: Iterable[str] = (), options: Mapping[str, Any] | None = None,
    plugin_paths: Iterable[str | Path] = (), disabled: Iterable[str] = (),
) -> Prepared:
    """Load and resolve a scenario here (so every error shows before anything runs)
    and describe it for the workers.

    :raises ScenarioError: for a bad scenario or override.
    :raises PluginError: for a plugin that fails to load.
    """
    from hrdsim.loader import load_scenario
    from hrdsim.plugins import build_registry, make_plugin_manager
    from hrdsim.resolve import resolve

    overrides = tuple(overrides)
    options = dict(options or {})
    disabled = tuple(disabled)
    loaded = load_scenario(path, overrides, options)
    paths = [Path(p) for p in plugin_paths] + loaded.plugin_paths()
    try:
        pm = make_plugin_manager(disabled=disabled, paths=paths)
        registry = build_registry(pm)
    except PluginError as exc:
        raise PluginError(exc.plugin, exc.hook,
                          f"{exc.problem} (while loading plugins for {path})") from None
    resolved = resolve(loaded, registry)
    spec = ScenarioSpec(
        path=str(Path(path).absolute()), overrides=overrides,
        options=tuple(sorted(options.items())),
        plugin_paths=tuple(str(p.absolute()) for p in paths), disabled=disabled,
        fingerprint=loaded.file_hash,
    )
    return Prepared(spec=spec, resolved=resolved, pm=pm)


# --------------------------------------------------------------------------- the worker

#: Scenario variants this process has loaded, most recent last.
_LOADED: OrderedDict[ScenarioSpec, tuple[ResolvedScenario, pluggy.PluginManager]] = OrderedDict()
_LOADED_MAX = 32
#: Plugin managers and their registries by (plugins disabled, plugin paths): the variants of a
#: sweep differ only in values, so they share one.
_PLUGINS: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[pluggy.PluginManager, Any]] = {}
_LOADING = threading.Lock()  # Dask may run several units in threads of one process


def _load(spec: ScenarioSpec) -> tuple[ResolvedScenario, pluggy.PluginManager]:
    """The resolved scenario and plugin manager of a spec, loaded once per process
    (this one too, when it runs units itself: every executor loads the same way)."""
    with _LOADING:
        if spec in _LOADED:
            _LOADED.move_to_end(spec)
            return _LOADED[spec]
        from hrdsim.loader import load_scenario
        from hrdsim.plugins import build_registry, disabled_from_environment, make_plugin_manager
        from hrdsim.resolve import resolve

        loaded = load_scenario(spec.path, spec.overrides, dict(spec.options))
        if spec.fingerprint and loaded.file_hash != spec.fingerprint:
            raise HrdsimError(
                f"{spec.path}: the scenario files this worker reads differ from those the "
                "study was started with (edited since, or another copy on this machine)"
            )
        plugins = (tuple(sorted({*spec.disabled, *disabled_from_environment()})),
                   spec.plugin_paths)
        if plugins not in _PLUGINS:  # the costly part of loading: the same for every point
            pm = make_plugin_manager(disabled=spec.disabled, paths=spec.plugin_paths)
            _PLUGINS[plugins] = (pm, build_registry(pm))
        pm, registry = _PLUGINS[plugins]
        resolved = resolve(loaded, registry)
        _LOADED[spec] = (resolved, pm)
        while len(_LOADED) > _LOADED_MAX:
            _LOADED.popitem(last=False)
        return resolved, pm


def run_unit(unit: WorkUnit) -> ReplicationResult | Failure:
    """Run one work unit; what a worker process executes.

    Never raises for a fault in the scenario, a plugin or the simulation: the
    fault comes back as a :class:`Failure` (plain text, so it unpickles even
    where the plugin's exception classes cannot be imported).
    """
    from hrdsim.engine import Simulation
    from hrdsim.runner import _blame

    try:
        resolved, pm = _load(unit.spec)
    except HrdsimError as exc:
        return Failure(unit.key, unit.spec.path, unit.replication, str(exc))
    except Exception as exc:
        return Failure(unit.key, unit.spec.path, unit.replication,
                       f"could not load {unit.spec.path}: {exc!r}")
    try:
        result = Simulation(resolved, unit.replication, pm).run()
    except HrdsimError as exc:
        return Failure(unit.key, unit.spec.path, unit.replication, str(exc))
    except Exception as exc:
        return Failure(unit.key, unit.spec.path, unit.replication,
                       str(_blame(resolved, unit.replication, exc, pm)))
    if not unit.detail:
        result.teams = {}
    return result


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the process that started them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------- executors


class SerialExecutor(Executor):
    """Runs each call in this process when it is submitted (no pool, no pickling)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:  # Ctrl-C (not an Exception) goes on up
            future.set_exception(exc)
        else:
            future.set_result(value)
        return future


@attrs.define(eq=False)
class ExecutorHandle:
    """An executor, how many units it runs at once, and whether it is ours to shut down.

    :ivar description: what the manifest records, e.g. ``{"kind": "processes", "workers": 2}``.
    """

    executor: Executor
    description: dict[str, Any]
    slots: int = 1
    owned: bool = False
    _close: Callable[[], None] | None = None

    def close(self) -> None:
        """Shut down what this handle started (a pool, a Dask client); never a given executor."""
        if not self.owned:
            return
        if self._close is not None:
            self._close()
        else:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExecutorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_pool(workers: int) -> Executor:
    """A pool of fresh worker processes (``forkserver`` where available, else ``spawn``:
    never ``fork``, which would copy this process's threads and state)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # import hrdsim (and NumPy) once in the server, not in every worker
        context.set_forkserver_preload(["hrdsim.experiment", "hrdsim.engine"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_ignore_interrupts)


def open_executor(
    executor: Any = None, *, workers: int | None = None, scheduler: str | None = None,
) -> ExecutorHandle:
    """Choose where the units run.

    :param executor: any :class:`concurrent.futures.Executor` (kept open: it is
        the caller's), or a ``dask.distributed.Client``.
    :param workers: local worker processes; 1 runs in this process.
    :param scheduler: the address of a Dask scheduler, ``tcp://HOST:PORT``.
    :raises HrdsimError: when the scheduler cannot be reached.
    """
    if executor is not None:
        if hasattr(executor, "get_executor") and not isinstance(executor, Executor):
            client = executor  # a dask.distributed.Client
            return ExecutorHandle(client.get_executor(), _dask_description(client),
                                  slots=_dask_slots(client))
        if not isinstance(executor, Executor):
            raise TypeError(
                f"executor must be a concurrent.futures.Executor or a dask.distributed.Client, "
                f"not {type(executor).__name__}"
            )
        return ExecutorHandle(executor, _describe(executor), slots=_slots(executor))
    if scheduler is not None:
        return _dask_handle(scheduler)
    workers = default_workers() if workers is None else workers
    if workers <= 1:
        return ExecutorHandle(SerialExecutor(), {"kind": "serial", "workers": 1}, slots=1,
                              owned=True)
    return ExecutorHandle(process_pool(workers), {"kind": "processes", "workers": workers},
                          slots=workers, owned=True)


def _dask_handle(address: str) -> ExecutorHandle:
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise HrdsimError(
            "--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        import dask

        timeout = dask.config.get("hrdsim.scheduler-timeout", "10s")
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise HrdsimError(
            f"cannot connect to the Dask scheduler at {address} (--scheduler): "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__} (start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`, in an environment with "
            "hrdsim installed)"
        ) from None
    return ExecutorHandle(client.get_executor(), _dask_description(client),
                          slots=_dask_slots(client), owned=True, close=client.close)


def _dask_description(client: Any) -> dict[str, Any]:
    info = client.scheduler_info()
    return {"kind": "dask", "scheduler": str(info.get("address", "")),
            "workers": len(info.get("workers", {})), "threads": _dask_slots(client)}


def _dask_slots(client: Any) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:
        return default_workers()


def _describe(executor: Executor) -> dict[str, Any]:
    kind = type(executor)
    if isinstance(executor, SerialExecutor):
        return {"kind": "serial", "workers": 1}
    if kind.__module__.startswith("distributed"):
        client = getattr(executor, "_client", None)
        if client is not None:
            return _dask_description(client)
        return {"kind": "dask"}
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    if isinstance(executor, ProcessPoolExecutor):
        name = "processes"
    elif isinstance(executor, ThreadPoolExecutor):
        name = "threads"
    else:
        name = f"{kind.__module__}.{kind.__qualname__}"
    workers = getattr(executor, "_max_workers", None)
    return {"kind": name, **({"workers": workers} if workers else {})}


def executor_text(description: Mapping[str, Any]) -> str:
    """Where a study ran, in words, from its :attr:`ExecutorHandle.description`."""
    kind = description.get("kind", "")
    if kind == "serial":
        return "in this process"
    if kind == "processes":
        return f"{description.get('workers')} local processes"
    if kind == "dask":
        return (f"Dask cluster {description.get('scheduler', '')}, "
                f"{description.get('threads', '?')} worker threads")
    return str(kind)


def failure_lines(failures: Sequence[Failure], which: Callable[[Failure], str],
                  kept_in: str, shown: int = 5) -> list[str]:
    """The first ``shown`` failed runs, a line each (``which`` names the run's scenario or
    point), and how many more there are and where all of them are kept."""
    lines = [f"  {which(f)}, replication {f.replication}: {f.message}"
             for f in failures[:shown]]
    if len(failures) > shown:
        lines.append(f"  ... and {len(failures) - shown} more (all in {kept_in} / --json)")
    return lines


def _slots(executor: Executor) -> int:
    if isinstance(executor, SerialExecutor):
        return 1
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "nthreads"):
        return _dask_slots(client)
    workers = getattr(executor, "_max_workers", None)
    return int(workers) if workers else default_workers()


# --------------------------------------------------------------------------- running units


@attrs.define(eq=False)
class Batch:
    """What a set of units produced.

    :ivar results: (unit key, replication) → the replication's result.
    :ivar failures: the units that raised, in unit order.
    :ivar streamed: results handed to an ``on_result`` callback instead of kept.
    :ivar submitted: units handed to the executor.
    :ivar interrupted: Ctrl-C stopped the batch before every unit ran.
    :ivar wall_seconds: time from the first submission to the last result.
    """

    results: dict[tuple[Hashable, int], ReplicationResult] = attrs.field(factory=dict)
    failures: list[Failure] = attrs.field(factory=list)
    streamed: int = 0
    submitted: int = 0
    interrupted: bool = False
    wall_seconds: float = 0.0

    @property
    def finished(self) -> int:
        """Units that ran to the end, with a result or a failure."""
        return len(self.results) + self.streamed + len(self.failures)

    def extend(self, other: Batch) -> None:
        self.results.update(other.results)
        self.failures.extend(other.failures)
        self.streamed += other.streamed
        self.submitted += other.submitted
        self.interrupted = self.interrupted or other.interrupted
        self.wall_seconds += other.wall_seconds


def run_units(
    handle: ExecutorHandle, units: Sequence[WorkUnit],
    progress: Callable[[int], None] | None = None,
    on_interrupt: Callable[[int], None] | None = None,
    on_result: Callable[[WorkUnit, ReplicationResult], None] | None = None,
) -> Batch:
    """Run every unit on the handle's executor and collect what they return.

    At most twice as many units as the executor has slots are submitted at a
    time, so a stop leaves little to cancel and the serial executor reports
    progress after each unit.

    :param progress: called with 1 after each unit finishes (or fails).
    :param on_interrupt: called with the number of running units to wait for
        after a first Ctrl-C.
    :param on_result: called as ``on_result(unit, result)`` with each result as
        it arrives, which the batch then does not keep (only counts in
        ``streamed``): a long study writes each result away, so memory stays
        flat. Failures are collected either way.
    :return: the results; ``interrupted`` is set when Ctrl-C stopped the batch.
    """
    order = {(u.key, u.replication): i for i, u in enumerate(units)}
    batch = Batch()
    started = time.perf_counter()
    pending = deque(units)
    in_flight: dict[Future[Any], WorkUnit] = {}
    window = max(1, 2 * handle.slots)

    def collect(future: Future[Any], unit: WorkUnit) -> None:
        _record(batch, unit, future, on_result)
        if progress is not None:
            progress(1)

    try:
        while pending or in_flight:
            while pending and len(in_flight) < window:
                unit = pending.popleft()
                future = handle.executor.submit(run_unit, unit)
                batch.submitted += 1
                in_flight[future] = unit
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: order[_id(in_flight[f])]):
                collect(future, in_flight.pop(future))
    except KeyboardInterrupt:
        batch.interrupted = True
        running = {f: u for f, u in in_flight.items() if not f.cancel()}
        batch.submitted -= len(in_flight) - len(running)
        try:
            if running and on_interrupt is not None:
                on_interrupt(len(running))
            for future in _finished_in_time(running):
                collect(future, running.pop(future))
        except KeyboardInterrupt:  # a second Ctrl-C: abandon the running units
            pass
        batch.submitted -= len(running)
    batch.failures.sort(key=lambda f: order[(f.key, f.replication)])
    batch.wall_seconds = time.perf_counter() - started
    return batch


def _id(unit: WorkUnit) -> tuple[Hashable, int]:
    return (unit.key, unit.replication)


def _finished_in_time(running: dict[Future[Any], WorkUnit]) -> list[Future[Any]]:
    """Wait for the running units (they cannot be cancelled) and return them as they end."""
    done: list[Future[Any]] = []
    remaining = set(running)
    while remaining:
        finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
        done.extend(finished)
    return done


def _record(batch: Batch, unit: WorkUnit, future: Future[Any],
            on_result: Callable[[WorkUnit, ReplicationResult], None] | None = None) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:  # the executor failed (a worker died, a result could not travel)
        text = str(error).splitlines()[0] if str(error) else ""
        batch.failures.append(Failure(
            unit.key, unit.spec.path, unit.replication,
            f"the executor could not run it: {type(error).__name__}"
            + (f": {text}" if text else ""),
        ))
        return
    value = future.result()
    if isinstance(value, Failure):
        batch.failures.append(value)
    elif on_result is not None:
        on_result(unit, value)
        batch.streamed += 1
    else:
        batch.results[(unit.key, unit.replication)] = value


def units_for(
    specs: Sequence[tuple[Hashable, ScenarioSpec]], replications: Iterable[int],
    detail: bool = False,
) -> list[WorkUnit]:
    """Every replication of every variant, replication by replication (so a stop
    leaves whole sets of paired replications)."""
    return [WorkUnit(key, spec, replication, detail)
            for replication in replications for key, spec in specs]


__all__ = [
    "Batch", "ExecutorHandle", "Failure", "Prepared", "ScenarioSpec", "SerialExecutor",
    "WorkUnit", "default_workers", "executor_text", "failure_lines", "open_executor", "prepare",
    "process_pool", "run_unit", "run_units", "units_for",
]
