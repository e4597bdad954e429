"""Helpers and pytest fixtures for testing hrdsim plugins.

In a plugin's test suite, enable the fixtures in ``conftest.py``::

    pytest_plugins = ["hrdsim.testing"]

then use them::

    def test_my_policy_raises_capability(run_hrdsim, tiny_scenario):
        results = run_hrdsim(tiny_scenario, "learning.policy=my_policy")
        assert results.summary["capability_change"].mean > 0

Everything here builds fresh objects per call: no plugin manager or random
state is shared between tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pluggy
import pytest

from hrdsim.loader import load_scenario
from hrdsim.plugins import build_registry, make_plugin_manager
from hrdsim.resolve import resolve
from hrdsim.runner import RunResults, run_replications
from hrdsim.scaffold import TINY_SCENARIO


def write_tiny_scenario(folder: Path, name: str = "tiny.toml") -> Path:
    """Write :data:`TINY_SCENARIO` into ``folder`` and return its path."""
    path = folder / name
    path.write_text(TINY_SCENARIO, encoding="utf-8")
    return path


def run_scenario(
    scenario: str | Path,
    *overrides: str,
    plugins: Iterable[tuple[str, object]] = (),
    paths: Iterable[str | Path] = (),
    pm: pluggy.PluginManager | None = None,
) -> RunResults:
    """Run every replication of a scenario, as ``hrdsim run`` does.

    :param overrides: ``key=value`` strings, as with ``--set``.
    :param plugins: extra ``(name, plugin)`` pairs to register (e.g. a test's
        own plugin object or module) next to the installed ones.
    :param paths: local plugin files or folders, as with ``--plugin``.
    :param pm: use this plugin manager instead of building one.
    """
    loaded = load_scenario(scenario, overrides)
    if pm is None:
        pm = make_plugin_manager(extra=plugins, paths=[*paths, *loaded.plugin_paths()])
    return run_replications(resolve(loaded, build_registry(pm)), pm)


@pytest.fixture
def tiny_scenario(tmp_path: Path) -> Path:
    """Path of a small, valid scenario file in the test's temporary folder."""
    return write_tiny_scenario(tmp_path)


@pytest.fixture
def hrdsim_pm() -> Callable[..., pluggy.PluginManager]:
    """Build a fresh plugin manager: ``hrdsim_pm(("mine", plugin), paths=[...])``."""

    def build(*plugins: tuple[str, object], paths: Sequence[str | Path] = ()) -> \
            pluggy.PluginManager:
        return make_plugin_manager(extra=plugins, paths=paths)

    return build


@pytest.fixture
def run_hrdsim() -> Callable[..., RunResults]:
    """Run a scenario with overrides and extra plugins; see :func:`run_scenario`."""
    return run_scenario
