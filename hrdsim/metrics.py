"""Outcomes of a run: what is recorded each week and how replications are summarised.

``WEEKLY`` and ``TEAM_WEEKLY`` list the tidy time-series columns;
``OUTCOMES`` lists the per-replication outcomes, each with its unit, whether
more is better, and one line of meaning. ``docs/model.md`` defines each one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np


@attrs.frozen
class Outcome:
    """A summary outcome of one replication."""

    name: str
    label: str
    unit: str
    better: str  # "higher", "lower" or "" (neither)
    doc: str
    key: bool = False  # shown in the default table
    #: the lowest and highest value the outcome can take (its confidence interval is cut
    #: to them)
    limits: tuple[float, float] = (0.0, math.inf)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("capability_index", "Capability index (end)", "0-100", "higher",
            "People's capability weighted by the strategy's needs, last week.", key=True,
            limits=(0.0, 100.0)),
    Outcome("capability_change", "Capability change", "points", "higher",
            "Capability index at the end minus at the start.", key=True,
            limits=(-100.0, 100.0)),
    Outcome("strategic_gap", "Strategic gap (end)", "%", "lower",
            "Share of the strategy's required capability people lack, last week.", key=True,
            limits=(0.0, 100.0)),
    Outcome("strategic_gap_mean", "Strategic gap (mean)", "%", "lower",
            "Strategic gap averaged over all weeks.",
            limits=(0.0, 100.0)),
    Outcome("throughput_per_fte", "Throughput", "std h/FTE/week", "higher",
            "Work delivered per full-time equivalent per week, in standard hours.", key=True),
    Outcome("backlog_per_fte", "Backlog", "std h/FTE", "lower",
            "Unfinished work per FTE, mean over weeks.", key=True),
    Outcome("learning_planned_per_fte", "Learning planned", "h/FTE/week", "",
            "Hours of learning planned per FTE per week.", key=True),
    Outcome("learning_realised_per_fte", "Learning realised", "h/FTE/week", "higher",
            "Hours of learning that took place per FTE per week.", key=True),
    Outcome("learning_on_the_job_per_fte", "  on the job", "h/FTE/week", "",
            "Realised learning on the job per FTE per week."),
    Outcome("learning_social_per_fte", "  with others", "h/FTE/week", "",
            "Realised learning with and from others per FTE per week."),
    Outcome("learning_formal_per_fte", "  formal", "h/FTE/week", "",
            "Realised formal learning per FTE per week."),
    Outcome("learning_on_the_job_planned_per_fte", "  on the job (planned)", "h/FTE/week", "",
            "Planned learning on the job per FTE per week."),
    Outcome("learning_social_planned_per_fte", "  with others (planned)", "h/FTE/week", "",
            "Planned learning with others per FTE per week."),
    Outcome("learning_formal_planned_per_fte", "  formal (planned)", "h/FTE/week", "",
            "Planned formal learning per FTE per week."),
    Outcome("learning_lost_share", "Learning lost to work", "%", "lower",
            "Share of planned learning hours that work pressure took.", key=True,
            limits=(0.0, 100.0)),
    Outcome("facilitation_requests_per_team_year", "Facilitation requests", "/team/year", "",
            "Sessions requested from HR developers per team per year.", key=True),
    Outcome("facilitation_sessions_per_team_year", "Facilitated sessions", "/team/year", "",
            "Sessions held (any provider) per team per year."),
    Outcome("facilitation_wait_days", "Wait for facilitation (mean)", "days", "lower",
            "Mean time a request waited in an HR developer queue.", key=True),
    Outcome("facilitation_wait_p90_days", "Wait for facilitation (p90)", "days", "lower",
            "90th percentile of the queue wait.", key=True),
    Outcome("time_to_help_days", "Time to help (mean)", "days", "lower",
            "Mean time from a need arising to a developer starting on it (detection + wait)."),
    Outcome("hr_utilisation", "HR developer utilisation", "%", "",
            "Share of developers' facilitation hours spent serving requests.", key=True,
            limits=(0.0, 100.0)),
    Outcome("queue_offered_load", "Offered load (busiest desk)", "ρ", "",
            "Work routed to the busiest desk per unit of its capacity; ≥ 1 is unstable."),
    Outcome("facilitation_unserved_share", "Requests no developer could take", "%", "lower",
            "Share of requests for an HR developer made when the scenario has none.",
            limits=(0.0, 100.0)),
    Outcome("queue_unstable", "Unstable queue", "0/1", "lower",
            "1 if any desk was offered more work than it can do (its wait grows without bound).",
            limits=(0.0, 1.0)),
    Outcome("cost_per_fte_year", "Cost", "€/FTE/year", "lower",
            "HR developers' pay, learning hours and in-team facilitation, per FTE per year.",
            key=True),
    Outcome("cost_hr_per_fte_year", "  HR staff", "€/FTE/year", "lower",
            "HR developers' pay per FTE per year."),
    Outcome("cost_learning_per_fte_year", "  learning hours", "€/FTE/year", "",
            "Employee hours spent learning, valued at their cost, per FTE per year."),
    Outcome("capability_gini", "Capability inequality (Gini)", "0-1", "lower",
            "Gini coefficient of people's capability index, last week.", key=True,
            limits=(0.0, 1.0)),
    Outcome("capability_p90_p10", "Capability P90/P10", "ratio", "lower",
            "90th over 10th percentile of people's capability index, last week.",
            limits=(1.0, math.inf)),
)

OUTCOME_BY_NAME = {o.name: o for o in OUTCOMES}

#: Organisation-level weekly columns (one row per replication × week).
WEEKLY: tuple[str, ...] = (
    "capability_index", "strategic_gap", "throughput_per_fte", "demand_per_fte",
    "fires_per_fte", "backlog_per_fte", "learning_planned_per_fte",
    "learning_realised_per_fte", "learning_on_the_job_per_fte", "learning_social_per_fte",
    "learning_formal_per_fte", "learning_lost_share", "facilitation_requests",
    "facilitation_sessions", "facilitation_level", "hr_busy_share", "queue_length",
    "capability_gini", "capability_p90_p10", "cost",
)

#: Team-level weekly columns (one row per replication × week × team).
TEAM_WEEKLY: tuple[str, ...] = (
    "capability_index", "strategic_gap", "backlog_hours", "learning_realised_hours",
    "facilitation_level",
)


@attrs.frozen
class Estimate:
    """Mean over replications with a 95% confidence interval (Student's t)."""

    mean: float
    low: float
    high: float
    sd: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "ci_low": self.low, "ci_high": self.high,
                "sd": self.sd, "n": self.n}


def estimate(values: Sequence[float],
             limits: tuple[float, float] = (-math.inf, math.inf)) -> Estimate:
    """Mean and 95% t-interval; NaN values (e.g. unstable waits) propagate.

    :param limits: the lowest and highest value the quantity can take: the interval is
        cut to them (with few replications a t-interval can reach past them, e.g. a
        utilisation above 100%).
    """
    data = np.asarray(values, dtype=float)
    n = data.size
    if n == 0:
        nan = float("nan")
        return Estimate(nan, nan, nan, nan, 0)
    mean = float(data.mean())
    if n == 1 or not np.isfinite(mean):  # no interval from one value, or undefined mean
        nan = float("nan")
        return Estimate(mean, nan, nan, nan, n)
    sd = float(data.std(ddof=1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    low, high = min(limits[0], mean), max(limits[1], mean)  # never cut past the mean
    return Estimate(mean, max(mean - half, low), min(mean + half, high), sd, n)


@functools.lru_cache(maxsize=1024)
def t_quantile(p: float, df: int) -> float:
    """Quantile of Student's t distribution (SciPy, imported when needed; remembered,
    since a study asks for the same few quantiles thousands of times)."""
    from scipy.stats import t

    return float(t.ppf(p, df))


def summarise(replications: Sequence[Mapping[str, float]]) -> dict[str, Estimate]:
    """Per-outcome estimates over replications, in ``OUTCOMES`` order first."""
    names = [o.name for o in OUTCOMES]
    extra = sorted({k for r in replications for k in r} - set(names))
    return {
        name: estimate([r.get(name, float("nan")) for r in replications], limits_of(name))
        for name in names + extra
        if any(name in r for r in replications)
    }


def limits_of(name: str) -> tuple[float, float]:
    """The range an outcome can take: its :attr:`Outcome.limits`, or no limits for an
    outcome a plugin adds."""
    outcome = OUTCOME_BY_NAME.get(name)
    return outcome.limits if outcome is not None else (-math.inf, math.inf)


def format_number(value: float) -> str:
    """A number as tables show it: about three significant digits, n/a for NaN."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    if magnitude >= 0.001 or magnitude == 0:
        return f"{value:.3f}"
    return f"{value:.2g}"
