"""Consultant-ready outputs: an HTML report, charts for slides, tables for spreadsheets.

``hrdsim report RESULTS_DIR`` (or ``--report`` on ``hrdsim run``, ``hrdsim compare``,
``hrdsim sweep`` and ``hrdsim sensitivity``) builds, from a results folder, one
self-contained HTML file in English or Finnish, every chart as PNG and SVG, and
every table as CSV and in one workbook; see ``docs/reports.md``. From Python::

    from hrdsim.report import build_report
    build_report("results/compare", lang="fi")

The package's modules: :mod:`~hrdsim.report.data` reads results folders,
:mod:`~hrdsim.report.scenarios` (runs and comparisons) and the study kinds'
own modules build the sections, :mod:`~hrdsim.report.meaningful` holds the smallest
changes that matter, :mod:`~hrdsim.report.charts` draws,
:mod:`~hrdsim.report.exports` writes CSV and ``.xlsx``, :mod:`~hrdsim.report.i18n`
holds the languages, :mod:`~hrdsim.report.build` puts it together and
:mod:`~hrdsim.report.command` is the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrdsim.report.build import ReportFiles, build_report
    from hrdsim.report.data import ReportError

# Loaded on first use, so that the command line (which imports
# hrdsim.report.command) does not load pandas, matplotlib or Jinja2 to start.
_EXPORTED_FROM = {
    "hrdsim.report.build": ("ReportFiles", "build_report"),
    "hrdsim.report.data": ("ReportError",),
}
_MODULE_OF = {name: module for module, names in _EXPORTED_FROM.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'hrdsim.report' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


__all__ = ["ReportError", "ReportFiles", "build_report"]
