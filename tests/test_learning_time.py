"""Learning-time policies: protected time builds capability; under firefighting, learning with
the time work leaves collapses while a protected floor holds (model-science §2, the capability
trap), including the structural checks CT1-CT3 run through the engine."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from hrdsim.engine import ReplicationResult

HOURS = 37.5  # the scenarios' full-time week: learning per FTE is a share of it

QUIET = ("work.fires_per_team_week=0", "work.demand=0.5")


def _protected(share: float) -> tuple[str, ...]:
    return ('learning.policy="protected"', f"learning.params.share={share}",
            f"learning.params.floor={share}")


def _last_year_lost_share(result: ReplicationResult) -> float:
    """Percentage of the planned learning hours work took in the final 52 weeks."""
    planned = result.weekly["learning_planned_per_fte"][-52:].sum()
    realised = result.weekly["learning_realised_per_fte"][-52:].sum()
    return 100.0 * (1.0 - realised / planned)


# -- more protected time, no pressure --------------------------------------------------------


@pytest.mark.parametrize("replication", [0, 1])
def test_more_protected_time_without_pressure_gives_more_capability(
    simulate: Callable[..., ReplicationResult], replication: int,
) -> None:
    """With no fires and low demand, 15% protected time ends far above 5%, all hours used."""
    low = simulate("baseline.toml", *_protected(0.05), *QUIET, replication=replication)
    high = simulate("baseline.toml", *_protected(0.15), *QUIET, replication=replication)
    for result, share in ((low, 0.05), (high, 0.15)):
        assert result.outcomes["learning_lost_share"] == 0.0
        assert result.outcomes["learning_realised_per_fte"] == pytest.approx(share * HOURS)
        assert result.weekly["fires_per_fte"].max() == 0.0
    # the same organisation and demand (common random numbers): only learning time differs
    np.testing.assert_array_equal(low.weekly["demand_per_fte"], high.weekly["demand_per_fte"])
    assert low.weekly["capability_index"][0] == high.weekly["capability_index"][0]
    assert high.outcomes["capability_index"] > low.outcomes["capability_index"] + 10
    assert high.outcomes["strategic_gap"] < low.outcomes["strategic_gap"]
    assert high.outcomes["capability_change"] > low.outcomes["capability_change"] + 10


# -- the firefighting loop --------------------------------------------------------------------


def test_leftover_learning_collapses_under_firefighting(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """Under heavy unplanned work, learning only in time work leaves stops and capability falls."""
    calm = simulate("baseline.toml", 'learning.policy="leftover"')
    fires = simulate("firefighting.toml", 'learning.policy="leftover"')
    assert fires.weekly["fires_per_fte"].mean() > 10 * calm.weekly["fires_per_fte"].mean()
    planned = fires.outcomes["learning_planned_per_fte"]
    assert planned == pytest.approx(calm.outcomes["learning_planned_per_fte"])
    realised = fires.outcomes["learning_realised_per_fte"]
    assert fires.outcomes["learning_lost_share"] > 90.0
    assert realised < 0.1 * planned
    assert realised < 0.1 * calm.outcomes["learning_realised_per_fte"]
    assert fires.outcomes["capability_change"] < -5
    assert fires.outcomes["capability_index"] < calm.outcomes["capability_index"] - 10
    # the loop reinforces itself: less capability, less slack, even less learning
    weekly = fires.weekly["learning_realised_per_fte"]
    assert weekly[52:].mean() < weekly[:52].mean()


def test_protected_floor_holds_under_firefighting(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """With the same fires, a protected floor loses no learning and capability rises."""
    leftover = simulate("firefighting.toml", 'learning.policy="leftover"')
    protected = simulate("firefighting.toml", *_protected(0.1))
    np.testing.assert_array_equal(leftover.weekly["fires_per_fte"],
                                  protected.weekly["fires_per_fte"])
    assert protected.outcomes["learning_lost_share"] == 0.0
    assert protected.outcomes["learning_realised_per_fte"] == pytest.approx(0.1 * HOURS)
    assert protected.outcomes["capability_change"] > 5
    assert protected.outcomes["capability_index"] > leftover.outcomes["capability_index"] + 15


# -- capability trap, CT1-CT3 (model-science §2.2, §2.4) ---------------------------------------

SHARE, EROSION = 0.05, 0.7
#: Above this demand even a fully capable team's planned work (productivity ≤ 1) overflows
#: into learning by more than planned/erosion, so fixed_share learning is lost entirely:
#: erosion · (d − (1 − s)) ≥ s  ⇔  d ≥ 1 − s + s/erosion (≈ 1.021).
CRITICAL_DEMAND = 1.0 - SHARE + SHARE / EROSION
STARTS = (0.2, 0.5, 0.8)


def _trap_run(simulate: Callable[..., ReplicationResult], policy: str, demand: float,
              start: float, weeks: int = 156) -> ReplicationResult:
    learning = (('learning.policy="fixed_share"', f"learning.params.share={SHARE}",
                 f"learning.params.erosion={EROSION}") if policy == "fixed_share"
                else (*_protected(SHARE), f"learning.params.erosion={EROSION}"))
    return simulate("baseline.toml", *learning, f"work.demand={demand}",
                    f"organisation.initial_capability={start}",
                    "organisation.initial_capability_sd=0.05", f"weeks={weeks}")


def test_above_critical_demand_fixed_share_learning_collapses_from_every_start(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """Above critical demand, fixed_share learning is lost and capability falls from any start."""
    demand = 1.1
    assert demand > CRITICAL_DEMAND
    for start in STARTS:
        trapped = _trap_run(simulate, "fixed_share", demand, start)
        index = trapped.weekly["capability_index"]
        assert _last_year_lost_share(trapped) > 99.0
        assert index[-1] < index[0]
        assert index[-1] < index[-53]  # still falling in the final year


def test_protected_floor_prevents_collapse_at_any_demand(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """The same 5% as a protected floor is never lost and beats fixed_share from every start."""
    demand = 1.1
    starts, ends = [], []
    for start in STARTS:
        trapped = _trap_run(simulate, "fixed_share", demand, start)
        floor = _trap_run(simulate, "protected", demand, start)
        assert floor.outcomes["learning_lost_share"] == 0.0
        assert floor.outcomes["capability_index"] > trapped.outcomes["capability_index"] + 5
        starts.append(floor.weekly["capability_index"][0])
        ends.append(floor.outcomes["capability_index"])
    # one good equilibrium: the lowest start recovers and all starts draw together
    assert ends[0] > starts[0] + 20
    assert max(ends) - min(ends) < 0.5 * (max(starts) - min(starts))


def test_below_critical_demand_there_is_one_good_equilibrium(
    simulate: Callable[..., ReplicationResult],
) -> None:
    """At low demand, fixed_share learning is realised from every start and starts converge."""
    ends = []
    for start in STARTS:
        calm = _trap_run(simulate, "fixed_share", 0.6, start, weeks=520)
        assert _last_year_lost_share(calm) < 1.0
        ends.append(calm.outcomes["capability_index"])
    assert max(ends) - min(ends) < 5  # starts 30 points apart end within 5


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_intermediate_demand_is_bistable(
    simulate: Callable[..., ReplicationResult], replication: int,
) -> None:
    """In between, the start decides: low capability is trapped, high capability keeps learning."""
    low = simulate("baseline.toml", 'learning.policy="fixed_share"',
                   f"learning.params.share={SHARE}", f"learning.params.erosion={EROSION}",
                   "work.demand=0.8", "organisation.initial_capability=0.2",
                   "organisation.initial_capability_sd=0.05", "weeks=156",
                   replication=replication)
    high = simulate("baseline.toml", 'learning.policy="fixed_share"',
                    f"learning.params.share={SHARE}", f"learning.params.erosion={EROSION}",
                    "work.demand=0.8", "organisation.initial_capability=0.5",
                    "organisation.initial_capability_sd=0.05", "weeks=156",
                    replication=replication)
    assert _last_year_lost_share(low) > 95.0
    assert _last_year_lost_share(high) < 20.0
    assert low.weekly["capability_index"][-1] < low.weekly["capability_index"][0]
    assert high.weekly["capability_index"][-1] > high.weekly["capability_index"][0]
