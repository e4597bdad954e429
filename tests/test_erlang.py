"""hrdsim.erlang against the published and computed values of model-science §5."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrdsim import erlang


def _erlang_c_by_sum(servers: int, load: float) -> float:
    """Erlang C from the textbook sum (exact for small c; used as an independent check)."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def test_worked_example_five_and_six_servers() -> None:
    """30 calls/h, 5-min service: c=5 → P(wait) 0.130, W_q 0.26 min; c=6 → 0.047, 0.068 min."""
    arrivals, service = 30.0, 12.0  # per hour: 5 minutes per call
    assert erlang.offered_load(arrivals, service) == pytest.approx(2.5)
    assert erlang.wait_probability(5, arrivals, service) == pytest.approx(0.130, abs=5e-4)
    assert erlang.wait_probability(6, arrivals, service) == pytest.approx(0.047, abs=5e-4)
    assert erlang.mean_wait(5, arrivals, service) * 60 == pytest.approx(0.26, abs=5e-3)
    assert erlang.mean_wait(6, arrivals, service) * 60 == pytest.approx(0.068, abs=5e-4)


def test_worked_example_staffing_answer_is_six() -> None:
    """The smallest number of servers with P(wait) ≤ 10% in the worked example is 6 (check Q2)."""
    assert erlang.servers_needed(30.0, 12.0, 0.10) == 6
    assert erlang.erlang_c(5, 2.5) > 0.10 >= erlang.erlang_c(6, 2.5)


@pytest.mark.parametrize(
    ("rho", "dedicated_wait", "dedicated_p", "pooled_wait", "pooled_p", "ratio"),
    [
        (0.5, 1.000, 0.500, 0.087, 0.174, 11.5),
        (0.7, 2.333, 0.700, 0.357, 0.429, 6.5),
        (0.8, 4.000, 0.800, 0.746, 0.596, 5.4),
        (0.9, 9.000, 0.900, 1.969, 0.788, 4.6),
    ],
)
def test_pooling_table(
    rho: float, dedicated_wait: float, dedicated_p: float, pooled_wait: float, pooled_p: float,
    ratio: float,
) -> None:
    """Four M/M/1 queues vs one pooled M/M/4 reproduce the §5.2 table (ratio 5.4 at ρ=0.8)."""
    mu = 1.0  # waits in mean service times
    assert erlang.mean_wait(1, rho * mu, mu) == pytest.approx(dedicated_wait, abs=1e-3)
    assert erlang.wait_probability(1, rho * mu, mu) == pytest.approx(dedicated_p, abs=1e-3)
    assert erlang.mean_wait(4, 4 * rho * mu, mu) == pytest.approx(pooled_wait, abs=1e-3)
    assert erlang.wait_probability(4, 4 * rho * mu, mu) == pytest.approx(pooled_p, abs=1e-3)
    computed = erlang.mean_wait(1, rho * mu, mu) / erlang.mean_wait(4, 4 * rho * mu, mu)
    assert computed == pytest.approx(ratio, abs=0.05)
    assert computed > 1  # pooling always shortens the wait (Q3)


def test_mm1_and_mm2_closed_forms() -> None:
    """M/M/1 gives C=ρ and W_q=ρ/(μ−λ); M/M/2 gives W_q=ρ²/(μ(1−ρ²)), 1.778/μ at ρ=0.8."""
    mu = 3.0
    for rho in (0.1, 0.5, 0.8, 0.99):
        assert erlang.erlang_c(1, rho) == pytest.approx(rho, rel=1e-12)
        assert erlang.mean_wait(1, rho * mu, mu) == pytest.approx(rho / (mu - rho * mu), rel=1e-12)
        assert erlang.mean_wait(2, 2 * rho * mu, mu) == pytest.approx(
            rho**2 / (mu * (1 - rho**2)), rel=1e-12
        )
    assert erlang.mean_wait(2, 1.6, 1.0) == pytest.approx(1.778, abs=1e-3)


def test_square_root_staffing_values() -> None:
    """Exact Erlang C at a=100, c=110 is 0.237 and at a=25, c=30 is 0.250 (model-science §5.1)."""
    assert erlang.erlang_c(110, 100.0) == pytest.approx(0.237, abs=1e-3)
    assert erlang.erlang_c(30, 25.0) == pytest.approx(0.250, abs=1e-3)


def test_erlang_b_known_value_and_recursion_is_stable_for_huge_systems() -> None:
    """B(2, 1) = 0.2 exactly, and c = 10,000 servers at ρ = 0.99 gives finite values in [0, 1]."""
    assert erlang.erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)
    b = erlang.erlang_b(10_000, 9_900.0)
    c = erlang.erlang_c(10_000, 9_900.0)
    assert 0.0 < b < c < 1.0
    # the textbook sum overflows a float long before this
    with pytest.raises(OverflowError):
        _erlang_c_by_sum(10_000, 9_900.0)


def test_tail_probability_and_little() -> None:
    """P(W_q > 0) = C, P(W_q > t) decays at rate cμ − λ, and L_q = λ·W_q."""
    c, lam, mu = 4, 3.2, 1.0
    p = erlang.wait_probability(c, lam, mu)
    assert erlang.wait_exceeds_probability(c, lam, mu, 0.0) == pytest.approx(p)
    assert erlang.wait_exceeds_probability(c, lam, mu, 2.0) == pytest.approx(p * math.exp(-1.6))
    # the mean of the wait equals the integral of its tail: C/(cμ − λ)
    assert erlang.mean_wait(c, lam, mu) == pytest.approx(p / (c * mu - lam))
    assert erlang.mean_queue_length(c, lam, mu) == pytest.approx(lam * erlang.mean_wait(c, lam, mu))
    assert erlang.mean_time_in_system(c, lam, mu) == pytest.approx(
        erlang.mean_wait(c, lam, mu) + 1 / mu
    )
    assert erlang.utilisation(c, lam, mu) == pytest.approx(0.8)


def test_unstable_queue_has_no_finite_wait() -> None:
    """At ρ ≥ 1 every arrival waits and the mean wait is infinite (check Q5)."""
    assert erlang.erlang_c(2, 2.0) == 1.0
    assert erlang.erlang_c(2, 3.5) == 1.0
    assert math.isinf(erlang.mean_wait(2, 2.0, 1.0))
    assert math.isinf(erlang.mean_queue_length(1, 5.0, 1.0))
    assert erlang.wait_exceeds_probability(1, 1.0, 1.0, 100.0) == 1.0


def test_no_load_means_no_wait() -> None:
    """With no arrivals nobody waits."""
    assert erlang.erlang_b(3, 0.0) == 0.0
    assert erlang.erlang_c(3, 0.0) == 0.0
    assert erlang.mean_wait(3, 0.0, 2.0) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang.erlang_c(0, 1.0),
        lambda: erlang.erlang_c(2.0, 1.0),  # type: ignore[arg-type]
        lambda: erlang.erlang_b(2, -1.0),
        lambda: erlang.erlang_b(2, math.nan),
        lambda: erlang.offered_load(1.0, 0.0),
        lambda: erlang.offered_load(math.inf, 1.0),
        lambda: erlang.wait_exceeds_probability(1, 0.5, 1.0, -1.0),
        lambda: erlang.servers_needed(1.0, 1.0, 0.0),
    ],
)
def test_invalid_arguments_are_rejected(call: object) -> None:
    """Non-integer or zero servers, negative or infinite rates and bad targets raise ValueError."""
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


@given(
    servers=st.integers(min_value=1, max_value=40),
    utilisation=st.floats(min_value=0.0, max_value=0.999),
)
def test_recursion_matches_textbook_sum(servers: int, utilisation: float) -> None:
    """The stable Erlang-B-based Erlang C equals the textbook sum wherever the sum is exact."""
    load = utilisation * servers
    assert erlang.erlang_c(servers, load) == pytest.approx(
        _erlang_c_by_sum(servers, load), rel=1e-9, abs=1e-300
    )


@given(
    servers=st.integers(min_value=1, max_value=200),
    utilisation=st.floats(min_value=0.0, max_value=0.999),
)
def test_more_servers_at_the_same_load_wait_less(servers: int, utilisation: float) -> None:
    """B and C lie in [0, 1], B ≤ C, and adding a server never raises P(wait)."""
    load = utilisation * servers
    b, c = erlang.erlang_b(servers, load), erlang.erlang_c(servers, load)
    assert 0.0 <= b <= c <= 1.0
    assert erlang.erlang_c(servers + 1, load) <= c + 1e-15


@given(
    arrivals=st.floats(min_value=0.01, max_value=1e3),
    service=st.floats(min_value=0.1, max_value=1e3),
    target=st.floats(min_value=0.001, max_value=1.0),
)
def test_servers_needed_is_the_smallest_that_meets_the_target(
    arrivals: float, service: float, target: float
) -> None:
    """servers_needed returns a stable c meeting the P(wait) target, and c − 1 would not."""
    c = erlang.servers_needed(arrivals, service, target)
    load = arrivals / service
    assert c > load
    assert erlang.erlang_c(c, load) <= target
    if c - 1 > load:
        assert erlang.erlang_c(c - 1, load) > target
