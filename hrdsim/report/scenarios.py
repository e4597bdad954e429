"""Reports of scenarios: one run (``hrdsim run --out``) or a comparison
(``hrdsim compare --out``).

The report answers, for each alternative, what it does to capability, the
strategic gap, throughput and cost, and how sure we can be; then shows each
part of the story: the scenarios side by side, capability and the strategic gap
over time, learning hours by 70-20-10 mode (planned and what work pressure left
of them), waiting for HR developers and their utilisation, cost against
capability gained, and for a comparison every paired difference with its 95%
confidence interval. The assumptions and the manifest close it
(:mod:`hrdsim.report.common`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrdsim.report.build import Section
from hrdsim.report.common import runs_notes
from hrdsim.report.data import (
    Study,
    read_json,
    read_weekly,
    scenarios_of_comparison,
    scenarios_of_run,
    weekly_bands,
)

if TYPE_CHECKING:
    from markupsafe import Markup

    from hrdsim.report.build import Builder
    from hrdsim.report.data import ScenarioData

#: What the executive summary says about each alternative, in this order.
HEADLINE: tuple[str, ...] = ("capability_index", "strategic_gap", "throughput_per_fte",
                             "cost_per_fte_year", "facilitation_wait_days")

#: The 70-20-10 modes and their outcomes (realised, planned).
MODES: tuple[tuple[str, str, str], ...] = (
    ("on_the_job", "learning_on_the_job_per_fte", "learning_on_the_job_planned_per_fte"),
    ("social", "learning_social_per_fte", "learning_social_planned_per_fte"),
    ("formal", "learning_formal_per_fte", "learning_formal_planned_per_fte"),
)

FACILITATION: tuple[str, ...] = (
    "facilitation_requests_per_team_year", "facilitation_sessions_per_team_year",
    "facilitation_wait_days", "facilitation_wait_p90_days", "time_to_help_days",
    "hr_utilisation", "queue_offered_load",
)

COSTS: tuple[str, ...] = ("cost_per_fte_year", "cost_hr_per_fte_year",
                          "cost_learning_per_fte_year", "capability_change")

#: HR developers' utilisation is seen at one instant a week: it is drawn as a moving
#: average over this many weeks.
UTILISATION_WEEKS = 4

#: Below this many replications the report warns that intervals are rough.
FEW_REPLICATIONS = 10

#: Horizons of at least this many weeks are drawn in years.
YEARS_FROM_WEEKS = 104


# --------------------------------------------------------------------------- reading


def read(folder: Path, manifest: dict[str, Any]) -> Study:
    """A run's or a comparison's results folder."""
    if manifest.get("study") == "compare":
        scenarios = scenarios_of_comparison(folder, manifest)
        comparison = read_json(folder / "comparison.json")
        weekly = read_weekly(folder)
        return Study("compare", folder, manifest, tuple(scenarios), weekly, comparison)
    scenarios = scenarios_of_run(folder, manifest)
    return Study("run", folder, manifest, tuple(scenarios),
                 read_weekly(folder, scenarios[0].label))


def sections(study: Study, b: Builder) -> list[Section]:
    """The report's sections for a run or a comparison."""
    from hrdsim.report import common

    parts = [
        summary(study, b), scenarios(study, b), capability(study, b), strategic_gap(study, b),
        learning(study, b), facilitation(study, b), cost(study, b),
    ]
    if study.comparison is not None:
        parts.append(differences(study, b))
    export_summary(study, b)
    parts += [common.assumptions([s.record for s in study.scenarios], study.labels, b),
              common.manifest(study, b)]
    return parts


# --------------------------------------------------------------------------- helpers


def difference(study: Study, alternative: str, metric: str) -> dict[str, Any] | None:
    """An alternative's paired difference in a metric, from comparison.json."""
    for found in (study.comparison or {}).get("differences", []):
        if found.get("alternative") == alternative and found.get("metric") == metric:
            return dict(found)
    return None


def tone(found: dict[str, Any], limit: float | None = None) -> str:
    """``better``, ``worse``, ``identical`` (the same in every pair), ``negligible`` (the
    whole CI lies within ``±limit``, the smallest change that matters: see
    :mod:`hrdsim.report.meaningful`), ``same`` (the CI contains 0) or ``neutral`` (no
    direction)."""
    from hrdsim.report.meaningful import negligible

    low, high, better = found.get("ci_low"), found.get("ci_high"), found.get("better")
    if found.get("mean") is None:
        return "undefined"
    if identical(found):
        return "identical"
    if negligible(found, limit):  # even when the CI contains 0: it rules out what matters
        return "negligible"
    if low is None or high is None or low <= 0 <= high:
        return "same"
    if not better:
        return "neutral"
    up = found["mean"] > 0
    return "better" if up == (better == "higher") else "worse"


def limit_of(study: Study, metric: str) -> float | None:
    """The smallest change in ``metric`` that matters, for this study's baseline."""
    from hrdsim.report.meaningful import threshold

    return threshold(metric, study.baseline.value(metric))


def identical(found: dict[str, Any]) -> bool:
    """The difference is exactly zero in every paired run."""
    return found.get("mean") == 0 and found.get("ci_low") == 0 and found.get("ci_high") == 0


def _horizon(study: Study, b: Builder) -> tuple[float, str]:
    """Weeks per x unit and the x axis' label."""
    weeks = int(study.baseline.summary.get("weeks", 0) or 0)
    if weeks >= YEARS_FROM_WEEKS:
        return 52.0, b.t("chart.axis.year")
    return 1.0, b.t("chart.axis.week")


def _end(study: Study, scale: float) -> float | None:
    """Where the x axis ends: the horizon, in years (None for a horizon in weeks)."""
    weeks = int(study.baseline.summary.get("weeks", 0) or 0)
    return weeks / scale if scale > 1 and weeks else None


def _marks(study: Study, scale: float) -> list[tuple[float, str]]:
    """Strategic shifts of any scenario, once each."""
    marks: dict[tuple[float, str], None] = {}
    for s in study.scenarios:
        for shift in s.resolved.get("strategy", {}).get("shifts", []) or []:
            marks[(shift.get("week", 0) / scale, str(shift.get("label", "")))] = None
    return list(marks)


def _series(study: Study, column: str, scale: float, smooth: int = 1,
            bounds: tuple[float, float] | None = None) -> list[Any]:
    """Each scenario's weekly mean and 95% band of ``column``; the band is drawn within
    ``bounds`` (a percentage cannot leave 0-100, though a t-interval can)."""
    from hrdsim.report.charts import Series

    assert study.weekly is not None
    bands = weekly_bands(study.weekly, column, smooth)
    if bounds is not None:
        bands[["low", "high"]] = bands[["low", "high"]].clip(*bounds)
    out = []
    for label in study.labels:
        part = bands[bands["scenario"] == label]
        out.append(Series(label, (part["week"] / scale).tolist(), part["mean"].tolist(),
                          part["low"].tolist(), part["high"].tolist()))
    return out


def _table(b: Builder, study: Study, outcomes: Sequence[str]) -> dict[str, Any]:
    """Rows of outcomes × columns of scenarios, each cell a mean with its interval."""
    rows = []
    for name in outcomes:
        cells = [b.estimate(s, name) for s in study.scenarios]
        if all(c is None for c in cells):
            continue
        rows.append({"label": b.outcome_label(name), "unit": b.outcome_unit(name),
                     "cells": cells, "metric": name})
    return {"columns": [b.user(label) for label in study.labels], "rows": rows}


def _people(s: ScenarioData) -> int:
    org = s.resolved.get("organisation", {})
    return int(org.get("units", 0)) * int(org.get("teams_per_unit", 0)) * int(
        org.get("team_size", 0))


# --------------------------------------------------------------------------- summary


def summary(study: Study, b: Builder) -> Section:
    """The executive summary: what each alternative does, with its uncertainty."""
    base = study.baseline
    weeks = int(base.summary.get("weeks", 0))
    org = base.resolved.get("organisation", {})
    facts = {
        "people": b.integer(_people(base)),
        "teams": b.integer(int(org.get("units", 0)) * int(org.get("teams_per_unit", 0))),
        "weeks": b.integer(weeks),
        "years": years(b, weeks),
        "replications": b.integer(base.replications),
    }
    blocks: list[dict[str, Any]] = []
    if study.kind == "compare":
        if len(study.alternatives) == 1:
            intro = b.say("summary.intro.compare_one", baseline=b.user(base.label), **facts)
        else:
            intro = b.say("summary.intro.compare", baseline=b.user(base.label),
                          alternatives=b.integer(len(study.alternatives)), **facts)
        for alt in study.alternatives:
            items = [_difference_item(study, b, alt, metric) for metric in HEADLINE]
            blocks.append({"title": b.say("summary.versus", alternative=b.user(alt.label),
                                          baseline=b.user(base.label)),
                           "scenario": alt.label, "items": [i for i in items if i]})
    else:
        intro = b.say("summary.intro.run", scenario=b.user(base.label), **facts)
        items = [_level_item(b, base, metric) for metric in (*HEADLINE, "learning")]
        blocks.append({"title": b.user(base.label), "scenario": base.label,
                       "items": [i for i in items if i]})
    return Section("summary", b.t("section.summary"), "sections/summary.html.j2", {
        "intro": intro, "blocks": blocks, "notes": _notes(study, b),
        "table": _table(b, study, _key_outcomes(study)),
    })


def _key_outcomes(study: Study) -> list[str]:
    from hrdsim.metrics import OUTCOMES

    return [o.name for o in OUTCOMES if o.key]


def years(b: Builder, weeks: int) -> Any:
    """A horizon in years, to a tenth, without a trailing zero (``2``, ``1.5``)."""
    value = weeks / 52
    return b.num(value, decimals=0 if abs(value - round(value)) < 0.05 else 1)


def no_requests(s: ScenarioData) -> bool:
    """No request went to an HR developer in any replication (sessions were led by
    supervisors or peers, or not held): there is no wait to speak of."""
    requests = s.value("facilitation_requests_per_team_year")
    return requests is not None and requests == 0 and s.value("facilitation_wait_days") is None


def _difference_item(study: Study, b: Builder, alt: ScenarioData,
                     metric: str) -> dict[str, Any] | None:
    found = difference(study, alt.label, metric)
    if found is None:
        return None
    topic = b.t(f"summary.topic.{metric}")
    limit = limit_of(study, metric)
    kind = tone(found, limit)
    if kind == "undefined":
        return {"topic": topic, "text": _undefined(b, (study.baseline, alt)), "tone": kind}
    mean, low, high = found["mean"], found.get("ci_low"), found.get("ci_high")
    stats = ("diff_mean", "diff_ci_low", "diff_ci_high")
    n = b.integer(found["n"], metric, alt.label, "n") if found.get("n") else None
    if kind == "identical" and n is not None:
        est = b.interval(mean, low, high, metric, alt.label, stats)
        change = b.say(f"summary.change.{metric}.identical", mean=est.mean, n=n)
        return {"topic": topic, "text": b.say("summary.item", change=change), "tone": kind}
    if kind == "negligible":
        est = b.interval(mean, low, high, metric, alt.label, stats)
        assert limit is not None
        change = b.say(f"summary.change.{metric}.negligible", mean=est.mean, ci=b.ci(est),
                       threshold=b.num(limit, metric, alt.label, "threshold",
                                       decimals=_threshold_decimals(limit)))
        return {"topic": topic, "text": b.say("summary.item", change=change), "tone": kind}
    if kind in ("same", "identical") or (low is None or high is None):
        est = b.interval(mean, low, high, metric, alt.label, stats)
        change = b.say(f"summary.change.{metric}.same", mean=est.mean, ci=b.ci(est))
    else:
        small, large = sorted((abs(low), abs(high)))
        est = b.interval(abs(mean), small, large, metric, alt.label,
                         ("diff_abs", "diff_abs_low", "diff_abs_high"))
        direction = "up" if mean > 0 else "down"
        change = b.say(f"summary.change.{metric}.{direction}", mean=est.mean, ci=b.ci(est))
    if found.get("better_count") is not None and n is not None:
        text = b.say("summary.item_better", change=change, better=b.integer(
            found["better_count"], metric, alt.label, "better_count"), n=n)
    else:
        text = b.say("summary.item", change=change)
    return {"topic": topic, "text": text, "tone": kind}


def _threshold_decimals(limit: float) -> int:
    """Two significant digits at most, and no trailing zeros: ``0.5``, ``0.14``, ``25``."""
    from hrdsim.report.common import _exact_decimals
    from hrdsim.report.i18n import significant_decimals

    return min(significant_decimals(limit, 2), _exact_decimals(limit))


def _undefined(b: Builder, scenarios: Sequence[ScenarioData]) -> Markup:
    """Why a wait has no number: nobody asked an HR developer, an unstable queue, or no
    request served."""
    if all(no_requests(s) for s in scenarios):
        return b.say("summary.undefined.no_requests")
    unstable = any((s.value("queue_unstable") or 0) > 0 or any(
        (r or {}).get("queue_unstable") for r in s.summary.get("per_replication", []))
        for s in scenarios)
    return b.say("summary.undefined.unstable" if unstable else "summary.undefined.other")


def _level_item(b: Builder, s: ScenarioData, metric: str) -> dict[str, Any] | None:
    if metric == "learning":
        planned = b.estimate(s, "learning_planned_per_fte")
        realised = b.estimate(s, "learning_realised_per_fte")
        lost = b.estimate(s, "learning_lost_share")
        if planned is None or realised is None or lost is None:
            return None
        return {"topic": b.t("summary.topic.learning"), "tone": "neutral",
                "text": b.say("summary.level.learning", planned=planned.mean,
                              realised=realised.mean, lost=lost.mean)}
    est = b.estimate(s, metric)
    if est is None:
        return None
    if s.value(metric) is None:
        return {"topic": b.t(f"summary.topic.{metric}"), "tone": "undefined",
                "text": _undefined(b, (s,))}
    values: dict[str, Any] = {"mean": est.mean, "ci": b.ci(est)}
    if metric == "capability_index":
        change = b.estimate(s, "capability_change")
        if change is None:
            return None
        values.update(change=change.mean, change_ci=b.ci(change))
    return {"topic": b.t(f"summary.topic.{metric}"), "tone": "neutral",
            "text": b.say(f"summary.level.{metric}", **values)}


def _notes(study: Study, b: Builder) -> list[Markup]:
    """How sure the numbers are, in words, and anything that went wrong."""
    n = min((s.replications for s in study.scenarios), default=0)
    notes = [b.say("summary.uncertainty.compare" if study.kind == "compare"
                   else "summary.uncertainty.run", n=b.integer(n))]
    if study.kind == "compare" and any(
            tone(d, limit_of(study, d.get("metric", ""))) == "negligible"
            for d in (study.comparison or {}).get("differences", [])
            if d.get("metric") in HEADLINE):
        notes.append(b.say("summary.negligible"))
    if n < FEW_REPLICATIONS:
        notes.append(b.say("summary.few_replications", n=b.integer(n)))
    if study.kind == "compare" and study.comparison and not study.comparison.get(
            "common_random_numbers", True):
        notes.append(b.say("summary.not_paired"))
    unstable = [s for s in study.scenarios if (s.value("queue_unstable") or 0) > 0]
    for s in unstable:
        notes.append(b.say("summary.unstable", scenario=b.user(s.label)))
    runs = (study.comparison or {}).get("runs") or {}
    notes += runs_notes(runs, b, stopped=bool(runs.get("interrupted")))
    for s in study.scenarios:
        planned = s.summary.get("replications_planned")
        if study.kind == "run" and planned and planned > s.replications:
            notes.append(b.say("summary.partial_run", finished=b.integer(s.replications),
                               planned=b.integer(planned)))
    notes.append(b.say("summary.not_forecast"))
    return notes


# --------------------------------------------------------------------------- scenarios


def scenarios(study: Study, b: Builder) -> Section:
    """The scenarios side by side: what each chose, and the inputs that differ."""
    from hrdsim.report.common import parameter_view
    from hrdsim.report.parameters import parameters, policies_of, policy_summary

    cards = []
    for s in study.scenarios:
        choices = []
        for kind, policy in policies_of(s.record):
            choices.append({
                "kind": b.t(f"policy_kind.{kind}"),
                "name": b.t(f"policy.{policy}") if b.t.has(f"policy.{policy}")
                else b.user(policy, code=True),
                "summary": b.model(policy_summary(kind, policy)),
            })
        org = s.resolved.get("organisation", {})
        operating = s.resolved.get("operating_model", {})
        cards.append({
            "label": b.user(s.label), "role": b.t(f"role.{s.role}"),
            "description": b.user(s.resolved.get("description", "")),
            "path": b.user(s.record.get("path", ""), code=True),
            "facts": b.say("scenarios.facts", people=b.integer(_people(s)),
                           teams=b.integer(int(org.get("units", 0))
                                           * int(org.get("teams_per_unit", 0))),
                           units=b.integer(int(org.get("units", 0))),
                           developers=b.integer(int(operating.get("developers", 0))),
                           weeks=b.integer(int(s.summary.get("weeks", 0)))),
            "choices": choices, "scenario": s.label,
        })
    rows = [parameter_view(p, b) for p in parameters([s.record for s in study.scenarios])
            if p.differs]
    if study.kind == "compare":
        b.export("inputs", b.t("export.sheet.inputs"), _inputs_frame(b, study, rows))
    return Section("scenarios", b.t("section.scenarios"), "sections/scenarios.html.j2", {
        "cards": cards, "rows": rows, "columns": [b.user(label) for label in study.labels],
        "compare": study.kind == "compare",
    })


def _inputs_frame(b: Builder, study: Study, rows: Sequence[dict[str, Any]]) -> Any:
    import pandas as pd

    data = {b.t("export.column.parameter"): [str(r["label_text"]) for r in rows],
            b.t("export.column.key"): [r["key"] for r in rows],
            b.t("export.column.unit"): [r["unit_text"] for r in rows]}
    for i, label in enumerate(study.labels):
        data[label] = [r["raw"][i] for r in rows]
    return pd.DataFrame(data)


# --------------------------------------------------------------------------- over time


def capability(study: Study, b: Builder) -> Section:
    """Capability over time, with 95% bands, and its start, end and change."""
    from hrdsim.report.charts import over_time

    scale, xlabel = _horizon(study, b)
    series = _series(study, "capability_index", scale)
    title = b.t("chart.capability.title")
    fig = over_time(series, b.look, title=title, xlabel=xlabel,
                    ylabel=b.t("chart.capability.y"), band=b.t("chart.band"),
                    marks=_marks(study, scale), xmax=_end(study, scale))
    chart = b.chart("01-capability", fig, title, b.say("chart.capability.caption"))
    starts = {s.label: s.mean[0] if s.mean else None for s in series}
    rows = []
    for s in study.scenarios:
        rows.append({
            "label": b.user(s.label), "scenario": s.label,
            "start": b.num(starts.get(s.label), "capability_index", s.label, "week0_mean",
                           decimals=2),
            "end": b.estimate(s, "capability_index"),
            "change": b.estimate(s, "capability_change"),
            "gini": b.estimate(s, "capability_gini"),
        })
    _export_over_time(study, b, scale)
    return Section("capability", b.t("section.capability"), "sections/capability.html.j2",
                   {"chart": chart, "rows": rows, "text": b.say("capability.text")})


def strategic_gap(study: Study, b: Builder) -> Section:
    """The strategic gap over time: the share of required capability people lack."""
    from hrdsim.report.charts import over_time

    scale, xlabel = _horizon(study, b)
    title = b.t("chart.gap.title")
    fig = over_time(_series(study, "strategic_gap", scale, bounds=(0, 100)), b.look,
                    title=title,
                    xlabel=xlabel, ylabel=b.t("chart.gap.y"), band=b.t("chart.band"),
                    marks=_marks(study, scale), xmax=_end(study, scale), ymin=0)
    chart = b.chart("02-strategic-gap", fig, title, b.say("chart.gap.caption"))
    return Section("gap", b.t("section.gap"), "sections/outcomes.html.j2", {
        "chart": chart, "text": b.say("gap.text"),
        "table": _table(b, study, ("strategic_gap", "strategic_gap_mean")),
    })


def _export_over_time(study: Study, b: Builder, scale: float) -> None:
    import pandas as pd

    assert study.weekly is not None
    frames = []
    columns = (("capability_index", "chart.capability.y"), ("strategic_gap", "chart.gap.y"),
               ("hr_busy_share", "chart.utilisation.y"))
    merged = None
    for column, label_key in columns:
        bands = weekly_bands(study.weekly, column)
        label = b.t(label_key)
        renamed = bands.rename(columns={
            "mean": f"{label}: {b.t('export.stat.mean')}",
            "low": f"{label}: {b.t('export.stat.low')}",
            "high": f"{label}: {b.t('export.stat.high')}"}).drop(columns="n")
        merged = renamed if merged is None else merged.merge(renamed, on=["scenario", "week"])
    assert merged is not None
    merged = merged.rename(columns={"scenario": b.t("export.column.scenario"),
                                    "week": b.t("export.column.week")})
    frames.append(merged)
    b.export("over_time", b.t("export.sheet.over_time"), pd.concat(frames), workbook=False)


# --------------------------------------------------------------------------- learning


def learning(study: Study, b: Builder) -> Section:
    """Learning hours by 70-20-10 mode: planned, realised, and what work pressure took."""
    import pandas as pd

    from hrdsim.report.charts import learning_modes

    modes = []
    for mode, realised, planned in MODES:
        modes.append((b.t(f"mode.{mode}"),
                      {s.label: s.value(planned) for s in study.scenarios},
                      {s.label: s.value(realised) for s in study.scenarios}))
    title = b.t("chart.learning.title")
    fig = learning_modes(study.labels, b.look, modes, title=title,
                         ylabel=b.t("chart.learning.y"), planned=b.t("chart.learning.planned"),
                         realised=b.t("chart.learning.realised"))
    chart = b.chart("03-learning-modes", fig, title, b.say("chart.learning.caption"))
    rows = [name for _, realised, planned in MODES for name in (planned, realised)]
    rows += ["learning_planned_per_fte", "learning_realised_per_fte", "learning_lost_share"]
    unit = b.t.unit("h/FTE/week")
    data: dict[str, list[Any]] = {b.t("export.column.scenario"): study.labels}
    for mode, realised, planned in MODES:
        for key, name in ((planned, "chart.learning.planned"),
                          (realised, "chart.learning.realised")):
            data[b.header(f"{b.t(f'mode.{mode}')}, {b.t(name)}", unit)] = [
                s.value(key) for s in study.scenarios]
    data[b.header(b.outcome_label("learning_lost_share"), b.t.unit("%"))] = [
        s.value("learning_lost_share") for s in study.scenarios]
    b.export("learning", b.t("export.sheet.learning"), pd.DataFrame(data))
    return Section("learning", b.t("section.learning"), "sections/outcomes.html.j2", {
        "chart": chart, "text": b.say("learning.text"), "table": _table(b, study, rows),
    })


# --------------------------------------------------------------------------- facilitation


def facilitation(study: Study, b: Builder) -> Section:
    """How long teams wait for an HR developer, and how busy the developers are.

    A scenario in which no request went to an HR developer (sessions led by
    supervisors or peers) has no wait: it is said so, and when that is true of every
    scenario, no empty chart is drawn.
    """
    from hrdsim.report.charts import grouped_bars, over_time, per_replication

    asking = [s for s in study.scenarios if not no_requests(s)]
    notes = [_no_requests_note(b, s) for s in study.scenarios if no_requests(s)]
    charts = []
    waits: dict[str, Any] = {s.label: s.summary.get("waits_days") for s in asking}
    if asking and all(w and w.get("served") for w in waits.values()):
        categories = _wait_bins(b, next(iter(waits.values()))["upper_days"])
        shares = {label: [100 * c / w["served"] for c in w["counts"]]
                  for label, w in waits.items()}
        title = b.t("chart.waits.title")
        fig = grouped_bars([s.label for s in asking], b.look, categories, shares, title=title,
                           xlabel=b.t("chart.waits.x"), ylabel=b.t("chart.waits.y"))
        charts.append(b.chart("04-waits", fig, title, b.say("chart.waits.caption")))
    elif asking:
        groups = [
            (b.t("chart.waits_runs.mean"), "o",
             {s.label: [r.get("facilitation_wait_days") for r in s.summary.get(
                 "per_replication", [])] for s in asking}),
            (b.t("chart.waits_runs.p90"), "^",
             {s.label: [r.get("facilitation_wait_p90_days") for r in s.summary.get(
                 "per_replication", [])] for s in asking}),
        ]
        title = b.t("chart.waits_runs.title")
        fig = per_replication([s.label for s in asking], b.look, groups, title=title,
                              ylabel=b.t("chart.waits_runs.y"))
        charts.append(b.chart("04-waits", fig, title, b.say("chart.waits_runs.caption")))
    if asking:
        scale, xlabel = _horizon(study, b)
        title = b.t("chart.utilisation.title")
        fig = over_time(_series(study, "hr_busy_share", scale, UTILISATION_WEEKS, (0, 100)),
                        b.look, title=title, xlabel=xlabel, ylabel=b.t("chart.utilisation.y"),
                        band=b.t("chart.band"), xmax=_end(study, scale), ymin=0)
        charts.append(b.chart("05-utilisation", fig, title, b.say(
            "chart.utilisation.caption", weeks=b.integer(UTILISATION_WEEKS))))
    quantiles = []
    for s in asking:
        w = waits.get(s.label)
        if w and w.get("served"):
            quantiles.append({"label": b.user(s.label), "served": b.integer(
                w["served"], "waits_served", s.label, "count"), "values": [
                b.num(w["quantiles"].get(q), f"wait_{q}_days", s.label, "pooled", decimals=1)
                for q in ("p50", "p75", "p90", "p95", "p99")] + [
                b.num(w.get("max"), "wait_max_days", s.label, "pooled", decimals=1)]})
    shown = FACILITATION if asking else tuple(
        name for name in FACILITATION if any(s.value(name) is not None
                                             for s in study.scenarios))
    return Section("facilitation", b.t("section.facilitation"),
                   "sections/facilitation.html.j2", {
                       "charts": charts, "text": b.say("facilitation.text"), "notes": notes,
                       "table": _table(b, study, shown), "quantiles": quantiles,
                       "unit_days": b.t.unit("days")})


def _no_requests_note(b: Builder, s: ScenarioData) -> Markup:
    """Why a scenario has no wait for an HR developer: who led its sessions instead."""
    by = (s.record.get("policies", {}).get("facilitation", {}).get("params") or {}).get("by")
    if isinstance(by, str) and b.t.has(f"choice.{by}") and by != "hr_developer":
        return b.say("facilitation.no_requests_by", scenario=b.user(s.label),
                     by=b.t(f"choice.{by}"))
    return b.say("facilitation.no_requests", scenario=b.user(s.label))


def _wait_bins(b: Builder, upper: Sequence[float | None]) -> list[str]:
    labels = []
    previous: float | None = None
    for bound in upper:
        if previous is None:
            labels.append(b.t("chart.waits.at_once"))
        elif bound is None:
            labels.append(b.t("chart.waits.over", days=b.t.number(previous, 0)))
        else:
            labels.append(b.t("chart.waits.range", low=b.t.number(previous, 0),
                              high=b.t.number(bound, 0)))
        previous = bound
    return labels


# --------------------------------------------------------------------------- cost


def cost(study: Study, b: Builder) -> Section:
    """Cost against capability gained, each with its 95% interval."""
    from hrdsim.report.charts import Point, scatter_with_intervals

    points = []
    for s in study.scenarios:
        c, g = s.outcomes.get("cost_per_fte_year"), s.outcomes.get("capability_change")
        if not c or not g or c.get("mean") is None or g.get("mean") is None:
            continue
        points.append(Point(s.label, c["mean"], _or(c.get("ci_low"), c["mean"]),
                            _or(c.get("ci_high"), c["mean"]), g["mean"],
                            _or(g.get("ci_low"), g["mean"]), _or(g.get("ci_high"), g["mean"])))
    title = b.t("chart.cost.title")
    fig = scatter_with_intervals(points, b.look, title=title, xlabel=b.t("chart.cost.x"),
                                 ylabel=b.t("chart.cost.y"))
    chart = b.chart("06-cost-capability", fig, title, b.say("chart.cost.caption"))
    paired = []
    for alt in study.alternatives:
        dc = difference(study, alt.label, "cost_per_fte_year")
        dg = difference(study, alt.label, "capability_index")
        if dc is None or dg is None:
            continue
        paired.append({
            "label": b.user(alt.label),
            "cost": b.interval(dc.get("mean"), dc.get("ci_low"), dc.get("ci_high"),
                               "cost_per_fte_year", alt.label,
                               ("diff_mean", "diff_ci_low", "diff_ci_high")),
            "capability": b.interval(dg.get("mean"), dg.get("ci_low"), dg.get("ci_high"),
                                     "capability_index", alt.label,
                                     ("diff_mean", "diff_ci_low", "diff_ci_high")),
        })
    return Section("cost", b.t("section.cost"), "sections/cost.html.j2", {
        "chart": chart, "text": b.say("cost.text"), "table": _table(b, study, COSTS),
        "paired": paired, "baseline": b.user(study.baseline.label),
    })


def _or(value: float | None, default: float) -> float:
    return default if value is None else float(value)


# --------------------------------------------------------------------------- differences


def differences(study: Study, b: Builder) -> Section:
    """Every paired difference with its 95% CI: a forest plot and its table."""
    import pandas as pd

    from hrdsim.report.charts import Panel, forest

    assert study.comparison is not None
    found = study.comparison.get("differences", [])
    metrics = list(dict.fromkeys(d["metric"] for d in found))
    alternatives = [s.label for s in study.alternatives]
    panels, rows = [], []
    for metric in metrics:
        of_metric = {d["alternative"]: d for d in found if d["metric"] == metric}
        unit = b.difference_unit(metric)
        limit = limit_of(study, metric)
        better = next(iter(of_metric.values())).get("better") or ""
        note = unit + (f" · {b.t(f'chart.better.{better}')}" if better else "")
        panels.append(Panel(str(b.outcome_label(metric)), note, [
            (alt, _nan(of_metric[alt].get("mean")), _nan(of_metric[alt].get("ci_low")),
             _nan(of_metric[alt].get("ci_high"))) for alt in alternatives if alt in of_metric]))
        for alt in alternatives:
            d = of_metric.get(alt)
            if d is None:
                continue
            rows.append({
                "metric": metric, "label": b.outcome_label(metric), "unit": unit,
                "alternative": b.user(alt),
                "est": b.interval(d.get("mean"), d.get("ci_low"), d.get("ci_high"), metric,
                                  alt, ("diff_mean", "diff_ci_low", "diff_ci_high")),
                "better": None if d.get("better_count") is None else b.integer(
                    d["better_count"], metric, alt, "better_count"),
                "n": b.integer(d.get("n", 0), metric, alt, "n"),
                "tone": tone(d, limit), "tone_text": b.t(f"tone.{tone(d, limit)}"),
            })
    title = b.t("chart.forest.title")
    fig = forest(panels, alternatives, b.look, title=title,
                 missing=b.t("common.not_available"))
    chart = b.chart("07-differences", fig, title, b.say(
        "chart.forest.caption", baseline=b.user(study.baseline.label)))
    data: dict[str, list[Any]] = {b.t("export.column.alternative"): alternatives}
    for metric in metrics:
        of_metric = {d["alternative"]: d for d in found if d["metric"] == metric}
        label = f"Δ {b.outcome_label(metric)}"
        unit = b.difference_unit(metric)
        for stat, key in (("mean", "export.stat.mean"), ("ci_low", "export.stat.low"),
                          ("ci_high", "export.stat.high")):
            data[b.header(label, unit, b.t(key))] = [
                (of_metric.get(a) or {}).get(stat) for a in alternatives]
        data[b.header(label, "", b.t("export.stat.better_count"))] = [
            (of_metric.get(a) or {}).get("better_count") for a in alternatives]
        data[b.header(label, "", b.t("export.stat.n"))] = [
            (of_metric.get(a) or {}).get("n") for a in alternatives]
    b.export("differences", b.t("export.sheet.differences"), pd.DataFrame(data))
    return Section("differences", b.t("section.differences"), "sections/differences.html.j2", {
        "chart": chart, "rows": rows, "baseline": b.user(study.baseline.label),
        "text": b.say("differences.text", baseline=b.user(study.baseline.label),
                      n=b.integer(int(study.comparison.get("replications", 0)))),
    })


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


# --------------------------------------------------------------------------- exports


def export_summary(study: Study, b: Builder) -> None:
    """Every outcome of every scenario: one row per scenario, units in the headers."""
    import pandas as pd

    names: list[str] = []
    for s in study.scenarios:
        names += [n for n in s.outcomes if n not in names]
    data: dict[str, list[Any]] = {
        b.t("export.column.scenario"): study.labels,
        b.t("export.column.replications"): [s.replications for s in study.scenarios],
    }
    for name in names:
        label, unit = b.outcome_label(name), b.outcome_unit(name)
        for stat, key in (("mean", "export.stat.mean"), ("ci_low", "export.stat.low"),
                          ("ci_high", "export.stat.high")):
            data[b.header(label, unit, b.t(key))] = [s.value(name, stat)
                                                     for s in study.scenarios]
    from hrdsim.report.exports import ExportTable

    b.tables.insert(0, ExportTable("summary", b.t("export.sheet.summary"), pd.DataFrame(data)))


__all__ = ["HEADLINE", "MODES", "read", "sections", "tone"]
