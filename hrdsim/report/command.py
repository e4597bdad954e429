"""``hrdsim report``, and the ``--report`` option of the commands that write results.

Like the rest of the command line, this module imports only click at import
time; the report's libraries (pandas, matplotlib, Jinja2, Babel) load when a
report is built.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hrdsim.cli_support import UserError, errors_to_messages
from hrdsim.report.languages import LANGUAGES

F = TypeVar("F", bound=Callable[..., Any])


@click.command()
@click.argument("results_dir", metavar="RESULTS_DIR", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="FILE",
              help="The HTML file to write (default: report.html in RESULTS_DIR, or "
              "report.fi.html for --lang fi).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="The report's language: English or Finnish.")
@errors_to_messages
def report(results_dir: Path, output: Path | None, lang: str) -> None:
    """Build an HTML report of a results folder, with charts and tables.

    RESULTS_DIR is a folder written by `hrdsim run --out`, `hrdsim compare --out`,
    `hrdsim sweep --out` or `hrdsim sensitivity --out`.
    The report is one self-contained HTML file (it opens offline and runs no
    script): an executive summary, the scenarios side by side, charts with 95%
    bands, paired differences, the assumptions and the manifest. Every chart is
    also written as PNG and SVG in RESULTS_DIR/charts/LANG/, and every table as
    CSV and in one .xlsx workbook in RESULTS_DIR/tables/LANG/.
    """
    from hrdsim.report.build import build_report

    files = build_report(results_dir, output, lang)
    click.echo(_written(files))


def report_options(func: F) -> F:
    """``--report`` and ``--report-lang`` for a command that writes results with ``--out``."""
    options = [
        click.option("--report", "report", is_flag=True,
                     help="Also build the HTML report, charts and tables in the --out folder "
                     "(as `hrdsim report` does)."),
        click.option("--report-lang", type=click.Choice(LANGUAGES), default="en",
                     show_default=True, help="The language of --report."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def check_report_options(report: bool, out: Path | None) -> None:
    """Refuse ``--report`` without ``--out`` before anything runs.

    :raises UserError: naming both options.
    """
    if report and out is None:
        raise UserError("--report builds the report from the results folder: give --out DIR "
                        "too (or build it later with `hrdsim report DIR`)")


def report_after_results(report: bool, out: Path | None, lang: str, err: bool = False) -> None:
    """Build the report of results just written to ``out``, if asked.

    The results are already complete on disk: a report that cannot be built is
    one clear message and exit code 2, and the results stay as they are.

    :param err: print where the report went on stderr (stdout holds JSON).
    :raises UserError: when the report could not be built.
    """
    if not report or out is None:
        return
    from hrdsim.errors import HrdsimError
    from hrdsim.report.build import build_report

    try:
        files = build_report(out, lang=lang)
    except Exception as exc:  # whatever went wrong, the results written stay intact
        if os.environ.get("HRDSIM_DEBUG"):
            raise
        reason = str(exc) if isinstance(exc, HrdsimError) else f"{type(exc).__name__}: {exc}"
        raise UserError(f"the report could not be built ({reason}); the results in {out}/ are "
                        f"complete - build the report again with `hrdsim report {out}`"
                        ) from None
    click.echo(_written(files), err=err)


def _written(files: Any) -> str:
    charts = sorted({str(p.parent) for p in files.charts})
    tables = sorted({str(p.parent) for p in files.tables})
    where = "; ".join(filter(None, [
        f"charts (PNG, SVG) in {', '.join(charts)}/" if charts else "",
        f"tables (CSV, XLSX) in {', '.join(tables)}/" if tables else "",
    ]))
    return f"Report written to {files.html}" + (f"; {where}" if where else "")


__all__ = ["check_report_options", "report", "report_after_results", "report_options"]
