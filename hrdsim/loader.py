"""Reading scenario files: TOML, ``extends`` chains and ``--set`` overrides.

A scenario file may start with ``extends = "other.toml"`` (relative to the
file) to vary one thing from another scenario: tables are merged key by key,
and the child's values win. A child that chooses a different ``policy`` in a
section does not inherit the parent's ``params`` for that section.
``--set path.to.key=value`` overrides any key after all files are merged; the
value is read as TOML (``0.1``, ``true``, ``"text"``, ``[1, 2]``) and as a
plain string if it is not valid TOML. ``--weeks``, ``--seed`` and
``--replications`` apply last, and an error in one names that option.
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

    def plugin_paths(self) -> list[Path]:
        """The scenario's ``plugins.paths``, each relative to the file that names it."""
        assert self.scenario is not None
        paths = []
        for i, name in enumerate(self.scenario.plugins.paths):
            source = self.source_of(f"plugins.paths[{i}]")
            base = Path.cwd() if source.startswith("--") else Path(source).parent
            paths.append(base / name)
        return paths

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


def load_scenario(
    path: str | Path, overrides: Iterable[str] = (), options: Mapping[str, Any] | None = None
) -> LoadedScenario:
    """Read, merge, override and validate a scenario.

    :param path: the scenario file.
    :param overrides: ``key=value`` strings, applied in order.
    :param options: values given by command-line options of their own
        (``--weeks``, ``--seed``...), key → value; applied last, and an
        error in one names the option.
    :raises ScenarioError: naming the file and key of the first problem.
    """
    path = Path(path)
    origins: dict[str, str] = {}
    values, files = _read_chain(path, origins, chain=(), named=())
    overrides = tuple(overrides)
    # policy choices first, so that a new policy drops the parent's parameters
    # before any --set of the new policy's parameters applies
    for expression in sorted(overrides, key=lambda e: not _is_policy_choice(e)):
        _apply_override(values, origins, expression)
    for key, value in (options or {}).items():
        _set_value(values, origins, key, value, source=f"--{key}")
    overrides += tuple(f"{key}={value}" for key, value in (options or {}).items())
    origins.pop("extends", None)
    values.pop("extends", None)

    located = LoadedScenario(
        scenario=None, path=path, files=files, values=values, overrides=overrides,
        origins=origins,
    )
    scenario = build(Scenario, values, "", located.source_of)
    return attrs.evolve(located, scenario=scenario)


def _read_chain(
    path: Path, origins: dict[str, str], chain: tuple[Path, ...], named: tuple[Path, ...]
) -> tuple[dict[str, Any], tuple[Path, ...]]:
    # chain: the files read so far, resolved (to find cycles); named: the same
    # files as the user or their extends lines named them (for messages)
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*named, path))
        raise ScenarioError(
            str(named[-1]), "extends", f"the extends chain goes round in a circle: {cycle}",
            "a scenario cannot extend itself, directly or through others; remove one of "
            "these extends lines",
        )
    data = _read_toml(path, referrer=named[-1] if named else None)
    parent_name = data.get("extends")
    own: dict[str, str] = {}
    _record_origins(data, "", str(path), own)
    if parent_name is None:
        origins.update(own)
        return data, (path,)
    if not isinstance(parent_name, str):
        raise ScenarioError(
            str(path), "extends", f"expected a file name (text), got {parent_name!r}",
            'write it in quotes, e.g. extends = "baseline.toml"',
        )
    parent_path = path.parent / parent_name
    parent, parent_files = _read_chain(
        parent_path, origins, (*chain, resolved), (*named, path)
    )
    origins.update(own)
    return _merge(parent, data), (path, *parent_files)


def _read_toml(path: Path, referrer: Path | None) -> dict[str, Any]:
    if referrer is not None:  # a parent: the problem is in the child's extends line
        if not path.exists():
            raise ScenarioError(
                str(referrer), "extends", f"the parent scenario {str(path)!r} does not exist",
                "check the file name; extends is relative to the folder of the file that "
                "names it",
            )
        if path.is_dir():
            raise ScenarioError(
                str(referrer), "extends",
                f"{str(path)!r} is a folder, expected a scenario file (.toml)",
            )
    elif not path.exists():
        raise ScenarioError(
            str(path), "", "no such scenario file",
            "check the name, and that the path is relative to the folder you run hrdsim in",
        )
    elif path.is_dir():
        raise ScenarioError(
            str(path), "", "is a folder, expected a scenario file",
            "name a .toml file inside it, e.g. scenarios/baseline.toml",
        )
    via = f"; it is the parent scenario named by 'extends' in {referrer}" if referrer else ""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            str(path), "",
            f"is not UTF-8 text: byte {exc.object[exc.start]:#04x} at position {exc.start} "
            f"cannot be read{via}",
            "a scenario is a TOML text file: save it as UTF-8",
        ) from None
    except OSError as exc:
        raise ScenarioError(
            str(path), "", f"cannot be read: {exc.strerror or exc}{via}"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", f"is not valid TOML: {exc}{via}") from None


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
    if _is_policy_choice(expression):
        section = values.get(key.split(".")[0])
        if isinstance(section, dict) and section.get("policy") != value:
            section.pop("params", None)
    _set_value(values, origins, key, value, OVERRIDE_SOURCE)


def _set_value(
    values: dict[str, Any], origins: dict[str, str], key: str, value: Any, source: str
) -> None:
    parts = key.split(".")
    table = values
    for i, part in enumerate(parts[:-1]):
        dotted = ".".join(parts[: i + 1])
        if part not in table:  # a table the override creates is the override's
            origins[dotted] = source
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(
                source, dotted, f"is a value, not a table, so {key!r} cannot be set",
            )
        table = child
    table[parts[-1]] = value
    origins[key] = source
    if isinstance(value, Mapping):
        _record_origins(value, key, source, origins)


def _is_policy_choice(expression: str) -> bool:
    key = expression.partition("=")[0].strip()
    return key.count(".") == 1 and key.endswith(".policy")
