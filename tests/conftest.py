"""Shared fixtures: a fresh plugin manager, registry and CLI runner per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from hrdsim.engine import ReplicationResult, Simulation
from hrdsim.loader import load_scenario
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.registry import PolicyRegistry
from hrdsim.resolve import ResolvedScenario, resolve

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

SMALL = [
    "organisation.units=2",
    "organisation.teams_per_unit=5",
    "organisation.team_size=6",
    "operating_model.developers=2",
    "weeks=104",
    "replications=2",
]


@pytest.fixture
def registry() -> PolicyRegistry:
    return build_registry(make_plugin_manager())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def resolve_scenario(registry: PolicyRegistry) -> Callable[..., ResolvedScenario]:
    """Load a bundled (or given) scenario with overrides and resolve its policies."""

    def _resolve(name: str | Path = "baseline.toml", *overrides: str,
                 small: bool = True) -> ResolvedScenario:
        path = name if isinstance(name, Path) else SCENARIOS / name
        sets = [*SMALL, *overrides] if small else list(overrides)
        return resolve(load_scenario(path, sets), registry)

    return _resolve


@pytest.fixture
def simulate(resolve_scenario: Callable[..., ResolvedScenario]) -> Callable[..., ReplicationResult]:
    """Run one replication of a scenario with overrides."""

    def _simulate(name: str | Path = "baseline.toml", *overrides: str, replication: int = 0,
                  small: bool = True) -> ReplicationResult:
        return Simulation(resolve_scenario(name, *overrides, small=small), replication).run()

    return _simulate


@pytest.fixture
def make_simulation(resolve_scenario: Callable[..., ResolvedScenario]) -> Callable[..., Simulation]:
    """Build (but do not run) one replication, so a test can look inside it."""

    def _make(name: str | Path = "baseline.toml", *overrides: str, replication: int = 0,
              small: bool = True) -> Simulation:
        return Simulation(resolve_scenario(name, *overrides, small=small), replication)

    return _make
