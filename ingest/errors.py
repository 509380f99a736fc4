"""The one failure users meet at ingest: an export the warehouse cannot take."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class ExportError(Exception):
    """An export file that cannot be loaded, said so that a person can fix it.

    Carries the file, and where known the row (1-based data record) and the
    column (export heading), plus what was expected, so the message points at
    the exact place to look.
    """

    file: Path | str
    problem: str
    expected: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        text = f"{where}: {self.problem}"
        if self.expected:
            text += f" (expected: {self.expected})"
        return text
