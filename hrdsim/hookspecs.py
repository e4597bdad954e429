"""Hook specifications: every point where a plugin takes part in a run.

Hooks are listed in the order they are called. Every hook name starts with
``hrdsim_``; implement one by decorating a function of the same name (and a
subset of its arguments) with :data:`hrdsim.hookimpl`::

    from hrdsim import hookimpl

    @hookimpl
    def hrdsim_register_policies(registry):
        registry.add("learning", "my_policy", MyPolicy, params=MyParams)

Hooks are called at phase boundaries (once per run or per event), never per
employee per week: the engine calls the *policies* a hook returns on whole
arrays instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from hrdsim.context import RunContext
    from hrdsim.events import Event
    from hrdsim.registry import PolicyRegistry

_spec = pluggy.HookspecMarker("hrdsim")

#: The hook API this hrdsim provides, as (major, minor). Hooks may gain
#: arguments in a minor version (a plugin need not accept them), never lose
#: or rename them; that would be a new major version. A plugin states the
#: version it needs with ``HRDSIM_HOOK_API = "1.0"`` at module level.
HOOK_API_VERSION: tuple[int, int] = (1, 0)

# -------------------------------------------------------------------------
# Registration: once per plugin manager, before any scenario is resolved
# -------------------------------------------------------------------------


@_spec
def hrdsim_register_policies(registry: PolicyRegistry) -> None:
    """Contribute named policies that scenarios can choose.

    Called once when the plugin manager is set up, for each plugin in turn.
    Registering a policy does not activate it: a scenario selects one policy
    of each kind by name.

    :param registry: the :class:`~hrdsim.registry.PolicyRegistry`; call
        ``registry.add(kind, name, factory, params=..., summary=...)``.
    :return: nothing; contributions go through ``registry``.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------
# One replication of a scenario
# -------------------------------------------------------------------------


@_spec
def hrdsim_run_start(run: RunContext) -> None:
    """A replication is about to start simulating.

    Called once per replication, after the organisation is built and the
    policies are created, before week 0. Start your own SimPy processes here
    with ``run.env.process(...)``, and take random numbers only from
    ``run.streams.get("<your plugin>.<purpose>")``.

    :param run: the replication's :class:`~hrdsim.context.RunContext`.
    :return: nothing.

    .. versionadded:: 0.1
    """


@_spec
def hrdsim_event(event: Event, run: RunContext) -> None:
    """Observe a domain event (a strategic shift, a saturated queue...).

    Called once per event, in simulated-time order. Events are frozen attrs
    classes from :mod:`hrdsim.events`; check the type with ``isinstance``.

    :param event: the event.
    :param run: the replication it happened in.
    :return: nothing.

    .. versionadded:: 0.1
    """


@_spec
def hrdsim_collect_metrics(run: RunContext) -> Mapping[str, float] | None:
    """Add outcomes of your own to a replication's summary.

    Called once per replication after the last week. Names must not clash
    with hrdsim's own metrics or another plugin's; prefix them with your
    plugin's name.

    :param run: the finished replication.
    :return: a mapping of metric name to value, or ``None``.

    .. versionadded:: 0.1
    """


@_spec
def hrdsim_run_finish(run: RunContext, metrics: Mapping[str, float]) -> None:
    """A replication has finished.

    Called once per replication, after metrics are collected. Release what
    you held in ``run.stash``.

    :param run: the finished replication.
    :param metrics: every outcome of the replication, hrdsim's and plugins'.
    :return: nothing.

    .. versionadded:: 0.1
    """
