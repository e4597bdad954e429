"""The report's tables for spreadsheets: one CSV per table and one ``.xlsx`` workbook.

Each table is a pandas DataFrame whose headers are in the report's language and
carry their units (``Capability index (end) [0-100]: mean``). CSV files are
UTF-8 with a byte-order mark, so that spreadsheet programs read accented
letters right, and write numbers with a decimal point, as every tool reads
them; the workbook holds the same tables as numbers, one sheet per table, with
a frozen header row. A text cell that begins with ``=`` (a scenario named so)
stays text in the workbook: it is never turned into a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import pandas as pd

#: Characters a sheet name may not hold, and its longest length (Excel's rules).
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_LENGTH = 31


@attrs.frozen
class ExportTable:
    """A table to export.

    :ivar name: the CSV file's stem (``summary``), the same in every language.
    :ivar sheet: the workbook sheet's title, in the report's language.
    :ivar frame: the table.
    :ivar workbook: also a sheet of the workbook (a long weekly series is CSV only).
    """

    name: str
    sheet: str
    frame: pd.DataFrame
    workbook: bool = True


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name for ``title``."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:_SHEET_LENGTH] or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" {number}"
        name = base[: _SHEET_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def write_tables(tables: Sequence[ExportTable], folder: Path, workbook: str) -> list[Path]:
    """Write each table as ``<name>.csv`` and as a sheet of ``workbook`` (those marked so).

    :return: the files written (the CSV files, then the workbook).
    :raises OutputError: if a file cannot be written.
    """
    from hrdsim.results import atomic_write

    folder.mkdir(parents=True, exist_ok=True)
    written = [atomic_write(folder / f"{table.name}.csv", _csv(table.frame)) for table in tables]
    written.append(atomic_write(folder / workbook, lambda p: _workbook(tables, p)))
    return written


def _csv(frame: pd.DataFrame) -> Callable[[str], None]:
    def write(path: str) -> None:
        frame.to_csv(path, index=False, encoding="utf-8-sig")

    return write


def _workbook(tables: Sequence[ExportTable], path: str) -> None:
    import pandas as pd
    from openpyxl.utils import get_column_letter

    taken: set[str] = set()
    # a file handle, since the temporary name's suffix does not say .xlsx
    with open(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        for table in (t for t in tables if t.workbook):
            name = sheet_title(table.sheet, taken)
            table.frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:  # headers may be scenario names
                if cell.data_type == "f":
                    cell.data_type = "s"
            frame = table.frame
            for index, header in enumerate(frame.columns, start=1):
                values = frame.iloc[:, index - 1]
                sample = [str(v) for v in values.head(50) if v is not None]
                width = max([len(str(header)), *map(len, sample)])
                sheet.column_dimensions[get_column_letter(index)].width = min(
                    max(width + 2, 10), 60)
                if not pd.api.types.is_numeric_dtype(values):  # text: "=..." stays text
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        if cell.data_type == "f":
                            cell.data_type = "s"


__all__ = ["ExportTable", "sheet_title", "write_tables"]
