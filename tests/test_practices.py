"""Practices change work, learning and forgetting only through the weekly levers."""

from __future__ import annotations

import attrs
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hrdsim import hookimpl, setting
from hrdsim.dynamics import CapabilityModel
from hrdsim.loader import load_scenario
from hrdsim.organisation import build_organisation
from hrdsim.testing import run_scenario
from tests.conftest import SCENARIOS, SMALL


class Lever:
    """A test practice that sets one lever to a value every week."""

    def __init__(self, name: str, value: float) -> None:
        self.name, self.value, self.weeks = name, value, 0

    def adjust(self, state, org, levers, rng):  # type: ignore[no-untyped-def]
        self.weeks += 1
        if self.name in ("forgetting", "support"):
            getattr(levers, self.name)[...] += self.value
        elif self.name == "alignment":
            levers.alignment[:] = self.value
        else:
            getattr(levers, self.name)[...] *= self.value

    def outcomes(self):  # type: ignore[no-untyped-def]
        return {"lever_weeks": self.weeks}


@attrs.frozen
class LeverParams:
    name: str = setting("productivity", doc="Which lever to set.")
    value: float = setting(1.0, doc="The value to multiply (or add) it by.")


class LeverPlugin:
    @hookimpl
    def hrdsim_register_policies(self, registry):  # type: ignore[no-untyped-def]
        registry.add("practice", "lever", lambda p, s: Lever(p.name, p.value),
                     params=LeverParams)


def run(*overrides: str):  # type: ignore[no-untyped-def]
    return run_scenario(SCENARIOS / "baseline.toml", *SMALL, *overrides,
                        plugins=[("lever", LeverPlugin())])


def with_lever(name: str, value: float) -> str:
    return f'practices=[{{policy = "lever", params = {{name = "{name}", value = {value}}}}}]'


def outcome(results, name: str) -> float:  # type: ignore[no-untyped-def]
    return results.summary[name].mean


def test_a_neutral_practice_changes_nothing_and_reports_its_outcomes() -> None:
    """Levers left neutral reproduce the run without practices; outcomes are collected."""
    plain = run()
    neutral = run(with_lever("productivity", 1.0))
    for name in ("capability_index", "throughput_per_fte", "learning_realised_per_fte"):
        assert np.isclose(outcome(plain, name), outcome(neutral, name), rtol=1e-9)
    assert outcome(neutral, "lever_weeks") == 104


def test_each_lever_moves_the_outcome_it_should() -> None:
    """Productivity, learning, forgetting, support and alignment levers act as documented."""
    busy = run("work.demand=1.0")  # throughput is limited by hours, not by demand
    faster = run("work.demand=1.0", with_lever("productivity", 1.3))
    assert outcome(faster, "throughput_per_fte") > outcome(busy, "throughput_per_fte") * 1.05
    base = run()
    assert outcome(run(with_lever("learning", 2.0)), "capability_index") > \
        outcome(base, "capability_index") + 1
    assert outcome(run(with_lever("forgetting", 0.01)), "capability_index") < \
        outcome(base, "capability_index") - 1
    assert outcome(run(with_lever("alignment", 0.0)), "strategic_gap") > \
        outcome(base, "strategic_gap")
    unsupported = run("facilitation.policy=none")
    supported = run("facilitation.policy=none", with_lever("support", 0.5))
    assert outcome(supported, "capability_index") > outcome(unsupported, "capability_index") + 1


@settings(max_examples=30, deadline=None)
@given(
    hours=st.floats(0, 20),
    facilitation=st.floats(0, 1),
    alignment=st.floats(0, 1),
    on_the_job=st.floats(0, 1),
)
def test_the_practice_path_of_learning_equals_the_fast_path(
    hours: float, facilitation: float, alignment: float, on_the_job: float
) -> None:
    """With neutral multipliers, learning with practices gives the same capability."""
    scenario = load_scenario(SCENARIOS / "baseline.toml", SMALL).scenario
    mix = np.array([on_the_job, (1 - on_the_job) / 2, (1 - on_the_job) / 2])
    results = []
    for practices in (False, True):
        model = CapabilityModel.from_scenario(
            scenario.modes, scenario.dynamics.__class__(learning_alignment=alignment))
        org = build_organisation(scenario, np.random.default_rng(3))
        n = org.capability.shape[0]
        args = (org, np.full(n, hours), mix, np.full(n, facilitation))
        if practices:
            model.learn(*args, rates=np.ones((n, 3)), alignment=np.full(n, alignment))
        else:
            model.learn(*args)
        results.append((org.capability.copy(), org.fresh.copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-15)
