"""Reading scenario files: TOML, ``extends`` chains and ``--set`` overrides.

A scenario file may start with ``extends = "other.toml"`` (relative to the
file) to vary one thing from another scenario: tables are merged key by key,
and the child's values win. A child that chooses a different ``policy`` in a
section does not inherit the parent's ``params`` for that section. ``--set path.to.key=value`` overrides any key
after all files are merged; the value is read as TOML (``0.1``, ``true``,
``"text"``, ``[1, 2]``) and as a plain string if it is not valid TOML.
Choosing another policy with ``--set learning.policy=protected`` also drops
the parameters set for the previous one.

Every key remembers the file it came from, so an error can name it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from hrdsim.errors import ScenarioError
from hrdsim.params import build
from hrdsim.scenario import Scenario

OVERRIDE_SOURCE = "--set"


@attrs.frozen
class LoadedScenario:
    """A scenario with where it came from.

    :ivar scenario: the validated scenario.
    :ivar path: the file named by the user.
    :ivar files: the ``extends`` chain, the named file first.
    :ivar values: the fully merged table (after overrides), as read.
    :ivar overrides: the ``--set`` expressions applied, in order.
    """

    scenario: Scenario | None
    path: Path
    files: tuple[Path, ...]
    values: dict[str, Any]
    overrides: tuple[str, ...] = ()
    origins: dict[str, str] = attrs.field(factory=dict, repr=False)

    def source_of(self, key: str) -> str:
        """The file (or ``--set``) that set dotted ``key``, or the scenario file."""
        while key:
            if key in self.origins:
                return self.origins[key]
            if key.endswith("]"):  # an item of a list: look at the list
                key = key[: key.rindex("[")]
            else:
                key = key.rsplit(".", 1)[0] if "." in key else ""
        return str(self.path)

    @property
    def file_hash(self) -> str:
        """SHA-256 over the bytes of every file in the chain."""
        digest = hashlib.sha256()
        for file in self.files:
            digest.update(file.read_bytes())
        return digest.hexdigest()

    @property
    def values_hash(self) -> str:
        """SHA-256 of the fully resolved values (stable across key order)."""
        text = json.dumps(self.values, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> LoadedScenario:
    """Read, merge, override and validate a scenario.

    :param path: the scenario file.
    :param overrides: ``key=value`` strings, applied in order.
    :raises ScenarioError: naming the file and key of the first problem.
    """
    path = Path(path)
    origins: dict[str, str] = {}
    values, files = _read_chain(path, origins, chain=())
    overrides = tuple(overrides)
    # policy choices first, so that a new policy drops the parent's parameters
    # before any --set of the new policy's parameters applies
    for expression in sorted(overrides, key=lambda e: not _is_policy_choice(e)):
        _apply_override(values, origins, expression)
    origins.pop("extends", None)
    values.pop("extends", None)

    located = LoadedScenario(
        scenario=None, path=path, files=files, values=values, overrides=overrides,
        origins=origins,
    )
    scenario = build(Scenario, values, "", located.source_of)
    return attrs.evolve(located, scenario=scenario)


def _read_chain(
    path: Path, origins: dict[str, str], chain: tuple[Path, ...]
) -> tuple[dict[str, Any], tuple[Path, ...]]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ScenarioError(
            str(chain[-1]), "extends", f"the extends chain is a cycle: {cycle}",
            "remove one of the extends lines",
        )
    data = _read_toml(path, referrer=chain[-1] if chain else None)
    parent_name = data.get("extends")
    own: dict[str, str] = {}
    _record_origins(data, "", str(path), own)
    if parent_name is None:
        origins.update(own)
        return data, (path,)
    if not isinstance(parent_name, str):
        raise ScenarioError(
            str(path), "extends", f"expected a file name (text), got {parent_name!r}"
        )
    parent_path = path.parent / parent_name
    parent, parent_files = _read_chain(parent_path, origins, (*chain, resolved))
    origins.update(own)
    return _merge(parent, data), (path, *parent_files)


def _read_toml(path: Path, referrer: Path | None) -> dict[str, Any]:
    via = f" (named by 'extends' in {referrer})" if referrer else ""
    if not path.exists():
        raise ScenarioError(
            str(referrer or path), "extends" if referrer else "",
            f"scenario file {str(path)!r} does not exist{via}",
            "check the path; extends is relative to the file that names it",
        )
    if path.is_dir():
        raise ScenarioError(str(path), "", "is a folder, expected a scenario file (.toml)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {exc}{via}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", f"is not valid TOML: {exc}") from None


def _record_origins(data: Mapping[str, Any], prefix: str, source: str, out: dict[str, str]) -> None:
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        out[dotted] = source
        if isinstance(value, Mapping):
            _record_origins(value, dotted, source, out)


def _merge(base: dict[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    if "policy" in child and child["policy"] != base.get("policy"):
        # parameters belong to a policy: a child that picks another policy
        # starts from that policy's defaults, not from the parent's values
        merged.pop("params", None)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apply_override(values: dict[str, Any], origins: dict[str, str], expression: str) -> None:
    key, sep, raw = expression.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(
            OVERRIDE_SOURCE, expression, "expected KEY=VALUE, e.g. learning.params.share=0.1"
        )
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    parts = key.split(".")
    if _is_policy_choice(expression):
        section = values.get(parts[0])
        if isinstance(section, dict) and section.get("policy") != value:
            section.pop("params", None)
    table = values
    for i, part in enumerate(parts[:-1]):
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(
                OVERRIDE_SOURCE, ".".join(parts[: i + 1]),
                f"is a value, not a table, so {key!r} cannot be set",
            )
        table = child
    table[parts[-1]] = value
    origins[key] = OVERRIDE_SOURCE
    if isinstance(value, Mapping):
        _record_origins(value, key, OVERRIDE_SOURCE, origins)


def _is_policy_choice(expression: str) -> bool:
    key = expression.partition("=")[0].strip()
    return key.count(".") == 1 and key.endswith(".policy")
