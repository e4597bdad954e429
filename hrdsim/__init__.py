"""hrdsim: simulate how an organisation's capability grows under different ways
of leading learning and organising HR development.

The public API is what this module exports; everything else is internal.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from hrdsim.context import RunContext, Stash, StashKey
from hrdsim.errors import HrdsimError, OutputError, PluginError, ScenarioError
from hrdsim.events import Event, QueueSaturated, StrategyShifted
from hrdsim.loader import LoadedScenario, load_scenario
from hrdsim.params import InvalidValue, setting
from hrdsim.plugins import hookimpl, make_plugin_manager
from hrdsim.policies import (
    DeskSpec,
    FacilitationPolicy,
    LearningPolicy,
    Mix,
    MixParams,
    OperatingModel,
    OrgLayout,
    SessionPlan,
    WeekState,
)
from hrdsim.registry import PolicyRegistry
from hrdsim.rng import Streams
from hrdsim.scenario import Scenario
from hrdsim.service import ServiceDesk

try:
    __version__ = version("hrdsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "DeskSpec",
    "Event",
    "FacilitationPolicy",
    "HrdsimError",
    "InvalidValue",
    "LearningPolicy",
    "LoadedScenario",
    "Mix",
    "MixParams",
    "OperatingModel",
    "OrgLayout",
    "OutputError",
    "PluginError",
    "PolicyRegistry",
    "QueueSaturated",
    "RunContext",
    "Scenario",
    "ScenarioError",
    "ServiceDesk",
    "SessionPlan",
    "Stash",
    "StashKey",
    "StrategyShifted",
    "Streams",
    "WeekState",
    "__version__",
    "hookimpl",
    "load_scenario",
    "make_plugin_manager",
    "setting",
]
