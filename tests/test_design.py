"""Designs of a sweep: full factorial grids, Latin hypercubes drawn from a seed, and
run orders whose every prefix spreads over the space."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrdsim.design import (
    Grid,
    Range,
    grid_order,
    grid_points,
    lhs_order,
    lhs_points,
    lhs_units,
    spread_order,
)


def test_a_grid_is_the_full_factorial_with_the_first_key_slowest() -> None:
    """Two keys of 3 and 2 values give 6 points, every combination once, in product order."""
    grids = [Grid("operating_model.developers", (2, 4, 6)),
             Grid("learning.policy", ("fixed_share", "protected"))]
    points = grid_points(grids)
    assert len(points) == 6
    assert points[:3] == [
        {"operating_model.developers": 2, "learning.policy": "fixed_share"},
        {"operating_model.developers": 2, "learning.policy": "protected"},
        {"operating_model.developers": 4, "learning.policy": "fixed_share"},
    ]
    assert {tuple(p.values()) for p in points} == set(itertools.product((2, 4, 6),
                                                                       ("fixed_share",
                                                                        "protected")))


@settings(max_examples=40, deadline=None)
@given(dimensions=st.integers(1, 4), n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_a_latin_hypercube_hits_every_stratum_once_and_repeats_with_its_seed(
    dimensions: int, n: int, seed: int,
) -> None:
    """Each dimension's n equal strata hold exactly one of the n points; the same seed
    draws the same design."""
    units = lhs_units(dimensions, n, seed)
    assert units.shape == (n, dimensions)
    assert ((units >= 0) & (units < 1)).all()
    for column in units.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))
    np.testing.assert_array_equal(units, lhs_units(dimensions, n, seed))


def test_another_seed_draws_another_latin_hypercube() -> None:
    assert not np.array_equal(lhs_units(2, 10, 1), lhs_units(2, 10, 2))


def test_latin_hypercube_values_span_each_range_and_round_whole_number_keys() -> None:
    """Points lie in their ranges, one per stratum of a continuous key; an integer key
    gets whole numbers within its bounds."""
    ranges = [Range("learning.params.share", 0.0, 0.2),
              Range("operating_model.developers", 1.5, 8.2, integer=True)]
    points = lhs_points(ranges, lhs_units(2, 10, 7))
    shares = [p["learning.params.share"] for p in points]
    assert sorted(math.floor(s / 0.02) for s in shares) == list(range(10))
    developers = [p["operating_model.developers"] for p in points]
    assert all(isinstance(d, int) and 2 <= d <= 8 for d in developers)
    assert set(developers) == set(range(2, 9))  # 10 strata over 2..8 reach every whole number


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3))
def test_every_prefix_of_a_grid_order_uses_each_keys_levels_evenly(shape: list[int]) -> None:
    """Up to as many runs as the largest key has values, each key's values are used
    equally often (within one): cut short after n runs, a key of n values was run at
    each of them."""
    grids = [Grid(f"k{j}", tuple(range(n))) for j, n in enumerate(shape)]
    order = grid_order(grids)
    points = grid_points(grids)
    assert sorted(order) == list(range(len(points)))
    for k in range(1, max(shape) + 1):
        for j, n in enumerate(shape):
            counts = np.bincount([points[i][f"k{j}"] for i in order[:k]], minlength=n)
            assert counts.max() - counts.min() <= 1, (shape, k, j, counts)


def test_product_order_would_not_spread_and_grid_order_does() -> None:
    """The plain product order runs one value of the first key over and over; the
    grid order reaches every value of both keys within four runs."""
    grids = [Grid("a", (1, 2, 3)), Grid("b", (0.1, 0.2, 0.3, 0.4))]
    points = grid_points(grids)
    first_four = [points[i] for i in grid_order(grids)[:4]]
    assert {p["a"] for p in first_four} == {1, 2, 3}
    assert {p["b"] for p in first_four} == {0.1, 0.2, 0.3, 0.4}
    assert {p["a"] for p in points[:4]} == {1}  # the product order's first four


def test_numeric_levels_are_placed_by_value_not_by_listing() -> None:
    """Values listed out of order are spread by value: after the smallest comes the
    largest, not the one listed last."""
    grid = Grid("x", (0.0, 1.0, 0.1, 0.9))
    assert [grid.values[i] for i in grid_order([grid])] == [0.0, 1.0, 0.1, 0.9]
    five = Grid("x", (0.0, 0.25, 0.5, 0.75, 1.0))
    assert [five.values[i] for i in grid_order([five])][:3] == [0.0, 1.0, 0.5]


def test_the_next_latin_hypercube_point_is_the_farthest_from_those_run() -> None:
    units = lhs_units(2, 12, 3)
    order = lhs_order(units)
    assert sorted(order) == list(range(12))
    distances = ((units - units[order[0]]) ** 2).sum(axis=1)
    assert order[1] == int(np.argmax(distances))


def test_spread_order_breaks_ties_by_lowest_index() -> None:
    levels = np.zeros((3, 1), dtype=np.int64)
    assert spread_order(levels, np.zeros((3, 1))) == [0, 1, 2]


@pytest.mark.parametrize("count", [1, 2])
def test_single_points_and_single_values_work(count: int) -> None:
    assert grid_order([Grid("a", tuple(range(count)))]) == list(range(count))
