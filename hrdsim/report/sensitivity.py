"""Reports of sensitivity analyses (``hrdsim sensitivity --out``).

A sensitivity analysis varies several parameters of one scenario within ranges
and ranks them, per outcome, by Sobol' total-order indices (ST) or Morris' mean
absolute elementary effects (mu*), each with a 95% CI, next to a noise floor:
the index that replication noise alone would give (``docs/sensitivity.md``).
The report says what each headline outcome is sensitive to, shows the ranges,
draws a tornado chart per outcome and lists every index; then the scenario's
assumptions and the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrdsim.report.build import Section
from hrdsim.report.common import runs_notes
from hrdsim.report.data import Study, study_of_one_scenario

if TYPE_CHECKING:
    from hrdsim.report.build import Builder

#: The outcomes the summary speaks of, when the study analysed them.
HEADLINE: tuple[str, ...] = ("capability_index", "strategic_gap", "throughput_per_fte",
                             "facilitation_wait_days", "cost_per_fte_year")


def read(folder: Path, manifest: dict[str, Any]) -> Study:
    """A sensitivity study's results folder: the manifest and ``sensitivity.json``."""
    return study_of_one_scenario("sensitivity", folder, manifest, hint="the study was not "
                                 "written completely: run it again with --out")


def sections(study: Study, b: Builder) -> list[Section]:
    from hrdsim.report import common

    return [summary(study, b), design(study, b), indices(study, b),
            common.assumptions([study.baseline.record], study.labels, b,
                               varied=_varied(study, b)),
            common.manifest(study, b)]


def _varied(study: Study, b: Builder) -> dict[str, str]:
    """Each key the study varied → the range it took."""
    from hrdsim.report.sweep import _show, is_share

    varied = {}
    for r in study.extra["sensitivity"].get("ranges", []):
        share = is_share(r["key"], study)
        values = b.t("sweep.range", low=_show(b, r.get("low"), share),
                     high=_show(b, r.get("high"), share))
        if r.get("integer"):
            values = f"{values} ({b.t('sensitivity.whole_numbers')})"
        varied[r["key"]] = values
    return varied


def parameter_name(key: str, study: Study, b: Builder,
                   in_sentence: bool = False) -> tuple[Any, str]:
    """A varied key in HR terms: its meaning with the key as code (the meaning
    lower-cased to sit inside a sentence, if asked), and as plain text for a chart.

    :return: (what the report shows, plain text).
    """
    from markupsafe import Markup

    from hrdsim.report.common import _plain, parameter_view
    from hrdsim.report.markup import Foreign
    from hrdsim.report.parameters import Parameter, describe_key

    meaning, unit, source, context = describe_key(key, [study.baseline.record])
    if not meaning:
        return b.user(key, code=True), key
    label = parameter_view(Parameter(key, meaning, unit, source, (), context), b)["label"]
    text = _plain(label).rstrip(".")
    words = text[:1].lower() + text[1:] if in_sentence and len(text) > 1 and text[
        1].islower() else text
    shown: Any = Foreign(words, label.lang) if isinstance(label, Foreign) else words
    return Markup("{} ({})").format(shown, b.user(key, code=True)), f"{text} ({key})"


def _index_name(outcome: Mapping[str, Any]) -> str:
    return "mu_star" if outcome.get("index") == "mu_star" else "ST"


def _value(parameter: Mapping[str, Any], outcome: Mapping[str, Any]) -> float | None:
    found = parameter.get(_index_name(outcome))
    return None if found is None else float(found)


def summary(study: Study, b: Builder) -> Section:
    """For each headline outcome, the parameters that move it beyond noise."""
    from hrdsim.report.scenarios import _people

    data = study.extra["sensitivity"]
    base = study.baseline
    design = data.get("design", {})
    intro = b.say(
        f"sensitivity.intro.{data.get('method', 'sobol')}", scenario=b.user(base.label),
        parameters=b.integer(len(data.get("ranges", []))),
        samples=b.integer(int(data.get("samples", 0))),
        points=b.integer(int(design.get("points", 0))),
        distinct=b.integer(int(design.get("distinct_points", design.get("points", 0)))),
        replications=b.integer(int(data.get("replications", 0))),
        weeks=b.integer(int(base.summary.get("weeks", 0))), people=b.integer(_people(base)))
    items = []
    for outcome in data.get("outcomes", []):
        if outcome.get("outcome") not in HEADLINE:
            continue
        label = b.outcome_label(outcome["outcome"])
        if not outcome.get("computed"):
            items.append(b.say("sensitivity.not_computed", outcome=label))
            continue
        above = [p for p in outcome.get("parameters", []) if p.get("distinguishable")]
        if not above:
            items.append(b.say("sensitivity.nothing_above_noise", outcome=label))
            continue
        top = above[0]
        est = b.interval(_value(top, outcome), top.get("ci_low"), top.get("ci_high"),
                         outcome["outcome"], top["parameter"],
                         ("index", "index_ci_low", "index_ci_high"))
        items.append(b.say(
            "sensitivity.top", outcome=label,
            parameter=parameter_name(top["parameter"], study, b, in_sentence=True)[0],
            index=b.t(f"sensitivity.index.{_index_name(outcome)}"), value=est.mean,
            ci=b.ci(est), above=b.integer(len(above)),
            parameters=b.integer(len(outcome.get("parameters", [])))))
    notes = [b.say(f"sensitivity.uncertainty.{data.get('method', 'sobol')}")]
    runs = data.get("runs", {})
    notes += runs_notes(runs, b, stopped=bool(runs.get("interrupted")))
    notes.append(b.say("summary.not_forecast"))
    return Section("summary", b.t("section.summary"), "sections/study_summary.html.j2",
                   {"intro": intro, "items": items, "notes": notes})


def design(study: Study, b: Builder) -> Section:
    """The ranges the parameters were varied in, and the design's size."""
    from hrdsim.report.common import parameter_view
    from hrdsim.report.parameters import Parameter, describe_key

    data = study.extra["sensitivity"]
    varied = _varied(study, b)
    rows = []
    for r in data.get("ranges", []):
        meaning, unit, source, context = describe_key(r["key"], [study.baseline.record])
        view = parameter_view(Parameter(r["key"], meaning, unit, source, (), context), b)
        rows.append({"key": r["key"], "label": view["label"], "unit": view["unit"],
                     "values": varied[r["key"]]})
    spec = data.get("design", {})
    facts = [
        (b.t("sweep.design_method"), b.t(f"sensitivity.method.{data.get('method', 'sobol')}")),
        (b.t("sensitivity.samples"), b.integer(int(data.get("samples", 0)))),
        (b.t("sweep.design_points"), b.integer(int(spec.get("points", 0)))),
        (b.t("manifest.replications"), b.integer(int(data.get("replications", 0)))),
        (b.t("manifest.seed"), b.user(str(data.get("seed")))),
    ]
    return Section("design", b.t("section.design"), "sections/design.html.j2",
                   {"rows": rows, "facts": facts, "text": b.say("sensitivity.design_text")})


def indices(study: Study, b: Builder) -> Section:
    """A tornado chart per outcome, and every index with its interval and the noise floor."""
    from hrdsim.report.charts import TornadoPanel, tornado

    data = study.extra["sensitivity"]
    parameters = [r["key"] for r in data.get("ranges", [])]
    names = {key: parameter_name(key, study, b) for key in parameters}
    panels, rows, missing = [], [], []
    for outcome in data.get("outcomes", []):
        name = outcome["outcome"]
        label = b.outcome_label(name)
        index = _index_name(outcome)
        unit = (b.t("sensitivity.unit.ST") if index == "ST"
                else b.t("sensitivity.unit.mu_star", unit=b.difference_unit(name)))
        if not outcome.get("computed"):
            missing.append({"label": label, "reason": b.model(outcome.get("reason") or "")})
            continue
        floor = outcome.get("noise_floor") or {}
        panels.append(TornadoPanel(
            str(label), f"{b.t(f'sensitivity.index.{index}')} · {unit}",
            [(p["parameter"], _value(p, outcome) or 0.0, _nan(p.get("ci_low")),
              _nan(p.get("ci_high"))) for p in outcome.get("parameters", [])],
            (floor["ci_low"], floor["ci_high"]) if floor.get("ci_low") is not None else None))
        for p in outcome.get("parameters", []):
            rows.append({
                "outcome": label, "metric": name, "rank": b.integer(int(p.get("rank", 0))),
                "parameter": names[p["parameter"]][0] if p["parameter"] in names
                else b.user(p["parameter"], code=True),
                "index": b.interval(_value(p, outcome), p.get("ci_low"), p.get("ci_high"),
                                    name, p["parameter"],
                                    ("index", "index_ci_low", "index_ci_high")),
                "floor": b.num(floor.get("value"), name, p["parameter"], "noise_floor"),
                "above": b.t("common.yes" if p.get("distinguishable") else "common.no"),
                "index_name": b.t(f"sensitivity.index.{index}"),
            })
    title = b.t("chart.tornado.title")
    fig = tornado(panels, parameters, title=title, floor=b.t("chart.tornado.floor"),
                  names={key: text for key, (_, text) in names.items()})
    chart = b.chart("01-tornado", fig, title, b.say("chart.tornado.caption"))
    b.export("indices", b.t("export.sheet.indices"), _indices_frame(data, b, {
        key: text for key, (_, text) in names.items()}))
    return Section("sensitivity", b.t("section.sensitivity"), "sections/indices.html.j2", {
        "chart": chart, "rows": rows, "missing": missing,
        "text": b.say(f"sensitivity.text.{data.get('method', 'sobol')}"),
    })


def _indices_frame(data: Mapping[str, Any], b: Builder, names: Mapping[str, str]) -> Any:
    """One row per outcome × parameter, headers in the report's language."""
    import pandas as pd

    bounds = {r["key"]: r for r in data.get("ranges", [])}
    records = []
    for outcome in data.get("outcomes", []):
        name, index = outcome["outcome"], _index_name(outcome)
        floor = outcome.get("noise_floor") or {}
        unit = (b.t("sensitivity.unit.ST") if index == "ST"
                else b.t("sensitivity.unit.mu_star", unit=b.difference_unit(name)))
        for p in outcome.get("parameters", []):
            key = p["parameter"]
            records.append({
                b.t("export.column.outcome"): str(b.outcome_label(name)),
                b.t("export.column.rank"): p.get("rank"),
                b.t("export.column.parameter"): names.get(key, key),
                b.t("export.column.key"): key,
                b.t("export.column.range_low"): bounds.get(key, {}).get("low"),
                b.t("export.column.range_high"): bounds.get(key, {}).get("high"),
                b.t("export.column.index"): b.t(f"sensitivity.index.{index}"),
                b.t("export.column.unit"): unit,
                b.t("export.column.index_value"): _value(p, outcome),
                b.t("export.stat.low"): p.get("ci_low"),
                b.t("export.stat.high"): p.get("ci_high"),
                b.t("export.column.noise_floor"): floor.get("value"),
                b.t("export.column.above_noise"): b.t(
                    "common.yes" if p.get("distinguishable") else "common.no"),
            })
    return pd.DataFrame(records)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


__all__ = ["read", "sections"]
