"""Reading a results folder into what a report shows.

A results folder says what wrote it in ``manifest.json``: ``"study"`` is
``"compare"``, ``"sweep"`` or ``"sensitivity"``, and a folder without it was
written by ``hrdsim run``. :func:`read_study` reads any of them into a
:class:`Study`; which study kinds are known, and the module that reads and
presents each, is :data:`STUDY_KINDS`.

Nothing here recomputes an outcome: the numbers are those the study wrote
(``summary.json``, ``comparison.json``...). Only the weekly bands are derived
here, from the weekly tables, with the same Student-t interval as every summary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.errors import HrdsimError

if TYPE_CHECKING:
    import pandas as pd

#: Study kind (``manifest.json`` ``"study"``) → the module that reads and presents it.
#: Each module has ``read(folder, manifest) -> Study`` and
#: ``sections(study, builder) -> list[Section]`` (see :mod:`hrdsim.report.build`).
STUDY_KINDS: dict[str, str] = {
    "run": "hrdsim.report.scenarios",
    "compare": "hrdsim.report.scenarios",
    "sweep": "hrdsim.report.sweep",
    "sensitivity": "hrdsim.report.sensitivity",
}

#: Weekly columns the report draws over time.
WEEKLY_COLUMNS: tuple[str, ...] = (
    "capability_index", "strategic_gap", "hr_busy_share", "learning_planned_per_fte",
    "learning_realised_per_fte",
)


class ReportError(HrdsimError):
    """A report cannot be built from the folder given (what is missing, what to do)."""


@attrs.frozen
class ScenarioData:
    """One scenario of a study, as its results folder records it.

    :ivar label: its name as the study shows it (unique within the study).
    :ivar role: ``"baseline"``, ``"alternative"`` or ``"scenario"`` (a single run).
    :ivar summary: its ``summary.json`` entry: ``outcomes`` (mean, ci_low, ci_high,
        sd, n, label, unit), ``per_replication``, ``replications``, ``weeks``, ``seed``.
    :ivar record: its manifest record: path, files, hashes, overrides, ``resolved``
        values and ``policies`` with their parameters.
    """

    label: str
    role: str
    summary: dict[str, Any]
    record: dict[str, Any]

    @property
    def outcomes(self) -> dict[str, dict[str, Any]]:
        return self.summary.get("outcomes", {})

    @property
    def resolved(self) -> dict[str, Any]:
        return self.record.get("resolved", {})

    @property
    def replications(self) -> int:
        return int(self.summary.get("replications", 0))

    def value(self, outcome: str, stat: str = "mean") -> float | None:
        """An outcome's statistic (``mean``, ``ci_low``, ``ci_high``...), ``None`` if absent."""
        found = self.outcomes.get(outcome, {}).get(stat)
        return None if found is None else float(found)


@attrs.frozen
class Study:
    """A results folder read for a report.

    :ivar kind: ``"run"``, ``"compare"``, ``"sweep"`` or ``"sensitivity"``.
    :ivar folder: the results folder.
    :ivar manifest: ``manifest.json``.
    :ivar scenarios: the scenarios, the baseline first.
    :ivar weekly: the weekly table (a ``scenario`` column, then replication, week and
        :data:`WEEKLY_COLUMNS`), or ``None`` when the study has none.
    :ivar comparison: ``comparison.json`` of a comparison, else ``None``.
    :ivar extra: what a study kind reads besides (``sweep.json``...).
    """

    kind: str
    folder: Path
    manifest: dict[str, Any]
    scenarios: tuple[ScenarioData, ...]
    weekly: pd.DataFrame | None = None
    comparison: dict[str, Any] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.scenarios]

    @property
    def baseline(self) -> ScenarioData:
        return self.scenarios[0]

    @property
    def alternatives(self) -> tuple[ScenarioData, ...]:
        return self.scenarios[1:]


def study_kind(folder: Path) -> tuple[str, dict[str, Any]]:
    """What wrote ``folder``, and its manifest.

    :raises ReportError: when the folder or its manifest is missing or unreadable,
        or the study kind is unknown.
    """
    if not folder.is_dir():
        raise ReportError(
            f"{folder}: no such folder; give the folder that `hrdsim run --out` or "
            "`hrdsim compare --out` wrote"
        )
    if not (folder / "manifest.json").is_file():
        raise ReportError(
            f"{folder}: not a results folder (it has no manifest.json); give the folder that "
            "`hrdsim run --out` or `hrdsim compare --out` wrote, or run the study again if "
            "it was not written completely"
        )
    manifest = read_json(folder / "manifest.json")
    kind = manifest.get("study", "run") if isinstance(manifest, dict) else None
    if kind not in STUDY_KINDS:
        raise ReportError(
            f"{folder / 'manifest.json'}: unknown study {kind!r}; a report can be built for "
            + ", ".join(STUDY_KINDS) + " results (is hrdsim older than the folder?)"
        )
    return str(kind), manifest


def read_study(folder: str | Path) -> Study:
    """Read a results folder of any known study kind.

    :raises ReportError: for a folder that is not a complete results folder.
    """
    import importlib

    path = Path(folder)
    kind, manifest = study_kind(path)
    module = importlib.import_module(STUDY_KINDS[kind])
    return module.read(path, manifest)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- files


def read_json(path: Path, hint: str = "") -> Any:
    """A JSON file of a results folder.

    :raises ReportError: naming the file when it is missing or not valid JSON.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{path}: missing" + (f" - {hint}" if hint else "")) from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ReportError(f"{path}: not valid JSON ({exc}); the file is damaged - write the "
                          "results again") from None


def read_weekly(folder: Path, scenario: str | None = None) -> pd.DataFrame:
    """The weekly table's columns the report draws (``weekly.parquet``, else ``weekly.csv``).

    :param scenario: the ``scenario`` column's value for a run's table, which has none.
    :raises ReportError: when neither file is there or the table lacks a column.
    """
    import pyarrow.parquet as pq

    parquet, csv = folder / "weekly.parquet", folder / "weekly.csv"
    wanted = ["replication", "week", *WEEKLY_COLUMNS]
    try:
        if parquet.is_file():  # one file: ParquetFile, which spares loading pyarrow.dataset
            table = pq.ParquetFile(parquet)
            names = set(table.schema_arrow.names)
            columns = [c for c in ("scenario", *wanted) if c in names]
            frame = table.read(columns=columns).to_pandas()
        elif csv.is_file():
            import pandas as pd

            frame = pd.read_csv(csv)
        else:
            raise ReportError(f"{folder}: no weekly table (weekly.parquet or weekly.csv); "
                              "write the results again with --out")
    except (OSError, ValueError) as exc:
        raise ReportError(f"{parquet if parquet.is_file() else csv}: cannot read it "
                          f"({exc})") from None
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ReportError(f"{folder}: the weekly table lacks {', '.join(missing)}; it was "
                          "written by another version of hrdsim - write the results again")
    if "scenario" not in frame.columns:
        frame.insert(0, "scenario", scenario or "")
    return frame[["scenario", *wanted]]


# --------------------------------------------------------------------------- weekly bands


def weekly_bands(weekly: pd.DataFrame, column: str, smooth: int = 1) -> pd.DataFrame:
    """Per scenario and week: the mean of ``column`` over replications and its 95% CI.

    :param smooth: first average each replication over this many weeks (a trailing
        moving average), for a quantity seen only at an instant each week.
    :return: columns scenario, week, mean, low, high, n (``low``/``high`` are NaN for
        one replication, as in every summary).
    """
    import numpy as np
    from scipy.special import stdtrit  # Student's t quantile, without loading scipy.stats

    if smooth > 1:
        weekly = weekly.sort_values(["scenario", "replication", "week"])
        rolled = weekly.groupby(["scenario", "replication"], sort=False)[column].rolling(
            smooth, min_periods=1).mean()
        weekly = weekly.assign(**{column: rolled.to_numpy()})
    grouped = weekly.groupby(["scenario", "week"], sort=False)[column]
    bands = grouped.agg(["mean", "std", "count"]).reset_index()
    n = bands["count"].to_numpy()
    quantile = stdtrit((n - 1).clip(min=1), 0.975)
    half = quantile * bands["std"].to_numpy() / np.sqrt(n.clip(min=1))
    half[n < 2] = float("nan")
    bands["low"] = bands["mean"] - half
    bands["high"] = bands["mean"] + half
    return bands.rename(columns={"count": "n"})[["scenario", "week", "mean", "low", "high",
                                                   "n"]]


def scenarios_of_run(folder: Path, manifest: Mapping[str, Any]) -> list[ScenarioData]:
    summary = read_json(folder / "summary.json")
    return [ScenarioData(label=summary.get("scenario", manifest["scenario"]["name"]),
                         role="scenario", summary=summary, record=manifest["scenario"])]


def scenarios_of_comparison(folder: Path, manifest: Mapping[str, Any]) -> list[ScenarioData]:
    summary = read_json(folder / "summary.json")
    records: Sequence[dict[str, Any]] = manifest.get("scenarios", [])
    entries = summary.get("scenarios", [])
    if len(records) != len(entries) or not records:
        raise ReportError(f"{folder}: manifest.json and summary.json list different scenarios; "
                          "write the comparison again")
    return [ScenarioData(label=record.get("label", entry["scenario"]), role=record["role"],
                         summary=entry, record=record)
            for record, entry in zip(records, entries, strict=True)]


def study_of_one_scenario(kind: str, folder: Path, manifest: dict[str, Any],
                          hint: str) -> Study:
    """A study that varies one scenario (a sweep, a sensitivity analysis): the manifest
    and ``<kind>.json``, kept in ``extra[kind]``.

    :param hint: what to do when ``<kind>.json`` is missing or incomplete.
    """
    study = read_json(folder / f"{kind}.json", hint=hint)
    record = manifest.get("scenario", {})
    summary = {"weeks": record.get("resolved", {}).get("weeks", 0),
               "replications": study.get("replications", 0), "outcomes": {}}
    scenario = ScenarioData(label=str(record.get("name", study.get("scenario", {}).get(
        "name", ""))), role="scenario", summary=summary, record=record)
    return Study(kind, folder, manifest, (scenario,), extra={kind: study})


__all__ = ["STUDY_KINDS", "ReportError", "ScenarioData", "Study", "read_json", "read_study",
           "read_weekly", "study_kind", "study_of_one_scenario", "weekly_bands"]
