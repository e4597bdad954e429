"""Shared fixtures: a fresh plugin manager, registry and CLI runner per test."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hrdsim.engine import ReplicationResult, Simulation
from hrdsim.loader import load_scenario
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.registry import PolicyRegistry
from hrdsim.resolve import ResolvedScenario, resolve
from hrdsim.scenario import Scenario

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


#: The same small organisation as command-line options: 2 units × 3 teams × 5 people,
#: 26 weeks, 2 replications.
TINY = (
    "--set", "organisation.units=2",
    "--set", "organisation.teams_per_unit=3",
    "--set", "organisation.team_size=5",
    "--set", "operating_model.developers=2",
    "--weeks", "26",
    "--replications", "2",
)


def _no_constants(name: str) -> Any:
    raise AssertionError(f"JSON must not contain {name}")


def strict_json(text: str) -> Any:
    """Parse JSON as other tools would: NaN or Infinity is an error, not a float."""
    return json.loads(text, parse_constant=_no_constants)


def failed_cleanly(result: Result) -> str:
    """The one error line of a refused command, after checking it failed cleanly."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0].removeprefix("Error: ")


def interrupt_run(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Make the ``number``-th run a study starts raise KeyboardInterrupt, as Ctrl-C
    would while it runs (the study's workers run in this process: ``--workers 1``)."""

    def stop() -> None:
        raise KeyboardInterrupt

    _before_run(monkeypatch, number, stop)


def terminate_run(monkeypatch: pytest.MonkeyPatch, number: int) -> Any:
    """Make the ``number``-th run a study starts receive SIGTERM, as a batch scheduler
    would send it: the handler the study installed is called (after checking that it
    installed one). Returns the SIGTERM handler from before, which the study must put
    back."""
    import signal

    before = signal.getsignal(signal.SIGTERM)

    def stop() -> None:
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler) and handler is not before
        handler(signal.SIGTERM, None)

    _before_run(monkeypatch, number, stop)
    return before


def _before_run(monkeypatch: pytest.MonkeyPatch, number: int, stop: Callable[[], None]) -> None:
    """Call ``stop()`` just before the ``number``-th run a study starts."""
    import hrdsim.experiment

    real = hrdsim.experiment.run_unit
    calls = {"n": 0}

    def run(unit: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            stop()
        return real(unit)

    monkeypatch.setattr(hrdsim.experiment, "run_unit", run)


def scenario_of(path: Path, overrides: Sequence[str] = ()) -> Scenario:
    """The validated scenario of a file with overrides."""
    scenario = load_scenario(path, overrides).scenario
    assert scenario is not None
    return scenario


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
