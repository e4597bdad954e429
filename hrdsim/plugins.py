"""Finding, loading and registering plugins.

Plugins come from two places:

* installed distributions, through the ``hrdsim`` entry-point group - which is
  also how the policies shipped with hrdsim (the ``hrdsim_plugins`` package)
  load;
* local files or folders, only when the user names them: ``--plugin PATH``
  on the command line or ``[plugins] paths = [...]`` in a scenario (relative
  to the scenario file). A scenario never imports a module it merely names.

Each call to :func:`make_plugin_manager` builds a fresh manager: nothing is
global. Block plugins by name with ``--disable-plugin NAME`` or
``HRDSIM_DISABLE_PLUGINS=name1,name2``.

A plugin module may declare the hook API it needs with
``HRDSIM_HOOK_API = "1.0"``; loading it into an older hrdsim fails with a
message saying so (see :data:`hrdsim.hookspecs.HOOK_API_VERSION`).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import attrs
import pluggy

from hrdsim import hookspecs
from hrdsim.errors import PluginError
from hrdsim.registry import PolicyRegistry

ENTRY_POINT_GROUP = "hrdsim"
DISABLE_ENV = "HRDSIM_DISABLE_PLUGINS"

hookimpl = pluggy.HookimplMarker("hrdsim")


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, where it comes from, and its version."""

    name: str
    module: str
    distribution: str
    version: str


def make_plugin_manager(
    disabled: Iterable[str] = (),
    extra: Iterable[tuple[str, object]] = (),
    load_entry_points: bool = True,
    paths: Iterable[str | Path] = (),
) -> pluggy.PluginManager:
    """A fresh plugin manager with hrdsim's hook specifications and plugins.

    :param disabled: plugin names not to load (added to those in
        ``HRDSIM_DISABLE_PLUGINS``).
    :param extra: ``(name, plugin)`` pairs registered after the entry points
        (used by tests and by plugin authors' fixtures).
    :param load_entry_points: load the ``hrdsim`` entry-point group.
    :param paths: local plugin files (``.py``) or folders (a package with
        ``__init__.py``, or a folder of ``.py`` files) the user named.
    :raises PluginError: naming the plugin that failed to import, needs a
        newer hook API, or implements a hook hrdsim does not have.
    """
    blocked = set(disabled) | disabled_from_environment()
    pm = pluggy.PluginManager("hrdsim")
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    if load_entry_points:
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in blocked or pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # any import-time failure is the plugin's
                raise PluginError(ep.name, "", f"could not be imported: {exc!r}") from exc
            dist = ep.dist
            _register(pm, ep.name, plugin)
            infos[ep.name] = PluginInfo(
                name=ep.name, module=ep.value,
                distribution=dist.name if dist else "(unknown)",
                version=dist.version if dist else "(unknown)",
            )
    for path in paths:
        for name, module in load_local(Path(path)):
            if name in blocked:
                continue
            _register(pm, name, module)
            infos[name] = PluginInfo(name=name, module=str(module.__file__),
                                     distribution="(local file)",
                                     version=str(getattr(module, "__version__", "")))
    for name, plugin in extra:
        if name in blocked:
            continue
        _register(pm, name, plugin)
        module = getattr(plugin, "__name__", type(plugin).__name__)
        infos[name] = PluginInfo(name=name, module=module, distribution="(local)", version="")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(pm.get_name(exc.plugin) or "?", "", str(exc)) from None
    pm.hrdsim_plugin_infos = infos  # type: ignore[attr-defined]
    return pm


def disabled_from_environment() -> set[str]:
    """Plugin names listed in ``HRDSIM_DISABLE_PLUGINS``."""
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def load_local(path: Path) -> list[tuple[str, Any]]:
    """Import the plugin(s) at a path the user named.

    A ``.py`` file is one plugin named after the file; a folder with an
    ``__init__.py`` is one plugin (a package) named after the folder; any other
    folder holds one plugin per ``.py`` file in it.

    :raises PluginError: if the path does not exist or the module fails to import.
    """
    if not path.exists():
        raise PluginError(str(path), "", "no such plugin file or folder")
    if path.is_dir() and not (path / "__init__.py").exists():
        files = sorted(p for p in path.glob("*.py") if not p.name.startswith("_"))
        if not files:
            raise PluginError(str(path), "", "the folder holds no .py plugin files")
        return [item for file in files for item in load_local(file)]
    name = path.stem if path.is_file() else path.name
    location = path / "__init__.py" if path.is_dir() else path
    module_name = f"hrdsim_local_{name}"
    spec = importlib.util.spec_from_file_location(
        module_name, location,
        submodule_search_locations=[str(path)] if path.is_dir() else None,
    )
    if spec is None or spec.loader is None:
        raise PluginError(name, "", f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise PluginError(name, "", f"could not be imported from {path}: {exc!r}") from exc
    return [(name, module)]


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """The plugins loaded into ``pm``, sorted by name."""
    infos: dict[str, PluginInfo] = getattr(pm, "hrdsim_plugin_infos", {})
    return [infos[n] for n in sorted(infos)]


def build_registry(pm: pluggy.PluginManager) -> PolicyRegistry:
    """Ask every plugin for its policies.

    Each plugin's ``hrdsim_register_policies`` is called in turn, so every
    policy knows which plugin registered it.

    :raises PluginError: if a plugin's hook raises.
    """
    registry = PolicyRegistry()
    for impl in pm.hook.hrdsim_register_policies.get_hookimpls():
        registry._registering(impl.plugin_name)
        try:
            impl.function(registry=registry)
        except Exception as exc:
            raise PluginError(impl.plugin_name, "hrdsim_register_policies", repr(exc)) from exc
    return registry


def check_api_version(name: str, plugin: object) -> None:
    """Refuse a plugin that needs a newer hook API than this hrdsim provides.

    :raises PluginError: with what the plugin needs and what is available.
    """
    needed = getattr(plugin, "HRDSIM_HOOK_API", None)
    if needed is None:
        return
    try:
        major, minor = (int(p) for p in str(needed).split(".")[:2])
    except ValueError:
        raise PluginError(name, "", f"HRDSIM_HOOK_API = {needed!r} is not a version like "
                          "'1.0'") from None
    have_major, have_minor = hookspecs.HOOK_API_VERSION
    if major != have_major or minor > have_minor:
        have = f"{have_major}.{have_minor}"
        raise PluginError(
            name, "", f"needs hrdsim hook API {needed}, but this hrdsim provides {have}; "
            + ("upgrade hrdsim" if (major, minor) > (have_major, have_minor)
               else "this plugin was written for an older, incompatible API")
        )


def _register(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    check_api_version(name, plugin)
    if pm.has_plugin(name):
        other = pm.get_plugin(name)
        where = getattr(other, "__file__", None) or getattr(other, "__name__", repr(other))
        raise PluginError(
            name, "", f"a plugin of this name is already loaded (from {where}); rename the "
            "local file or folder, or uninstall the other plugin",
        )
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(name, "", str(exc)) from None
