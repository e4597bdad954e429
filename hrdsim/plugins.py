"""Finding, loading and registering plugins.

Plugins are found through the ``hrdsim`` entry-point group, which is also how
the policies shipped with hrdsim (the ``hrdsim_plugins`` package) load. Each
call to :func:`make_plugin_manager` builds a fresh manager: nothing is global.
Set ``HRDSIM_DISABLE_PLUGINS=name1,name2`` (or pass ``disabled``) to block
plugins by entry-point name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType

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
) -> pluggy.PluginManager:
    """A fresh plugin manager with hrdsim's hook specifications and plugins.

    :param disabled: entry-point names not to load (added to those in
        ``HRDSIM_DISABLE_PLUGINS``).
    :param extra: ``(name, plugin)`` pairs registered after the entry points
        (used by tests and by plugin authors' fixtures).
    :param load_entry_points: load the ``hrdsim`` entry-point group.
    :raises PluginError: naming the plugin that failed to import or that
        implements a hook hrdsim does not have.
    """
    blocked = set(disabled) | {
        n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()
    }
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
            _register(pm, ep.name, plugin)
            dist = ep.dist
            infos[ep.name] = PluginInfo(
                name=ep.name,
                module=ep.value,
                distribution=dist.name if dist else "(unknown)",
                version=dist.version if dist else "(unknown)",
            )
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


def _register(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(name, "", str(exc)) from None


def module_version(module: ModuleType) -> str:
    return str(getattr(module, "__version__", ""))
