"""Downloads of a shown table: CSV for any tool, XLSX for spreadsheet users, both as the page shows them.

Files hold what the page shows (integer counts, ``s`` where the page shows ``s``) and, in the XLSX, a
second sheet with the question, the base and the confidentiality note.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Semicolon-separated, decimal comma, UTF-8 with BOM: what French spreadsheets open without a wizard."""
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str, notes: Sequence[str]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        pd.DataFrame({"Notes": list(notes)}).to_excel(writer, sheet_name="Notes", index=False)
    return buffer.getvalue()

