"""The engine's faster paths give what the step-by-step equations give: the week's
capability assessed once and reused by learning, support worked out per team, served
sessions applied once a week, and a week's requests fed to the desks in time order."""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import pytest
import simpy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hrdsim.dynamics import CapabilityModel, coverage, strategy_weights, weighted_sum
from hrdsim.engine import Simulation, _Arrivals
from hrdsim.organisation import OrgState, build_organisation
from hrdsim.policies import DeskSpec, OrgLayout
from hrdsim.scenario import Dynamics, Modes
from hrdsim.service import DeveloperPool, ServiceDesk
from tests.conftest import SCENARIOS, SMALL, scenario_of
from tests.test_dynamics import dynamics, mixes, modes, org_states, unit


def _copy(org: OrgState) -> OrgState:
    return OrgState(**{**{f: getattr(org, f) for f in (
        "layout", "team_of", "team_start", "hours", "agility", "required", "backlog",
        "facilitation", "team_size")},
        "capability": org.capability.copy(order="K"), "fresh": org.fresh.copy(order="K")})


# -- the capability model ----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=st.data(), modes=modes(), dynamics=dynamics(), org=org_states())
def test_assess_gives_the_indices_and_learning_from_it_matches_learning_alone(
    data: st.DataObject, modes: Modes, dynamics: Dynamics, org: OrgState,
) -> None:
    """assess() finds each person's index and coverage; learn() from it changes capability as
    learn() alone does (up to rounding)."""
    # a required level of 1e-310 would make the coverage weights (w_k / r_k) infinite
    assume(((org.required == 0) | (org.required > 1e-300)).all())
    model = CapabilityModel.from_scenario(modes, dynamics)
    n = org.capability.shape[0]
    hours = data.draw(st.lists(st.floats(0.0, 200.0), min_size=n, max_size=n))
    support = data.draw(st.lists(unit, min_size=n, max_size=n))
    mix = data.draw(mixes())
    alone = _copy(org)

    start = model.assess(org)
    effective = org.effective
    np.testing.assert_allclose(start.person_index,
                               weighted_sum(effective, strategy_weights(org.required)),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(start.cover, coverage(effective, org.required), rtol=0, atol=1e-12)
    np.testing.assert_allclose(start.gap_total,
                               np.maximum(org.required - effective, 0.0).sum(axis=1),
                               rtol=0, atol=1e-12)
    assert np.array_equal(start.gap_total == 0, (org.required <= effective).all(axis=1))

    model.learn(org, np.array(hours), mix, np.array(support), start)
    model.learn(alone, np.array(hours), mix, np.array(support))
    np.testing.assert_allclose(org.capability, alone.capability, rtol=0, atol=1e-12)
    np.testing.assert_allclose(org.fresh, alone.fresh, rtol=0, atol=1e-12)


def test_support_given_per_team_gives_exactly_the_per_employee_result() -> None:
    """learn() and settle() with one facilitation level per team equal the same levels given
    to every employee of the team, bit for bit."""
    scenario = scenario_of(SCENARIOS / "baseline.toml", SMALL)
    model = CapabilityModel.from_scenario(scenario.modes, scenario.dynamics)
    per_team = build_organisation(scenario, np.random.default_rng(7))
    per_employee = _copy(per_team)
    teams = per_team.layout.teams
    assert teams < per_team.layout.employees  # the two forms really differ in length
    support = np.linspace(0.0, 1.0, teams)
    hours = np.random.default_rng(8).uniform(0.0, 4.0, per_team.layout.employees)
    mix = np.array([0.7, 0.2, 0.1])
    for _ in range(3):
        for org, levels in ((per_team, support), (per_employee, per_team.by_employee(support))):
            model.learn(org, hours, mix, levels, model.assess(org))
            model.settle(org, levels)
        np.testing.assert_array_equal(per_team.capability, per_employee.capability)
        np.testing.assert_array_equal(per_team.fresh, per_employee.fresh)
    assert (per_team.fresh > 0).any()


@pytest.mark.parametrize("team_size", [3, 0])
def test_by_employee_writes_into_a_given_array(team_size: int) -> None:
    """Each employee gets their team's value, whether teams are equal in size or not."""
    team_of = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2]) if team_size else \
        np.array([0, 1, 1, 1, 1, 2, 2, 2, 2])
    layout = OrgLayout(units=1, teams=3, employees=9, team_unit=np.zeros(3, dtype=np.int64),
                       team_size=np.bincount(team_of), team_hours=np.ones(3))
    org = OrgState(layout=layout, team_of=team_of,
                   team_start=np.searchsorted(team_of, np.arange(3)), hours=np.ones(9),
                   agility=np.ones(9), capability=np.zeros((9, 2)), fresh=np.zeros((9, 2)),
                   required=np.ones(2), backlog=np.zeros(3), facilitation=np.zeros(3),
                   team_size=team_size)
    values = np.array([0.1, 0.2, 0.3])
    out = np.full(9, -1.0)
    assert org.by_employee(values, out=out) is out
    np.testing.assert_array_equal(out, values[team_of])
    np.testing.assert_array_equal(org.by_employee(values), values[team_of])


# -- desks and the engine's requests ------------------------------------------------------


def test_served_teams_are_recorded_in_the_order_sessions_end() -> None:
    """One developer serves three teams first come, first served; each session's team and
    effect are recorded when it ends, and taking them starts afresh."""
    env = simpy.Environment()
    desk = ServiceDesk.open(env, DeskSpec("desk", 1, 0.0, 1.0, 0.0))
    ended: list[float] = []

    def arrive(_: simpy.Event) -> None:
        desk.serve_team(7, 1.0, 0.5, needed_at=-0.25)
        desk.serve_team(3, 0.5, 0.2, needed_at=0.0)
        desk.arrive(0.25, lambda: ended.append(env.now))  # a plain callback request
        desk.serve_team(5, 0.25, 0.1, needed_at=0.0)

    env.timeout(0.0).callbacks.append(arrive)
    env.run(until=1.6)
    assert desk.take_helped() == ([7, 3], [0.5, 0.2])
    assert desk.take_helped() == ([], [])
    env.run()
    assert ended == [1.75]
    assert desk.take_helped() == ([5], [0.1])
    assert desk.waits == [0.0, 1.0, 1.5, 1.75]
    assert desk.times_to_help == [0.25, 1.0, 1.5, 1.75]
    assert desk.arrivals == 4
    assert desk.busy_weeks == pytest.approx(2.0)
    assert desk.resource.count == 0 and desk.queue_length == 0


def test_a_weeks_sessions_combine_as_if_applied_one_by_one(
    make_simulation: Callable[..., Simulation],
) -> None:
    """Sessions that ended during a week raise their teams' levels as if each had raised
    the level when it ended: 1 − (1 − level) · Π(1 − effect)."""
    sim = make_simulation("baseline.toml")
    (desk,) = sim.desks
    sim.org.facilitation[:3] = [0.2, 0.5, 0.9]
    desk.helped_teams += [0, 1, 0]
    desk.helped_effects += [0.3, 0.1, 0.4]
    sim._apply_helped()
    expected = [1 - 0.8 * 0.7 * 0.6, 1 - 0.5 * 0.9, 0.9]
    np.testing.assert_allclose(sim.org.facilitation[:3], expected, rtol=1e-14)
    assert (sim.org.facilitation[3:] == 0).all()
    sim._apply_helped()  # nothing new ended: nothing changes
    np.testing.assert_allclose(sim.org.facilitation[:3], expected, rtol=1e-14)


def test_a_weeks_requests_arrive_in_time_order_ties_in_team_order() -> None:
    """A week's requests are fed to HR sorted by arrival; equal times keep team order."""
    arrivals = _Arrivals.of_week(3, np.array([0, 1, 2, 3]), np.array([0.5, 0.2, 0.5, 0.0]),
                                 np.array([1.5, 1.2, 1.5, 1.0]), np.array([1.0, 2.0, 3.0, 4.0]),
                                 [5.0], [0.4])
    assert arrivals.teams == [3, 1, 0, 2]
    assert arrivals.times == [3 + 1.0, 3 + 1.2, 3 + 1.5, 3 + 1.5]
    assert arrivals.needed_at == [3 + 0.0, 3 + 0.2, 3 + 0.5, 3 + 0.5]
    assert arrivals.sizes == [4.0, 2.0, 1.0, 3.0]


def test_engine_requests_reach_the_desk_when_scheduled(
    make_simulation: Callable[..., Simulation],
) -> None:
    """Every request reaches HR ``detection_weeks`` after its need arose, in time order, and
    waits in the desk's queue (never a negative wait)."""
    sim = make_simulation("baseline.toml", "operating_model.params.detection_weeks=0.5",
                          "operating_model.developers=1",
                          'facilitation.params.timing="random"', "weeks=60")
    (desk,) = sim.desks
    routed: list[float] = []
    route = sim.operating_model.route

    def watch(team: int, desks: list[ServiceDesk]) -> ServiceDesk:
        routed.append(sim.env.now)
        return route(team, desks)

    sim.operating_model.route = watch  # type: ignore[method-assign]
    requests = sim.run().weekly["facilitation_requests"]
    # all requests made before the last week reach HR before the run ends; some of the
    # last week's arrive after it
    assert requests[:-1].sum() <= len(routed) <= requests.sum()
    assert (np.diff(routed) >= 0).all()
    waits = np.array(desk.waits)
    assert waits.size == len(desk.times_to_help) > 50
    assert (waits >= 0).all() and (waits > 0).any()
    # from the need arising to reaching HR: the detection delay, for every request
    np.testing.assert_allclose(np.array(desk.times_to_help) - waits, 0.5, rtol=0, atol=1e-12)


@pytest.mark.parametrize("servers", [1, 3, 40])
def test_developer_pool_grants_exactly_as_simpy_resource(servers: int) -> None:
    """The desks' pool and a plain simpy.Resource, fed the same requests, grant them at
    the same times in the same (first come, first served) order and hold the same users."""
    rng = np.random.default_rng(servers)
    n = 3000
    gaps = rng.exponential(1.0 / (0.9 * servers), n).tolist()
    services = rng.exponential(1.0, n).tolist()
    grants = {}
    for kind in (DeveloperPool, simpy.Resource):
        env = simpy.Environment()
        resource = kind(env, capacity=servers)
        granted: list[tuple[int, float]] = []
        held: list[frozenset[int]] = []

        def customer(i: int, env: simpy.Environment = env, resource: simpy.Resource = resource,
                     granted: list[tuple[int, float]] = granted,
                     held: list[frozenset[int]] = held) -> Generator[simpy.Event, None, None]:
            request = resource.request()
            request.number = i  # type: ignore[attr-defined]
            yield request
            granted.append((i, env.now))
            yield env.timeout(services[i])
            resource.release(request)
            held.append(frozenset(r.number for r in resource.users))  # type: ignore[attr-defined]

        def source(env: simpy.Environment = env) -> Generator[simpy.Event, None, None]:
            for i in range(n):
                yield env.timeout(gaps[i])
                env.process(customer(i))

        env.process(source())
        env.run()
        assert resource.count == 0 and not resource.queue
        grants[kind] = (granted, held)
    assert grants[DeveloperPool] == grants[simpy.Resource]
    granted, _ = grants[DeveloperPool]
    assert [i for i, _ in granted] == sorted(i for i, _ in granted)  # first come, first served
    arrived = np.cumsum(gaps)
    assert sum(t > arrived[i] for i, t in granted) > n // 10  # many requests really queued


@pytest.mark.parametrize("servers", [1, 3, 40])
def test_desk_visits_are_seated_as_simpy_resource_seats_requests(servers: int) -> None:
    """A desk's visits skip SimPy's idle Request and Release events, yet every request,
    whether a visit or a plain ``resource.request()`` made by a process sharing the same
    developers, is seated at the same time as by a plain simpy.Resource serving them all
    first come, first served."""
    rng = np.random.default_rng(100 + servers)
    n = 3000
    gaps = rng.exponential(1.0 / (0.9 * servers), n).tolist()
    services = rng.exponential(1.0, n).tolist()
    plain = [i % 5 == 0 for i in range(n)]  # every fifth request comes from a process

    def customer(env: simpy.Environment, resource: simpy.Resource, i: int,
                 seated: dict[int, float]) -> Generator[simpy.Event, None, None]:
        request = resource.request()
        yield request
        seated[i] = env.now
        yield env.timeout(services[i])
        resource.release(request)

    def simulate(with_desk: bool) -> dict[int, float]:
        env = simpy.Environment()
        desk = ServiceDesk.open(env, DeskSpec("desk", servers, 0.0, 1.0, 0.0))
        resource = desk.resource if with_desk else simpy.Resource(env, capacity=servers)
        seated: dict[int, float] = {}
        visits: list[int] = []

        def source() -> Generator[simpy.Event, None, None]:
            for i in range(n):
                yield env.timeout(gaps[i])
                if with_desk and not plain[i]:
                    visits.append(i)
                    desk.arrive(services[i], lambda: None)
                else:
                    env.process(customer(env, resource, i, seated))

        env.process(source())
        env.run()
        assert resource.count == 0 and not resource.queue
        if with_desk:
            arrived = np.cumsum(gaps)
            # a desk records each visit's wait when it is seated, in seating order
            # (= arrival order: first come, first served)
            assert desk.arrivals == len(visits) == len(desk.waits)
            for i, wait in zip(visits, desk.waits, strict=True):
                seated[i] = float(arrived[i]) + wait
        return seated

    expected, got = simulate(False), simulate(True)
    assert sorted(got) == list(range(n))
    np.testing.assert_allclose([got[i] for i in range(n)], [expected[i] for i in range(n)],
                               rtol=0, atol=1e-9)
    arrived = np.cumsum(gaps)
    assert sum(expected[i] > arrived[i] for i in range(n)) > n // 10  # many really queued
