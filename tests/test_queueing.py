"""HR developer desks as queues: the engine's pool against Erlang C, pooling against
dedicated arms, and saturation (model-science §5: checks Q1, Q3, Q5).

Sampling error: waits of successive requests are correlated, so standard errors (SE) come
from batch means (contiguous batches many relaxation times long) and a check passes within
``Z`` = 5 SE. Batch means understate the error of a mean wait somewhat (it is skewed): over
100 independent seeds of the 10^5-arrival M/M/c runs below, the batch-means z-score had a
standard deviation of about 1.3, so 5 SE is about 3.8 true standard deviations. At 10^5
arrivals the SE is 0.3-2% of P(wait) but 1.5-10% of the mean wait (6-10% at ρ = 0.9), so a
fixed ±3% on the mean wait would sit inside the noise; each check also demands that its SE
be small, so that it cannot pass merely by being vague.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import numpy as np
import pytest
import simpy

from hrdsim import erlang
from hrdsim.engine import ReplicationResult, Simulation
from hrdsim.policies import DeskSpec
from hrdsim.service import ServiceDesk

DAYS = 7.0
Z = 5.0  # standard errors allowed (see the module docstring)


def _batch_means(values: np.ndarray, batches: int) -> np.ndarray:
    """Means of ``batches`` contiguous, equally long batches (a ragged tail is dropped)."""
    size = values.size // batches
    return values[: size * batches].reshape(batches, size).mean(axis=1)


def _estimate(batch_means: np.ndarray) -> tuple[float, float]:
    """Grand mean and its standard error from independent batch means."""
    return float(batch_means.mean()), float(batch_means.std(ddof=1) / math.sqrt(batch_means.size))


# -- (b) the engine's central pool is an M/M/c queue ----------------------------------------------

TEAMS, DEVELOPERS = 40, 8
INTERVAL_WEEKS, SESSION_HOURS, OVERHEAD_HOURS, DEVELOPER_HOURS = 1.0, 3.0, 2.0, 30.0
POOL_WEEKS, DETECTION_WEEKS = 520, 1.0
POOL = (
    "organisation.units=4", "organisation.teams_per_unit=10", "organisation.team_size=1",
    f"operating_model.developers={DEVELOPERS}", f"operating_model.hours_per_week={DEVELOPER_HOURS}",
    f"operating_model.params.overhead_hours={OVERHEAD_HOURS}",
    f"operating_model.params.detection_weeks={DETECTION_WEEKS}",
    f"facilitation.params.interval_weeks={INTERVAL_WEEKS}",
    f"facilitation.params.session_hours={SESSION_HOURS}",
    'facilitation.params.timing="random"', 'facilitation.params.by="hr_developer"',
    f"weeks={POOL_WEEKS}",
)


def test_engine_pool_matches_erlang_c(make_simulation: Callable[..., Simulation]) -> None:
    """Poisson requests at a pool of 8 give Erlang C's P(wait), mean wait and wait tail."""
    arrival_rate = TEAMS / INTERVAL_WEEKS  # requests per week: 40
    service_rate = DEVELOPER_HOURS / (SESSION_HOURS + OVERHEAD_HOURS)  # per developer-week: 6
    expected_p = erlang.wait_probability(DEVELOPERS, arrival_rate, service_rate)  # 0.533
    expected_wait = erlang.mean_wait(DEVELOPERS, arrival_rate, service_rate)  # 0.0666 weeks
    one_day = 1 / DAYS
    expected_tail = erlang.wait_exceeds_probability(DEVELOPERS, arrival_rate, service_rate,
                                                    one_day)
    waited, waits, over_a_day = [], [], []
    arrivals, offered = 0, 0.0
    replications = 4
    for replication in range(replications):
        sim = make_simulation("baseline.toml", *POOL, replication=replication)
        result = sim.run()
        (desk,) = sim.desks
        arrivals += desk.arrivals
        offered += desk.offered_weeks
        # the outcome reported to users is the mean of the same waits
        assert result.outcomes["facilitation_wait_days"] == pytest.approx(
            result.waits.mean() * DAYS)
        assert result.outcomes["queue_unstable"] == 0.0
        steady = result.waits[int(10 * arrival_rate):]  # drop ~10 weeks of warm-up
        waited.append(_batch_means((steady > 0).astype(float), 10))
        waits.append(_batch_means(steady, 10))
        over_a_day.append(_batch_means((steady > one_day).astype(float), 10))

    # the requests are the Poisson stream and the exponential work the formulas assume
    expected_arrivals = arrival_rate * (POOL_WEEKS - DETECTION_WEEKS) * replications
    assert abs(arrivals - expected_arrivals) < 4 * math.sqrt(expected_arrivals)
    assert offered / arrivals == pytest.approx(1 / service_rate,
                                               abs=4 / service_rate / math.sqrt(arrivals))

    for batches, expected, max_relative_se in (
        (waited, expected_p, 0.03), (waits, expected_wait, 0.10), (over_a_day, expected_tail, 0.10),
    ):
        mean, se = _estimate(np.concatenate(batches))
        assert se < max_relative_se * expected  # enough data for the check to mean something
        assert abs(mean - expected) < Z * se, (mean, expected, se)


# -- (c) pooling beats dedicated arms at equal load ---------------------------------------------

SHARED = (
    "organisation.units=4", "organisation.teams_per_unit=5", "organisation.team_size=1",
    "operating_model.developers=4", "operating_model.hours_per_week=30",
    "facilitation.params.interval_weeks=1.25", "facilitation.params.session_hours=3",
    'facilitation.params.timing="random"', "weeks=260",
)
SAME_DESKS = ("operating_model.params.overhead_hours=2.0", "operating_model.params.quality=0.8",
              "operating_model.params.detection_weeks=1.0")


@pytest.mark.parametrize("replication", [0, 1])
def test_pooled_desk_waits_less_than_dedicated_arms(
    make_simulation: Callable[..., Simulation], replication: int,
) -> None:
    """Four pooled developers wait far less than four one-developer arms with equal parameters."""
    pooled_sim = make_simulation("baseline.toml", *SHARED, 'operating_model.policy="centralised"',
                                 *SAME_DESKS, replication=replication)
    arms_sim = make_simulation("baseline.toml", *SHARED, 'operating_model.policy="octopus"',
                               *SAME_DESKS, "operating_model.params.developers_per_arm=1",
                               replication=replication)
    pooled, arms = pooled_sim.run(), arms_sim.run()
    assert len(pooled_sim.desks) == 1
    assert [d.spec.developers for d in arms_sim.desks] == [1, 1, 1, 1]
    # the same requests (common random numbers), only organised differently
    np.testing.assert_array_equal(pooled.weekly["facilitation_requests"],
                                  arms.weekly["facilitation_requests"])
    assert sum(d.offered_weeks for d in arms_sim.desks) == pytest.approx(
        pooled_sim.desks[0].offered_weeks)
    pooled_days = pooled.outcomes["facilitation_wait_days"]
    arms_days = arms.outcomes["facilitation_wait_days"]
    assert pooled_days < arms_days
    assert pooled.outcomes["time_to_help_days"] < arms.outcomes["time_to_help_days"]
    # 16 requests a week, 1/6 week each: M/M/4 vs four M/M/1 at ρ = 2/3 → ratio 7.05
    expected_ratio = erlang.mean_wait(1, 4, 6) / erlang.mean_wait(4, 16, 6)
    assert arms_days / pooled_days == pytest.approx(expected_ratio, rel=0.3)
    assert (pooled.waits > 0).mean() < (arms.waits > 0).mean()


# -- (d) saturation is reported, not averaged ---------------------------------------------------

SATURATED = (
    "organisation.units=6", "organisation.teams_per_unit=10", "organisation.team_size=1",
    "facilitation.params.interval_weeks=8", "facilitation.params.session_hours=3",
    "operating_model.params.overhead_hours=2", "operating_model.hours_per_week=30",
)


@pytest.mark.parametrize("detection_weeks", [1, 26])
def test_saturated_pool_reports_unstable_queue(
    simulate: Callable[..., ReplicationResult], detection_weeks: int,
) -> None:
    """One developer offered a load of 1.25 reports queue_unstable and no finite wait (Q5)."""
    # 60 teams / 8 weeks = 7.5 requests a week of 1/6 week each: offered load 1.25. Requests
    # reach the desk only after detection, so the load is measured over the weeks after it
    # (over all 104 weeks, a 26-week delay would make it look like 0.94: stable).
    result = simulate("baseline.toml", *SATURATED, "operating_model.developers=1",
                      f"operating_model.params.detection_weeks={detection_weeks}")
    outcomes = result.outcomes
    assert outcomes["queue_unstable"] == 1.0
    assert outcomes["queue_offered_load"] >= 1.0
    assert outcomes["queue_offered_load"] == pytest.approx(1.25, rel=0.15)
    for name in ("facilitation_wait_days", "facilitation_wait_p90_days", "time_to_help_days"):
        assert math.isnan(outcomes[name]), name
    queue = result.weekly["queue_length"]
    assert queue[-1] > 50  # grows by about (7.5 − 6) a week
    assert queue[-10:].mean() > 1.5 * queue[60:70].mean()


def test_same_pool_with_enough_developers_is_stable(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """The same demand at two developers (load 0.625 each) is stable with a finite mean wait."""
    outcomes = simulate("baseline.toml", *SATURATED, "operating_model.developers=2").outcomes
    assert outcomes["queue_unstable"] == 0.0
    assert 0.5 < outcomes["queue_offered_load"] < 0.75
    assert math.isfinite(outcomes["facilitation_wait_days"])
    assert outcomes["facilitation_wait_days"] >= 0.0


# -- the ServiceDesk alone, in a tiny SimPy model -----------------------------------------------

WARM_UP, MEASURED = 10_000, 100_000


def _fcfs_waits(arrival_times: list[float], services: list[float], servers: int) -> np.ndarray:
    """Waits of a first-come-first-served c-server queue (Kiefer-Wolfowitz recursion)."""
    free = [0.0] * servers
    waits = np.empty(len(arrival_times))
    for i, (arrived, service) in enumerate(zip(arrival_times, services, strict=True)):
        start = max(arrived, heapq.heappop(free))
        waits[i] = start - arrived
        heapq.heappush(free, start + service)
    return waits


@pytest.mark.slow
@pytest.mark.parametrize(("servers", "rho"), [(1, 0.5), (1, 0.9), (4, 0.5), (4, 0.9)])
def test_service_desk_is_an_mmc_queue(servers: int, rho: float) -> None:
    """A desk fed 110,000 Poisson arrivals is FCFS M/M/c: Erlang C and Little's law hold (Q1)."""
    rng = np.random.default_rng(20261129 + servers)
    arrival_rate = rho * servers  # service rate 1: times in mean service times
    n = WARM_UP + MEASURED
    gaps = rng.exponential(1 / arrival_rate, n).tolist()
    services = rng.exponential(1.0, n).tolist()

    env = simpy.Environment()
    desk = ServiceDesk.open(env, DeskSpec("desk", servers, 0.0, 1.0, 0.0))
    # the desk's own state, integrated over time: L_q and L just before every change
    area = {"queue": 0.0, "system": 0.0, "last": 0.0}
    arrival_times: list[float] = []

    def integrate(queue: int, system: int) -> None:
        elapsed = env.now - area["last"]
        area["queue"] += queue * elapsed
        area["system"] += system * elapsed
        area["last"] = env.now

    def departed() -> None:
        # the developer is already free, and the first waiting request (if any) has
        # taken them: all developers are busy again exactly when one was waiting
        took_over = int(desk.resource.count == servers)
        integrate(desk.queue_length + took_over, desk.resource.count + desk.queue_length + 1)

    def arrive(i: int, _: simpy.Event) -> None:
        integrate(desk.queue_length, desk.resource.count + desk.queue_length)
        arrival_times.append(env.now)
        desk.arrive(services[i], departed)
        if i + 1 < n:
            env.timeout(gaps[i + 1]).callbacks.append(lambda event: arrive(i + 1, event))

    env.timeout(gaps[0]).callbacks.append(lambda event: arrive(0, event))
    env.run()

    waits = desk.waits_array()
    assert desk.arrivals == waits.size == n
    # exactly a first-come-first-served queue with `servers` developers
    np.testing.assert_allclose(waits, _fcfs_waits(arrival_times, services, servers),
                               rtol=0, atol=1e-9)
    assert desk.busy_weeks == pytest.approx(sum(services))

    # Little's law on the desk's own occupancy: L_q = λ W_q and L = λ W
    horizon = env.now
    rate = n / horizon
    assert area["queue"] / horizon == pytest.approx(rate * waits.mean(), rel=0.02)
    assert area["system"] / horizon == pytest.approx(
        rate * (waits.mean() + sum(services) / n), rel=0.02)
    assert desk.offered_load(horizon) == pytest.approx(rho, rel=0.03)

    steady = waits[WARM_UP:]
    for values, expected in (
        ((steady > 0).astype(float), erlang.erlang_c(servers, arrival_rate)),
        (steady, erlang.mean_wait(servers, arrival_rate, 1.0)),
    ):
        mean, se = _estimate(_batch_means(values, 20))
        assert se < 0.12 * expected
        assert abs(mean - expected) < Z * se, (mean, expected, se)
