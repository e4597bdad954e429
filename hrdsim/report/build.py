"""Building a report: one self-contained HTML file, its charts and its tables.

:func:`build_report` reads a results folder (:func:`hrdsim.report.data.read_study`),
asks the module of its study kind (:data:`hrdsim.report.data.STUDY_KINDS`) for the
report's sections, and writes, each file atomically:

* the HTML report (``report.html``, ``report.fi.html``...), with every style and
  chart inline - it opens anywhere, with no network, and runs no script;
* every chart as PNG (200 dpi) and SVG in ``charts/<lang>/``;
* every table as CSV and all of them in one workbook in ``tables/<lang>/``.

A study kind's module builds its sections with a :class:`Builder`, which holds
the catalogue, each scenario's look in the charts, and writes charts and tables.
"""

from __future__ import annotations

import base64
import datetime
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hrdsim.report.data import STUDY_KINDS, ReportError, read_study
from hrdsim.report.i18n import Catalogue, interval_decimals
from hrdsim.report.markup import Foreign, Num, User, say

if TYPE_CHECKING:
    import pandas as pd
    from markupsafe import Markup
    from matplotlib.figure import Figure

    from hrdsim.report.charts import Look
    from hrdsim.report.data import ScenarioData, Study
    from hrdsim.report.exports import ExportTable

WORKBOOK = "tables.xlsx"


@attrs.frozen
class ChartView:
    """A chart as the report shows it: inline SVG, with its files for slides."""

    id: str
    title: str
    caption: Any
    src: str
    png: str
    svg: str
    width: float
    height: float


@attrs.frozen
class Section:
    """One section of the report: its anchor, heading, template and what the template shows."""

    id: str
    title: str
    template: str
    context: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Estimate:
    """A mean and its 95% CI as shown, with the same decimals."""

    mean: Num
    low: Num | None
    high: Num | None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@attrs.frozen
class ReportFiles:
    """What :func:`build_report` wrote."""

    html: Path
    charts: list[Path]
    tables: list[Path]
    seconds: float = 0.0


@attrs.define(eq=False)
class Builder:
    """What a study kind's sections are built with.

    :ivar study: the results folder, read.
    :ivar t: the catalogue of the report's language (``t("key", name=...)``).
    :ivar look: each scenario's colour, line style and marker.
    """

    study: Study
    t: Catalogue
    look: dict[str, Look]
    charts_folder: Path
    html_folder: Path
    chart_files: list[Path] = attrs.field(factory=list)
    tables: list[ExportTable] = attrs.field(factory=list)

    # -- text ---------------------------------------------------------------------

    def say(self, key: str, /, **values: Any) -> Markup:
        """A catalogue message with values (numbers, names) inserted safely."""
        return say(self.t(key), **values)

    def model(self, english: str) -> Any:
        """The model's English vocabulary in the report's language (marked when untranslated)."""
        text = self.t.model(english)
        return Foreign(text.text, text.lang) if text.lang != self.t.lang else text.text

    def user(self, text: str, code: bool = False) -> User:
        return User(str(text), code)

    def outcome_label(self, name: str) -> Any:
        """An outcome's label in the report's language."""
        from hrdsim.metrics import OUTCOME_BY_NAME

        if self.t.has(f"outcome.{name}"):  # the full name of a part ("  on the job")
            return self.t(f"outcome.{name}")
        meta = OUTCOME_BY_NAME.get(name)
        return self.model(meta.label.strip()) if meta else self.user(name, code=True)

    def outcome_in_text(self, name: str) -> Any:
        """An outcome's label inside a sentence: 'capability index (end)', but 'HR ...'."""
        label = self.outcome_label(name)
        text = str(label)
        if len(text) > 1 and text[1].islower() and isinstance(label, str):
            return text[:1].lower() + text[1:]
        return label

    def outcome_unit(self, name: str) -> str:
        from hrdsim.metrics import OUTCOME_BY_NAME

        meta = OUTCOME_BY_NAME.get(name)
        return self.t.unit(meta.unit) if meta else ""

    def difference_unit(self, name: str) -> str:
        """The unit of a difference in an outcome: percentage points for a percentage
        (a gap of 9% narrowed to 1% changed by 8 percentage points, not by 8%), points
        for the 0-100 index."""
        from hrdsim.metrics import OUTCOME_BY_NAME

        meta = OUTCOME_BY_NAME.get(name)
        if meta is not None and meta.unit == "%":
            return self.t("unit.percentage_points")
        if meta is not None and meta.unit == "0-100":
            return self.t.unit("points")
        return self.outcome_unit(name)

    # -- numbers --------------------------------------------------------------------

    def num(self, value: float | None, metric: str = "", scenario: str = "", stat: str = "",
            decimals: int | None = None) -> Num:
        return Num(self.t.number(value, decimals), value, metric, scenario, stat)

    def integer(self, value: int, metric: str = "", scenario: str = "", stat: str = "") -> Num:
        return Num(self.t.integer(value), float(value), metric, scenario, stat)

    def estimate(self, scenario: ScenarioData, outcome: str) -> Estimate | None:
        """An outcome's mean and 95% CI for a scenario, from its summary."""
        found = scenario.outcomes.get(outcome)
        if found is None:
            return None
        return self.interval(found.get("mean"), found.get("ci_low"), found.get("ci_high"),
                             outcome, scenario.label)

    def interval(self, mean: float | None, low: float | None, high: float | None,
                 metric: str, scenario: str, stats: Sequence[str] = ("mean", "ci_low",
                                                                      "ci_high")) -> Estimate:
        """A value and its interval as :class:`Num`, with decimals fit to the interval."""
        decimals = None if mean is None else interval_decimals(mean, low, high)
        has = low is not None and high is not None
        return Estimate(
            self.num(mean, metric, scenario, stats[0], decimals),
            self.num(low, metric, scenario, stats[1], decimals) if has else None,
            self.num(high, metric, scenario, stats[2], decimals) if has else None,
        )

    def ci(self, est: Estimate) -> Markup:
        """"95% CI 1.2 to 1.4", or that one replication gives no interval."""
        if est.low is None or est.high is None:
            return self.say("common.no_interval")
        return self.say("common.ci", low=est.low, high=est.high)

    # -- charts and tables ------------------------------------------------------------

    def chart(self, stem: str, fig: Figure, title: str, caption: Any) -> ChartView:
        """Write a chart as PNG and SVG and return it for the HTML report."""
        from hrdsim.report.charts import save

        written = save(fig, self.charts_folder, stem, self.t.number)
        self.chart_files += [written.png, written.svg]
        src = "data:image/svg+xml;base64," + base64.b64encode(written.svg_bytes).decode("ascii")
        base = self.html_folder
        return ChartView(
            id=f"chart-{stem}", title=title, caption=caption, src=src,
            png=_relative(written.png, base), svg=_relative(written.svg, base),
            width=written.width, height=written.height,
        )

    def export(self, name: str, sheet: str, frame: pd.DataFrame, workbook: bool = True) -> None:
        """Add a table to the CSV files and (unless ``workbook`` is false: a long series)
        to the workbook."""
        from hrdsim.report.exports import ExportTable

        self.tables.append(ExportTable(name, sheet, frame, workbook))

    def header(self, label: Any, unit: str, stat: str = "") -> str:
        """A spreadsheet column header with its unit: ``Label [unit]: stat``."""
        text = f"{label} [{unit}]" if unit else str(label)
        return f"{text}: {stat}" if stat else text


def default_output(folder: Path, lang: str) -> Path:
    """``report.html`` for English, ``report.<lang>.html`` for the other languages."""
    return folder / ("report.html" if lang == "en" else f"report.{lang}.html")


def build_report(folder: str | Path, output: str | Path | None = None,
                 lang: str = "en") -> ReportFiles:
    """Build the HTML report of a results folder, with its charts and tables.

    :param folder: a folder written by ``hrdsim run --out``, ``hrdsim compare --out``
        (or a sweep or sensitivity study).
    :param output: the HTML file (default: ``report.html`` in ``folder``, or
        ``report.<lang>.html`` for a language other than English).
    :param lang: ``"en"`` or ``"fi"``.
    :raises ReportError: when the folder is not a complete results folder.
    :raises OutputError: when a file cannot be written.
    """
    import time

    from hrdsim.report import charts

    started = time.perf_counter()
    root = Path(folder)
    t = Catalogue(lang)
    study = read_study(root)
    out = Path(output) if output is not None else default_output(root, lang)
    _check_output(out)
    module = importlib.import_module(STUDY_KINDS[study.kind])
    for folder in (root / "charts" / lang, root / "tables" / lang):
        _make_folder(folder)
    builder = Builder(study, t, charts.looks(study.labels), root / "charts" / lang, out.parent)
    with charts.style():
        sections: list[Section] = module.sections(study, builder)
    from hrdsim.report.exports import write_tables

    tables = write_tables(builder.tables, root / "tables" / lang, WORKBOOK) \
        if builder.tables else []
    html = render(study, builder, sections, tables, out)
    from hrdsim.results import atomic_write_text

    atomic_write_text(out, html)
    return ReportFiles(out, builder.chart_files, tables, time.perf_counter() - started)


def _make_folder(folder: Path) -> None:
    """Create a folder for the report's files.

    :raises OutputError: if it, or a folder above it, is a file, or it cannot be created.
    """
    from hrdsim.errors import OutputError

    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            raise OutputError(f"{path} is a file, but the report writes its charts and tables "
                              f"in {folder}/ (move the file away)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder} for the report: "
                          f"{exc.strerror or exc}") from None


def _check_output(out: Path) -> None:
    if out.is_dir():
        raise ReportError(f"{out} is a folder; -o takes the HTML file to write, e.g. "
                          f"{out / 'report.html'}")
    if not out.parent.is_dir():
        raise ReportError(f"{out.parent}: no such folder for the report (-o); create it first "
                          "or choose another path")


def render(study: Study, builder: Builder, sections: Sequence[Section],
           tables: Sequence[Path], out: Path) -> str:
    """The report's HTML."""
    import jinja2

    from hrdsim.results import _version

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("hrdsim.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.html.j2")
    t = builder.t
    return template.render(
        t=t, b=builder, study=study, sections=sections,
        title=t(f"report.title.{study.kind}"),
        built=t("report.built", date=t.date(datetime.date.today()),
                version=_version("hrdsim")),
        tables=[_relative(p, out.parent) for p in tables],
        charts_folder=_relative(builder.charts_folder, out.parent),
    )


def _relative(path: Path, base: Path) -> str:
    import os

    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


__all__ = ["Builder", "ChartView", "Estimate", "ReportFiles", "Section", "build_report",
           "default_output"]
