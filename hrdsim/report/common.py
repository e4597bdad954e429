"""Sections every report ends with: the assumptions and the manifest.

The assumptions list every parameter that shaped the results - its meaning, its
value in each scenario, its unit and the source or reason for it, from the
declarations in the code (:mod:`hrdsim.report.parameters`) - and the limits of
the model (``docs/model.md``, "Limits of the model"). The manifest says how to
trace and re-run the study: versions, seeds, scenario files and their hashes,
plugins, the command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hrdsim.report.build import Section
from hrdsim.report.parameters import MISSING, Parameter, parameters

if TYPE_CHECKING:
    from hrdsim.report.build import Builder
    from hrdsim.report.data import Study

#: The limits of the model, in the order docs/model.md lists them; each has a
#: ``limits.<name>.title`` (the bullet's bold lead) and ``limits.<name>.text``.
LIMITS: tuple[str, ...] = (
    "turnover", "pressure", "fires", "output", "sessions", "harm", "knowledge",
    "forgetting", "spacing", "managers", "strategy", "capability", "costs", "defaults",
)

#: Keys whose value is a policy's name, and the catalogue entry that names them.
POLICY_KEYS: dict[str, str] = {
    "learning.policy": "param.learning_policy",
    "operating_model.policy": "param.operating_model_policy",
    "facilitation.policy": "param.facilitation_policy",
}

_ASSUMPTION = re.compile(r"^assumption\b[:;,]?\s*", re.IGNORECASE)


def assumptions(records: Sequence[Mapping[str, Any]], labels: Sequence[str],
                b: Builder, varied: Mapping[str, Any] | None = None) -> Section:
    """Every parameter with its value per scenario, unit and source; then the model's limits.

    :param varied: keys a sweep or a sensitivity analysis varied → what to show instead
        of the base scenario's value (the values or the range they took).
    """
    import pandas as pd

    rows = [parameter_view(p, b) for p in parameters(records)]
    for row in rows:
        if varied and row["key"] in varied:
            shown = b.say("assumptions.varied", values=varied[row["key"]])
            row.update(values=[shown] * len(row["values"]), raw=[_plain(shown)] * len(
                row["raw"]), differs=True)
    data: dict[str, list[Any]] = {
        b.t("export.column.parameter"): [r["label_text"] for r in rows],
        b.t("export.column.key"): [r["key"] for r in rows],
        b.t("export.column.unit"): [r["unit_text"] for r in rows],
    }
    for i, label in enumerate(labels):
        data[label] = [r["raw"][i] for r in rows]
    data[b.t("export.column.source")] = [r["source_text"] for r in rows]
    b.export("assumptions", b.t("export.sheet.assumptions"), pd.DataFrame(data))
    limits = [{"title": b.t(f"limits.{name}.title"), "text": b.t(f"limits.{name}.text")}
              for name in LIMITS]
    return Section("assumptions", b.t("section.assumptions"), "sections/assumptions.html.j2", {
        "rows": rows, "columns": [b.user(label) for label in labels], "limits": limits,
        "text": b.say("assumptions.text"),
        "foreign_note": b.t("assumptions.sources_in_english") if b.t.lang != "en" else "",
    })


def parameter_view(p: Parameter, b: Builder) -> dict[str, Any]:
    """A parameter as the report shows it: its meaning in HR terms, values, unit, source."""
    if p.key in POLICY_KEYS:
        label: Any = b.t(POLICY_KEYS[p.key])
    elif p.meaning:
        meaning = b.model(p.meaning)
        if p.context and b.t.has(f"mode.{p.context}"):
            label = b.say("assumptions.in_mode", mode=b.t(f"mode.{p.context}"),
                          meaning=meaning)
        elif p.context and p.key.startswith("strategy.required."):
            label = b.say("assumptions.required_level", skill=b.user(p.context, code=True))
        elif p.context:
            label = b.say("assumptions.for_skill", skill=b.user(p.context, code=True),
                          meaning=meaning)
        else:
            label = meaning
    else:
        label = b.user(p.key, code=True)
    source = p.source
    assumption = bool(_ASSUMPTION.match(source))
    reason = _ASSUMPTION.sub("", source) if assumption else source
    shown_reason = b.model(reason) if reason else ""
    return {
        "key": p.key, "label": label, "label_text": _plain(label),
        "unit": b.model(p.unit) if p.unit else "", "unit_text": b.t.unit(p.unit),
        "differs": p.differs,
        "values": [show_value(v, p, b) for v in p.values],
        "raw": [_raw(v) for v in p.values],
        "assumption": assumption, "reason": shown_reason,
        "source_text": (b.t("assumptions.assumption") + (": " if reason else "")
                        if assumption else "") + reason,
    }


def show_value(value: Any, p: Parameter, b: Builder) -> Any:
    """A parameter's value in HR terms: shares as percentages, choices by name."""
    if value is MISSING:
        return b.t("common.not_set")
    if isinstance(value, bool):
        return b.t("common.yes" if value else "common.no")
    if isinstance(value, int | float):
        if p.unit.startswith("share") and 0 <= value <= 1:
            return b.t.percent(value, max(_exact_decimals(value * 100), 0))
        return b.t.number(value, _exact_decimals(value))
    if isinstance(value, str):
        for prefix in ("policy", "choice"):
            if b.t.has(f"{prefix}.{value}"):
                return b.t(f"{prefix}.{value}")
        return b.user(value, code=True)
    if isinstance(value, list | tuple):
        if not value:
            return b.t("common.none")
        return b.user(", ".join(str(v) for v in value), code=True)
    return b.user(str(value), code=True)


def _exact_decimals(value: float) -> int:
    for decimals in range(7):
        if abs(round(value, decimals) - value) <= 1e-9 * max(1.0, abs(value)):
            return decimals
    return 6


def _raw(value: Any) -> Any:
    if value is MISSING:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _plain(label: Any) -> str:
    """A label as plain text (for spreadsheets): markup stripped, entities resolved."""
    import html

    from markupsafe import Markup

    if hasattr(label, "__html__"):
        return html.unescape(Markup(label.__html__()).striptags())
    return str(label)


# --------------------------------------------------------------------------- manifest


def manifest(study: Study, b: Builder) -> Section:
    """Versions, seeds, scenario files and hashes, plugins and the command."""
    m = study.manifest
    facts: list[tuple[str, Any]] = [
        (b.t("manifest.hrdsim"), b.user(str(m.get("hrdsim_version", "")))),
        (b.t("manifest.study"), b.t(f"report.kind.{study.kind}")),
        (b.t("manifest.command"), b.user(" ".join(map(str, m.get("command", []))), code=True)),
    ]
    seeds = m.get("seeds")
    if isinstance(seeds, Mapping):
        facts.append((b.t("manifest.seed"), b.user(str(seeds.get("seed")))))
        facts.append((b.t("manifest.crn"), b.t("common.yes" if seeds.get(
            "common_random_numbers") else "common.no")))
    elif m.get("seed") is not None:
        facts.append((b.t("manifest.seed"), b.user(str(m.get("seed")))))
    replications = _replications(m, b)
    if replications is not None:
        facts.append((b.t("manifest.replications"), replications))
    if m.get("random_streams"):
        facts.append((b.t("manifest.streams"), b.user(str(m["random_streams"]), code=True)))
    if isinstance(m.get("executor"), Mapping):
        facts.append((b.t("manifest.executor"), executor_text(m["executor"], b)))
    if isinstance(m.get("runs"), Mapping):
        facts.append((b.t("manifest.runs"), runs_text(m["runs"], b)))
    if m.get("wall_seconds") is not None:
        facts.append((b.t("manifest.seconds"), b.num(float(m["wall_seconds"]), decimals=1)))
    facts.append((b.t("manifest.platform"), b.user(str(m.get("platform", "")))))
    versions = [(b.user(name), b.user(str(v))) for name, v in (m.get("versions") or {}).items()]
    scenarios = [{
        "label": b.user(s.label), "path": b.user(str(s.record.get("path", "")), code=True),
        "files": [b.user(str(f), code=True) for f in s.record.get("files", [])],
        "file_sha256": b.user(str(s.record.get("file_sha256", "")), code=True),
        "values_sha256": b.user(str(s.record.get("values_sha256", "")), code=True),
        "overrides": [b.user(str(o), code=True) for o in s.record.get("overrides", [])],
    } for s in study.scenarios]
    plugins = [{key: b.user(str(p.get(key, ""))) for key in
                ("name", "distribution", "version", "module")} for p in m.get("plugins", [])]
    return Section("manifest", b.t("section.manifest"), "sections/manifest.html.j2", {
        "facts": facts, "versions": versions, "scenarios": scenarios, "plugins": plugins,
        "text": b.say("manifest.text"),
    })


def _replications(m: Mapping[str, Any], b: Builder) -> Any:
    """"5 (numbered 0-4)": how many replications, and which streams they drew."""
    count = m.get("replications")
    seeds = m.get("seeds")
    numbered = seeds.get("replications") if isinstance(seeds, Mapping) else None
    if not isinstance(count, int) or isinstance(count, bool):
        return b.user(str(numbered)) if numbered is not None else None
    if isinstance(numbered, str) and numbered:
        return b.say("manifest.replications_numbered", n=b.integer(count),
                     numbers=b.user(numbered.replace("-", "–")))
    return b.integer(count)


def executor_text(executor: Mapping[str, Any], b: Builder) -> Any:
    """Where the runs ran, in words: "2 local worker processes", "a Dask cluster at ..."."""
    kind = executor.get("kind")
    workers = executor.get("workers")
    if kind == "serial":
        return b.t("manifest.executor_serial")
    if kind in ("processes", "threads") and isinstance(workers, int):
        return b.say(f"manifest.executor_{kind}", workers=b.integer(workers))
    if kind == "dask":
        return b.say("manifest.executor_dask",
                     scheduler=b.user(str(executor.get("scheduler", "")), code=True),
                     threads=b.integer(int(executor.get("threads", 0) or 0)))
    return b.user(str(kind), code=True)


def runs_text(runs: Mapping[str, Any], b: Builder) -> Any:
    """"15 of 15 finished, 0 failed" (and resumed or interrupted when so)."""
    text = b.say("manifest.runs_value", finished=b.integer(int(runs.get("finished", 0))),
                 planned=b.integer(int(runs.get("planned", 0))),
                 failed=b.integer(int(runs.get("failed", 0))))
    if runs.get("resumed"):
        text += b.say("manifest.runs_resumed", resumed=b.integer(int(runs["resumed"])))
    if runs.get("interrupted"):
        text += b.say("manifest.runs_interrupted")
    return text


def runs_notes(runs: Mapping[str, Any], b: Builder, stopped: bool) -> list[Any]:
    """The summary's notes on a study's runs: how many failed, and, when it ``stopped``
    before every run finished, how many did."""
    notes = []
    finished = b.integer(runs.get("finished", 0))
    if runs.get("failed"):
        notes.append(b.say("summary.failed", failed=b.integer(runs["failed"]), finished=finished))
    if stopped:
        notes.append(b.say("summary.interrupted", finished=finished,
                           planned=b.integer(runs.get("planned", 0))))
    return notes


__all__ = ["LIMITS", "assumptions", "executor_text", "manifest", "parameter_view",
           "runs_notes", "runs_text", "show_value"]
