"""Excel workbooks that come out byte-identical from one export of a build to the next.

openpyxl stamps a workbook twice with the clock: the document's "modified" property (``save_workbook`` sets it
to now) and the time of every file inside the zip. Here the workbook is saved through openpyxl's own
``ExcelWriter`` with both set to the build's time, so re-running an export rewrites the same bytes, and the
document's dates say which build it holds. Sheets are written in write-only mode: the answers table has tens of
thousands of rows.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

#: Rows of a sheet, heading included (Excel's limit).
MAX_ROWS = 1_048_576
#: Widest column, in characters.
_MAX_WIDTH = 60
#: Rows looked at to size a column.
_WIDTH_SAMPLE = 200


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, the heading of each column, and its rows (already in order)."""

    name: str
    headings: Sequence[str]
    rows: Sequence[Sequence[Any]]


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose entries all carry one given time, whatever the clock says when they are written."""

    def __init__(self, path: Path, when: dt.datetime) -> None:
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zinfo_or_arcname
            info.date_time = self._date_time
        else:
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
        super().writestr(info, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each sheet from a temporary file, whose time would otherwise be kept
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes(), compress_type, compresslevel)


def _cell_value(value: Any) -> Any:
    """What Excel can hold: NaN and infinities (no Excel value) become empty cells."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _width(heading: str, rows: Sequence[Sequence[Any]], index: int) -> float:
    longest = max([len(heading), *(len(str(r[index])) for r in rows[:_WIDTH_SAMPLE] if r[index] is not None)])
    return min(longest + 2, _MAX_WIDTH)


def write_workbook(path: Path, sheets: Iterable[Sheet], when: dt.datetime, title: str, description: str) -> None:
    """Write ``sheets`` to ``path`` as .xlsx, headings in bold on a frozen first row, dated ``when``."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        if len(sheet.rows) + 1 > MAX_ROWS:
            raise OverflowError(f"{sheet.name}: {len(sheet.rows)} rows, more than an Excel sheet holds")
        ws = wb.create_sheet(sheet.name)
        for i, head in enumerate(sheet.headings, start=1):
            ws.column_dimensions[get_column_letter(i)].width = _width(head, sheet.rows, i - 1)
        ws.freeze_panes = "A2"
        header = []
        for head in sheet.headings:
            cell = WriteOnlyCell(ws, value=head)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell_value(v) for v in row])
    props = wb.properties
    props.creator = props.lastModifiedBy = "survey-warehouse (make export)"
    props.title = title
    props.description = description
    props.created = props.modified = when
    archive = _FixedTimeZip(path, when)
    try:
        ExcelWriter(wb, archive).save()
    except BaseException:
        archive.close()
        raise
