"""Parameters a study varies: ``--grid KEY=V1,V2,...`` and ``--range KEY=LO:HI``.

A study (a sweep or a sensitivity analysis) varies keys of one scenario. Each
varied key is a dotted key of the scenario's resolved values - the same keys
``--set`` takes and ``hrdsim compare`` lists, policy parameters included
(``learning.params.share``). A design point becomes a list of ``--set``
expressions, so every point is loaded and validated exactly like a scenario
with overrides.

This module parses and checks the keys, and builds the two designs of a
sweep: a full factorial :func:`grid_points` and a Latin hypercube
:func:`lhs_points`; :func:`spread_order` orders a design's points so that
any first few of them already cover the space evenly.
"""

from __future__ import annotations

import itertools
import math
import tomllib
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.errors import ScenarioError
from hrdsim.params import did_you_mean

if TYPE_CHECKING:
    import numpy as np


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
        raise ScenarioError(option, text,
                            "expected KEY=V1,V2,..., e.g. operating_model.developers=4,6,8")
    if not all(items):
        raise ScenarioError(option, key, f"has an empty value in {raw.strip()!r}")
    values = tuple(_toml_value(item) for item in items)
    if len(set(map(repr, values))) != len(values):
        raise ScenarioError(option, key, f"lists a value twice in {raw.strip()!r}")
    return Grid(key, values)


def grids_from_mapping(grid: Mapping[str, Any], option: str = "grid") -> list[Grid]:
    """Grids from Python's ``{key: [values]}``, checked as ``--grid`` is.

    :raises ScenarioError: for a value that is not a list of values (a string would
        otherwise be taken letter by letter), an empty list or a value listed twice.
    """
    grids = []
    for key, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | set | frozenset):
            raise ScenarioError(option, str(key), f"expected a list of values, got {values!r}",
                                f"e.g. {{{str(key)!r}: [{values!r}]}}")
        items = tuple(values)
        if not items:
            raise ScenarioError(option, str(key), "has no values to run")
        if len(set(map(repr, items))) != len(items):
            raise ScenarioError(option, str(key), f"lists a value twice in {list(items)!r}")
        grids.append(Grid(str(key), items))
    return grids


def check_range_ends(ranges: Sequence[Range], accepts: Callable[[tuple[str, ...]], object],
                     option: str = "--range") -> None:
    """Check that every range's key accepts both ends of the range, so that a range
    reaching past the values its key allows (``share=-0.1:0.2``) is reported by that
    bound, not at a random point drawn inside it.

    Only the key's own check counts here: a rule linking it to other keys (a floor
    below a share) depends on where the other ranges are, and is checked at every
    design point instead.

    :param accepts: loads the scenario with these extra ``--set`` expressions,
        raising :class:`ScenarioError` when it refuses them.
    :raises ScenarioError: naming the option, the key and the end that is refused.
    """
    for r in ranges:
        for end, unit in (("low", 0.0), ("high", 1.0)):
            try:
                accepts((override(r.key, r.value(unit)),))
            except ScenarioError as exc:
                if exc.source == "--set" and exc.key == r.key:
                    raise ScenarioError(option, r.key, exc.problem,
                                        f"the {end} end of the range {r.low:g}:{r.high:g}; "
                                        "narrow the range to values the key accepts") from None


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
        if key == "replications" and key not in current:
            raise ScenarioError(option, key, "is how many times every point runs, not an input "
                                "a point can vary", "give --replications N")
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


#: Keys that set how many people the organisation has.
SIZE_KEYS = ("organisation.units", "organisation.teams_per_unit", "organisation.team_size")


def scale_text(people: int, weeks: int, varied: Sequence[str]) -> str:
    """``"1000 people, 260 weeks"`` for a study's report, saying "varied by the design"
    instead of the scenario's own number where a varied key changes it."""
    size = "people: varied by the design" if any(k in SIZE_KEYS for k in varied) \
        else f"{people} people"
    length = "weeks: varied by the design" if "weeks" in varied else f"{weeks} weeks"
    return f"{size}, {length}"


# --------------------------------------------------------------------------- designs


def grid_points(grids: Sequence[Grid]) -> list[dict[str, Any]]:
    """Every combination of the grids' values (a full factorial), the first
    key's values changing slowest.

    :return: one ``{key: value}`` per point.
    """
    keys = [g.key for g in grids]
    return [dict(zip(keys, combination, strict=True))
            for combination in itertools.product(*(g.values for g in grids))]


def lhs_units(dimensions: int, n: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``n`` points in ``[0, 1)`` per dimension: each
    dimension's ``n`` equal strata hold exactly one point.

    The sample comes from :class:`scipy.stats.qmc.LatinHypercube` (scrambled:
    each point at a random place in its stratum) on a generator seeded by
    ``seed`` and a stream of its own, so the same seed gives the same design
    and the design's draws never coincide with a simulation's.

    :return: an array of shape ``(n, dimensions)``.
    """
    import numpy as np
    from scipy.stats import qmc

    stream = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(b"design"),))
    engine = qmc.LatinHypercube(d=dimensions, rng=np.random.Generator(np.random.PCG64(stream)))
    units: np.ndarray = engine.random(n)
    return units


def lhs_points(ranges: Sequence[Range], units: np.ndarray) -> list[dict[str, Any]]:
    """The values at a Latin hypercube's positions (:func:`lhs_units`), whole
    numbers rounded for integer keys.

    :return: one ``{key: value}`` per row of ``units``.
    """
    return [{r.key: r.value(float(u)) for r, u in zip(ranges, row, strict=True)}
            for row in units]


def grid_order(grids: Sequence[Grid]) -> list[int]:
    """The order in which to run the points of :func:`grid_points` so that any
    first few of them cover the space evenly (see :func:`spread_order`).

    A key's levels are placed by value when they are all numbers, else in the
    order given.
    """
    import numpy as np

    places = []
    for g in grids:
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in g.values)
        ranked = sorted(range(len(g.values)), key=lambda i: g.values[i]) if numeric \
            else list(range(len(g.values)))
        rank = {index: position for position, index in enumerate(ranked)}
        places.append([rank[i] for i in range(len(g.values))])
    combos = list(itertools.product(*(range(len(g.values)) for g in grids)))
    levels = np.array([[places[j][c] for j, c in enumerate(combo)] for combo in combos],
                      dtype=np.int64).reshape(len(combos), len(grids))
    spans = np.array([max(len(g.values) - 1, 1) for g in grids], dtype=float)
    return spread_order(levels, levels / spans)


def lhs_order(units: np.ndarray) -> list[int]:
    """The order in which to run a Latin hypercube's points: farthest first
    (see :func:`spread_order`; every stratum holds one point, so only the
    distances decide)."""
    import numpy as np

    n = len(units)
    levels = np.minimum((units * n).astype(np.int64), n - 1)
    return spread_order(levels, units)


def spread_order(levels: np.ndarray, positions: np.ndarray) -> list[int]:
    """Order points so that every prefix of the order spreads over the space.

    Each next point is, first, one whose level of every key has been used
    least so far (so the first ``n`` points of a key with ``n`` levels use
    each level once, as long as some key still has an unused level), and
    among those the one farthest from every point already chosen (maximin
    distance between ``positions``); ties go to the lowest index.

    :param levels: ``(points, keys)`` level index of each point in each key.
    :param positions: ``(points, keys)`` coordinates in ``[0, 1]``.
    :return: a permutation of the point indices.
    """
    import numpy as np

    count, keys = levels.shape
    used_levels = [np.zeros(int(levels[:, j].max(initial=0)) + 1) for j in range(keys)]
    taken = np.zeros(count, dtype=bool)
    nearest = np.full(count, np.inf)  # squared distance to the nearest point chosen
    order: list[int] = []
    for _ in range(count):
        cost = np.zeros(count)
        for j in range(keys):
            cost += used_levels[j][levels[:, j]]
        cost[taken] = np.inf
        # rounded, so that equal distances tie (and go to the lowest index) whatever
        # the last bits of floating point say
        score = np.where(cost == cost.min(), np.round(nearest, 9), -1.0)
        chosen = int(np.argmax(score))
        order.append(chosen)
        taken[chosen] = True
        for j in range(keys):
            used_levels[j][levels[chosen, j]] += 1
        nearest = np.minimum(nearest, ((positions - positions[chosen]) ** 2).sum(axis=1))
    return order


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


__all__ = ["SIZE_KEYS", "Grid", "Range", "check_keys", "check_range_ends", "grid_order",
           "grid_points", "grids_from_mapping", "lhs_order", "lhs_points", "lhs_units",
           "override", "parse_grid", "parse_range", "scale_text", "spread_order"]
