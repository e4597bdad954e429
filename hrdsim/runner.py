"""Running every replication of one scenario."""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs
import pluggy

from hrdsim.engine import ReplicationResult, Simulation
from hrdsim.errors import HrdsimError, PluginError
from hrdsim.metrics import Estimate, summarise
from hrdsim.resolve import ResolvedScenario


@attrs.define(eq=False)
class RunResults:
    """Every replication of a scenario and their summary.

    :ivar resolved: the scenario that ran.
    :ivar replications: per-replication results, in replication order.
    :ivar summary: outcome name → mean and 95% CI over replications.
    :ivar wall_seconds: time spent simulating.
    """

    resolved: ResolvedScenario
    replications: list[ReplicationResult]
    summary: dict[str, Estimate]
    wall_seconds: float


def run_replications(
    resolved: ResolvedScenario,
    pm: pluggy.PluginManager | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResults:
    """Run ``scenario.replications`` replications, numbered from 0.

    :param progress: called with 1 after each finished replication.
    :raises PluginError: when a policy or hook raises, naming its plugin; its
        ``finished`` attribute holds the :class:`RunResults` of the replications
        that completed before it (``None`` if none did), so they are not lost.
    :raises KeyboardInterrupt: on Ctrl-C, with the same ``finished`` attribute.
    """
    started = time.perf_counter()
    results: list[ReplicationResult] = []
    for replication in range(resolved.scenario.replications):
        try:
            results.append(Simulation(resolved, replication, pm).run())
        except KeyboardInterrupt as stop:
            stop.finished = _results(resolved, results, started) if results else None  # type: ignore[attr-defined]
            raise
        except Exception as exc:
            error = exc if isinstance(exc, HrdsimError) else _blame(resolved, replication, exc, pm)
            error.finished = _results(resolved, results, started) if results else None  # type: ignore[attr-defined]
            if error is exc:
                raise
            raise error from exc
        if progress is not None:
            progress(1)
    return _results(resolved, results, started)


def _results(resolved: ResolvedScenario, results: list[ReplicationResult],
             started: float) -> RunResults:
    summary = summarise([r.outcomes for r in results])
    return RunResults(resolved, results, summary, time.perf_counter() - started)


def _blame(resolved: ResolvedScenario, replication: int, exc: Exception,
           pm: pluggy.PluginManager | None = None) -> HrdsimError:
    """Name the plugin whose code raised (in a policy, or in a hook), from the traceback."""
    # a plugin module's own hooks (run start, events, metrics) are its code too
    modules: dict[str, tuple[str, str]] = {} if pm is None else {
        str(getattr(plugin, "__name__", "")): (name, "hook")
        for name, plugin in pm.list_name_plugin()
        if isinstance(getattr(plugin, "__name__", None), str)
    }
    modules.update({
        chosen.entry.factory.__module__: (chosen.entry.plugin, "policy")
        for chosen in [*resolved.policies.values(), *resolved.practices]
    })
    culprit = None
    # SimPy re-raises a copy of an exception from a process, with the original
    # (whose traceback reaches the plugin) as its cause: look through the chain
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and culprit is None and id(cause) not in seen:
        seen.add(id(cause))
        tb = cause.__traceback__
        while tb is not None:
            module = tb.tb_frame.f_globals.get("__name__", "")
            if module in modules and culprit is None:
                # the outermost frame in the plugin: the hook or policy method hrdsim called
                plugin, role = modules[module]
                culprit = (plugin, f"{role} {tb.tb_frame.f_code.co_name}()")
            tb = tb.tb_next
        cause = cause.__cause__ or cause.__context__
    where = f"replication {replication} of {resolved.loaded.path}"
    if culprit is not None:
        plugin, role = culprit
        return PluginError(
            plugin, role,
            f"failed in {where}: {type(exc).__name__}: {exc} (a fault in the plugin, not "
            "in the scenario: tell the plugin's author, or choose another policy)",
        )
    return HrdsimError(f"the simulation failed in {where}: {exc!r}")
