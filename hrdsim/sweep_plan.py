"""Planning a sweep: its design (a grid or a Latin hypercube) and every point
loaded and checked before anything runs.

A point becomes ``--set`` expressions on the scenario (:func:`hrdsim.design.override`),
so it is loaded and validated exactly like a scenario with overrides, and a bad
value is reported with the option and key that put it there.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.design import Grid, Range
from hrdsim.errors import HrdsimError, ScenarioError

if TYPE_CHECKING:
    from hrdsim.experiment import Prepared, ScenarioSpec

GRID, LHS = "grid", "lhs"
#: The most points a design may have (ordering them takes time quadratic in their number).
MAX_POINTS = 10_000


# --------------------------------------------------------------------------- the design


@attrs.frozen
class Design:
    """The points a sweep runs.

    :ivar method: ``"grid"`` (a full factorial) or ``"lhs"`` (a Latin hypercube).
    :ivar points: each point's design values, ``{key: value}``.
    :ivar order: the point indices in the order they run within a replication.
    :ivar grids: the grid's keys and values (``grid``).
    :ivar ranges: the ranged keys (``lhs``).
    :ivar seed: the seed the Latin hypercube was drawn with (``lhs``).
    """

    method: str
    points: tuple[dict[str, Any], ...]
    order: tuple[int, ...]
    grids: tuple[Grid, ...] = ()
    ranges: tuple[Range, ...] = ()
    seed: int | None = None

    @property
    def keys(self) -> list[str]:
        return [g.key for g in self.grids] or [r.key for r in self.ranges]

    def describe(self) -> dict[str, Any]:
        """The design's definition as plain data (without its points)."""
        if self.method == GRID:
            return {"method": GRID, "keys": self.keys,
                    "grid": {g.key: list(g.values) for g in self.grids}}
        return {"method": LHS, "keys": self.keys, "lhs": len(self.points),
                "ranges": {r.key: {"low": r.low, "high": r.high, "integer": r.integer}
                           for r in self.ranges},
                "design_seed": self.seed}


def check_design_options(grids: Sequence[Grid], ranges: Sequence[Range], lhs: int | None) -> None:
    """Refuse a design that mixes a grid with a Latin hypercube, or lacks a part.

    :raises HrdsimError: saying which options to give.
    """
    if grids and (ranges or lhs is not None):
        raise HrdsimError("give --grid (a full factorial) or --lhs N with --range (a Latin "
                          "hypercube), not both in one sweep")
    if ranges and lhs is None:
        raise HrdsimError("--range needs --lhs N: how many points of a Latin hypercube to draw")
    if lhs is not None and not ranges:
        raise HrdsimError("--lhs needs at least one --range KEY=LO:HI to draw its points over")
    if not grids and not ranges:
        raise HrdsimError("give the keys to vary: --grid KEY=V1,V2,... (a full factorial) or "
                          "--lhs N --range KEY=LO:HI (a Latin hypercube)")
    if lhs is not None and lhs < 1:
        raise HrdsimError(f"--lhs must be at least 1 point, got {lhs}")


def build_design(grids: Sequence[Grid], ranges: Sequence[Range], lhs: int | None,
                 seed: int) -> Design:
    """A full factorial of the grids, or a Latin hypercube of ``lhs`` points over the
    (checked) ranges drawn with ``seed``.

    :raises HrdsimError: for a design of more than :data:`MAX_POINTS` points.
    """
    from hrdsim.design import grid_order, grid_points, lhs_order, lhs_points, lhs_units

    check_design_options(grids, ranges, lhs)
    size = math.prod(len(g.values) for g in grids) if grids else int(lhs or 0)
    if size > MAX_POINTS:
        raise HrdsimError(f"the design has {size:,} points; a sweep runs at most {MAX_POINTS:,} "
                          "(list fewer values, or draw a Latin hypercube with --lhs)")
    if grids:
        return Design(GRID, tuple(grid_points(grids)), tuple(grid_order(grids)),
                      grids=tuple(grids))
    units = lhs_units(len(ranges), size, seed)
    return Design(LHS, tuple(lhs_points(ranges, units)), tuple(lhs_order(units)),
                  ranges=tuple(ranges), seed=seed)


# --------------------------------------------------------------------------- the plan


@attrs.frozen
class Point:
    """A design point, loaded and checked, as the workers will run it.

    :ivar index: its number in the design.
    :ivar values: the varied keys' values as the scenario resolved them.
    :ivar inputs_sha256: SHA-256 of every resolved input except the seed.
    :ivar spec: the scenario variant the workers load.
    """

    index: int
    values: dict[str, Any]
    inputs_sha256: str
    spec: ScenarioSpec


@attrs.define(eq=False)
class SweepPlan:
    """A sweep ready to run: the scenario, its design and every point prepared."""

    base: Prepared
    design: Design
    points: list[Point]
    seed: int
    replications: int

    @property
    def keys(self) -> list[str]:
        return self.design.keys

    @property
    def runs_planned(self) -> int:
        return len(self.points) * self.replications

    def key_types(self) -> dict[str, str]:
        """Each varied key's column type: ``bool``, ``int``, ``float`` or ``string``."""
        types = {}
        for key in self.keys:
            values = [p.values[key] for p in self.points]
            if all(isinstance(v, bool) for v in values):
                types[key] = "bool"
            elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                types[key] = "int"
            elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                types[key] = "float"
            else:
                types[key] = "string"
        return types

    def design_dict(self) -> dict[str, Any]:
        """The design with every point's resolved values and inputs hash, and the run order."""
        return {**self.design.describe(),
                "points": [{"point": p.index, "values": p.values,
                            "inputs_sha256": p.inputs_sha256} for p in self.points],
                "order": list(self.design.order)}


def plan_sweep(
    scenario: str | Path, *, grids: Sequence[Grid] = (), ranges: Sequence[Range] = (),
    lhs: int | None = None, replications: int | None = None, seed: int | None = None,
    overrides: Sequence[str] = (), plugin_paths: Sequence[str | Path] = (),
    disabled: Sequence[str] = (),
) -> SweepPlan:
    """Load the scenario, check the varied keys, build the design and load every
    point, so that every error shows before anything runs.

    :raises HrdsimError: for a bad scenario, key, value, design or plugin.
    """
    from hrdsim.comparison import input_values
    from hrdsim.design import check_keys, check_range_ends, override
    from hrdsim.experiment import prepare
    from hrdsim.loader import load_scenario
    from hrdsim.plugins import build_registry
    from hrdsim.resolve import resolve

    check_design_options(grids, ranges, lhs)
    loaded = load_scenario(scenario, overrides)
    assert loaded.scenario is not None
    common_seed = loaded.scenario.seed if seed is None else seed
    base = prepare(scenario, overrides, {"seed": common_seed}, plugin_paths, disabled)
    checked = check_keys(input_values(base.resolved), grids, ranges)
    _check_varied(grids, checked, overrides)
    registry = build_registry(base.pm)

    def accepts(sets: tuple[str, ...]) -> None:
        resolve(load_scenario(scenario, [*overrides, *sets], {"seed": common_seed}), registry)

    check_range_ends(checked, accepts)
    design = build_design(grids, checked, lhs, common_seed)
    option = "--grid" if design.method == GRID else "--range"
    points = []
    for index, values in enumerate(design.points):
        sets = tuple(override(key, value) for key, value in values.items())
        try:
            point = resolve(load_scenario(scenario, [*overrides, *sets], {"seed": common_seed}),
                            registry)
        except ScenarioError as exc:
            raise _point_error(exc, option, index, values) from None
        inputs = input_values(point)
        inputs.pop("seed", None)
        digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode())
        points.append(Point(index, {key: inputs[key] for key in design.keys},
                            digest.hexdigest(),
                            attrs.evolve(base.spec, overrides=(*base.spec.overrides, *sets))))
    count = replications or base.resolved.scenario.replications
    return SweepPlan(base, design, points, common_seed, count)


def _check_varied(grids: Sequence[Grid], ranges: Sequence[Range],
                  overrides: Sequence[str]) -> None:
    fixed = {expression.partition("=")[0].strip() for expression in overrides}
    for option, key in [("--grid", g.key) for g in grids] + [("--range", r.key) for r in ranges]:
        if key == "seed":
            raise ScenarioError(option, key, "is the study's seed, which every point shares "
                                "(common random numbers)", "give --seed, and vary "
                                "--replications instead")
        if key in fixed:
            raise ScenarioError(option, key, "is also set with --set; give it once (drop the "
                                "--set, or the varied key)")


def _point_error(exc: ScenarioError, option: str, index: int,
                 values: dict[str, Any]) -> ScenarioError:
    """A bad value at a design point, named by the option that put it there (and, when
    other keys vary too, the values they had there: the value may be refused only in
    that combination)."""
    if exc.source == "--set" and exc.key in values:
        others = ", ".join(f"{k}={show_value(v)}" for k, v in values.items() if k != exc.key)
        problem = f"at design point {index} (with {others}): {exc.problem}" if others \
            else exc.problem
        return ScenarioError(option, exc.key, problem, exc.hint)
    shown = ", ".join(f"{k}={show_value(v)}" for k, v in values.items())
    return ScenarioError(exc.source, exc.key, f"{exc.problem} at design point {index} ({shown})",
                         exc.hint)


def show_value(value: Any) -> str:
    """A varied key's value as the report shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


__all__ = ["GRID", "LHS", "MAX_POINTS", "Design", "Point", "SweepPlan", "build_design",
           "check_design_options", "plan_sweep", "show_value"]
