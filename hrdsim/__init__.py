"""hrdsim: simulate how an organisation's capability grows under different ways
of leading learning and organising HR development.

The public API is what this module exports; everything else is internal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrdsim.api import RunResult, compare, run, sweep
    from hrdsim.comparison import Comparison
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
    from hrdsim.report.build import build_report
    from hrdsim.rng import Streams
    from hrdsim.scenario import Scenario
    from hrdsim.sensitivity_study import Sensitivity, sensitivity
    from hrdsim.service import ServiceDesk
    from hrdsim.sweep_study import Sweep

    __version__: str

# The exports are imported on first use (PEP 562), so that ``import hrdsim`` -
# and with it ``hrdsim --help`` - does not load NumPy, SimPy, pluggy and attrs.
_EXPORTED_FROM = {
    "hrdsim.api": ("RunResult", "compare", "run", "sweep"),
    "hrdsim.comparison": ("Comparison",),
    "hrdsim.context": ("RunContext", "Stash", "StashKey"),
    "hrdsim.errors": ("HrdsimError", "OutputError", "PluginError", "ScenarioError"),
    "hrdsim.events": ("Event", "QueueSaturated", "StrategyShifted"),
    "hrdsim.loader": ("LoadedScenario", "load_scenario"),
    "hrdsim.params": ("InvalidValue", "setting"),
    "hrdsim.plugins": ("hookimpl", "make_plugin_manager"),
    "hrdsim.policies": ("DeskSpec", "FacilitationPolicy", "LearningPolicy", "Mix", "MixParams",
                        "OperatingModel", "OrgLayout", "SessionPlan", "WeekState"),
    "hrdsim.registry": ("PolicyRegistry",),
    "hrdsim.report.build": ("build_report",),
    "hrdsim.rng": ("Streams",),
    "hrdsim.scenario": ("Scenario",),
    "hrdsim.sensitivity_study": ("Sensitivity", "sensitivity"),
    "hrdsim.service": ("ServiceDesk",),
    "hrdsim.sweep_study": ("Sweep",),
}
_MODULE_OF = {name: module for module, names in _EXPORTED_FROM.items() for name in names}


def __getattr__(name: str) -> Any:
    value: Any
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("hrdsim")
        except PackageNotFoundError:  # running from a source tree that is not installed
            value = "0+unknown"
    elif name in _MODULE_OF:
        import importlib

        value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    else:
        raise AttributeError(f"module 'hrdsim' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

__all__ = [
    "Comparison",
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
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "ServiceDesk",
    "SessionPlan",
    "Stash",
    "StashKey",
    "StrategyShifted",
    "Streams",
    "Sweep",
    "WeekState",
    "__version__",
    "build_report",
    "compare",
    "hookimpl",
    "load_scenario",
    "make_plugin_manager",
    "run",
    "sensitivity",
    "setting",
    "sweep",
]
