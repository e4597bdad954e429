"""The registry plugins contribute policies to.

:func:`hrdsim_register_policies <hrdsim.hookspecs.hrdsim_register_policies>`
hands every plugin a :class:`PolicyRegistry`; registering a policy only makes
it available, a scenario selects it by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from hrdsim.params import did_you_mean
from hrdsim.policies import POLICY_KINDS, PolicyKind

#: Builds a policy from its validated parameters and the scenario.
PolicyFactory = Callable[[Any, Any], Any]


@attrs.frozen
class PolicyEntry:
    """One registered policy.

    :ivar kind: ``"learning"``, ``"operating_model"`` or ``"facilitation"``.
    :ivar name: the name a scenario uses to choose it.
    :ivar factory: ``factory(params, scenario) -> policy``.
    :ivar params: the attrs class declaring its parameters (see
        :func:`hrdsim.params.setting`), or ``None`` if it takes none.
    :ivar summary: one line in HR terms.
    :ivar plugin: the plugin that registered it.
    """

    kind: PolicyKind
    name: str
    factory: PolicyFactory
    params: type | None
    summary: str
    plugin: str


class PolicyRegistry:
    """Named policies by kind, filled by plugins."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], PolicyEntry] = {}
        self._plugin = "(unknown)"

    def add(
        self,
        kind: PolicyKind,
        name: str,
        factory: PolicyFactory,
        *,
        params: type | None = None,
        summary: str = "",
    ) -> None:
        """Make a policy available to scenarios.

        :param kind: one of ``"learning"``, ``"operating_model"``, ``"facilitation"``.
        :param name: the name scenarios use (``[learning] policy = "<name>"``).
        :param factory: called as ``factory(params, scenario)`` when a run
            starts; returns an object that plays the role of ``kind`` (see
            :mod:`hrdsim.policies`).
        :param params: an attrs class whose fields are declared with
            :func:`hrdsim.params.setting`; the scenario's ``params`` table is
            validated against it.
        :param summary: one line saying what the policy models.
        :raises ValueError: for an unknown kind or a name already taken.
        """
        if kind not in POLICY_KINDS:
            raise ValueError(
                f"unknown policy kind {kind!r}; expected one of {', '.join(POLICY_KINDS)}"
            )
        if (kind, name) in self._entries:
            other = self._entries[(kind, name)].plugin
            raise ValueError(f"{kind} policy {name!r} is already registered by plugin {other!r}")
        self._entries[(kind, name)] = PolicyEntry(
            kind=kind, name=name, factory=factory, params=params, summary=summary,
            plugin=self._plugin,
        )

    def get(self, kind: PolicyKind, name: str) -> PolicyEntry:
        """The entry of a policy.

        :raises KeyError: with a message listing the available names.
        """
        try:
            return self._entries[(kind, name)]
        except KeyError:
            names = self.names(kind)
            raise KeyError(
                f"unknown {kind} policy {name!r}{did_you_mean(name, names)}; "
                f"available: {', '.join(names) or '(none registered; see hrdsim plugins)'}"
            ) from None

    def names(self, kind: PolicyKind) -> list[str]:
        """Names registered for ``kind``, sorted."""
        return sorted(n for k, n in self._entries if k == kind)

    def entries(self) -> list[PolicyEntry]:
        """Every entry, sorted by kind and name."""
        return [self._entries[k] for k in sorted(self._entries)]

    def _registering(self, plugin: str) -> None:
        self._plugin = plugin
