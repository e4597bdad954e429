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
    :raises PluginError: when a policy or hook raises, naming its plugin.
    """
    started = time.perf_counter()
    results = []
    for replication in range(resolved.scenario.replications):
        try:
            results.append(Simulation(resolved, replication, pm).run())
        except HrdsimError:
            raise
        except Exception as exc:
            raise _blame(resolved, replication, exc) from exc
        if progress is not None:
            progress(1)
    summary = summarise([r.outcomes for r in results])
    return RunResults(resolved, results, summary, time.perf_counter() - started)


def _blame(resolved: ResolvedScenario, replication: int, exc: Exception) -> HrdsimError:
    """Name the plugin whose code raised, from the traceback."""
    modules = {
        chosen.entry.factory.__module__: chosen.entry.plugin
        for chosen in resolved.policies.values()
    }
    tb = exc.__traceback__
    culprit = None
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module in modules:
            culprit = modules[module]
        tb = tb.tb_next
    where = f"replication {replication} of {resolved.loaded.path}"
    if culprit is not None:
        return PluginError(culprit, "policy", f"raised {exc!r} in {where}")
    return HrdsimError(f"the simulation failed in {where}: {exc!r}")
