"""The parameters behind a study: every resolved value, with its meaning, unit and source.

A results folder's manifest records each scenario's resolved values and every
policy's parameters with their defaults filled in. This module flattens them to
dotted keys (``learning.params.share``, ``modes.formal.transfer``,
``strategy.required.data_literacy``...) and looks up what each key means, its
unit and the source of its default where the code declares them
(:func:`hrdsim.params.setting`): the scenario's own keys through
:func:`hrdsim.docgen.scenario_keys`, a policy's parameters through the policy
registry of the plugins installed here. A key whose declaration is not found
(a plugin not installed here) keeps its value with an empty meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from hrdsim.params import ParameterInfo

#: Keys that identify a run rather than describe the organisation or a policy.
NOT_PARAMETERS: frozenset[str] = frozenset(
    {"name", "description", "replications", "seed", "plugins.paths"})

#: The sections whose policy is chosen by name, and their ``params`` tables.
POLICY_SECTIONS: tuple[str, ...] = ("learning", "operating_model", "facilitation")

class _Missing:
    """A value a scenario does not have (another policy's parameter)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@attrs.frozen
class Parameter:
    """One resolved parameter across the scenarios of a study.

    :ivar key: its dotted key, as a scenario file or ``--set`` writes it.
    :ivar meaning: what it means, in English, as declared in the code ("" if unknown).
    :ivar unit: its unit, in English ("" if none).
    :ivar source: the source of its default, or the reason for it ("" if none given).
    :ivar values: its value in each scenario (:data:`MISSING` where a scenario lacks it).
    :ivar context: a mode or skill the key is about (``formal``, ``data_literacy``), or "".
    """

    key: str
    meaning: str
    unit: str
    source: str
    values: tuple[Any, ...]
    context: str = ""

    @property
    def differs(self) -> bool:
        return len({_hashable(v) for v in self.values}) > 1


def flat_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest scenario record's resolved values as dotted keys, each policy's
    parameters with their defaults filled in."""
    values = _copy(record.get("resolved", {}))
    policies = record.get("policies", {})
    for section in POLICY_SECTIONS:
        if section in policies and isinstance(values.get(section), dict):
            values[section]["params"] = policies[section].get("params", {})
    if "practices" in policies:
        values["practices"] = [{"policy": p.get("policy"), "params": p.get("params", {})}
                               for p in policies["practices"]]
    from hrdsim.comparison import flatten

    return {k: v for k, v in flatten(values).items() if k not in NOT_PARAMETERS}


def parameters(records: Sequence[Mapping[str, Any]]) -> list[Parameter]:
    """Every parameter of the scenarios, in the first scenario's key order (a key only
    a later scenario has comes after the key it follows there)."""
    flats = [flat_values(r) for r in records]
    keys: list[str] = []
    for flat in flats:
        previous: str | None = None
        for key in flat:
            if key not in keys:
                keys.insert(keys.index(previous) + 1 if previous is not None else 0, key)
            previous = key
    rows = []
    for key in keys:
        meaning, unit, source, context = describe_key(key, records)
        rows.append(Parameter(key, meaning, unit, source,
                              tuple(flat.get(key, MISSING) for flat in flats), context))
    return rows


def describe_key(key: str, records: Sequence[Mapping[str, Any]]) -> tuple[str, str, str, str]:
    """(meaning, unit, source, context) of a dotted key, from its declaration."""
    policy = _policy_param(key)
    if policy is not None:
        section, index, name = policy
        info = _policy_info(section, index, name, records)
        if info is None:
            return "", "", "", ""
        return info.doc, info.unit, info.source, ""
    generic = re.sub(r"\[\d+\]", "[i]", key)
    infos = scenario_infos()
    if generic in infos:
        info = infos[generic]
        context = ""
        match = re.fullmatch(r"modes\.(\w+)\.\w+", key)
        if match:
            context = match.group(1)
        source = info.source or _parent_source(generic, infos)
        return info.doc, info.unit, source, context
    parent, _, child = generic.rpartition(".")
    if parent in infos:  # a table of values per skill (strategy.required.<skill>)
        info = infos[parent]
        return info.doc, info.unit or "0-1", info.source, child
    return "", "", "", ""


def _parent_source(key: str, infos: Mapping[str, ParameterInfo]) -> str:
    parent = key.rpartition(".")[0]
    while parent:
        if parent in infos and infos[parent].source:
            return infos[parent].source
        parent = parent.rpartition(".")[0]
    return ""


def _policy_param(key: str) -> tuple[str, int | None, str] | None:
    """(section, practice index, parameter) of a policy parameter's key."""
    match = re.fullmatch(r"(learning|operating_model|facilitation)\.params\.(\w+)", key)
    if match:
        return match.group(1), None, match.group(2)
    match = re.fullmatch(r"practices\[(\d+)\]\.params\.(\w+)", key)
    if match:
        return "practices", int(match.group(1)), match.group(2)
    return None


def _policy_info(section: str, index: int | None, name: str,
                 records: Sequence[Mapping[str, Any]]) -> ParameterInfo | None:
    for record in records:
        policies = record.get("policies", {})
        if index is None:
            chosen = policies.get(section)
        else:
            practices = policies.get("practices") or []
            chosen = practices[index] if index < len(practices) else None
        if not chosen:
            continue
        kind = "practice" if index is not None else section
        found = policy_infos(kind, str(chosen.get("policy", ""))).get(name)
        if found is not None:
            return found
    return None


@cache
def scenario_infos() -> dict[str, ParameterInfo]:
    """Every scenario key's declaration; ``modes.<a|b|c>.x`` listed under each mode."""
    from hrdsim.docgen import scenario_keys

    infos: dict[str, ParameterInfo] = {}
    for key, _, info in scenario_keys():
        match = re.search(r"<([^>]+)>", key)
        if match:
            for name in match.group(1).split("|"):
                infos[key.replace(match.group(0), name)] = info
        else:
            infos[key] = info
    return infos


@cache
def _registry() -> Any:
    from hrdsim.plugins import build_registry, make_plugin_manager

    try:
        return build_registry(make_plugin_manager())
    except Exception:  # a broken plugin here must not stop the report: meanings go blank
        return None


@cache
def policy_infos(kind: str, policy: str) -> dict[str, ParameterInfo]:
    """A policy's parameter declarations by name (empty if it is not installed here)."""
    from hrdsim.params import describe

    registry = _registry()
    if registry is None:
        return {}
    try:
        entry = registry.get(kind, policy)
    except KeyError:
        return {}
    return {info.name: info for info in describe(entry.params)} if entry.params else {}


@cache
def policy_summary(kind: str, policy: str) -> str:
    """A policy's one-line summary in English ("" if it is not installed here)."""
    registry = _registry()
    if registry is None:
        return ""
    try:
        return str(registry.get(kind, policy).summary)
    except KeyError:
        return ""


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def policies_of(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, policy name) of each policy a scenario chose, practices last."""
    policies = record.get("policies", {})
    chosen = [(section, str(policies[section]["policy"])) for section in POLICY_SECTIONS
              if section in policies]
    chosen += [("practice", str(p.get("policy", ""))) for p in policies.get("practices", [])]
    return chosen


__all__ = ["MISSING", "Parameter", "describe_key", "flat_values", "parameters",
           "policies_of", "policy_infos", "policy_summary", "scenario_infos"]
