"""Parameters a study varies: ``--grid KEY=V1,V2,...`` and ``--range KEY=LO:HI``.

A study (a sweep or a sensitivity analysis) varies keys of one scenario. Each
varied key is a dotted key of the scenario's resolved values - the same keys
``--set`` takes and ``hrdsim compare`` lists, policy parameters included
(``learning.params.share``). A design point becomes a list of ``--set``
expressions, so every point is loaded and validated exactly like a scenario
with overrides.

This module only parses and checks; building designs (grids, Latin
hypercubes, Sobol samples) is the business of the study that uses them.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from hrdsim.errors import ScenarioError
from hrdsim.params import did_you_mean


@attrs.frozen
class Range:
    """A numeric key varied continuously between two bounds.

    :ivar key: dotted scenario key, e.g. ``learning.params.share``.
    :ivar low: lower bound (inclusive).
    :ivar high: upper bound (inclusive), greater than ``low``.
    :ivar integer: the key holds a whole number; values are rounded.
    """

    key: str
    low: float
    high: float
    integer: bool = False

    def value(self, unit: float) -> float | int:
        """The value at position ``unit`` in [0, 1] of the range (rounded for
        an integer key)."""
        raw = self.low + unit * (self.high - self.low)
        if self.integer:
            return int(min(max(round(raw), math.ceil(self.low)), math.floor(self.high)))
        return raw


@attrs.frozen
class Grid:
    """A key set to each of a list of values in turn.

    :ivar key: dotted scenario key.
    :ivar values: the values, parsed as TOML values (numbers, strings, booleans).
    """

    key: str
    values: tuple[Any, ...]


def parse_range(text: str, option: str = "--range") -> Range:
    """Parse ``KEY=LO:HI``.

    :raises ScenarioError: naming the option and what was expected.
    """
    key, sep, bounds = text.partition("=")
    key = key.strip()
    low_text, colon, high_text = bounds.partition(":")
    if not sep or not key or not colon:
        raise ScenarioError(option, text, "expected KEY=LO:HI, e.g. learning.params.share=0:0.2")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ScenarioError(
            option, key, f"bounds must be numbers, got {bounds.strip()!r} (e.g. 0:0.2)"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ScenarioError(
            option, key, f"expected finite bounds with LO < HI, got {low:g}:{high:g}"
        )
    return Range(key, low, high)


def parse_grid(text: str, option: str = "--grid") -> Grid:
    """Parse ``KEY=V1,V2,...`` (each value as TOML: ``0.1``, ``3``, ``octopus``).

    :raises ScenarioError: naming the option and what was expected.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    items = [item.strip() for item in raw.split(",")]
    if not sep or not key or not any(items):
        raise ScenarioError(option, text, "expected KEY=V1,V2,..., e.g. operating_model.developers=4,6,8")
    if not all(items):
        raise ScenarioError(option, key, f"has an empty value in {raw.strip()!r}")
    values = tuple(_toml_value(item) for item in items)
    if len(set(map(repr, values))) != len(values):
        raise ScenarioError(option, key, f"lists a value twice in {raw.strip()!r}")
    return Grid(key, values)


def check_keys(
    current: Mapping[str, Any], grids: Sequence[Grid] = (), ranges: Sequence[Range] = (),
) -> list[Range]:
    """Check that every varied key exists in the scenario, is varied once, and
    that ranged keys hold numbers.

    :param current: the scenario's resolved values as a flat table
        (:func:`hrdsim.comparison.input_values`).
    :return: the ranges, each marked ``integer`` when its key holds a whole number.
    :raises ScenarioError: for an unknown key (with a suggestion), a key varied
        twice or a ranged key that is not a number.
    """
    seen: set[str] = set()
    for option, key in [("--grid", g.key) for g in grids] + [("--range", r.key) for r in ranges]:
        if key not in current:
            raise ScenarioError(option, key, "is not a key of the scenario"
                                + did_you_mean(key, list(current)),
                                "use a dotted key as `--set` takes it, e.g. learning.params.share")
        if key in seen:
            raise ScenarioError(option, key, "is varied twice; give each key once")
        seen.add(key)
    checked = []
    for r in ranges:
        value = current[r.key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError("--range", r.key, f"holds {value!r}, not a number, so it cannot "
                                "be ranged", "use --grid to list its values")
        checked.append(attrs.evolve(r, integer=isinstance(value, int)))
        if checked[-1].integer and math.floor(r.high) < math.ceil(r.low):
            raise ScenarioError("--range", r.key, f"holds whole numbers, and none lies "
                                f"between {r.low:g} and {r.high:g}")
    return checked


def override(key: str, value: Any) -> str:
    """The ``--set`` expression that sets ``key`` to ``value`` exactly
    (floats keep every digit, strings are quoted)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        raise TypeError(f"cannot write {value!r} as a --set value")
    return f"{key}={text}"


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


__all__ = ["Grid", "Range", "check_keys", "override", "parse_grid", "parse_range"]
