"""Plugins contribute policies through the public hook API, the shipped ones included."""

from __future__ import annotations

import attrs
import pytest

from hrdsim import PluginError, hookimpl, make_plugin_manager, setting
from hrdsim.plugins import build_registry, plugin_infos

SHIPPED = {
    "learning": {"leftover", "fixed_share", "protected"},
    "operating_model": {"centralised", "octopus", "hybrid"},
    "facilitation": {"near_team", "none"},
}


def test_shipped_policies_load_through_entry_points() -> None:
    """The built-in policies come from installed entry points, like a third party's."""
    pm = make_plugin_manager()
    infos = {info.name: info for info in plugin_infos(pm)}
    assert {"learning_time", "operating_models", "facilitation"} <= set(infos)
    assert all(infos[n].distribution == "hrdsim" for n in ("learning_time", "facilitation"))
    registry = build_registry(pm)
    for kind, names in SHIPPED.items():
        assert names <= set(registry.names(kind))  # type: ignore[arg-type]
    assert registry.get("learning", "protected").plugin == "learning_time"


def test_disabling_a_plugin_by_environment_variable_removes_its_policies(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """HRDSIM_DISABLE_PLUGINS blocks a plugin by name."""
    monkeypatch.setenv("HRDSIM_DISABLE_PLUGINS", "operating_models")
    registry = build_registry(make_plugin_manager())
    assert registry.names("operating_model") == []
    assert "protected" in registry.names("learning")


@attrs.frozen
class _Params:
    rate: float = setting(0.5, ge=0, le=1, doc="A rate.", source="test")


class _ThirdParty:
    @hookimpl
    def hrdsim_register_policies(self, registry):  # type: ignore[no-untyped-def]
        registry.add("learning", "third_party", lambda p, s: None, params=_Params,
                     summary="A third party's policy.")


def test_an_extra_plugin_registers_a_policy_that_knows_its_plugin() -> None:
    """A plugin registered by name contributes its policy under that name."""
    registry = build_registry(make_plugin_manager(extra=[("mine", _ThirdParty())]))
    entry = registry.get("learning", "third_party")
    assert (entry.plugin, entry.params, entry.summary) == ("mine", _Params,
                                                           "A third party's policy.")


def test_a_duplicate_policy_name_is_an_error_naming_both_plugins() -> None:
    """Two plugins cannot register the same policy name."""

    class Clash:
        @hookimpl
        def hrdsim_register_policies(self, registry):  # type: ignore[no-untyped-def]
            registry.add("learning", "protected", lambda p, s: None)

    with pytest.raises(PluginError, match="already registered by plugin 'learning_time'"):
        build_registry(make_plugin_manager(extra=[("clash", Clash())]))


def test_a_plugin_implementing_an_unknown_hook_is_refused_by_name() -> None:
    """A misspelt hook name is reported with the plugin's name, not ignored."""

    class Misspelt:
        @hookimpl
        def hrdsim_register_policy(self, registry):  # type: ignore[no-untyped-def]
            pass

    with pytest.raises(PluginError, match="misspelt"):
        make_plugin_manager(extra=[("misspelt", Misspelt())])


def test_unknown_policy_lists_the_available_ones(registry) -> None:  # type: ignore[no-untyped-def]
    """Asking for a policy that does not exist names the ones that do."""
    with pytest.raises(KeyError, match="did you mean 'protected'") as raised:
        registry.get("learning", "protectd")
    available = str(raised.value).split("available: ", 1)[1]
    assert {"fixed_share", "leftover", "protected"} <= set(available.strip("'\"").split(", "))
