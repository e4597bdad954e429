"""Reports of parameter sweeps (``hrdsim sweep --out``).

A sweep runs one scenario at every point of a design (a grid, or a Latin
hypercube); its folder holds ``sweep.json`` with every point's outcomes (mean and
95% CI over its replications) and the best point for capability. The report
says where the best point is and which points are within noise of it, shows the
design, draws each headline outcome against each varied key, and lists every
point; then the base scenario's assumptions and the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrdsim.report.build import Section
from hrdsim.report.common import runs_notes
from hrdsim.report.data import Study, study_of_one_scenario

if TYPE_CHECKING:
    from markupsafe import Markup

    from hrdsim.report.build import Builder

#: The outcomes drawn against the design's keys, in this order (those the sweep has).
HEADLINE: tuple[str, ...] = ("capability_index", "strategic_gap", "throughput_per_fte",
                             "facilitation_wait_days", "cost_per_fte_year")

#: At most this many keys are drawn (one column each); the table has them all.
MAX_KEYS_DRAWN = 4

#: A grid key with at most this many values is ticked at its values.
MAX_TICKS = 8

#: Designs with more points list the best ones by capability only.
MAX_ROWS = 100


def read(folder: Path, manifest: dict[str, Any]) -> Study:
    """A sweep's results folder: the manifest and ``sweep.json``."""
    return study_of_one_scenario("sweep", folder, manifest, hint="the sweep was not written "
                                 "completely: continue it with --resume, or run it again "
                                 "with --out")


def sections(study: Study, b: Builder) -> list[Section]:
    from hrdsim.report import common

    return [summary(study, b), design(study, b), points(study, b),
            common.assumptions([study.baseline.record], study.labels, b,
                               varied=_varied(study, b)),
            common.manifest(study, b)]


def _varied(study: Study, b: Builder) -> dict[str, str]:
    """Each key the sweep varied → the values (a grid) or range (a hypercube) it took."""
    spec = study.extra["sweep"].get("design", {})
    varied = {}
    for key in spec.get("keys", []):
        share = is_share(key, study)
        if spec.get("method") == "grid":
            varied[key] = ", ".join(_show(b, v, share)
                                    for v in spec.get("grid", {}).get(key, []))
        else:
            bounds = spec.get("ranges", {}).get(key, {})
            varied[key] = b.t("sweep.range", low=_show(b, bounds.get("low"), share),
                              high=_show(b, bounds.get("high"), share))
    return varied


def is_share(key: str, study: Study) -> bool:
    """Whether a key's values are shares (0-1), shown as percentages."""
    from hrdsim.report.parameters import describe_key

    return describe_key(key, [study.baseline.record])[1].startswith("share")


def _values(study: Study, b: Builder, values: Mapping[str, Any]) -> Markup:
    """``key = value, key = value`` for a point."""
    from markupsafe import Markup, escape

    return Markup(", ").join(
        Markup("{} = {}").format(b.user(key, code=True),
                                 escape(_show(b, value, is_share(key, study))))
        for key, value in values.items())


def _show(b: Builder, value: Any, share: bool = False) -> str:
    """A value of a varied key: a share as a percentage (``5%``), a number with the
    decimals it has, a choice by its name."""
    if isinstance(value, bool):
        return b.t("common.yes" if value else "common.no")
    if isinstance(value, int | float):
        from hrdsim.report.common import _exact_decimals

        if share and 0 <= value <= 1:
            return b.t.percent(value, max(min(_exact_decimals(value * 100), 2), 0))
        return b.t.number(value, min(_exact_decimals(value), 4))
    for prefix in ("policy", "choice"):
        if isinstance(value, str) and b.t.has(f"{prefix}.{value}"):
            return b.t(f"{prefix}.{value}")
    return str(value)


def summary(study: Study, b: Builder) -> Section:
    """Where the best point is, and how sure: the points within noise of it."""
    from markupsafe import Markup

    from hrdsim.report.scenarios import _people
    from hrdsim.report.sensitivity import parameter_name

    sweep = study.extra["sweep"]
    base = study.baseline
    keys = sweep.get("design", {}).get("keys", [])
    weeks = int(base.summary.get("weeks", 0))
    intro = b.say(
        "sweep.intro", scenario=b.user(base.label),
        points=b.integer(len(sweep.get("points", []))),
        method=b.t(f"sweep.method.{sweep.get('design', {}).get('method', 'grid')}"),
        varied=Markup("; ").join(parameter_name(key, study, b, in_sentence=True)[0]
                                 for key in keys),
        replications=b.integer(int(sweep.get("replications", 0))),
        weeks=b.integer(weeks), people=b.integer(_people(base)))
    items = []
    best = sweep.get("best")
    if best and best.get("mean") is not None:
        est = b.interval(best["mean"], best.get("ci_low"), best.get("ci_high"),
                         best["metric"], f"point {best['point']}")
        noise = best.get("within_noise") or []
        items.append(b.say(
            "sweep.best", outcome=b.outcome_in_text(best["metric"]),
            point=b.integer(best["point"]), values=_values(study, b, best.get("values", {})),
            mean=est.mean, unit=b.outcome_unit(best["metric"]), ci=b.ci(est)))
        items.append(b.say("sweep.within_noise", points=", ".join(str(p) for p in noise))
                     if noise else b.say("sweep.none_within_noise"))
    notes = [b.say("sweep.uncertainty", n=b.integer(int(sweep.get("replications", 0))))]
    runs = sweep.get("runs", {})
    notes += runs_notes(runs, b, stopped=bool(
        runs.get("interrupted") or runs.get("finished", 0) < runs.get("planned", 0)))
    notes.append(b.say("summary.not_forecast"))
    return Section("summary", b.t("section.summary"), "sections/study_summary.html.j2",
                   {"intro": intro, "items": items, "notes": notes})


def design(study: Study, b: Builder) -> Section:
    """The varied keys, their values or ranges, and how the points were chosen."""
    from hrdsim.report.common import parameter_view
    from hrdsim.report.parameters import Parameter, describe_key

    sweep = study.extra["sweep"]
    spec = sweep.get("design", {})
    varied = _varied(study, b)
    rows = []
    for key in spec.get("keys", []):
        meaning, unit, source, context = describe_key(key, [study.baseline.record])
        view = parameter_view(Parameter(key, meaning, unit, source, (), context), b)
        rows.append({"key": key, "label": view["label"], "unit": view["unit"],
                     "values": varied[key]})
    facts = [
        (b.t("sweep.design_method"), b.t(f"sweep.method.{spec.get('method', 'grid')}")),
        (b.t("sweep.design_points"), b.integer(len(spec.get("points", [])))),
        (b.t("manifest.replications"), b.integer(int(sweep.get("replications", 0)))),
        (b.t("manifest.seed"), b.user(str(sweep.get("seed")))),
    ]
    return Section("design", b.t("section.design"), "sections/design.html.j2",
                   {"rows": rows, "facts": facts, "text": b.say("sweep.design_text")})


def points(study: Study, b: Builder) -> Section:
    """Each headline outcome against each varied key, and every point's numbers."""
    import pandas as pd

    sweep = study.extra["sweep"]
    keys = list(sweep.get("design", {}).get("keys", []))
    found = sweep.get("points", [])
    metrics = [m for m in HEADLINE if any(m in p.get("outcomes", {}) for p in found)]
    chart = _chart(study, b, keys, found, metrics,
                   sweep.get("design", {}).get("method") == "grid")
    best = (sweep.get("best") or {}).get("point")
    shown = found
    if len(found) > MAX_ROWS:
        shown = sorted(found, key=lambda p: -(_mean(p, "capability_index") or float("-inf")))
        shown = sorted(shown[:MAX_ROWS], key=lambda p: p["point"])
    shares = {k: is_share(k, study) for k in keys}
    rows = []
    for p in shown:
        label = f"point {p['point']}"
        rows.append({
            "point": b.integer(p["point"]), "best": p["point"] == best,
            "values": [_show(b, p.get("values", {}).get(k), shares[k]) for k in keys],
            "replications": b.integer(int(p.get("replications", 0))),
            "cells": [_cell(b, p, m, label) for m in metrics],
        })
    data: dict[str, list[Any]] = {b.t("export.column.point"): [p["point"] for p in found]}
    for key in keys:
        data[key] = [p.get("values", {}).get(key) for p in found]
    data[b.t("export.column.replications")] = [p.get("replications") for p in found]
    for metric in (sweep.get("metrics") or metrics):
        label, unit = b.outcome_label(metric), b.outcome_unit(metric)
        for stat, name in (("mean", "export.stat.mean"), ("ci_low", "export.stat.low"),
                           ("ci_high", "export.stat.high")):
            data[b.header(label, unit, b.t(name))] = [
                p.get("outcomes", {}).get(metric, {}).get(stat) for p in found]
    b.export("points", b.t("export.sheet.points"), pd.DataFrame(data))
    return Section("points", b.t("section.points"), "sections/points.html.j2", {
        "chart": chart, "keys": [b.user(k, code=True) for k in keys], "rows": rows,
        "metrics": [{"label": b.outcome_label(m), "unit": b.outcome_unit(m)} for m in metrics],
        "text": b.say("sweep.points_text"),
        "truncated": b.say("sweep.truncated", shown=b.integer(len(shown)),
                           points=b.integer(len(found))) if len(shown) < len(found) else "",
    })


def _mean(point: Mapping[str, Any], metric: str) -> float | None:
    value = point.get("outcomes", {}).get(metric, {}).get("mean")
    return None if value is None else float(value)


def _cell(b: Builder, point: Mapping[str, Any], metric: str, label: str) -> Any:
    found = point.get("outcomes", {}).get(metric)
    if not found:
        return None
    return b.interval(found.get("mean"), found.get("ci_low"), found.get("ci_high"), metric,
                      label)


def _chart(study: Study, b: Builder, keys: Sequence[str], found: Sequence[Mapping[str, Any]],
           metrics: Sequence[str], grid: bool) -> Any:
    from hrdsim.report.charts import EffectPanel, main_effects
    from hrdsim.report.sensitivity import parameter_name

    drawn = keys[:MAX_KEYS_DRAWN]
    shares = {k: is_share(k, study) for k in keys}
    ticks: dict[int, list[tuple[float, str]]] = {}
    position: dict[str, dict[Any, float]] = {}
    columns = []
    for c, key in enumerate(drawn):
        values = [p.get("values", {}).get(key) for p in found]
        name = parameter_name(key, study, b)[1]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            scale = 100.0 if shares[key] else 1.0  # a share is drawn in percent
            position[key] = {v: scale * float(v) for v in values}
            distinct = sorted(set(values))
            if grid and len(distinct) <= MAX_TICKS:  # a grid's own values, as the table has them
                ticks[c] = [(scale * float(v), _show(b, v, shares[key])) for v in distinct]
            elif shares[key]:
                name += " (%)"
        else:  # choices (a policy's name, true/false): one place each, in first-seen order
            order = list(dict.fromkeys(values))
            position[key] = {v: float(i) for i, v in enumerate(order)}
            ticks[c] = [(float(i), _show(b, v)) for i, v in enumerate(order)]
        columns.append(name)
    two_key_grid = grid and len(keys) == 2
    groups: list[str] = [""]
    if two_key_grid:
        groups = [f"{key} = {_show(b, v, shares[key])}" for key in keys for v in dict.fromkeys(
            p.get("values", {}).get(key) for p in found)]
    rows = []
    for metric in metrics:
        row = []
        for key in drawn:
            other = next((k for k in keys if k != key), None) if two_key_grid else None
            series: dict[str, list[tuple[float, float, float, float]]] = {}
            for p in found:
                o = p.get("outcomes", {}).get(metric) or {}
                if o.get("mean") is None:
                    continue
                name = (f"{other} = {_show(b, p['values'].get(other), shares[other])}"
                        if other is not None else "")
                mean = float(o["mean"])
                series.setdefault(name, []).append((
                    position[key][p["values"].get(key)], mean,
                    float(o["ci_low"]) if o.get("ci_low") is not None else mean,
                    float(o["ci_high"]) if o.get("ci_high") is not None else mean))
            row.append(EffectPanel(series))
        rows.append(row)
    title = b.t("chart.sweep.title")
    fig = main_effects(
        rows, title=title,
        rows=[f"{b.outcome_label(m)} ({b.outcome_unit(m)})" for m in metrics],
        columns=columns, ticks=ticks, groups=groups, joined=grid)
    return b.chart("01-sweep-outcomes", fig, title, b.say("chart.sweep.caption"))


__all__ = ["read", "sections"]
